from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ticketui.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (records logins, logouts and failed logins)
