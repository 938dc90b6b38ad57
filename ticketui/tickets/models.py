"""Tickets the team tracks: a local copy of each upstream ticket, refreshed from the upstream."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ticketui.labels import choice_label


class TicketStatus(models.IntegerChoices):
    PENDING_ACCEPTANCE = 0, _("Pending acceptance")
    PROCESSING = 1, _("Processing")
    AWAITING_CONFIRMATION = 2, _("Awaiting confirmation")
    COMPLETED = 3, _("Completed")
    CANCELLED = 4, _("Cancelled")
    PAUSED = 5, _("Paused")
    INVALID = 12, _("Invalid")
    DELETED = 13, _("Deleted")
    PENDING_FEEDBACK = 17, _("Pending feedback")


STATUS_LABELS = dict(TicketStatus.choices)  # lazy labels, translated when shown

# Which operation the upstream accepts in which status (the sandbox enforces the same table).
# The form offers every action; this only decides which ones are suggested.
ACTIONS_BY_STATUS: dict[str, frozenset[int]] = {
    "cancel": frozenset({0, 1, 2, 5, 17}),
    "close": frozenset({2, 17}),
    "press": frozenset({0, 1, 5}),
    "delete": frozenset({3, 4, 12}),
}


class Ticket(models.Model):
    case_id = models.CharField(max_length=64, unique=True)
    summary = models.TextField(blank=True)
    # Null when the upstream sent no usable status; an unknown code is kept as it came.
    status = models.IntegerField(null=True, blank=True)
    product_category = models.CharField(max_length=200, blank=True)
    business_type = models.CharField(max_length=200, blank=True)
    incident_type = models.CharField(max_length=200, blank=True)
    customer_name = models.CharField(max_length=200, blank=True)
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    upstream_data = models.JSONField(default=dict, blank=True)
    tracked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-upstream_created_at", "-id"]
        indexes = [
            # The list's order, alone and under a status filter (scanned backwards for DESC).
            models.Index(fields=["upstream_created_at", "id"], name="ticket_newest"),
            models.Index(
                fields=["status", "upstream_created_at", "id"], name="ticket_status_newest"
            ),
        ]
        permissions = [
            ("operate_ticket", "Can operate tickets upstream"),
            ("track_ticket", "Can track tickets"),
        ]

    def __str__(self) -> str:
        return self.case_id

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        if self.status is None:
            return str(_("Unknown"))
        if (label := STATUS_LABELS.get(self.status)) is not None:
            return str(label)
        return str(_("Unknown status (%(code)s)") % {"code": self.status})

    @property
    def suggested_actions(self) -> list[str]:
        return [action for action, statuses in ACTIONS_BY_STATUS.items() if self.status in statuses]


# --- Satisfaction surveys ---------------------------------------------------------------------


class SatisfactionDimension(models.Model):
    """A satisfaction dimension the upstream asks surveys to rate (osm-api.md §3), copied locally
    by `dimensions_sync` so that a survey can be shown without asking the upstream each time.
    Team leads choose which ones a survey must rate (`required`)."""

    satisfaction_id = models.PositiveSmallIntegerField(unique=True)  # 0-9999 upstream
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    value = models.PositiveIntegerField()  # the dimension's total score
    per_value = models.PositiveIntegerField()  # the score of one star
    category_id = models.CharField(max_length=32, blank=True)
    category_name = models.CharField(max_length=32, blank=True)
    required = models.BooleanField(default=False)
    # False once the upstream stops listing it: kept for old surveys, no longer offered.
    offered = models.BooleanField(default=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["satisfaction_id"]

    def __str__(self) -> str:
        return f"{self.satisfaction_id} {self.name}"

    @property
    def stars(self) -> int:
        """How many stars the survey shows: one per `per_value` of the total."""
        return self.value // self.per_value if self.per_value else 0


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


class SurveySource(models.TextChoices):
    CLOSE = "close", _("With the close")
    SCORE = "score", _("Rated after closure")


class Survey(models.Model):
    """What was said about one ticket, kept once the upstream accepted it. A ticket is rated
    once; the audit record of the call that carried it is its proof."""

    case_id = models.CharField(max_length=64, unique=True)
    # Kept if the ticket stops being tracked; the fields below are copied for the report.
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey"
    )
    product = models.CharField(max_length=200, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agent_username = models.CharField(max_length=150)
    source = models.CharField(max_length=8, choices=SurveySource.choices)
    judgement = models.TextField(blank=True)
    audit_record = models.OneToOneField(
        "audit.AuditRecord", on_delete=models.PROTECT, related_name="survey"
    )
    created_at = models.DateTimeField()
    # The day and the ISO week (its Monday) the survey was recorded, in the dashboard's time
    # zone: the report filters and groups by these instead of converting every timestamp.
    surveyed_on = models.DateField()
    week = models.DateField()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_satisfaction_report", "Can view the satisfaction report")]
        indexes = [
            # Holds what the report's survey count reads: the database reads the index alone.
            models.Index(fields=["surveyed_on", "week", "agent"], name="survey_report"),
            models.Index(fields=["agent", "surveyed_on"], name="survey_agent_day"),
            models.Index(fields=["product", "surveyed_on"], name="survey_product_day"),
        ]

    def __str__(self) -> str:
        return f"Survey of {self.case_id}"


class SurveyAnswer(models.Model):
    """The stars one survey gave one dimension, with the scale as it was sent."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    satisfaction_id = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=32)
    stars = models.PositiveSmallIntegerField()
    scale = models.PositiveSmallIntegerField()  # how many stars the dimension had
    satisfaction_value = models.PositiveIntegerField()
    value = models.PositiveIntegerField()
    per_value = models.PositiveIntegerField()
    # Copied from the survey (never changed after), so that the report counts one table.
    surveyed_on = models.DateField()
    week = models.DateField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["survey", "satisfaction_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "satisfaction_id"], name="survey_answer_once_per_dimension"
            )
        ]
        indexes = [
            # Holds every column the report's aggregate reads: the database reads the index alone.
            models.Index(
                fields=["surveyed_on", "week", "agent", "satisfaction_id", "scale", "stars"],
                name="survey_answer_report",
            ),
            models.Index(fields=["agent", "surveyed_on"], name="survey_answer_agent_day"),
            models.Index(fields=["product", "surveyed_on"], name="survey_answer_product_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.stars} of {self.scale}"


# --- Bulk operations --------------------------------------------------------------------------


class BulkState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    CANCELLING = "cancelling", _("Cancelling")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Finished")


ACTIVE_BULK_STATES = (BulkState.QUEUED, BulkState.RUNNING, BulkState.CANCELLING)


class BulkOperation(models.Model):
    """One operation asked for many tickets at once. The worker sends it ticket by ticket (each
    its own operation and audit record); this row is what the progress page reads."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action_id = models.CharField(max_length=16)
    operate_desc = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=BulkState.choices, default=BulkState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    # The form's one-time key: a second submission of the same form finds this bulk.
    request_key = models.UUIDField(null=True, blank=True, unique=True)
    # How the tickets were chosen (ids or a filter), for whoever reads it later.
    selection = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bulk {self.action_id} #{self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("tickets:bulk", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_BULK_STATES


class BulkItemOutcome(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Refused by the upstream")
    HTTP_ERROR = "http_error", _("Upstream error")
    NOT_SENT = "not_sent", _("Not sent")
    UNKNOWN = "unknown", _("Result unknown")
    NOT_APPLIED = "not_applied", _("Not carried out")
    PENDING = "pending", _("Sent, no answer yet")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class BulkItem(models.Model):
    """One ticket of a bulk operation. Its one-time key is made when the bulk is, so that a run
    repeated after a worker crash finds the operation already sent instead of sending it again."""

    bulk = models.ForeignKey(BulkOperation, on_delete=models.CASCADE, related_name="items")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL)
    case_id = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    audit_record = models.ForeignKey(
        "audit.AuditRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        max_length=16, choices=BulkItemOutcome.choices, default=BulkItemOutcome.WAITING
    )
    error_code = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bulk", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bulk", "position"], name="bulk_item_position")
        ]
        indexes = [models.Index(fields=["bulk", "outcome"], name="bulk_item_outcome")]

    def __str__(self) -> str:
        return f"{self.case_id} in bulk #{self.bulk_id} ({self.outcome})"

    def get_outcome_display(self) -> str:
        return choice_label(BulkItemOutcome, self.outcome)
