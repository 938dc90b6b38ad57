"""Starting a sync: creating the one active run (queued), or refusing with the one there is.
Shared by the command and "Sync now" (services.py) and the schedule (schedule.py)."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ACTIVE_SYNC_STATUSES, SyncRun, SyncStatus

SYNC_OVERLAP = timedelta(minutes=5)
# A run whose heartbeat is older than this is taken to be dead (heartbeats come after each page).
SYNC_STALE_AFTER = timedelta(minutes=3)

SYNC_ALREADY_ACTIVE = "A sync is already %(status)s (#%(id)s, since %(since)s)."
SYNC_WINDOW_INVALID = "The window's start must be before its end."
SYNC_ABANDONED = "Its process stopped reporting progress; it was abandoned."


class SyncAlreadyActive(Exception):
    def __init__(self, run: SyncRun) -> None:
        self.run = run
        since = run.started_at or run.created_at
        super().__init__(
            SYNC_ALREADY_ACTIVE
            % {
                "status": "running" if run.status == SyncStatus.RUNNING else "queued",
                "id": run.pk,
                "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M:%S"),
            }
        )


def sync_start(
    *,
    actor: AbstractBaseUser | None = None,
    trigger: str = "command",
    full: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SyncRun:
    """Create the one active run (queued), or raise SyncAlreadyActive with the one there is.

    Without `since`, an incremental run starts where the last successful one's window ended;
    `full` (or no earlier success) takes every ticket."""
    if since and until and since >= until:
        raise ValueError(SYNC_WINDOW_INVALID)
    if since is None and not full:
        since = _last_window_end()
        if since is not None:
            since -= SYNC_OVERLAP
    fields = {
        "status": SyncStatus.QUEUED,
        "trigger": trigger,
        "requested_by": actor if actor is not None and actor.is_authenticated else None,
        "full": since is None and until is None,
        "window_start": since,
        "window_end": until,
    }
    for attempt in range(2):
        try:
            with transaction.atomic():
                return SyncRun.objects.create(**fields)
        except IntegrityError:
            active = SyncRun.objects.filter(status__in=ACTIVE_SYNC_STATUSES).first()
            if active is None:
                continue  # it finished in between
            if attempt == 0 and _abandon_if_stale(active):
                continue
            raise SyncAlreadyActive(active) from None
    raise SyncAlreadyActive(SyncRun.objects.filter(status__in=ACTIVE_SYNC_STATUSES).first())


def _last_window_end() -> datetime | None:
    last = (
        SyncRun.objects.filter(status=SyncStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("window_end", "started_at")
        .first()
    )
    if last is None:
        return None
    return last[0] or last[1]


def _abandon_if_stale(run: SyncRun) -> bool:
    """Mark a run abandoned when its process is evidently gone; True if it was."""
    now = timezone.now()
    last_sign = run.heartbeat_at or run.started_at or run.created_at
    if now - last_sign < SYNC_STALE_AFTER:
        return False
    updated = SyncRun.objects.filter(pk=run.pk, status=run.status).update(
        status=SyncStatus.ABANDONED, finished_at=now, detail=SYNC_ABANDONED
    )
    return bool(updated)
