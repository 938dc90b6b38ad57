"""Reads for tickets: the filtered list and a ticket's timeline."""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ticketui.audit.models import AuditRecord
from ticketui.integers import ID_MAX, ascii_integer
from ticketui.osm.catalogue import AWAITING_TEAM, TicketStatus, status_label

from .models import Ticket, TicketTag

logger = logging.getLogger(__name__)

# SQLite's trigram index of summaries (migration 0013). It finds a superset of what LIKE finds
# (it folds case beyond ASCII too), so the LIKE conditions beside it keep the results exactly as
# without it; it only spares reading every summary.
SUMMARY_SEARCH_SQL = "SELECT rowid FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %s"
TRIGRAM = 3


def summary_search_match(words: list[str]) -> str:
    """The FTS5 query for the words a trigram index can look up (three characters or more), each
    as a quoted string; "" when none can, and every summary is read as before."""
    quoted = ['"' + word.replace('"', '""') + '"' for word in words if len(word) >= TRIGRAM]
    return " AND ".join(quoted)


# The list's orders (its `sort` parameter; anything else is the default, "newest"), each served
# by an index of Ticket.Meta.
LIST_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-upstream_created_at", "-id"),
    "oldest": ("upstream_created_at", "id"),
    "changed": ("-upstream_updated_at", "-id"),
    "unchanged": ("upstream_updated_at", "id"),
    "status": ("status", "-upstream_created_at", "-id"),
}
DEFAULT_SORT = "newest"


def ticket_list(
    *,
    search: str = "",
    status: int | None = None,
    owner_id: int | None = None,
    unassigned: bool = False,
    older_than: timedelta | None = None,
    waiting: bool = False,
    severity: str = "",
    label: str = "",
    unread: bool = False,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Ticket]:
    """The list's tickets under its filters, in the order `sort` names: `owner_id` one owner's,
    `unassigned` nobody's, `older_than` created upstream longer ago than that, `waiting` the
    upstream waiting on the team longer than TICKET_WAITING_THRESHOLD_HOURS, `severity` and
    `label` the upstream's, `unread` those with engineer messages nobody has read."""
    tickets = Ticket.objects.order_by(*LIST_SORTS.get(sort, LIST_SORTS[DEFAULT_SORT]))
    if status is not None:
        tickets = tickets.filter(status=status)
    if owner_id is not None:
        tickets = tickets.filter(owner_id=owner_id)
    elif unassigned:
        tickets = tickets.filter(owner__isnull=True)
    if older_than is not None:
        tickets = tickets.filter(upstream_created_at__lt=timezone.now() - older_than)
    if severity:
        tickets = tickets.filter(severity=severity)
    if label:
        tickets = tickets.filter(
            pk__in=TicketTag.objects.filter(kind=TicketTag.Kind.LABEL, name=label).values(
                "ticket_id"
            )
        )
    if unread:
        tickets = tickets.filter(unread_messages__gt=0)
    if waiting:
        threshold = timedelta(hours=settings.TICKET_WAITING_THRESHOLD_HOURS)
        tickets = tickets.filter(
            status__in=AWAITING_TEAM, upstream_updated_at__lt=timezone.now() - threshold
        )
    if words := search.split():
        # A case-id prefix, or every word somewhere in the summary (indexed by trigrams on both
        # databases: 0006 and 0013).
        in_summary = Q()
        for word in words[:8]:
            in_summary &= Q(summary__icontains=word)
        if connection.vendor == "sqlite" and (indexed := summary_search_match(words[:8])):
            # The query is a parameter; the statement is a constant.
            in_summary &= Q(pk__in=RawSQL(SUMMARY_SEARCH_SQL, [indexed]))  # noqa: S611
        tickets = tickets.filter(Q(case_id__istartswith=search.strip()) | in_summary)
        if sort not in LIST_SORTS or sort == DEFAULT_SORT:
            tickets = tickets.order_by(
                # Not the list's own index order: PostgreSQL would walk that index from the
                # newest ticket and test every row until 25 match, which for a case-id prefix of
                # old tickets is the whole table. Ordered this way it collects the matches from
                # the prefix and trigram indexes first (a cost that grows with the matches, not
                # the table) and sorts only them.
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
    "upstream_updated_at",
    "updated_at",
    "owner",
    "severity",
    "labels",
    "unread_messages",
)
# The owners' names, read in a second small query rather than joined: the page's query then
# stays on the ticket table's indexes under every order and filter.
LIST_OWNER_FIELDS = ("username", "first_name", "last_name")


def ticket_list_page(
    *, filters: dict, number: str | None, status_counts: list[tuple[int | None, str, int]]
) -> Page | None:
    """A page of the list under `filters` (ticket_list's arguments), or None when `number` names
    no page of it (not a number, or past the end). The status chips' counts (`status_counts`,
    from ticket_status_counts under the same filters but the status) give the total, so nothing
    counts the matches twice."""
    wanted = ascii_integer(number, minimum=1, maximum=LIST_PAGE_MAX) if number else 1
    if wanted is None:
        return None
    owners = get_user_model().objects.only(*LIST_OWNER_FIELDS)
    tickets = ticket_list(**filters).only(*LIST_FIELDS).prefetch_related(Prefetch("owner", owners))
    paginator = Paginator(tickets, LIST_PAGE_SIZE)
    status = filters.get("status")
    paginator.count = sum(
        count for code, _, count in status_counts if status is None or code == status
    )
    try:
        return paginator.page(wanted)
    except EmptyPage:
        return None


# Triggers on the tickets table (migration 0012) add a row of (status, change) to this table in
# the same transaction as every insert, delete or status change, so the counts of the whole
# list are exact and reading them sums a few rows, whatever the number of tickets.
STATUS_COUNTS_TABLE = "tickets_status_count"
# Changes kept before a read folds them into one row per status.
STATUS_COUNTS_FOLD_AFTER = 200


def _status_counts_read() -> tuple[dict[int | None, int], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, SUM(n), COUNT(*) FROM {STATUS_COUNTS_TABLE} GROUP BY status"  # noqa: S608
        )
        rows = cursor.fetchall()
    counts = {status: total for status, total, _ in rows if total > 0}
    return counts, sum(changes for _, _, changes in rows)


def ticket_status_counts_fold() -> None:
    """Fold the counts' change rows into one row per status (the sums stay as they were): the
    only write a read makes, now and then, so that the rows to sum stay few."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each change row is deleted once, by whichever fold gets it, and comes back in a sum;
            # rows added meanwhile stay for the next fold.
            cursor.execute(
                f"WITH folded AS (DELETE FROM {STATUS_COUNTS_TABLE} RETURNING status, n) "  # noqa: S608
                f"INSERT INTO {STATUS_COUNTS_TABLE} (status, n) SELECT status, SUM(n) "
                "FROM folded GROUP BY status HAVING SUM(n) <> 0"
            )
            return
        # SQLite: the transaction holds the database's only write lock from its start.
        cursor.execute(
            f"SELECT status, SUM(n) FROM {STATUS_COUNTS_TABLE} GROUP BY status"  # noqa: S608
        )
        sums = [(status, total) for status, total in cursor.fetchall() if total]
        cursor.execute(f"DELETE FROM {STATUS_COUNTS_TABLE}")  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {STATUS_COUNTS_TABLE} (status, n) VALUES (%s, %s)",  # noqa: S608
            sums,
        )


def _whole_list_counts() -> dict[int | None, int]:
    counts, changes = _status_counts_read()
    if changes > STATUS_COUNTS_FOLD_AFTER:
        try:
            ticket_status_counts_fold()
        except DatabaseError:  # e.g. the write lock not had in time: the next read folds
            logger.warning("the status counts could not be folded just now", exc_info=True)
    return counts


# Counts under a filter are cached briefly, named after this generation, which any change of a
# ticket's status or owner renews.
STATUS_COUNTS_CACHE_KEY = "tickets:status-counts"
STATUS_COUNTS_GENERATION_KEY = "tickets:status-counts-generation"
STATUS_COUNTS_SECONDS = 30


def _counts_key(filters: dict) -> str:
    generation = cache.get(STATUS_COUNTS_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(STATUS_COUNTS_GENERATION_KEY, generation, None)
    digest = hashlib.blake2b(repr(sorted(filters.items())).encode(), digest_size=12).hexdigest()
    return f"{STATUS_COUNTS_CACHE_KEY}:{generation}:{digest}"


def _filtered_counts(filters: dict) -> dict[int | None, int]:
    key = _counts_key(filters)
    counts = cache.get(key)
    if counts is None:
        tickets = ticket_list(**filters).order_by()
        counts = dict(tickets.values_list("status").annotate(n=Count("id")))
        cache.set(key, counts, STATUS_COUNTS_SECONDS)
    return counts


def ticket_status_counts(**filters) -> list[tuple[int | None, str, int]]:
    """(status, label, tickets) for every status that has tickets under `filters` (ticket_list's
    arguments but the status and the order), in the statuses' own order. The whole list's are
    exact and as cheap at a million tickets as at ten; a filter's are counted and cached briefly."""
    filters = {
        name: value for name, value in filters.items() if name not in ("status", "sort") and value
    }
    counts = _filtered_counts(filters) if filters else _whole_list_counts()
    known = [(code, label, counts[code]) for code, label in TicketStatus.choices if code in counts]
    unknown = [
        (code, status_label(code), n)
        for code, n in counts.items()
        if code not in TicketStatus.values
    ]
    return known + sorted(unknown, key=lambda item: (item[0] is None, item[0] or 0))


def ticket_status_counts_forget() -> None:
    """After tickets change status or owner, the next list view under a filter counts afresh
    (the whole list's counts are kept exact by the database)."""
    cache.set(STATUS_COUNTS_GENERATION_KEY, uuid.uuid4().hex, None)


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
