"""What the log says: a refused request in one line, when each line was written."""

import json
import logging
from datetime import datetime, timedelta

import pytest
from pythonjsonlogger.json import JsonFormatter

pytestmark = pytest.mark.django_db


def handlers_below_root(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a record meets before the root logger's (which the test runner adds to)."""
    handlers: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None and current is not logging.getLogger():
        handlers += current.handlers
        current = current.parent if current.propagate else None
    return handlers


def test_a_refused_request_is_one_plain_line_without_a_traceback(outsider_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = outsider_client.get("/reports/satisfaction/dimensions")

    assert response.status_code == 403
    records = [record for record in caplog.records if record.name == "django.request"]
    assert [record.getMessage() for record in records] == [
        "Forbidden (Permission denied): /reports/satisfaction/dimensions"
    ]
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_a_request_log_line_is_written_once_by_the_root_loggers_handler():
    # Django's own console handler on the "django" logger would print every line a second time.
    assert handlers_below_root(logging.getLogger("django.request")) == []
    assert logging.getLogger("django.request").propagate


def test_an_unexpected_error_keeps_its_traceback(caplog):
    logger = logging.getLogger("django.request")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        try:
            raise ValueError("boom")
        except ValueError:
            logger.error("Internal Server Error: /x", exc_info=True)

    assert caplog.records[-1].exc_info is not None


def test_a_production_log_line_says_when_in_utc_with_its_offset(settings):
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    record = logging.LogRecord(
        "ticketui.osm.client", logging.INFO, __file__, 1, "osm GET", (), None
    )
    record.correlation_id = "abc"

    line = json.loads(JsonFormatter(**options).format(record))

    assert (line["level"], line["name"], line["request_id"]) == (
        "INFO",
        "ticketui.osm.client",
        "abc",
    )
    moment = datetime.fromisoformat(line["time"])
    assert moment.utcoffset() == timedelta(0)
    assert abs(moment.timestamp() - record.created) < 0.001
