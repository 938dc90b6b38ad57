from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ticketui.tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from ticketui.audit.links import record_linker_register
        from ticketui.caching.jinja_rows import row_filters_register

        from .audit_links import ticket_and_bulk_links
        from .row_filters import ROW_FILTERS

        # The audit review links records to their ticket and bulk run (audit/links.py).
        record_linker_register(ticket_and_bulk_links)
        # The list's rows and the timeline render through Jinja2 (caching/jinja_rows.py).
        row_filters_register(**ROW_FILTERS)
