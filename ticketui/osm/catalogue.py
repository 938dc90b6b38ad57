"""The upstream's vocabulary, defined once: its actions and what the dashboard calls them, the
ticket statuses, which action the upstream accepts in which status, the status an action leaves
behind, and how the upstream's operate-log names each action (osm-api.md §1 to §3).

Forms, models, templates, reconciliation and error texts read these; nothing else spells them.
The wire names (`press`, `score`, the status codes) stay here and at the wire; everywhere else
the dashboard speaks of *urging the engineer* and of the customer's *survey*.

Which action is allowed in which status is not published by Huawei: this is the table the
dashboard assumes (the sandbox, a stand-in for the upstream, enforces its own copy, and a test
holds the two together)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketStatus(models.IntegerChoices):
    PENDING_ACCEPTANCE = 0, _("Pending acceptance")
    PROCESSING = 1, _("Processing")
    AWAITING_CONFIRMATION = 2, _("Awaiting confirmation")
    COMPLETED = 3, _("Completed")
    # A cancelled ticket is not a cancelled bulk run: in Chinese one is 已撤销, the other 已取消.
    CANCELLED = 4, pgettext_lazy("ticket status", "Cancelled")
    PAUSED = 5, _("Paused")
    INVALID = 12, _("Invalid")
    DELETED = 13, _("Deleted")
    PENDING_FEEDBACK = 17, _("Pending feedback")


class Action(models.TextChoices):
    """The action call's documented `action_id` values, in the order forms offer them."""

    CLOSE = "close", _("Close")
    PRESS = "press", _("Urge the engineer")
    CANCEL = "cancel", pgettext_lazy("ticket action", "Cancel")
    DELETE = "delete", _("Delete")


# The rating call (`…/score`): it sends the customer's survey of a completed ticket. Audit
# records and the operate-log know it by this wire name.
SURVEY_ACTION = "score"

STATUS_LABELS = dict(TicketStatus.choices)
# The statuses in which the upstream waits for the customer, that is for this team: the engineer
# asks for confirmation or for feedback.
AWAITING_TEAM: frozenset[int] = frozenset(
    {TicketStatus.AWAITING_CONFIRMATION, TicketStatus.PENDING_FEEDBACK}
)
ACTION_LABELS = {**dict(Action.choices), SURVEY_ACTION: _("Survey")}

# Which action the upstream accepts in which status.
ALLOWED_IN: dict[str, frozenset[int]] = {
    Action.CANCEL: frozenset({0, 1, 2, 5, 17}),
    Action.CLOSE: frozenset({2, 17}),
    Action.PRESS: frozenset({0, 1, 5}),
    Action.DELETE: frozenset({3, 4, 12}),
}
# The statuses in which the upstream takes no more messages on a ticket (CreateMessages answers
# OSM.01010014): it is finished one way or another. Not published either, as the table above.
REPLIES_CLOSED_IN: frozenset[int] = frozenset(
    {TicketStatus.COMPLETED, TicketStatus.CANCELLED, TicketStatus.INVALID, TicketStatus.DELETED}
)
# A survey is sent once, for a completed ticket.
SURVEY_ALLOWED_IN = frozenset({TicketStatus.COMPLETED})
# The status an action leaves the ticket in (urging changes nothing).
STATUS_AFTER: dict[str, int] = {
    Action.CLOSE: TicketStatus.COMPLETED,
    Action.CANCEL: TicketStatus.CANCELLED,
    Action.DELETE: TicketStatus.DELETED,
}
# The operate-log's `operate_type` for each action (osm-api.md §3).
OPERATE_LOG_TYPES: dict[str, int] = {
    "create": 0,
    Action.PRESS: 2,
    Action.CLOSE: 3,
    Action.CANCEL: 4,
    SURVEY_ACTION: 5,
    Action.DELETE: 13,
}

UNKNOWN_ACTION = _("Choose one of: %(actions)s.")


def action_label(action_id: str) -> str:
    """An action in the reader's language; an id the dashboard does not know, as it came."""
    label = ACTION_LABELS.get(action_id)
    return action_id if label is None else str(label)


def status_label(status: int | None) -> str:
    if status is None:
        return str(_("Unknown"))
    if (label := STATUS_LABELS.get(status)) is not None:
        return str(label)
    return str(_("Unknown status (%(code)s)") % {"code": status})


def actions_allowed(status: int | None) -> list[str]:
    """The actions the upstream accepts in this status, in the forms' order."""
    return [action for action in Action.values if status in ALLOWED_IN[action]]


def unknown_action_message() -> str:
    return str(UNKNOWN_ACTION) % {"actions": ", ".join(action_label(a) for a in Action.values)}
