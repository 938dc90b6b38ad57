"""Background work for tickets, run by `manage.py db_worker` (django-tasks-db)."""

from django.tasks import task

from .models import SyncRun
from .sync import sync_run


@task
def tickets_sync_task(*, run_id: int) -> dict:
    """Carry out a queued sync run; what it did is in the run and the audit trail."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        return {"run": run_id, "status": "missing"}
    run = sync_run(run=run)
    return {"run": run.pk, "status": run.status, "created": run.created, "updated": run.updated}


@task
def bulk_operation_task(*, bulk_id: int) -> dict:
    """Send a bulk operation ticket by ticket; its progress is in the bulk and its items."""
    from .bulk import bulk_run

    bulk = bulk_run(bulk_id=bulk_id)
    if bulk is None:
        return {"bulk": bulk_id, "state": "missing"}
    return {"bulk": bulk.pk, "state": bulk.state}
