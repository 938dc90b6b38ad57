"""Tickets the team tracks: a local copy of each upstream ticket, refreshed from the upstream.

Each capability keeps its own models beside its code (surveys/, bulk/, sync/); they belong to
this app (label "tickets", the same tables and migrations) and are imported here so that Django
finds them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ticketui.osm.catalogue import (
    AWAITING_TEAM,
    REPLIES_CLOSED_IN,
    TicketStatus,
    actions_allowed,
    status_label,
)

from .bulk.models import BulkItem, BulkItemOutcome, BulkOperation, BulkState
from .saved_views.models import SavedView
from .surveys.models import SatisfactionDimension, Survey, SurveyAnswer, SurveySource
from .sync.models import SyncRun, SyncStatus
from .visits.models import TicketVisit

__all__ = [
    "BulkItem",
    "BulkItemOutcome",
    "BulkOperation",
    "BulkState",
    "SatisfactionDimension",
    "SavedView",
    "Survey",
    "SurveyAnswer",
    "SurveySource",
    "SyncRun",
    "SyncStatus",
    "Ticket",
    "TicketStatus",
    "TicketTag",
    "TicketVisit",
]


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
    # When the ticket last changed upstream (its update_time; without one, when a refresh or a
    # sync first saw it changed).
    upstream_updated_at = models.DateTimeField(null=True, blank=True)
    upstream_data = models.JSONField(default=dict, blank=True)
    tracked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who on the team looks after it: the tracking user, whoever claims it, or a team lead's
    # choice (ownership/services.py). Nobody for a ticket a sync brought in.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ticket_owner_newest leads with it
    )
    # The upstream's severity_name (only its detail call gives it), as it came; None until read
    # (null rather than "": a column added without a default keeps SQLite's table as it is).
    severity = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # Its labels as the upstream last gave them ([{label_id, name, color}]), shown on the page
    # and the list; TicketTag holds the same names for the list's filter.
    labels = models.JSONField(null=True, blank=True)
    # Engineer messages the upstream counts as unread (the conversation poll); None: not read.
    unread_messages = models.PositiveIntegerField(null=True, blank=True)
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
            # The list's other orders (selectors.LIST_SORTS) and the owner filters.
            models.Index(
                fields=["status", "-upstream_created_at", "-id"], name="ticket_status_order"
            ),
            models.Index(fields=["upstream_updated_at", "id"], name="ticket_changed"),
            models.Index(
                fields=["status", "upstream_updated_at", "id"], name="ticket_status_changed"
            ),
            models.Index(fields=["owner", "upstream_created_at", "id"], name="ticket_owner_newest"),
            models.Index(
                fields=["severity", "upstream_created_at", "id"], name="ticket_severity_newest"
            ),
            models.Index(
                fields=["unread_messages", "upstream_created_at", "id"], name="ticket_unread_newest"
            ),
        ]
        permissions = [
            ("operate_ticket", "Can operate tickets upstream"),
            ("track_ticket", "Can track tickets"),
            ("claim_ticket", "Can claim unassigned tickets"),
            ("assign_ticket", "Can give any ticket to anyone"),
        ]

    def __str__(self) -> str:
        return self.case_id

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def is_deleted(self) -> bool:
        """Deleted at the upstream (as last refreshed): it accepts no operation any more."""
        return self.status == TicketStatus.DELETED

    @property
    def takes_replies(self) -> bool:
        """Whether the upstream still takes messages on it (as last refreshed; a status the
        dashboard does not know is left for the upstream to judge)."""
        return self.status not in REPLIES_CLOSED_IN

    @property
    def reply_state(self) -> str:
        """What the reply panel shows, as a word: "open" (the form), else the status it names."""
        return "open" if self.takes_replies else str(self.status)

    @property
    def allowed_actions(self) -> list[str]:
        """What the upstream accepts in the ticket's status (as last refreshed)."""
        return actions_allowed(self.status)

    @property
    def waiting_since(self) -> datetime | None:
        """Since when the upstream has waited for this team, once that is longer than
        TICKET_WAITING_THRESHOLD_HOURS; None otherwise."""
        if self.status not in AWAITING_TEAM or self.upstream_updated_at is None:
            return None
        threshold = timedelta(hours=settings.TICKET_WAITING_THRESHOLD_HOURS)
        return (
            self.upstream_updated_at
            if timezone.now() - self.upstream_updated_at > threshold
            else None
        )


class TicketTag(models.Model):
    """One of a ticket's upstream labels, or its severity, by name: what the list's filters
    offer (labels are filtered through it too). Written with the ticket's own copy (labels.py),
    never on its own."""

    class Kind(models.TextChoices):
        LABEL = "label"
        SEVERITY = "severity"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "ticket"], name="ticket_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
