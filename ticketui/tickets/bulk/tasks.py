"""Bulk operations in the background, run by `manage.py db_worker` (django-tasks-db)."""

from django.tasks import task

from .runner import bulk_run


@task
def bulk_operation_task(*, bulk_id: int) -> dict:
    """Send a bulk operation ticket by ticket; its progress is in the bulk and its items."""
    bulk = bulk_run(bulk_id=bulk_id)
    if bulk is None:
        return {"bulk": bulk_id, "state": "missing"}
    return {"bulk": bulk.pk, "state": bulk.state}
