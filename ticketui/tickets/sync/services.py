"""Starting syncs of the ticket list from the upstream: one at a time, from the command line (run
here) or from a team lead's "Sync now" (queued for the worker). How a run works is in runner.py;
the scheduled one is in schedule.py."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from .models import SyncRun
from .runner import ProgressCallback, sync_run
from .start import SyncAlreadyActive, sync_start
from .tasks import tickets_sync_task

__all__ = ["SyncAlreadyActive", "sync_request", "sync_start", "tickets_sync_now"]


def tickets_sync_now(
    *,
    actor: AbstractBaseUser | None = None,
    full: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    on_progress: ProgressCallback | None = None,
) -> SyncRun:
    """Start and run a sync in this process (the command's path)."""
    run = sync_start(actor=actor, trigger="command", full=full, since=since, until=until)
    return sync_run(run=run, on_progress=on_progress)


def sync_request(*, actor: AbstractBaseUser) -> SyncRun:
    """A team lead's "Sync now": queue an incremental run for the worker. Raises
    SyncAlreadyActive when one is queued or running."""
    run = sync_start(actor=actor, trigger="dashboard")
    tickets_sync_task.enqueue(run_id=run.pk)
    return run
