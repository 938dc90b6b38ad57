"""Server-side timing of pages through Django's own request handling (no network, no browser),
each page twice: cold (the shared cache emptied before every request, as the first viewer after
a change finds it: no cached rows, counts, permissions or sessions) and warm (the same request
repeated, every cache filled by the one before)."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.test import Client


@dataclass
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    requests: int
    status: int

    def row(self) -> dict:
        return self.__dict__.copy()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


def _get(client: Client, url: str, headers: dict):
    response = client.get(url, headers=headers)
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
    return response


def time_page(
    client: Client,
    name: str,
    url: str,
    *,
    requests: int,
    cold: bool,
    headers: dict | None = None,
    warmup: int = 3,
    budget_s: float = 30.0,
    min_requests: int = 20,
) -> Timing:
    """Warm the page (compiled templates, the database's pages), count the queries of one
    request (a cold one when `cold`), then time `requests` requests, or fewer (never under
    `min_requests`) for a page so slow that they would take more than `budget_s` seconds.
    Cold: the cache is cleared before each request, outside the time measured."""
    headers = headers or {}
    for _ in range(warmup):
        _get(client, url, headers)
    if cold:
        cache.clear()
    executed = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: (executed.append(sql), execute(sql, *args))[1]
    ):
        response = _get(client, url, headers)
    samples = []
    deadline = time.perf_counter() + budget_s
    for _ in range(requests):
        if len(samples) >= min_requests and time.perf_counter() > deadline:
            break
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = _get(client, url, headers)
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(
        name=name,
        **summary(samples),
        queries=len(executed),
        requests=len(samples),
        status=response.status_code,
    )


def time_calls(call: Callable[[], object], *, times: int, warmup: int = 3) -> dict:
    """p50/p95 of `call()` over `times` calls, after a warm-up."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {**summary(samples), "calls": times}
