"""Tickets the team tracks: a local copy of each upstream ticket, refreshed from the upstream."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        if self.status in TicketStatus.values:
            return TicketStatus(self.status).label
        return str(_("Unknown status (%(code)s)") % {"code": self.status})

    @property
    def suggested_actions(self) -> list[str]:
        return [action for action, statuses in ACTIONS_BY_STATUS.items() if self.status in statuses]
