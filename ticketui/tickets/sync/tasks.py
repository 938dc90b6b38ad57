"""The sync in the background, run by `manage.py db_worker` (django-tasks-db).

The scheduled sync: the worker queues a run when it starts (ticketui.worker's db_worker calls
sync_schedule_ensure), and each run queues the next one SYNC_INTERVAL_SECONDS later, whatever
happened to it; at most one run waits in the queue. SYNC_INTERVAL_SECONDS=0 queues nothing."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task

from ticketui.worker.routine import routine_enqueue

from .models import SyncRun, SyncSchedule
from .runner import sync_run
from .schedule import SCHEDULE_PK, schedule_row, scheduled_sync_run


@task
def tickets_sync_task(*, run_id: int) -> dict:
    """Carry out a queued sync run; what it did is in the run and the audit trail."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"run": run_id, "status": "missing"}
    run = sync_run(run=run)
    return {"run": run.pk, "status": run.status, "created": run.created, "updated": run.updated}


@task()
def tickets_sync_scheduled_task() -> dict:
    """The scheduled incremental sync; queues the next one, whatever happened to this one."""
    try:
        run = scheduled_sync_run()
    finally:
        sync_schedule_ensure(delay=timedelta(seconds=settings.SYNC_INTERVAL_SECONDS))
    if run is None:
        return {"run": None, "status": "skipped"}
    return {"run": run.pk, "status": run.status, "created": run.created, "updated": run.updated}


def sync_schedule_ensure(*, delay: timedelta = timedelta(0)) -> bool:
    """Queue a scheduled sync `delay` from now unless one is waiting (or the schedule is off);
    True if this queued it. Under a lock on the schedule row (PostgreSQL; SQLite's transactions
    here take the write lock when they begin), so two workers starting together queue one run."""
    if not settings.SYNC_INTERVAL_SECONDS:
        return False
    schedule_row()
    with transaction.atomic():
        list(SyncSchedule.objects.select_for_update().filter(pk=SCHEDULE_PK))
        return routine_enqueue(tickets_sync_scheduled_task, delay=delay)
