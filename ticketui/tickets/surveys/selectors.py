"""Reads for a ticket's survey: what was said, what the upstream holds, and whether a survey may
still be sent."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.catalogue import TicketStatus

from ..models import Ticket
from .models import SatisfactionDimension, Survey, SurveyAnswer, viewer_language

ALREADY_RATED = gettext_noop("This ticket has already been rated; a ticket is rated once.")
SURVEY_IN_PROGRESS = gettext_noop("A survey of this ticket is being sent; wait for its outcome.")
# A pending survey record older than any call can take was left by a crash; it blocks nothing.
PENDING_SURVEY_SECONDS = 600


def survey_closed_reason(*, ticket: Ticket) -> str:
    """Why no survey may be sent for this ticket any more ("" if one may): it has one here or
    upstream (as last refreshed), or one is on its way."""
    rated_upstream = bool((ticket.upstream_data or {}).get("incident_satisfaction"))
    if rated_upstream or Survey.objects.filter(case_id=ticket.case_id).exists():
        return _(ALREADY_RATED)
    surveys = AuditRecord.objects.filter(kind=Kind.SURVEY, case_id=ticket.case_id)
    if surveys.filter(outcome=RecordOutcome.SUCCEEDED).exists():
        return _(ALREADY_RATED)
    recent = timezone.now() - timedelta(seconds=PENDING_SURVEY_SECONDS)
    if surveys.filter(outcome=RecordOutcome.PENDING, created_at__gte=recent).exists():
        return _(SURVEY_IN_PROGRESS)
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
    survey = Survey.objects.filter(case_id=ticket.case_id).first()
    if survey is not None:
        answers = list(survey.answers.all())
        names = dimension_names(ids=[answer.satisfaction_id for answer in answers])
        for answer in answers:  # in the viewer's language; else as it was sent
            answer.shown_name = names.get(answer.satisfaction_id) or answer.name
        return TicketSurvey(survey=survey, answers=answers)
    upstream_data = ticket.upstream_data or {}
    upstream = [
        entry
        for entry in upstream_data.get("incident_satisfaction") or []
        if isinstance(entry, dict)
    ]
    if upstream:
        names = dimension_names(ids=[_int(entry.get("satisfaction_id")) for entry in upstream])
        upstream = [
            {**entry, "shown_name": names.get(_int(entry.get("satisfaction_id")))}
            for entry in upstream
        ]
        return TicketSurvey(
            upstream=upstream, upstream_comment=str(upstream_data.get("judgement") or "")
        )
    if ticket.status != TicketStatus.COMPLETED or survey_closed_reason(ticket=ticket):
        return TicketSurvey()
    return TicketSurvey(open=True)


def dimension_names(*, ids: Iterable[int | None], language: str = "") -> dict[int, str]:
    """The stored dimensions' names in this X-Language code (default: the viewer's language;
    else the team's), by id."""
    language = language or viewer_language()
    return {
        dim.satisfaction_id: dim.name_in(language)
        for dim in SatisfactionDimension.objects.filter(satisfaction_id__in=set(ids))
    }


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
