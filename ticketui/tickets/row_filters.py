"""What the tickets' row templates (Jinja2, ticketui/caching/jinja_rows.py) call besides the
shared filters, registered when the app is ready (apps.py): an outcome's tone and sentence, and
a row's words with plural forms (makemessages finds those in Django templates and Python only)."""

from django.utils.translation import ngettext

from .outcomes import outcome_message, outcome_tone
from .templatetags.tickets import age


def unread_title(count: int) -> str:
    return ngettext(
        "%(counter)s unread message from the engineer",
        "%(counter)s unread messages from the engineer",
        count,
    ) % {"counter": count}


def unread_count(count: int) -> str:
    return ngettext("%(counter)s unread", "%(counter)s unread", count) % {"counter": count}


ROW_FILTERS = {
    "age": age,
    "tone": outcome_tone,
    "outcome_text": outcome_message,
    "unread_title": unread_title,
    "unread_count": unread_count,
}
