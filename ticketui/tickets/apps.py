from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ticketui.tickets"
    verbose_name = "Tickets"
