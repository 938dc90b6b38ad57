"""Retrying what is safe to retry, and failing fast while the upstream is down.

Only a failure known not to have reached the upstream (NOT_SENT) is retried, with backoff and
within an overall deadline: the operations are not idempotent, so anything that may have arrived
(a read timeout, a dropped connection) is never sent again. After `threshold` transport failures
in a row the breaker opens: calls fail at once, unsent, until `cooldown` has passed; then exactly
one call is let through to probe (the others keep failing fast until it answers)."""

import time
from dataclasses import dataclass
from typing import Protocol

from django.core.cache.backends.locmem import LocMemCache

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
    """The part of Django's cache API the breaker needs; shared across processes when the cache is.
    `add` and `incr` must be atomic (they are in Redis and in the local-memory cache)."""

    def get(self, key: str, default=None): ...
    def get_many(self, keys: list[str]) -> dict: ...
    def set(self, key: str, value, timeout=None) -> None: ...
    def add(self, key: str, value, timeout=None) -> bool: ...
    def incr(self, key: str, delta: int = 1) -> int: ...
    def delete(self, key: str) -> None: ...


def is_transport_failure(result: CallResult) -> bool:
    return result.outcome in (Outcome.NOT_SENT, Outcome.UNKNOWN) and result.http_status is None


class CircuitBreaker:
    """Closed (calls go), open (calls fail fast until OPEN_UNTIL) and, after the cooldown,
    half-open: the one call that wins the PROBE gate (an atomic `add`) goes, the others keep
    failing fast until its result closes the breaker or opens it again."""

    FAILURES = "osm:breaker:failures"
    OPEN_UNTIL = "osm:breaker:open-until"
    PROBE = "osm:breaker:probe"
    # While one call probes, the others are told to try again in about this many seconds.
    PROBE_WAIT_SECONDS = 1.0

    def __init__(
        self,
        *,
        store: Store | None = None,
        threshold: int = 5,
        cooldown: float = 30.0,
        probe_timeout: float = 60.0,
    ) -> None:
        self.store = store or LocMemCache("osm-breaker", {})
        self.threshold = threshold
        self.cooldown = cooldown
        # The gate lapses after this, should the probing process die before it records a result.
        self.probe_timeout = probe_timeout

    def open_for(self) -> float:
        """Seconds the breaker stays open (0 when closed or waiting for its probe); reads only,
        for whoever watches it (the metrics endpoint)."""
        open_until = self.store.get(self.OPEN_UNTIL)
        return max(0.0, open_until - time.time()) if open_until is not None else 0.0

    def admit(self) -> float:
        """0 when this call may go through; otherwise the seconds until the next try. After the
        cooldown exactly one caller gets 0 (the probe) until its result is recorded."""
        open_until = self.store.get(self.OPEN_UNTIL)
        if open_until is None:
            return 0.0
        wait = open_until - time.time()
        if wait > 0:
            return wait
        if self.store.add(self.PROBE, True, timeout=self.probe_timeout):
            return 0.0
        return self.PROBE_WAIT_SECONDS

    def record(self, result: CallResult) -> None:
        if not is_transport_failure(result):
            # One round trip for both (a cache miss is absent from the answer).
            found = self.store.get_many([self.FAILURES, self.OPEN_UNTIL])
            if found.get(self.FAILURES) or found.get(self.OPEN_UNTIL) is not None:
                for key in (self.FAILURES, self.OPEN_UNTIL, self.PROBE):
                    self.store.delete(key)
            return
        if self.store.add(self.FAILURES, 1, timeout=max(self.cooldown * 4, 60)):
            failures = 1
        else:
            try:
                failures = self.store.incr(self.FAILURES)
            except ValueError:  # it lapsed between the add and the incr
                self.store.add(self.FAILURES, 1, timeout=max(self.cooldown * 4, 60))
                failures = 1
        if failures >= self.threshold:
            # Kept past the cooldown: its presence then means "half-open, one probe at a time".
            self.store.set(
                self.OPEN_UNTIL, time.time() + self.cooldown, timeout=self.cooldown + 3600
            )
            self.store.delete(self.PROBE)
