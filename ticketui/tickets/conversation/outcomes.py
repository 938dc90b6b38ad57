"""What a reply's outcome means for the agent, in the same plain words as an operation's
(tickets/outcomes.py): the upstream's error codes and the dashboard's sign-in codes read the same;
only the sentences that name what was sent speak of a reply."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome

from ..outcomes import outcome_message

REPLY_SENT = _("Sent. The upstream accepted the reply.")
REPLY_UNKNOWN = _(
    "The result is unknown: the upstream received the reply but did not answer in time. Look at "
    "the conversation before sending it again: the dashboard never sends a reply twice by itself."
)
REPLY_UNREADABLE = _(
    "The result is unknown: the upstream answered (HTTP %(status)s), but its answer could not be "
    "read, so whether the reply was posted is not known. Look at the conversation before sending "
    "it again."
)
REPLY_PENDING = _("Sent; waiting for the upstream's answer.")
REPLY_NOT_SENT = _(
    "Not sent: the upstream could not be reached. Nothing was posted; you can try again."
)
REPLY_REFUSED = _("The upstream refused the reply.")
REPLY_HTTP_ERROR = _("The upstream answered with an error; the reply was not posted.")
UPLOAD_FAILED = _(
    "The reply was not sent, because the attachment “%(name)s” could not be uploaded: %(reason)s"
)
UPLOAD_WITHOUT_ID = _("the upstream accepted it but gave no attachment id.")

_REPLY_MESSAGES = {
    RecordOutcome.SUCCEEDED: REPLY_SENT,
    RecordOutcome.PENDING: REPLY_PENDING,
    RecordOutcome.NOT_SENT: REPLY_NOT_SENT,
    RecordOutcome.UNKNOWN: REPLY_UNKNOWN,
    RecordOutcome.REJECTED: REPLY_REFUSED,
    RecordOutcome.HTTP_ERROR: REPLY_HTTP_ERROR,
}


def reply_outcome_message(record: AuditRecord) -> str:
    """One plain sentence on a reply's record, or on the upload that stopped it."""
    if record.kind == Kind.UPLOAD:
        return upload_failure_message(record)
    if record.error_code:  # the upstream's or the sign-in's code, read as for an operation
        return outcome_message(record)
    if record.outcome == RecordOutcome.UNKNOWN and record.http_status is not None:
        return str(REPLY_UNREADABLE % {"status": record.http_status})
    return str(_REPLY_MESSAGES.get(record.outcome, record.get_outcome_display()))


def upload_failure_message(record: AuditRecord) -> str:
    name = ((record.request_body or {}).get("file") or {}).get("name", "")
    if record.outcome == RecordOutcome.SUCCEEDED:
        reason = str(UPLOAD_WITHOUT_ID)
    else:
        reason = outcome_message(record)
        if record.outcome == RecordOutcome.UNKNOWN and not record.error_code:
            reason = gettext(
                "no readable answer came in time, so whether the upstream kept the file is not "
                "known; no reply was posted."
            )
    return str(UPLOAD_FAILED % {"name": name, "reason": reason})
