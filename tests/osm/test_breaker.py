"""The circuit breaker under concurrency: its count and its probe gate live in the shared cache
and hold when many threads (or processes, through Redis) use them at once."""

import os
import threading
import time

import pytest
from django.core.cache.backends.locmem import LocMemCache

from ticketui.caching.redis import RedisCache
from ticketui.osm.resilience import CircuitBreaker
from ticketui.osm.results import CallResult, Outcome, PreparedCall

REDIS_URL = "redis://127.0.0.1:6379/15"
CALL = PreparedCall(method="GET", path="/v2/servicerequest/cases", body=None, headers={})
FAILED = CallResult(call=CALL, outcome=Outcome.NOT_SENT, detail="could not connect")
ANSWERED = CallResult(call=CALL, outcome=Outcome.SUCCEEDED, http_status=200)


class NetworkLatency:
    """A cache a round trip away, as Redis is: each read takes a moment."""

    def __init__(self, store) -> None:
        self.store = store

    def __getattr__(self, name):
        method = getattr(self.store, name)

        def slowed(*args, **kwargs):
            time.sleep(0.002)
            return method(*args, **kwargs)

        return slowed


@pytest.fixture(params=["locmem", "redis"])
def store(request):
    if request.param == "locmem":
        yield LocMemCache("breaker-tests", {})
        return
    request.getfixturevalue("redis_db_15_alone")  # no other test process empties it meanwhile
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "ticketui-breaker-tests"})
    try:
        cache.clear()
    except Exception as exc:  # no Redis here
        message = f"Redis is not reachable at {REDIS_URL}: {type(exc).__name__}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield cache
    cache.clear()


def all_at_once(count: int, work) -> list:
    start = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        value = work()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_failures_recorded_at_once_are_all_counted(store):
    breaker = CircuitBreaker(store=NetworkLatency(store), threshold=1000, cooldown=30)

    all_at_once(20, lambda: [breaker.record(FAILED) for _ in range(5)])

    assert store.get(CircuitBreaker.FAILURES) == 100
    assert breaker.admit() == 0  # 100 < 1000: still closed


def test_the_breaker_opens_when_concurrent_failures_reach_the_threshold(store):
    breaker = CircuitBreaker(store=NetworkLatency(store), threshold=20, cooldown=30)

    all_at_once(20, lambda: breaker.record(FAILED))

    assert breaker.admit() > 25


def test_after_the_cooldown_exactly_one_call_probes(store):
    breaker = CircuitBreaker(store=NetworkLatency(store), threshold=1, cooldown=0.2)
    breaker.record(FAILED)
    assert breaker.admit() > 0
    time.sleep(0.3)

    admitted = all_at_once(20, breaker.admit)

    assert admitted.count(0) == 1
    assert all(wait > 0 for wait in admitted if wait != 0)


def test_a_successful_probe_closes_the_breaker_for_everyone(store):
    breaker = CircuitBreaker(store=store, threshold=1, cooldown=0.1)
    breaker.record(FAILED)
    time.sleep(0.2)
    assert breaker.admit() == 0  # the probe

    breaker.record(ANSWERED)

    assert all_at_once(10, breaker.admit) == [0] * 10


def test_a_failed_probe_opens_the_breaker_for_another_cooldown(store):
    breaker = CircuitBreaker(store=store, threshold=1, cooldown=0.2)
    breaker.record(FAILED)
    time.sleep(0.3)
    assert breaker.admit() == 0  # the probe

    breaker.record(FAILED)

    assert breaker.admit() > 0.1
    time.sleep(0.3)
    assert breaker.admit() == 0  # the next probe
