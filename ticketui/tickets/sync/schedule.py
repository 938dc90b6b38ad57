"""The scheduled sync (run by the worker every SYNC_INTERVAL_SECONDS; tasks.py queues it): an
incremental sync like "Sync now", run only by the worker holding the schedule's lease.

The lease is a conditional UPDATE on the one SyncSchedule row (free, or expired → mine), which
both SQLite and PostgreSQL carry out atomically: of two workers asking at once, one gets it.
A sync already running (a team lead's "Sync now", the command) is left to finish: the scheduled
one is skipped, not queued behind it."""

from datetime import timedelta
from uuid import uuid4

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from .models import SyncRun, SyncSchedule
from .runner import sync_run
from .start import SyncAlreadyActive, sync_start

SCHEDULE_PK = 1
# Longer than any sync takes; a killed worker's lease lapses after it.
SCHEDULE_LEASE = timedelta(minutes=30)


def schedule_row() -> SyncSchedule:
    try:
        row, _ = SyncSchedule.objects.get_or_create(pk=SCHEDULE_PK)
    except IntegrityError:  # created in between by another worker
        row = SyncSchedule.objects.get(pk=SCHEDULE_PK)
    return row


def schedule_lease_take(holder: str) -> bool:
    """Make `holder` the one running the scheduled sync; False when another holds it."""
    schedule_row()
    now = timezone.now()
    taken = (
        SyncSchedule.objects.filter(pk=SCHEDULE_PK)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(lease_holder=holder, lease_until=now + SCHEDULE_LEASE, last_started_at=now)
    )
    return bool(taken)


def schedule_lease_release(holder: str) -> None:
    SyncSchedule.objects.filter(pk=SCHEDULE_PK, lease_holder=holder).update(
        lease_holder="", lease_until=None
    )


def scheduled_sync_run() -> SyncRun | None:
    """Run the incremental sync if this worker gets the lease and no sync is active; the run, or
    None when it was skipped."""
    holder = uuid4().hex
    if not schedule_lease_take(holder):
        return None
    try:
        try:
            run = sync_start(trigger="schedule")
        except SyncAlreadyActive:
            return None
        return sync_run(run=run)
    finally:
        schedule_lease_release(holder)
