"""Plain log lines that text from outside (an upstream's message, a case id) cannot split in two:
CR and LF in the message are written as \\r and \\n. Tracebacks keep their own lines."""

import logging


class SingleLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = "-"
        record.message = record.message.replace("\r", "\\r").replace("\n", "\\n")
        return super().formatMessage(record)
