"""The audit trail: one record per operation sent upstream and per notable event (logins, tracking,
syncs, exports). Operation records are written *pending* before the upstream call and completed
after it, so a crash in between leaves a pending record, never nothing. No secret is stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    OPERATION = "operation", _("Operation")
    RATING = "rating", _("Rating")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    TRACK = "track", _("Ticket tracked")
    UNTRACK = "untrack", _("Ticket untracked")
    SYNC = "sync", _("Sync")
    EXPORT = "export", _("Export")


class RecordOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Rejected by the upstream")
    HTTP_ERROR = "http_error", _("Upstream error")
    NOT_SENT = "not_sent", _("Not sent")
    UNKNOWN = "unknown", _("Result unknown")
    FAILED = "failed", _("Failed")


class AuditRecord(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as written, so the record still says who acted if the account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    case_id = models.CharField(max_length=64, blank=True, db_index=True)
    action_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(
        max_length=16, choices=RecordOutcome.choices, default=RecordOutcome.PENDING
    )

    # The request as sent (never its auth headers).
    request_method = models.CharField(max_length=8, blank=True)
    request_path = models.TextField(blank=True)
    request_body = models.JSONField(null=True, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)

    # The upstream's answer.
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_msg = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    response_truncated = models.BooleanField(default=False)
    request_id = models.CharField(max_length=128, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    detail = models.TextField(blank=True)

    # Who was at the keyboard, and the event's own data (e.g. an export's filter).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_all_records", "Can review every audit record")]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_created"),
            models.Index(fields=["case_id", "-created_at"], name="audit_case_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.action_id} {self.case_id} ({self.outcome})".strip()

    @property
    def is_pending(self) -> bool:
        return self.outcome == RecordOutcome.PENDING
