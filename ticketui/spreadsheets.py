"""CSV files people open in a spreadsheet: the one rule that keeps a cell from being read as a
formula (OWASP "CSV injection"), and streaming a small export in chunks. The audit log's large
export (ticketui.audit.export) applies the same rule in its own fast paths."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

# A cell a spreadsheet could take for a formula starts with one of these; it gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that spreadsheets read the file as UTF-8 (Chinese summaries, names)


def csv_cell(value: Any) -> str | int | float:
    """One value as its cell: numbers stay numbers, yes/no for booleans, times in the reader's
    zone, and text that could start a formula gets a leading apostrophe."""
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


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, rows_per_chunk: int = 1000
) -> Iterator[str]:
    """The CSV (with a byte order mark) in chunks of many rows: one chunk per row would cost more
    than the rows. The header goes out first, before the rows are read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
