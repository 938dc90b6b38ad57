"""What counts the series: an observer of the upstream client and two sign-in signal receivers.
They only count; nothing else happens here."""

from typing import Any

from ticketui.osm.observers import endpoint_template
from ticketui.osm.results import CallResult

from .series import LOGIN_FAILURES, LOGIN_LOCKOUTS, UPSTREAM_CALL_SECONDS, UPSTREAM_CALLS

_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})


def upstream_call_record(result: CallResult, sent: bool) -> None:
    method = result.call.method if result.call.method in _METHODS else "other"
    endpoint = endpoint_template(result.call.path)
    UPSTREAM_CALLS.labels(method=method, endpoint=endpoint, outcome=str(result.outcome)).inc()
    if sent:
        UPSTREAM_CALL_SECONDS.labels(method=method, endpoint=endpoint).observe(
            result.duration_ms / 1000
        )


def login_failure_record(sender: Any, **kwargs: Any) -> None:
    LOGIN_FAILURES.inc()  # never the credentials: they hold the password


def lockout_record(sender: Any, **kwargs: Any) -> None:
    LOGIN_LOCKOUTS.inc()
