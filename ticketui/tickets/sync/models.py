"""Syncs of the ticket list from the upstream: one row per run, which its live progress is read
from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    ABANDONED = "abandoned", _("Abandoned")


ACTIVE_SYNC_STATUSES = (SyncStatus.QUEUED, SyncStatus.RUNNING)


class SyncRun(models.Model):
    """One sync of the ticket list from the upstream, and the row its live progress is read from.
    At most one is queued or running at a time (a partial unique index on `lane`): that is what
    makes two syncs started at once safe on SQLite and PostgreSQL alike."""

    lane = models.CharField(max_length=16, default="tickets", editable=False)
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    trigger = models.CharField(max_length=16, default="command")  # "command" or "dashboard"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full = models.BooleanField(default=True)
    # The upstream's update-time window asked for (query_start_time, query_end_time).
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    dimensions = models.PositiveIntegerField(default=0)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_sync", "Can start a sync from the upstream")]
        constraints = [
            models.UniqueConstraint(
                fields=["lane"],
                condition=models.Q(status__in=["queued", "running"]),
                name="tickets_one_active_sync",
            )
        ]

    def __str__(self) -> str:
        return f"Sync #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_SYNC_STATUSES

    @property
    def changed(self) -> int:
        return self.created + self.updated

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == SyncStatus.SUCCEEDED else 0
        return min(100, round(100 * self.processed / self.total))


class SyncSchedule(models.Model):
    """The one row (pk 1) that the scheduled sync's lease is taken on: a worker runs the
    scheduled sync only after a conditional UPDATE made it the holder, so two workers never run
    it at once. A lease outlives any sync; one left by a killed worker simply expires."""

    lease_holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sync schedule (lease until {self.lease_until})"
