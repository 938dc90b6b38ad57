"""The audit trail's background work (django-tasks-db's worker: `manage.py db_worker`).

Reconciliation: every pending operation write makes sure a run is queued for when it would be
stale; each run queues the next one AUDIT_RECONCILE_INTERVAL later while anything is left to
settle, and stops when nothing is (the next pending write starts it again). At most one run
waits in the queue.

Keeping the chain's head outside the database (kept_head.py): the worker queues a run when it
starts (ticketui.worker's db_worker calls head_keep_schedule), and each run queues the next one
AUDIT_HEAD_INTERVAL later, whatever happened to it; at most one run waits in the queue.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ticketui.worker.routine import routine_enqueue

from .chain import chain_transaction
from .kept_head import head_keep, head_keeping_configured
from .reconcile import audit_reconcile, unsettled_operations_exist


@task()
def audit_reconcile_task() -> dict[str, int]:
    report = audit_reconcile()
    if unsettled_operations_exist():
        reconcile_schedule(at=timezone.now() + timedelta(seconds=settings.AUDIT_RECONCILE_INTERVAL))
    return {
        "marked_unknown": len(report.marked_unknown),
        "settled": len(report.settled),
        "deferred": len(report.deferred),
    }


# When the queued run is due (a timestamp), remembered in the shared cache until then: every
# operation asks, and before that moment the answer cannot change (the worker takes a run only
# once it is due), so one look at the queue serves every operation until the run starts.
QUEUED_RUN_KEY = "audit:reconcile-run-due"


def reconcile_schedule(*, at: datetime) -> None:
    """Make sure a reconciliation run is queued to start no later than `at`."""
    due = cache.get(QUEUED_RUN_KEY)
    if due is not None and due <= at.timestamp():
        return
    queued = DBTaskResult.objects.filter(
        task_path=audit_reconcile_task.module_path, status=TaskResultStatus.READY
    )
    due_at = queued.filter(run_after__lte=at).order_by("run_after").values_list("run_after")
    if (found := due_at.first()) is not None:
        run_after = found[0]
    else:
        audit_reconcile_task.using(run_after=at).enqueue()
        run_after = at
    remaining = (run_after - timezone.now()).total_seconds() - 1
    if remaining > 0:
        cache.set(QUEUED_RUN_KEY, run_after.timestamp(), remaining)


@task()
def audit_head_keep_task() -> dict[str, int | None]:
    try:
        kept = head_keep()
    finally:
        head_keep_schedule(delay=timedelta(seconds=settings.AUDIT_HEAD_INTERVAL))
    return {"kept_seq": kept.seq if kept else None}


def head_keep_schedule(*, delay: timedelta = timedelta(0)) -> bool:
    """Queue a head-keeping run `delay` from now unless one is waiting (or nothing is to be
    kept). Under the chain lock, so two workers starting together queue one run."""
    if not head_keeping_configured():
        return False
    with chain_transaction():
        return routine_enqueue(audit_head_keep_task, delay=delay)
