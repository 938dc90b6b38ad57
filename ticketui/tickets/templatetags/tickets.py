"""Template helpers for tickets and their operations: outcomes in words, action labels, ages,
the list's sortable column headers."""

import json
from datetime import datetime

from django import template
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ticketui.audit.models import AuditRecord
from ticketui.osm import catalogue

from ..outcomes import outcome_message, outcome_tone

register = template.Library()


@register.filter
def outcome_text(record: AuditRecord) -> str:
    return outcome_message(record)


@register.filter
def tone(record: AuditRecord) -> str:
    return outcome_tone(record)


@register.filter
def pretty_json(value) -> str:
    """JSON for reading; the template escapes it."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@register.filter
def action_label(action_id: str) -> str:
    """An upstream action id in the reader's language; an unknown one as it came."""
    return catalogue.action_label(action_id)


@register.filter
def case_id_in(text: str, case_id: str) -> str:
    """A translated text with a case id in its %(case_id)s, e.g. a row's "Select CS…" label
    (translated once per page, filled in per row)."""
    return text % {"case_id": case_id}


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, in its largest unit ("3 days", "5 hours"), in the reader's language."""
    return timesince(moment, depth=1) if moment else ""


# What each order of the list is, for a screen reader and for the header's arrow: the column's
# direction (ages and times since a change grow downwards in "oldest" and "unchanged").
SORT_DIRECTIONS = {
    "status": "ascending",
    "newest": "ascending",
    "oldest": "descending",
    "changed": "ascending",
    "unchanged": "descending",
}


@register.inclusion_tag("tickets/list_sort_header.html", takes_context=True)
def sort_header(context, label: str, first: str, second: str | None = None) -> dict:
    """A column header that sorts the list: by `first`, then (clicked again) by `second`; a
    column with one order goes back to the list's default. Other filters stay, the page goes."""
    current = context.get("sort")
    wanted = first
    if current == first:
        wanted = second if second and second != first else None
    params = context["request"].GET.copy()
    params.pop("page", None)
    if wanted is None:
        params.pop("sort", None)
    else:
        params["sort"] = wanted
    shown = current in (first, second)
    return {
        "label": label,
        "href": f"?{params.urlencode()}",
        "aria_sort": SORT_DIRECTIONS[current] if shown else "",
        "hint": _("(sorted; choose to change the order)") if shown else _("(choose to sort)"),
    }
