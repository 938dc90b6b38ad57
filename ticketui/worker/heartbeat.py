"""Is a task worker alive, and did the one running a task die?

django-tasks-db marks a task RUNNING when a worker claims it and finished when it ends; a worker
killed in between (`kill -9`, a lost machine) leaves it RUNNING for ever. So each worker
process (our db_worker command) refreshes a WorkerHeartbeat row from a thread every
WORKER_HEARTBEAT_INTERVAL seconds, and at each beat marks FAILED every task still RUNNING whose
worker has been silent for WORKER_HEARTBEAT_TIMEOUT seconds, with the reason in its traceback.
A worker that stops cleanly removes its row.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# How an abandoned task is marked (tests and pages import these).
ABANDONED_CLASS = "ticketui.worker.heartbeat.WorkerLost"
ABANDONED_REASON = (
    "Abandoned: the worker running this task ({worker}) stopped without finishing it (last "
    "heartbeat {beat}). It may have done part of its work; nothing was retried."
)
# Heartbeat rows of workers gone this long are removed.
FORGET_AFTER = timedelta(days=1)


class WorkerLost(Exception):
    """The class recorded on a task whose worker died while running it."""


def _timeout() -> timedelta:
    return timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT)


def workers_alive(*, now: datetime | None = None) -> set[str]:
    """Ids of the workers that beat within the timeout."""
    since = (now or timezone.now()) - _timeout()
    return set(
        WorkerHeartbeat.objects.filter(beat_at__gte=since).values_list("worker_id", flat=True)
    )


def newest_heartbeat() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def _dead(result: DBTaskResult, alive: set[str], now: datetime) -> bool:
    if result.status != TaskResultStatus.RUNNING:
        return False
    # A task claimed only moments ago may belong to a worker that has not beaten yet.
    if result.started_at is None or result.started_at > now - _timeout():
        return False
    return not result.worker_ids or result.worker_ids[-1] not in alive


def task_result_dead(result: DBTaskResult) -> bool:
    """Whether this task will never finish by itself: it was marked abandoned, or it is still
    RUNNING while the worker that claimed it stopped beating."""
    if result.status == TaskResultStatus.FAILED:
        return result.exception_class_path == ABANDONED_CLASS
    now = timezone.now()
    return _dead(result, workers_alive(now=now), now)


def abandoned_tasks_mark() -> list[str]:
    """Mark FAILED every RUNNING task whose worker died; the ids of the tasks marked."""
    now = timezone.now()
    alive = workers_alive(now=now)
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    marked = []
    for result in DBTaskResult.objects.running().filter(started_at__lt=now - _timeout()):
        if not _dead(result, alive, now):
            continue
        worker = result.worker_ids[-1] if result.worker_ids else "unknown"
        beat = beats.get(worker)
        reason = ABANDONED_REASON.format(
            worker=worker, beat=beat.isoformat(timespec="seconds") if beat else "never"
        )
        updated = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=ABANDONED_CLASS,
            traceback=reason,
        )
        if updated:
            logger.warning(
                "Task %s (%s) abandoned by worker %s", result.pk, result.task_path, worker
            )
            marked.append(str(result.pk))
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    return marked


def beat(worker_id: str, *, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={
            "beat_at": now,
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


class Heartbeat:
    """A daemon thread that beats for one worker process until stopped."""

    def __init__(self, worker_id: str, *, interval: float | None = None) -> None:
        self.worker_id = worker_id
        self.interval = interval or settings.WORKER_HEARTBEAT_INTERVAL
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self._once()  # alive (and old tasks settled) before the first task is claimed
        self._thread.start()

    def _once(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at)
            abandoned_tasks_mark()
        except DatabaseError:
            logger.exception("Worker heartbeat not recorded")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._once()
            finally:
                connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            logger.exception("Worker heartbeat not removed")
