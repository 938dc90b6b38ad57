"""Server-side timing of pages through Django's own request handling (no network, no browser)."""

import statistics
import time
from dataclasses import dataclass

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


def time_page(
    client: Client,
    name: str,
    url: str,
    *,
    requests: int,
    headers: dict | None = None,
    warmup: int = 3,
    budget_s: float = 30.0,
    min_requests: int = 20,
) -> Timing:
    """Warm the page (caches, compiled templates, the database's pages), count the queries of
    one request, then time `requests` requests, or fewer (never under `min_requests`) for a page
    so slow that they would take more than `budget_s` seconds."""
    for _ in range(warmup):
        client.get(url, headers=headers or {})
    executed = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: (executed.append(sql), execute(sql, *args))[1]
    ):
        response = client.get(url, headers=headers or {})
    samples = []
    deadline = time.perf_counter() + budget_s
    for _ in range(requests):
        if len(samples) >= min_requests and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(
        name=name,
        p50_ms=round(statistics.median(samples), 2),
        p95_ms=round(percentile(samples, 0.95), 2),
        queries=len(executed),
        requests=len(samples),
        status=response.status_code,
    )
