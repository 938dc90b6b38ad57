"""The CSV export: rows streamed from a database cursor (constant memory at any size), every
text cell neutralised so that a spreadsheet shows it instead of evaluating it."""

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditRecord

CHUNK = 1000
# A cell a spreadsheet could take for a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: list[tuple[str, str]] = [
    ("id", "pk"),
    ("created_at", "created_at"),
    ("completed_at", "completed_at"),
    ("agent", "actor_username"),
    ("kind", "kind"),
    ("action", "action_id"),
    ("case_id", "case_id"),
    ("outcome", "outcome"),
    ("http_status", "http_status"),
    ("error_code", "error_code"),
    ("error_msg", "error_msg"),
    ("request_id", "request_id"),
    ("duration_ms", "duration_ms"),
    ("ip_address", "ip_address"),
    ("user_agent", "user_agent"),
    ("request_method", "request_method"),
    ("request_path", "request_path"),
    ("request_headers", "request_headers"),
    ("request_body", "request_body"),
    ("response_body", "response_body"),
    ("response_truncated", "response_truncated"),
    ("detail", "detail"),
    ("data", "data"),
    ("reconciles", "reconciles_id"),
    ("seal", "seq"),
    ("hash", "hash"),
    ("completion_seal", "completion_seq"),
    ("completion_hash", "completion_hash"),
]
JSON_COLUMNS = {"request_headers", "request_body", "data"}


def csv_cell(value: Any) -> str | int | float:
    """Numbers stay numbers; text that could start a formula gets a leading apostrophe."""
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


class _Line:
    """csv.writer writes one row into this and we hand the text on."""

    def write(self, text: str) -> str:
        return text


def audit_csv_lines(records: QuerySet[AuditRecord]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # so that spreadsheets read the file as UTF-8 (Chinese summaries, names)
    yield writer.writerow([name for name, _attr in COLUMNS])
    names = [name for name, _attr in COLUMNS]
    json_positions = {names.index(name) for name in JSON_COLUMNS}
    # Plain tuples, not model instances: a third of the time and memory per row.
    rows = records.values_list(*(attr for _name, attr in COLUMNS)).iterator(chunk_size=CHUNK)
    for values in rows:
        row = []
        for position, value in enumerate(values):
            if position in json_positions and value not in (None, {}, ""):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            row.append(csv_cell(value))
        yield writer.writerow(row)
