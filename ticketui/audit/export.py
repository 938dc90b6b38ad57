"""The audit trail as CSV: 28 columns, times in the reader's time zone, JSON as text, and every
text cell neutralised so that a spreadsheet shows it instead of evaluating it. On PostgreSQL the
database writes the file itself (COPY ... TO STDOUT, each cell formatted in SQL); elsewhere Python
formats plain cursor rows. Both stream in constant memory and read the same in a spreadsheet."""

import json
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from ticketui.spreadsheets import FORMULA_STARTS, csv_cell  # noqa: F401  (csv_cell: its rule)

from .models import AuditRecord

BOM = "\ufeff".encode()  # so that spreadsheets read the file as UTF-8 (Chinese summaries, names)
BLOCK_BYTES = 64 * 1024  # what the response is handed at a time from COPY
FETCH_ROWS = 1000  # rows per cursor fetch, and per block, on the Python path

# How a column's value becomes its cell.
INTEGER = "integer"
NUMBER = "number"  # float: Python's repr, 120.0 and 0.1
TIME = "time"  # ISO 8601 in the reader's time zone, always with microseconds
YES_NO = "yes/no"
TEXT = "text"  # neutralised
JSON_TEXT = "json"  # the stored JSON as text, neutralised
ADDRESS = "address"  # an IP address never starts with a formula character


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    kind: str


COLUMNS = [
    Column("id", "id", INTEGER),
    Column("created_at", "created_at", TIME),
    Column("completed_at", "completed_at", TIME),
    Column("agent", "actor_username", TEXT),
    Column("kind", "kind", TEXT),
    Column("action", "action_id", TEXT),
    Column("case_id", "case_id", TEXT),
    Column("outcome", "outcome", TEXT),
    Column("http_status", "http_status", INTEGER),
    Column("error_code", "error_code", TEXT),
    Column("error_msg", "error_msg", TEXT),
    Column("request_id", "request_id", TEXT),
    Column("duration_ms", "duration_ms", NUMBER),
    Column("ip_address", "ip_address", ADDRESS),
    Column("user_agent", "user_agent", TEXT),
    Column("request_method", "request_method", TEXT),
    Column("request_path", "request_path", TEXT),
    Column("request_headers", "request_headers", JSON_TEXT),
    Column("request_body", "request_body", JSON_TEXT),
    Column("response_body", "response_body", TEXT),
    Column("response_truncated", "response_truncated", YES_NO),
    Column("detail", "detail", TEXT),
    Column("data", "data", JSON_TEXT),
    Column("reconciles", "reconciles_id", INTEGER),
    Column("seal", "seq", INTEGER),
    Column("hash", "hash", TEXT),
    Column("completion_seal", "completion_seq", INTEGER),
    Column("completion_hash", "completion_hash", TEXT),
]
HEADER = [column.name for column in COLUMNS]


def audit_csv(records: QuerySet[AuditRecord], *, zone: tzinfo) -> Iterator[bytes]:
    """The records, in their queryset's order, as the bytes of a CSV file with times in `zone`.
    The zone is taken here, not while streaming: the reader's zone is no longer active then."""
    if connections[records.db].vendor == "postgresql":
        return audit_csv_copy(records, zone=zone)
    return audit_csv_rows(records, zone=zone)


# --- Time zones: a named zone as stretches of one offset each ------------------------------

# A named zone's offsets are worked out from here to the day after tomorrow; a time outside
# that span, should there be one, is converted as each path converts any time (PostgreSQL's
# or Python's zone data).
ZONE_SPAN_START = datetime(2000, 1, 1, tzinfo=UTC)


def _zone_span_end() -> datetime:
    return datetime.combine(timezone.now().date() + timedelta(days=2), time.min, UTC)


@lru_cache(maxsize=16)
def _zone_stretches(zone: tzinfo, until: datetime) -> tuple[tuple[datetime, timedelta], ...]:
    """(start, offset) of each stretch of time from ZONE_SPAN_START to `until` over which
    `zone` keeps one offset, oldest first: looked at day by day, each change then found to the
    second (the zone database changes offsets on whole seconds, never twice in a day)."""

    def offset_at(second: int) -> timedelta:
        return datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()

    day = 24 * 3600
    first = int(ZONE_SPAN_START.timestamp())
    stretches = [(first, offset_at(first))]
    for second in range(first + day, int(until.timestamp()) + day, day):
        if offset_at(second) != stretches[-1][1]:
            earlier, later = second - day, second
            while later - earlier > 1:
                middle = (earlier + later) // 2
                if offset_at(middle) == stretches[-1][1]:
                    earlier = middle
                else:
                    later = middle
            stretches.append((later, offset_at(later)))
    return tuple((datetime.fromtimestamp(start, UTC), offset) for start, offset in stretches)


def _iso_suffix(offset: timedelta) -> str:
    """The offset as Python's isoformat() writes it: +08:00, -03:30, +00:00."""
    return datetime(2000, 1, 1, tzinfo=dt_timezone(offset)).isoformat()[19:]


# --- Python: plain cursor rows, formatted a column at a time -------------------------------

_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def csv_quoted(text: str) -> str:
    """The cell as csv.writer writes it (minimal quoting), at several times its speed."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _text_cells(values: tuple) -> list[str]:
    return [
        "" if value is None else csv_quoted("'" + value if value[:1] in _FORMULA_FIRST else value)
        for value in values
    ]


def _json_cells(values: tuple) -> list[str]:
    # Django stores JSON ASCII-escaped on SQLite; show Chinese as Chinese, as PostgreSQL does.
    return _text_cells(
        tuple(
            json.dumps(json.loads(text), ensure_ascii=False) if text and "\\u" in text else text
            for text in values
        )
    )


def _number_cells(values: tuple) -> list[str]:
    return ["" if value is None else repr(value) for value in values]  # 120.0, as csv.writer


def _address_cells(values: tuple) -> list[str]:
    return ["" if value is None else csv_quoted(str(value)) for value in values]


def _yes_no_cells(values: tuple) -> list[str]:
    return ["" if value is None else "yes" if value else "no" for value in values]


def _time_cells(zone: tzinfo) -> Callable[[tuple], list[str]]:
    """Times (ISO 8601 text, naive meaning UTC) as isoformat(timespec="microseconds") in
    `zone` writes them: the stretch's offset added to the UTC time, cheaper than astimezone()."""
    fixed = zone.utcoffset(None)
    if fixed is not None:
        starts, offsets = [datetime.min], [fixed]
        span_start, span_end = datetime.min, datetime.max
    else:
        span_end = _zone_span_end()
        stretches = _zone_stretches(zone, span_end)
        starts = [start.replace(tzinfo=None) for start, _offset in stretches]
        offsets = [offset for _start, offset in stretches]
        span_start, span_end = starts[0], span_end.replace(tzinfo=None)
    suffixes = [_iso_suffix(offset) for offset in offsets]

    def cell(text: str) -> str:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        if not span_start <= moment < span_end:
            return moment.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="microseconds")
        stretch = bisect_right(starts, moment) - 1
        local = moment + offsets[stretch]
        return local.isoformat(timespec="microseconds") + suffixes[stretch]

    def cells(values: tuple) -> list[str]:
        return ["" if text is None else cell(text) for text in values]

    return cells


_CELLS = {
    INTEGER: _number_cells,
    ADDRESS: _address_cells,
    NUMBER: _number_cells,
    TEXT: _text_cells,
    JSON_TEXT: _json_cells,
    YES_NO: _yes_no_cells,
}


def audit_csv_rows(records: QuerySet[AuditRecord], *, zone: tzinfo) -> Iterator[bytes]:
    """The export formatted by Python, FETCH_ROWS rows per block, one column at a time."""
    time_cells = _time_cells(zone)
    formats = [time_cells if column.kind == TIME else _CELLS[column.kind] for column in COLUMNS]
    # Times and JSON as their text: no model instances, no decoding of JSON to encode it again.
    cells = records.values(
        **{
            f"cell_{position}": Cast(column.field, TextField())
            if column.kind in (TIME, JSON_TEXT)
            else F(column.field)
            for position, column in enumerate(COLUMNS)
        }
    )
    compiler = cells.query.get_compiler(using=records.db)
    # A server-side cursor unless the database says not (behind a pooler), as .iterator() does.
    chunked = not connections[records.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")

    def blocks() -> Iterator[bytes]:
        yield BOM + (",".join(HEADER) + "\r\n").encode()
        for rows in compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=FETCH_ROWS):
            by_column = zip(*rows, strict=True)
            columns = [cells(values) for cells, values in zip(formats, by_column, strict=True)]
            lines = map(",".join, zip(*columns, strict=True))
            yield ("\r\n".join(lines) + "\r\n").encode()

    return blocks()


# --- PostgreSQL: the database writes the CSV ----------------------------------------------

_ISO_LOCAL = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'"
_FORMULA_CODES = [ord(start) for start in FORMULA_STARTS]


def _sql_neutralised(text: str) -> str:
    # One ascii() a cell (the first character's code, 0 for an empty string), compared with each
    # code in turn: several times cheaper than left(text, 1) IN (...) and NULLIF. An empty string
    # becomes NULL, an empty cell as on the Python path (COPY would write it as "").
    formulas = "".join(f"WHEN {code} THEN '''' || {text} " for code in _FORMULA_CODES)
    return f"CASE ascii({text}) WHEN 0 THEN NULL {formulas}ELSE {text} END"


def _sql_json(column: str) -> str:
    # Only a negative number's text starts with a formula character: one jsonb-to-text a cell.
    text = f"{column}::text"
    return (
        f"CASE WHEN jsonb_typeof({column}) = 'number' AND ascii({text}) = {ord('-')} "
        f"THEN '''' || {text} ELSE {text} END"
    )


def _sql_time_at(column: str, offset: timedelta) -> tuple[str, list[Any]]:
    local = f"{column} AT TIME ZONE make_interval(secs => %s)"
    return f"to_char({local}, {_ISO_LOCAL}) || %s", [offset.total_seconds(), _iso_suffix(offset)]


def _sql_time_by_postgresql(column: str, zone_name: str) -> tuple[str, list[Any]]:
    local = f"({column} AT TIME ZONE %s)"
    utc = f"({column} AT TIME ZONE 'UTC')"
    sql = (
        f"to_char({local}, {_ISO_LOCAL}) || CASE WHEN {local} < {utc} "
        f"THEN '-' || to_char({utc} - {local}, 'HH24:MI') "
        f"ELSE '+' || to_char({local} - {utc}, 'HH24:MI') END"
    )
    return sql, [zone_name] * 4


def _sql_time(column: str, zone: tzinfo) -> tuple[str, list[Any]]:
    """The time as Python's isoformat(timespec="microseconds") in `zone` writes it. A fixed
    offset, as a profile's zone is, is one suffix for every row; a named zone (the site's
    TIME_ZONE) is a few fixed stretches, cheaper per row than PostgreSQL's zone lookup."""
    offset = zone.utcoffset(None)
    if offset is not None:
        return _sql_time_at(column, offset)
    until = _zone_span_end()
    outside, params = _sql_time_by_postgresql(column, str(zone))
    sql = f"CASE WHEN {column} < %s OR {column} >= %s THEN {outside} "
    params = [ZONE_SPAN_START, until, *params]
    (_oldest_start, oldest_offset), *newer = _zone_stretches(zone, until)
    for start, stretch_offset in reversed(newer):  # the newest first: most records are recent
        at, at_params = _sql_time_at(column, stretch_offset)
        sql += f"WHEN {column} >= %s THEN {at} "
        params += [start, *at_params]
    at, at_params = _sql_time_at(column, oldest_offset)
    return f"{sql}ELSE {at} END", [*params, *at_params]


class _PostgresCell(Func):
    """One column as its CSV cell, formatted by PostgreSQL the way the Python path does it."""

    output_field = TextField()

    def __init__(self, column: Column, zone: tzinfo) -> None:
        super().__init__(F(column.field))
        self.kind = column.kind
        self.zone = zone

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        assert not params, "a plain column reference takes no parameters"
        if self.kind == TEXT:
            return _sql_neutralised(column), []
        if self.kind == JSON_TEXT:
            return _sql_json(column), []
        if self.kind == YES_NO:
            return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END", []
        if self.kind == NUMBER:
            # PostgreSQL writes 120 where Python writes 120.0. (From 1e15 to 1e16 it writes
            # 1e+15 where Python spells the digits out; no duration comes near.)
            return (
                f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
                f"THEN {column}::text || '.0' ELSE {column}::text END"
            ), []
        if self.kind == TIME:
            return _sql_time(column, self.zone)
        return column, []  # INTEGER, ADDRESS: COPY writes them as Django reads them


def audit_csv_copy(records: QuerySet[AuditRecord], *, zone: tzinfo) -> Iterator[bytes]:
    """The export written by PostgreSQL's COPY, handed on in blocks of about BLOCK_BYTES.
    The COPY starts when the response starts streaming, after the view's own queries; while it
    runs, nothing else uses the connection. A spreadsheet reads the same file as from the
    Python path; the bytes differ in that records end in LF (COPY's) rather than CRLF, and a
    JSON object's keys come in jsonb's order (shortest first) rather than as stored."""
    cells = records.values(
        **{
            f"cell_{position}": _PostgresCell(column, zone)
            for position, column in enumerate(COLUMNS)
        }
    )
    header = BOM + (",".join(HEADER) + "\n").encode()
    try:
        select, params = cells.query.get_compiler(using=records.db).as_sql()
    except EmptyResultSet:
        return iter([header])
    statement = f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"
    connection = connections[records.db]

    def blocks() -> Iterator[bytes]:
        yield header
        with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
            block = bytearray()
            for data in copy:  # one record at a time
                block += data
                if len(block) >= BLOCK_BYTES:
                    yield bytes(block)
                    block.clear()
            if block:
                yield bytes(block)

    return blocks()
