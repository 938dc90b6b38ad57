"""Keyset pagination for the audit trail: each page is an index range scan from a cursor, so the
millionth record costs what the first does, and no page view counts the whole table."""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ticketui.integers import ID_MAX

from .models import AuditRecord

# Counting stops here: "1,000+ records" is all a reader needs past it.
COUNT_CAP = 1000


@dataclass(frozen=True, kw_only=True)
class Sort:
    label: Any
    column: str
    descending: bool
    # Rows without a value (e.g. events have no duration) come after every row with one.
    nullable: bool = False


SORTS: dict[str, Sort] = {
    "newest": Sort(label=_("Newest first"), column="created_at", descending=True),
    "oldest": Sort(label=_("Oldest first"), column="created_at", descending=False),
    "slowest": Sort(
        label=_("Slowest calls first"), column="duration_ms", descending=True, nullable=True
    ),
    "case": Sort(label=_("By case id"), column="case_id", descending=False),
    "agent": Sort(label=_("By agent"), column="actor_username", descending=False),
}
DEFAULT_SORT = "newest"
# A cursor's text value is one of the sort's columns (case id, user name): never longer.
CURSOR_TEXT_MAX = 150


class InvalidCursor(ValueError):
    """A page link whose cursor is not one this list made (edited, truncated, another order)."""


@dataclass(frozen=True, kw_only=True)
class KeysetPage:
    object_list: list[AuditRecord]
    next_cursor: str
    previous_cursor: str
    count: int  # capped at COUNT_CAP + 1
    at_start: bool

    @property
    def count_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return not self.at_start

    @property
    def past_the_end(self) -> bool:
        """A page link beyond the last record: no such page (rather than an empty result)."""
        return not self.at_start and not self.object_list


def _segments(records: QuerySet[AuditRecord], sort: Sort) -> list[QuerySet[AuditRecord]]:
    """The sort's order as index range scans: the rows with a value, then (for a nullable
    column) the rows without one, by id in the same direction."""
    prefix = "-" if sort.descending else ""
    if not sort.nullable:
        return [records.order_by(f"{prefix}{sort.column}", f"{prefix}id")]
    return [
        records.filter(**{f"{sort.column}__isnull": False}).order_by(
            f"{prefix}{sort.column}", f"{prefix}id"
        ),
        records.filter(**{f"{sort.column}__isnull": True}).order_by(f"{prefix}id"),
    ]


def sorted_records(records: QuerySet[AuditRecord], sort: Sort) -> QuerySet[AuditRecord]:
    """Every record in the sort's order (rows without a value last), in one query."""
    prefix = "-" if sort.descending else ""
    column: Any = f"{prefix}{sort.column}"
    if sort.nullable:
        column = (
            F(sort.column).desc(nulls_last=True)
            if sort.descending
            else F(sort.column).asc(nulls_last=True)
        )
    return records.order_by(column, f"{prefix}id")


def _encode(record: AuditRecord, sort: Sort) -> str:
    value = getattr(record, sort.column)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, record.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: Sort) -> tuple[Any, int]:
    """The (value, id) a cursor points at, checked to be a value the sort's column can hold
    (an aware moment within the calendar, a finite number, text without NUL or lone surrogates)
    and a 64-bit id; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise InvalidCursor(cursor) from None
    if type(pk) is not int or not 0 < pk <= ID_MAX:
        raise InvalidCursor(cursor)
    if value is None and sort.nullable:
        return None, pk
    return _checked_value(value, sort, cursor), pk


def _checked_value(value: Any, sort: Sort, cursor: str) -> Any:
    if sort.column == "created_at":
        try:
            moment = datetime.fromisoformat(value)
            moment.astimezone(UTC) + timedelta(days=1)  # within the calendar in every zone
            moment.astimezone(UTC) - timedelta(days=1)
        except (ValueError, TypeError, OverflowError):
            raise InvalidCursor(cursor) from None
        if moment.utcoffset() is None:
            raise InvalidCursor(cursor)
        return moment
    if sort.column == "duration_ms":
        if type(value) not in (int, float) or not math.isfinite(value):
            raise InvalidCursor(cursor)
        return float(value)
    if (
        not isinstance(value, str)
        or len(value) > CURSOR_TEXT_MAX
        or "\x00" in value
        or any("\ud800" <= c <= "\udfff" for c in value)
    ):
        raise InvalidCursor(cursor)
    return value


def _beyond(sort: Sort, value: Any, pk: int, *, forward: bool) -> Q:
    """Rows after (forward) or before the cursor in the sort's order, within its segment. The
    redundant bound on the column alone lets the database start its index scan at the cursor."""
    later = sort.descending != forward  # whether "beyond" means larger values
    op = "gt" if later else "lt"
    if value is None:  # among the rows without a value, ordered by id alone
        return Q(**{f"id__{op}": pk})
    bound = Q(**{f"{sort.column}__{op}e": value})
    return bound & (
        Q(**{f"{sort.column}__{op}": value}) | Q(**{sort.column: value, f"id__{op}": pk})
    )


def _walk(
    records: QuerySet[AuditRecord],
    sort: Sort,
    cursor: tuple[Any, int] | None,
    *,
    forward: bool,
    limit: int,
) -> list[AuditRecord]:
    """Up to `limit` rows from the cursor (or the start) on, forwards or backwards, in the
    order walked: the cursor's segment from the cursor, then the following ones whole."""
    segments = _segments(records, sort)
    here = 1 if cursor and cursor[0] is None else 0
    order = range(here, len(segments)) if forward else range(here, -1, -1)
    rows: list[AuditRecord] = []
    for index in order:
        segment = segments[index]
        if index == here and cursor:
            segment = segment.filter(_beyond(sort, *cursor, forward=forward))
        rows += list((segment if forward else segment.reverse())[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def keyset_page(
    records: QuerySet[AuditRecord], *, sort: Sort, after: str = "", before: str = "", size: int
) -> KeysetPage:
    """The page after the cursor `after`, or before `before`, or the first one; InvalidCursor
    when the one given is not a cursor of this sort."""
    count = sorted_records(records, sort)[: COUNT_CAP + 1].count()
    if before:
        rows = _walk(records, sort, _decode(before, sort), forward=False, limit=size + 1)
        if len(rows) > size:
            rows = rows[:size][::-1]
            return KeysetPage(
                object_list=rows,
                next_cursor=_encode(rows[-1], sort),
                previous_cursor=_encode(rows[0], sort),
                count=count,
                at_start=False,
            )
        # reached the start: show the first page as it is
    elif after:
        rows = _walk(records, sort, _decode(after, sort), forward=True, limit=size + 1)
        return KeysetPage(
            object_list=rows[:size],
            next_cursor=_encode(rows[size - 1], sort) if len(rows) > size else "",
            previous_cursor=_encode(rows[0], sort) if rows else "",
            count=count,
            at_start=False,
        )
    rows = _walk(records, sort, None, forward=True, limit=size + 1)
    return KeysetPage(
        object_list=rows[:size],
        next_cursor=_encode(rows[size - 1], sort) if len(rows) > size else "",
        previous_cursor="",
        count=count,
        at_start=True,
    )
