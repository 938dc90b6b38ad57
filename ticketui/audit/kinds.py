"""What an audit record is about and how it ended: shared by the model and the chain, which
must not import each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    OPERATION = "operation", _("Operation")
    # Stored as "rating" since the first records: the customer's survey sent after closure.
    SURVEY = "rating", _("Survey")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    TRACK = "track", _("Ticket tracked")
    UNTRACK = "untrack", _("Ticket untracked")
    # A ticket's owner on the team changed: taken by an agent, or given by a team lead (data:
    # the previous and the new owner's username, null for nobody).
    CLAIM = "claim", _("Ticket claimed")
    ASSIGN = "assign", _("Owner changed")
    SYNC = "sync", _("Sync")
    EXPORT = "export", _("Export")
    # The settlement of an operation whose result was unknown (see reconcile.py).
    RECONCILE = "reconcile", _("Reconciliation")
    # The conversation (tickets/conversation): a reply sent upstream, an attachment uploaded for
    # one, an attachment downloaded through the dashboard.
    REPLY = "reply", _("Reply")
    UPLOAD = "upload", _("Attachment uploaded")
    DOWNLOAD = "download", _("Attachment downloaded")


class RecordOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Rejected by the upstream")
    HTTP_ERROR = "http_error", _("Upstream error")
    NOT_SENT = "not_sent", _("Not sent")
    UNKNOWN = "unknown", _("Result unknown")
    FAILED = "failed", _("Failed")
    # A reconciliation found that the upstream did not carry the operation out.
    NOT_APPLIED = "not_applied", _("Not carried out")


# Outcomes a reviewer means by "failed": everything that did not happen as asked.
FAILURE_OUTCOMES = (
    RecordOutcome.REJECTED,
    RecordOutcome.HTTP_ERROR,
    RecordOutcome.NOT_SENT,
    RecordOutcome.FAILED,
    RecordOutcome.NOT_APPLIED,
)
