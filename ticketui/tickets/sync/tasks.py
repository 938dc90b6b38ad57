"""The sync in the background, run by `manage.py db_worker` (django-tasks-db)."""

from django.tasks import task

from .models import SyncRun
from .runner import sync_run


@task
def tickets_sync_task(*, run_id: int) -> dict:
    """Carry out a queued sync run; what it did is in the run and the audit trail."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"run": run_id, "status": "missing"}
    run = sync_run(run=run)
    return {"run": run.pk, "status": run.status, "created": run.created, "updated": run.updated}
