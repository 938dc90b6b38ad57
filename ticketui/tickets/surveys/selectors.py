"""Reads for a ticket's survey: what was said, what the upstream holds, and whether a survey may
still be sent."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.catalogue import TicketStatus

from ..models import Ticket
from .models import Survey, SurveyAnswer

ALREADY_RATED = "This ticket has already been rated; a ticket is rated once."
SURVEY_IN_PROGRESS = "A survey of this ticket is being sent; wait for its outcome."
# A pending survey record older than any call can take was left by a crash; it blocks nothing.
PENDING_SURVEY_SECONDS = 600


def survey_closed_reason(*, ticket: Ticket) -> str:
    """Why no survey may be sent for this ticket any more ("" if one may): it has one here or
    upstream (as last refreshed), or one is on its way."""
    rated_upstream = bool((ticket.upstream_data or {}).get("incident_satisfaction"))
    if rated_upstream or Survey.objects.filter(case_id=ticket.case_id).exists():
        return ALREADY_RATED
    surveys = AuditRecord.objects.filter(kind=Kind.SURVEY, case_id=ticket.case_id)
    if surveys.filter(outcome=RecordOutcome.SUCCEEDED).exists():
        return ALREADY_RATED
    recent = timezone.now() - timedelta(seconds=PENDING_SURVEY_SECONDS)
    if surveys.filter(outcome=RecordOutcome.PENDING, created_at__gte=recent).exists():
        return SURVEY_IN_PROGRESS
    return ""


@dataclass(frozen=True, kw_only=True)
class TicketSurvey:
    """What the ticket page shows of the customer's survey."""

    survey: Survey | None = None
    answers: list[SurveyAnswer] = field(default_factory=list)
    # What the upstream holds when the ticket was surveyed elsewhere (as last refreshed).
    upstream: list[dict[str, Any]] = field(default_factory=list)
    upstream_comment: str = ""
    open: bool = False  # a survey may be sent now


def survey_for_ticket(*, ticket: Ticket) -> TicketSurvey:
    survey = Survey.objects.filter(case_id=ticket.case_id).select_related("audit_record").first()
    if survey is not None:
        return TicketSurvey(survey=survey, answers=list(survey.answers.all()))
    upstream_data = ticket.upstream_data or {}
    upstream = [
        entry
        for entry in upstream_data.get("incident_satisfaction") or []
        if isinstance(entry, dict)
    ]
    if upstream:
        return TicketSurvey(
            upstream=upstream, upstream_comment=str(upstream_data.get("judgement") or "")
        )
    if ticket.status != TicketStatus.COMPLETED or survey_closed_reason(ticket=ticket):
        return TicketSurvey()
    return TicketSurvey(open=True)
