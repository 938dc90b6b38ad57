"""Reads for tickets: the filtered list and a ticket's timeline."""

from django.db.models import Q, QuerySet

from ticketui.audit.models import AuditRecord

from .models import Ticket


def ticket_list(*, search: str = "", status: int | None = None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if status is not None:
        tickets = tickets.filter(status=status)
    if words := search.split():
        # A case-id prefix, or every word somewhere in the summary (indexed by trigrams on PostgreSQL).
        in_summary = Q()
        for word in words[:8]:
            in_summary &= Q(summary__icontains=word)
        tickets = tickets.filter(Q(case_id__istartswith=search.strip()) | in_summary)
    return tickets


TIMELINE_PAGE = 50


def ticket_timeline(
    *, ticket: Ticket, before: int | None = None, limit: int = TIMELINE_PAGE
) -> tuple[list[AuditRecord], bool]:
    """A page of the ticket's operations and events, newest first, and whether older ones exist."""
    records = (
        AuditRecord.objects.filter(case_id=ticket.case_id).select_related("actor").order_by("-id")
    )
    if before is not None:
        records = records.filter(id__lt=before)
    page = list(records[: limit + 1])
    return page[:limit], len(page) > limit
