"""Reads for tickets: the filtered list and a ticket's timeline."""

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Window

from ticketui.audit.models import AuditRecord
from ticketui.integers import ID_MAX, ascii_integer
from ticketui.osm.catalogue import TicketStatus, status_label

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
        tickets = tickets.filter(Q(case_id__istartswith=search.strip()) | in_summary).order_by(
            # Not the list's own index order: PostgreSQL would walk that index from the newest
            # ticket and test every row until 25 match, which for a case-id prefix of old
            # tickets is the whole table. Ordered this way it collects the matches from the
            # prefix and trigram indexes first (a cost that grows with the matches, not the
            # table) and sorts only them.
            F("upstream_created_at").desc(nulls_last=True),
            "-id",
        )
    return tickets


LIST_PAGE_SIZE = 25
LIST_PAGE_MAX = ID_MAX // LIST_PAGE_SIZE  # its rows' offset still fits the database's integer
# What a row of the list shows, and the change stamp that names its cached markup.
LIST_FIELDS = (
    "case_id",
    "summary",
    "status",
    "product_category",
    "upstream_created_at",
    "updated_at",
)


def ticket_list_page(
    *,
    search: str,
    status: int | None,
    number: str | None,
    status_counts: list[tuple[int | None, str, int]],
) -> Page | None:
    """A page of the list, or None when `number` names no page of it (not a number, or past the
    end). Without a search the status chips' counts (`status_counts`, from
    ticket_status_counts) give the total, so nothing counts the whole table again; a search is
    counted by the page's own query (COUNT(*) OVER ()), so the database collects the matches
    once, for the count and the order, instead of once for each."""
    wanted = ascii_integer(number, minimum=1, maximum=LIST_PAGE_MAX) if number else 1
    if wanted is None:
        return None
    tickets = ticket_list(search=search, status=status).only(*LIST_FIELDS)
    paginator = Paginator(tickets, LIST_PAGE_SIZE)
    if not search.split():
        paginator.count = sum(
            count for code, _, count in status_counts if status is None or code == status
        )
        try:
            return paginator.page(wanted)
        except EmptyPage:
            return None
    start = (wanted - 1) * LIST_PAGE_SIZE
    rows = list(tickets.annotate(matches=Window(Count("id")))[start : start + LIST_PAGE_SIZE])
    if not rows and wanted > 1:
        return None
    paginator.count = rows[0].matches if rows else 0
    return Page(rows, wanted, paginator)


STATUS_COUNTS_CACHE_KEY = "tickets:status-counts"
STATUS_COUNTS_SECONDS = 30


def ticket_status_counts() -> list[tuple[int | None, str, int]]:
    """(status, label, tickets) for every status that has tickets, in the statuses' own order.
    Cached briefly: the chips are a guide, and counting a large table on every view is not free."""
    counts = cache.get(STATUS_COUNTS_CACHE_KEY)
    if counts is None:
        counts = dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("id")))
        cache.set(STATUS_COUNTS_CACHE_KEY, counts, STATUS_COUNTS_SECONDS)
    known = [(code, label, counts[code]) for code, label in TicketStatus.choices if code in counts]
    unknown = [
        (code, status_label(code), n)
        for code, n in counts.items()
        if code not in TicketStatus.values
    ]
    return known + sorted(unknown, key=lambda item: (item[0] is None, item[0] or 0))


def ticket_status_counts_forget() -> None:
    """After tickets change status, the next list view counts afresh."""
    cache.delete(STATUS_COUNTS_CACHE_KEY)


TIMELINE_PAGE = 50
TIMELINE_FIELDS = (
    "kind",
    "action_id",
    "outcome",
    "actor_username",
    "created_at",
    "request_body",  # the operation's description
    "error_code",
    "detail",
    "completion_seq",
)


def ticket_timeline(
    *, ticket: Ticket, before: int | None = None, limit: int = TIMELINE_PAGE
) -> tuple[list[AuditRecord], bool]:
    """A page of the ticket's operations and events, newest first, and whether older ones exist."""
    records = (
        AuditRecord.objects.filter(case_id=ticket.case_id)
        .only(*TIMELINE_FIELDS)  # not the stored request and response, which it does not show
        .order_by("-id")
    )
    if before is not None:
        records = records.filter(id__lt=before)
    page = list(records[: limit + 1])
    return page[:limit], len(page) > limit


def ticket_timeline_context(*, ticket: Ticket, before: int | None = None) -> dict:
    """What the ticket page's timeline partials render: a page of records and whether older
    ones exist."""
    records, more = ticket_timeline(ticket=ticket, before=before)
    return {"timeline": records, "timeline_more": more}
