"""Reads for tickets: the filtered list and a ticket's timeline."""

from django.db.models import Q, QuerySet

from ticketui.audit.models import AuditRecord

from .models import Ticket


def ticket_list(*, search: str = "", status: int | None = None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if status is not None:
        tickets = tickets.filter(status=status)
    if search:
        tickets = tickets.filter(Q(case_id__istartswith=search) | Q(summary__icontains=search))
    return tickets


def ticket_timeline(*, ticket: Ticket, limit: int = 200) -> QuerySet[AuditRecord]:
    """The ticket's operations and events, newest first."""
    return AuditRecord.objects.filter(case_id=ticket.case_id).select_related("actor")[:limit]
