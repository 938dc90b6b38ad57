"""The audit trail as CSV: 28 columns, times in the reader's time zone, JSON as text, and every
text cell neutralised so that a spreadsheet shows it instead of evaluating it. On PostgreSQL the
database writes the file itself (COPY ... TO STDOUT, each cell formatted in SQL); elsewhere Python
formats plain cursor rows. Both stream in constant memory and read the same in a spreadsheet."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from .models import AuditRecord

# A cell a spreadsheet could take for a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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


def csv_cell(value: Any) -> str | int | float:
    """One value of a small export (bulk results): numbers stay numbers; text that could start a
    formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def audit_csv(records: QuerySet[AuditRecord], *, zone: tzinfo) -> Iterator[bytes]:
    """The records, in their queryset's order, as the bytes of a CSV file with times in `zone`.
    The zone is taken here, not while streaming: the reader's zone is no longer active then."""
    if connections[records.db].vendor == "postgresql":
        return audit_csv_copy(records, zone=zone)
    return audit_csv_rows(records, zone=zone)


# --- Python: plain cursor rows, one formatter per column ----------------------------------

_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _neutralised(text: str | None) -> str | None:
    if text and text[0] in _FORMULA_FIRST:
        return "'" + text
    return text


def _json_text(text: str | None) -> str | None:
    # Django stores JSON ASCII-escaped on SQLite; show Chinese as Chinese, as PostgreSQL does.
    if text and "\\u" in text:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return _neutralised(text)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def _time_cell(zone: tzinfo) -> Callable[[datetime | None], str | None]:
    def cell(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps UTC without an offset
            value = value.replace(tzinfo=UTC)
        return value.astimezone(zone).isoformat(timespec="microseconds")

    return cell


def audit_csv_rows(records: QuerySet[AuditRecord], *, zone: tzinfo) -> Iterator[bytes]:
    """The export formatted by Python, FETCH_ROWS rows per block. Integers, floats and
    addresses go to csv.writer as they come (it writes None as an empty cell)."""
    formatters = {
        TEXT: _neutralised,
        JSON_TEXT: _json_text,
        YES_NO: _yes_no,
        TIME: _time_cell(zone),
    }
    formatted = [
        (position, formatters[column.kind])
        for position, column in enumerate(COLUMNS)
        if column.kind in formatters
    ]
    # JSON as its stored text: no decoding into Python and encoding again.
    cells = records.values(
        **{
            f"cell_{position}": Cast(column.field, TextField())
            if column.kind == JSON_TEXT
            else F(column.field)
            for position, column in enumerate(COLUMNS)
        }
    )
    compiler = cells.query.get_compiler(using=records.db)

    def blocks() -> Iterator[bytes]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        yield BOM + out.getvalue().encode()
        for rows in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=FETCH_ROWS):
            out.seek(0)
            out.truncate()
            for row in rows:
                row = list(row)
                for position, formatter in formatted:
                    row[position] = formatter(row[position])
                writer.writerow(row)
            yield out.getvalue().encode()

    return blocks()


# --- PostgreSQL: the database writes the CSV ----------------------------------------------

_ISO_LOCAL = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'"
_FORMULA_SQL = ", ".join(f"chr({ord(start)})" for start in FORMULA_STARTS)


def _sql_neutralised(text: str) -> str:
    # NULLIF: an empty string leaves the cell empty, as on the Python path (COPY would quote it).
    return (
        f"CASE WHEN left({text}, 1) IN ({_FORMULA_SQL}) THEN '''' || {text} "
        f"ELSE NULLIF({text}, '') END"
    )


def _sql_time(column: str, zone: tzinfo) -> tuple[str, list[Any]]:
    offset = zone.utcoffset(None)
    if offset is not None:  # a fixed offset, as a profile's zone is: the same suffix on every row
        suffix = datetime(2000, 1, 1, tzinfo=zone).isoformat()[len("2000-01-01T00:00:00") :]
        local = f"{column} AT TIME ZONE make_interval(secs => %s)"
        return f"to_char({local}, {_ISO_LOCAL}) || %s", [offset.total_seconds(), suffix]
    # A named zone (the site's TIME_ZONE) may change its offset: work it out for each row.
    name = str(zone)
    local = f"({column} AT TIME ZONE %s)"
    utc = f"({column} AT TIME ZONE 'UTC')"
    sql = (
        f"to_char({local}, {_ISO_LOCAL}) || CASE WHEN {local} < {utc} "
        f"THEN '-' || to_char({utc} - {local}, 'HH24:MI') "
        f"ELSE '+' || to_char({local} - {utc}, 'HH24:MI') END"
    )
    return sql, [name] * 4


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
            return _sql_neutralised(f"{column}::text"), []
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
    runs, nothing else uses the connection. Records end in LF (COPY's), not the Python path's
    CRLF: spreadsheets and csv readers take either."""
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
