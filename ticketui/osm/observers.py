"""Who hears of every call the client finishes (the metrics, for one), without the client
knowing who they are. An observer that fails is logged and never disturbs the call."""

import logging
import re
from collections.abc import Callable

from .results import CallResult

logger = logging.getLogger(__name__)

# Called with the result and whether the call went out (False: the open breaker held it back).
CallObserver = Callable[[CallResult, bool], None]

_observers: list[CallObserver] = []

# The upstream's endpoints as templates: a ticket's id never becomes part of a name.
ENDPOINT_TEMPLATES = frozenset(
    {
        "/v2/servicerequest/cases",
        "/v2/servicerequest/cases/count",
        "/v2/servicerequest/cases/{case_id}",
        "/v2/servicerequest/cases/{case_id}/status",
        "/v2/servicerequest/cases/{case_id}/action",
        "/v2/servicerequest/cases/{case_id}/score",
        "/v2/servicerequest/cases/{case_id}/operate-logs",
        "/v2/servicerequest/config/satisfaction-dimensions",
    }
)
_CASE_SEGMENT = re.compile(r"^/v2/servicerequest/cases/(?!count(?:/|$))[^/]+")


def endpoint_template(path: str) -> str:
    """`/v2/servicerequest/cases/CS123/action?action_id=press` -> `…/cases/{case_id}/action`;
    a path outside the known set is `other`, so the set of names stays small."""
    path = _CASE_SEGMENT.sub("/v2/servicerequest/cases/{case_id}", path.split("?", 1)[0])
    return path if path in ENDPOINT_TEMPLATES else "other"


def call_observer_add(observer: CallObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


def call_observer_remove(observer: CallObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def calls_notify(result: CallResult, *, sent: bool) -> None:
    for observer in tuple(_observers):
        try:
            observer(result, sent)
        except Exception:  # an observer's failure must not change the call's outcome
            logger.exception("call observer %r failed", observer)
