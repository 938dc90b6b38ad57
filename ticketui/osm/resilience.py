"""Retrying what is safe to retry, and failing fast while the upstream is down.

Only a failure known not to have reached the upstream (NOT_SENT) is retried, with backoff and
within an overall deadline: the operations are not idempotent, so anything that may have arrived
(a read timeout, a dropped connection) is never sent again. After `threshold` transport failures
in a row the breaker opens: calls fail at once, unsent, until `cooldown` has passed; then one
call is let through to probe."""

import time
from dataclasses import dataclass
from typing import Protocol

from .results import CallResult, Outcome


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    attempts: int = 3  # sends at most, the first included
    backoff: float = 0.2  # seconds before the first retry; doubles each time
    deadline: float = 5.0  # no retry starts later than this after the first send

    def delays(self):
        delay = self.backoff
        for _ in range(self.attempts - 1):
            yield delay
            delay *= 2


NO_RETRY = RetryPolicy(attempts=1)


class Store(Protocol):
    """The part of Django's cache API the breaker needs; shared across processes when the cache is."""

    def get(self, key: str, default=None): ...
    def set(self, key: str, value, timeout=None) -> None: ...
    def delete(self, key: str) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, object] = {}

    def get(self, key: str, default=None):
        return self._data.get(key, default)

    def set(self, key: str, value, timeout=None) -> None:
        self._data[key] = value

    def delete(self, key: str) -> None:
        self._data.pop(key, None)


def is_transport_failure(result: CallResult) -> bool:
    return result.outcome in (Outcome.NOT_SENT, Outcome.UNKNOWN) and result.http_status is None


class CircuitBreaker:
    FAILURES = "osm:breaker:failures"
    OPEN_UNTIL = "osm:breaker:open-until"

    def __init__(
        self, *, store: Store | None = None, threshold: int = 5, cooldown: float = 30.0
    ) -> None:
        self.store = store or MemoryStore()
        self.threshold = threshold
        self.cooldown = cooldown

    def open_for(self) -> float:
        """Seconds the breaker stays open; 0 when calls may go through."""
        open_until = self.store.get(self.OPEN_UNTIL) or 0.0
        return max(0.0, open_until - time.time())

    def record(self, result: CallResult) -> None:
        if not is_transport_failure(result):
            if self.store.get(self.FAILURES):
                self.store.delete(self.FAILURES)
            return
        failures = int(self.store.get(self.FAILURES) or 0) + 1
        self.store.set(self.FAILURES, failures, timeout=max(self.cooldown * 4, 60))
        if failures >= self.threshold:
            self.store.set(self.OPEN_UNTIL, time.time() + self.cooldown, timeout=self.cooldown)
