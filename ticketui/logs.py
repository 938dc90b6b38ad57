"""Plain log lines that text from outside (an upstream's message, a case id) cannot split in two:
CR and LF in the message are written as \\r and \\n. Tracebacks keep their own lines. And a refused
request (403) is one plain line: a refusal is expected, not an error to trace."""

import logging

from django.core.exceptions import PermissionDenied


class SingleLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = "-"
        record.message = record.message.replace("\r", "\\r").replace("\n", "\\n")
        return super().formatMessage(record)


class RefusalWithoutTracebackFilter(logging.Filter):
    """django.request logs each 403 with its PermissionDenied traceback; keep the line only."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if exc_info and isinstance(exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
