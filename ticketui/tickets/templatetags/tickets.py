import json

from django import template

from ticketui.audit.models import AuditRecord

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
