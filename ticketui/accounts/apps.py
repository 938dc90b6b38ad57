from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ticketui.accounts"
    label = "accounts"
    verbose_name = "Accounts"
