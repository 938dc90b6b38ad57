"""Keyset pagination for the audit trail: each page is an index range scan from a cursor, so the
millionth record costs what the first does, and no page view counts the whole table."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import AuditRecord

# Counting stops here: "1,000+ records" is all a reader needs past it.
COUNT_CAP = 1000


@dataclass(frozen=True, kw_only=True)
class Sort:
    label: Any
    column: str
    descending: bool
    # Rows the sort cannot place (e.g. events have no duration) are left out of it.
    needs_value: bool = False


SORTS: dict[str, Sort] = {
    "newest": Sort(label=_("Newest first"), column="created_at", descending=True),
    "oldest": Sort(label=_("Oldest first"), column="created_at", descending=False),
    "slowest": Sort(
        label=_("Slowest calls first"), column="duration_ms", descending=True, needs_value=True
    ),
    "case": Sort(label=_("By case id"), column="case_id", descending=False),
    "agent": Sort(label=_("By agent"), column="actor_username", descending=False),
}
DEFAULT_SORT = "newest"


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


def sorted_records(records: QuerySet[AuditRecord], sort: Sort) -> QuerySet[AuditRecord]:
    if sort.needs_value:
        records = records.filter(**{f"{sort.column}__isnull": False})
    prefix = "-" if sort.descending else ""
    return records.order_by(f"{prefix}{sort.column}", f"{prefix}id")


def _encode(record: AuditRecord, sort: Sort) -> str:
    value = getattr(record, sort.column)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, record.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: Sort) -> tuple[Any, int] | None:
    """The (value, id) a cursor points at; None for anything that is not a cursor of this sort."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort.column == "created_at":
            value = datetime.fromisoformat(value)
        elif sort.column == "duration_ms":
            value = float(value)
        elif not isinstance(value, str):
            return None
        return value, int(pk)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _beyond(sort: Sort, value: Any, pk: int, *, forward: bool) -> Q:
    """Rows after (forward) or before the cursor in the sort's order. The redundant bound on
    the column alone lets the database start its index scan at the cursor."""
    later = sort.descending != forward  # whether "beyond" means larger values
    op = "gt" if later else "lt"
    bound = Q(**{f"{sort.column}__{op}e": value})
    return bound & (
        Q(**{f"{sort.column}__{op}": value}) | Q(**{sort.column: value, f"id__{op}": pk})
    )


def keyset_page(
    records: QuerySet[AuditRecord], *, sort: Sort, after: str = "", before: str = "", size: int
) -> KeysetPage:
    ordered = sorted_records(records, sort)
    count = ordered[: COUNT_CAP + 1].count()
    if before and (cursor := _decode(before, sort)):
        backwards = ordered.filter(_beyond(sort, *cursor, forward=False)).reverse()
        rows = list(backwards[: size + 1])
        if len(rows) > size:
            rows = rows[:size][::-1]
            return KeysetPage(
                object_list=rows,
                next_cursor=_encode(rows[-1], sort),
                previous_cursor=_encode(rows[0], sort),
                count=count,
                at_start=False,
            )
        after = ""  # reached the start: show the first page as it is
    elif after and (cursor := _decode(after, sort)):
        ordered_from = ordered.filter(_beyond(sort, *cursor, forward=True))
        rows = list(ordered_from[: size + 1])
        return KeysetPage(
            object_list=rows[:size],
            next_cursor=_encode(rows[size - 1], sort) if len(rows) > size else "",
            previous_cursor=_encode(rows[0], sort) if rows else "",
            count=count,
            at_start=False,
        )
    rows = list(ordered[: size + 1])
    return KeysetPage(
        object_list=rows[:size],
        next_cursor=_encode(rows[size - 1], sort) if len(rows) > size else "",
        previous_cursor="",
        count=count,
        at_start=True,
    )
