"""What an operation's outcome means for the agent, in words (osm-api.md §5)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ticketui.audit.models import AuditRecord, RecordOutcome

ERROR_CODE_MESSAGES = {
    "OSM.0001": _("The upstream rejected the request as malformed."),
    "OSM.0002": _(
        "The upstream did not accept the dashboard's credentials (token missing, expired or invalid)."
    ),
    "OSM.0003": _("The upstream refused access to this operation."),
    "OSM.0004": _("The upstream had an internal error; the operation was not carried out."),
    "OSM.01010001": _("The upstream found a field outside its limits."),
    "OSM.01010002": _("You have no permission for this ticket upstream. A group id may be needed."),
    "OSM.01010004": _(
        "The engineer was urged too recently. Wait a few minutes before urging again."
    ),
    "OSM.01010011": _(
        "The upstream could not find the customer account for the dashboard's credentials."
    ),
    "OSM.01010013": _("The upstream does not know this operation."),
    "OSM.01010014": _(
        "The upstream refused the operation, usually because the ticket's status does not allow it."
    ),
    "OSM.01010015": _("The upstream has no such ticket."),
    "APIGW.0301": _("The upstream gateway rejected the signature or token."),
    # The dashboard's own codes for sign-in failures (ticketui.osm.auth.AuthFailure).
    "ticketui.auth.rejected": _(
        "Not sent: the dashboard could not sign in to Huawei Cloud IAM because its IAM user name "
        "or password is wrong. Ask the operator to check IAM_USER and IAM_PASSWORD."
    ),
    "ticketui.auth.locked": _(
        "Not sent: the dashboard's IAM user is locked or disabled. Ask the operator to unlock it."
    ),
    "ticketui.auth.unreachable": _(
        "Not sent: Huawei Cloud IAM could not be reached to sign in. Nothing changed; "
        "try again in a minute."
    ),
    "ticketui.auth.failed": _(
        "Not sent: Huawei Cloud IAM did not give the dashboard a usable token. Nothing changed."
    ),
    "ticketui.auth.misconfigured": _(
        "Not sent: the dashboard's upstream credentials are not set up. Ask the operator."
    ),
}

SIGNATURE_REJECTED = _(
    "Signature rejected: the upstream's gateway did not accept the dashboard's AK/SK signature, "
    "so the operation was not carried out. Ask the operator to check OSM_AK, OSM_SK and "
    "OSM_DOMAIN_ID, and the server's clock."
)

# It answered (a status line came back) but its answer could not be read: not JSON, too large,
# or broken off. The record's detail says which.
UNREADABLE_ANSWER = _(
    "The result is unknown: the upstream answered (HTTP %(status)s), but its answer could not be "
    "read, so whether the operation was carried out is not known. Check the ticket's status "
    "before trying again."
)

OUTCOME_MESSAGES = {
    RecordOutcome.SUCCEEDED: _("Done. The upstream accepted the operation."),
    RecordOutcome.PENDING: _("Sent; waiting for the upstream's answer."),
    RecordOutcome.NOT_SENT: _(
        "Not sent: the upstream could not be reached. Nothing changed; you can try again."
    ),
    RecordOutcome.UNKNOWN: _(
        "The result is unknown: the upstream received the request but did not answer in time. "
        "Check the ticket's status before trying again."
    ),
    RecordOutcome.HTTP_ERROR: _(
        "The upstream answered with an error; the operation was not carried out."
    ),
    RecordOutcome.REJECTED: _("The upstream refused the operation."),
    RecordOutcome.NOT_APPLIED: _(
        "Not carried out: the upstream has no trace of it. Nothing changed; you can try again."
    ),
}


def outcome_message(record: AuditRecord) -> str:
    """One plain sentence for the agent; unknown error codes are shown as they came."""
    if record.error_code == "APIGW.0301" and settings.OSM_AUTH == "aksk":
        return str(SIGNATURE_REJECTED)
    if record.error_code in ERROR_CODE_MESSAGES:
        return str(ERROR_CODE_MESSAGES[record.error_code])
    if record.error_code:
        return str(_("The upstream answered with error %(code)s.") % {"code": record.error_code})
    if record.outcome == RecordOutcome.UNKNOWN and record.http_status is not None:
        return str(UNREADABLE_ANSWER % {"status": record.http_status})
    return str(OUTCOME_MESSAGES.get(record.outcome, record.get_outcome_display()))


def outcome_tone(record: AuditRecord) -> str:
    """The colour family the outcome is shown in."""
    return {
        RecordOutcome.SUCCEEDED: "success",
        RecordOutcome.UNKNOWN: "warning",
        RecordOutcome.PENDING: "warning",
        RecordOutcome.NOT_SENT: "neutral",
        RecordOutcome.NOT_APPLIED: "neutral",
    }.get(record.outcome, "danger")
