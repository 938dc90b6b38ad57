"""Reads for a ticket's satisfaction: its survey, what the upstream holds, and whether it may
still be rated."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from .models import Survey, SurveyAnswer, Ticket, TicketStatus
from .surveys import ticket_rating_check


@dataclass(frozen=True, kw_only=True)
class TicketRating:
    survey: Survey | None = None
    answers: list[SurveyAnswer] = field(default_factory=list)
    # What the upstream holds when the ticket was rated elsewhere (as last refreshed).
    upstream: list[dict[str, Any]] = field(default_factory=list)
    upstream_judgement: str = ""
    rateable: bool = False


def ticket_rating(*, ticket: Ticket) -> TicketRating:
    survey = Survey.objects.filter(case_id=ticket.case_id).select_related("audit_record").first()
    if survey is not None:
        return TicketRating(survey=survey, answers=list(survey.answers.all()))
    upstream_data = ticket.upstream_data or {}
    upstream = [
        entry
        for entry in upstream_data.get("incident_satisfaction") or []
        if isinstance(entry, dict)
    ]
    if upstream:
        return TicketRating(
            upstream=upstream, upstream_judgement=str(upstream_data.get("judgement") or "")
        )
    if ticket.status != TicketStatus.COMPLETED:
        return TicketRating()
    try:
        ticket_rating_check(ticket=ticket)
    except ValidationError:
        return TicketRating()
    return TicketRating(rateable=True)
