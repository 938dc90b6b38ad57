"""Reconciliation in the background (django-tasks-db's worker: `manage.py db_worker`).

Every pending operation write makes sure a run is queued for when it would be stale; each run
queues the next one AUDIT_RECONCILE_INTERVAL later while anything is left to settle, and stops
when nothing is (the next pending write starts it again). At most one run waits in the queue.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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


def reconcile_schedule(*, at: datetime) -> None:
    """Make sure a reconciliation run is queued to start no later than `at`."""
    queued = DBTaskResult.objects.filter(
        task_path=audit_reconcile_task.module_path, status=TaskResultStatus.READY
    )
    if not queued.filter(run_after__lte=at).exists():
        audit_reconcile_task.using(run_after=at).enqueue()
