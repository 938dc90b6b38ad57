"""Template helpers for tickets and their operations: outcomes in words, action labels."""

import json

from django import template

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
