"""Series read at scrape time, from the database and the shared cache: nothing to keep per
process, so every node reports the same values, whichever process answers the scrape."""

import logging
from collections.abc import Iterator
from datetime import datetime

from django.apps import apps
from django.db import DatabaseError
from django.db.models import Case, Count, F, Max, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.osm.configured import get_client

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


def breaker_series() -> Iterator[Metric]:
    breaker = get_client().breaker
    open_for = breaker.open_for() if breaker is not None else 0.0
    yield GaugeMetricFamily(
        "ticketui_upstream_breaker_open",
        "1 while the circuit breaker holds calls back after repeated transport failures.",
        value=1.0 if open_for > 0 else 0.0,
    )
    yield GaugeMetricFamily(
        "ticketui_upstream_breaker_open_seconds",
        "Seconds until the open breaker lets a probe call through (0 when closed).",
        value=open_for,
    )


def task_series(now: datetime) -> Iterator[Metric]:
    # A task is ready from when it was queued, or from its run_after when that is later.
    ready_since = Greatest(
        "enqueued_at",
        Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")),
    )
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(count=Count("id"), oldest=Min(ready_since))
        .order_by("queue_name")
    )
    by_queue = {row["queue_name"]: row for row in rows}
    by_queue.setdefault(DEFAULT_QUEUE, {"count": 0, "oldest": None})
    depth = GaugeMetricFamily(
        "ticketui_tasks_ready",
        "Background tasks waiting for a worker, by queue.",
        labels=["queue"],
    )
    age = GaugeMetricFamily(
        "ticketui_tasks_oldest_ready_age_seconds",
        "How long the oldest waiting task has been ready to run, by queue (0 when none waits).",
        labels=["queue"],
    )
    for queue, row in sorted(by_queue.items()):
        depth.add_metric([queue], row["count"])
        age.add_metric([queue], _age(now, row["oldest"]))
    yield depth
    yield age
    yield GaugeMetricFamily(
        "ticketui_tasks_running",
        "Background tasks a worker is running now.",
        value=DBTaskResult.objects.running().count(),
    )


def pending_series(now: datetime) -> Iterator[Metric]:
    pending = AuditRecord.objects.filter(outcome=RecordOutcome.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    yield GaugeMetricFamily(
        "ticketui_operations_pending",
        "Operations recorded as sent whose outcome is not yet known (audit records pending).",
        value=pending["count"],
    )
    yield GaugeMetricFamily(
        "ticketui_operations_oldest_pending_age_seconds",
        "Age of the oldest pending operation (0 when none); reconciliation settles old ones.",
        value=_age(now, pending["oldest"]),
    )


def sync_series(now: datetime) -> Iterator[Metric]:
    # Read through the app registry: this package does not import the tickets app.
    sync_run = apps.get_model("tickets", "SyncRun")
    last = sync_run.objects.filter(status="succeeded").aggregate(
        finished=Max("finished_at"), created=Max("created_at")
    )
    finished = last["finished"] or last["created"]
    if finished is None:
        return  # never synced: no series (see docs/prometheus-alerts.yml)
    yield GaugeMetricFamily(
        "ticketui_sync_last_success_timestamp_seconds",
        "When the last successful sync from the upstream finished (Unix time).",
        value=finished.timestamp(),
    )
    yield GaugeMetricFamily(
        "ticketui_sync_lag_seconds",
        "Seconds since the last successful sync from the upstream finished.",
        value=_age(now, finished),
    )


class StateCollector(Collector):
    """Every scrape-time series; a part that cannot be read is left out and said so."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "ticketui_metrics_source_up",
            "1 when the scrape could read this source (database, cache), 0 when it failed.",
            labels=["source"],
        )
        try:
            families = list(breaker_series())
        except Exception as exc:  # any cache backend error means "could not read"
            families = self._failed(up, "cache", exc)
        else:
            up.add_metric(["cache"], 1)
        yield from families
        try:
            families = [*task_series(now), *pending_series(now), *sync_series(now)]
        except DatabaseError as exc:
            families = self._failed(up, "database", exc)
        else:
            up.add_metric(["database"], 1)
        yield from families
        yield up

    @staticmethod
    def _failed(up: GaugeMetricFamily, source: str, exc: Exception) -> list[Metric]:
        logger.warning("metrics: cannot read the %s: %s", source, type(exc).__name__)
        up.add_metric([source], 0)
        return []
