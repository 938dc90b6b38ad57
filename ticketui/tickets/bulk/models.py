"""Bulk operations: one operation asked for many tickets, and one item per ticket with its
outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ticketui.caching.labels import choice_label
from ticketui.osm.catalogue import action_label

# The one bulk action that is not an upstream call: giving the tickets an owner, done at once in
# the dashboard's own database (services.bulk_assign).
ASSIGN_ACTION = "assign"


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
    # For an assignment (ASSIGN_ACTION): who gets the tickets; nobody means "unassigned".
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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

    @property
    def is_assignment(self) -> bool:
        return self.action_id == ASSIGN_ACTION

    def get_action_display(self) -> str:
        """The upstream action in the reader's language, or whom the tickets were given to."""
        if not self.is_assignment:
            return action_label(self.action_id)
        if self.assignee is None:
            return gettext("Given to nobody (unassigned)")
        name = self.assignee.get_full_name() or self.assignee.get_username()
        return gettext("Given to %(owner)s") % {"owner": name}


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
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL)
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
