from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ticketui.tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from ticketui.audit.links import record_linker_register

        from .audit_links import ticket_and_bulk_links

        # The audit review links records to their ticket and bulk run (audit/links.py).
        record_linker_register(ticket_and_bulk_links)
