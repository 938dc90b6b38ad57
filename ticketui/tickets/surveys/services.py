"""Writes for the customer's survey: the dimensions copied from the upstream, checking a survey
(stars per dimension id and a comment) to the upstream's limits, sending one for a completed
ticket, and keeping every survey the upstream accepted for the report.

A survey has one shape wherever it comes from (the close form, the survey form, the command
line): stars by dimension id and a comment. `survey_prepare` checks it once and builds the
`incident_satisfaction_list` entries; the close action sends them through operation_submit, a
completed ticket through `survey_submit` (the upstream's rating call, `…/score`)."""

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import NO_ORIGIN, Origin
from ticketui.osm import limits
from ticketui.osm.catalogue import SURVEY_ACTION, TicketStatus
from ticketui.osm.configured import get_client
from ticketui.osm.results import SatisfactionEntry

from ..models import Ticket
from ..sending import operation_replay, operator_check, recorded_send
from ..services import ticket_refresh, ticket_refresh_if_stale
from ..validation import case_id_sendable_check, text_errors
from .dimensions import dimensions_offered
from .models import SatisfactionDimension, Survey, SurveyAnswer, SurveySource
from .selectors import survey_closed_reason

logger = logging.getLogger(__name__)

# Messages the forms, commands and tests share.
NOT_COMPLETED = gettext_noop("Only a completed ticket can be rated (this one is %(status)s).")
STARS_OUT_OF_RANGE = gettext_noop("Rate %(name)s with 1 to %(stars)d stars.")
SATISFACTION_ID_OUT_OF_RANGE = gettext_noop(
    "A satisfaction dimension id is a number from 0 to 9999 (got %(id)s)."
)
UNKNOWN_DIMENSION = gettext_noop(
    "There is no satisfaction dimension %(id)s; the upstream offers: %(known)s."
)
NO_DIMENSIONS = gettext_noop(
    "The upstream's satisfaction dimensions are not known yet; try again shortly."
)
REQUIRED_DIMENSION = gettext_noop("Rate %(name)s: the team asks every survey to rate it.")
NO_STARS = gettext_noop("Rate at least one dimension.")
COMMENT_NEEDS_STARS = gettext_noop(
    "A comment is part of the survey: rate at least one dimension, or remove it."
)
COMMENT_REQUIRED = gettext_noop("Write a comment: the upstream requires one with a survey.")
SURVEY_ONLY_ON_CLOSE = gettext_noop("A survey is sent with the close action only.")
TOO_MANY_ENTRIES = gettext_noop("At most %(limit)d dimensions can be sent (this has %(count)d).")
ENTRY_OUT_OF_LIMITS = gettext_noop(
    "Dimension %(position)d: %(field)s is outside the upstream's limits."
)


# --- Checking a survey --------------------------------------------------------------------------


def survey_prepare(
    *,
    ticket: Ticket,
    stars: Mapping[int, int],
    comment: str,
    required: bool,
    dimensions: Sequence[SatisfactionDimension] | None = None,
) -> list[SatisfactionEntry]:
    """Check a survey of this ticket and build the entries to send; the one place a survey is
    validated.

    `required` is true for the survey call, which must carry stars and a comment; with the close
    action a survey is optional (no stars and no comment: no survey, an empty list), but once any
    dimension is rated the required ones must be too. A ticket already surveyed, or with a
    survey on its way, is refused. Raises ValidationError keyed by form field (`stars_<id>`,
    `survey`, `comment`)."""
    entries = survey_entries(stars=stars, comment=comment, required=required, dimensions=dimensions)
    if entries and (reason := survey_closed_reason(ticket=ticket)):
        raise ValidationError({"survey": [reason]})
    return entries


def survey_entries(
    *,
    stars: Mapping[int, int],
    comment: str,
    required: bool,
    dimensions: Sequence[SatisfactionDimension] | None,
) -> list[SatisfactionEntry]:
    if not stars and not comment and not required:
        return []
    if dimensions is None:
        dimensions = dimensions_offered()
    errors: dict[str, list[str]] = {}
    by_id = {dim.satisfaction_id: dim for dim in dimensions}
    for satisfaction_id, given in stars.items():
        if not 0 <= satisfaction_id <= limits.SATISFACTION_ID_MAX:
            errors.setdefault("survey", []).append(
                _(SATISFACTION_ID_OUT_OF_RANGE) % {"id": satisfaction_id}
            )
        elif satisfaction_id not in by_id:
            known = ", ".join(f"{dim.satisfaction_id} {dim.shown_name}" for dim in dimensions)
            errors.setdefault("survey", []).append(
                _(UNKNOWN_DIMENSION) % {"id": satisfaction_id, "known": known or _("none")}
            )
        elif not 1 <= given <= by_id[satisfaction_id].stars:
            dim = by_id[satisfaction_id]
            errors[f"stars_{satisfaction_id}"] = [
                _(STARS_OUT_OF_RANGE) % {"name": dim.shown_name, "stars": dim.stars}
            ]
    for dim in dimensions:
        if dim.required and dim.satisfaction_id not in stars:
            errors[f"stars_{dim.satisfaction_id}"] = [
                _(REQUIRED_DIMENSION) % {"name": dim.shown_name}
            ]
    if not dimensions:
        errors.setdefault("survey", []).append(_(NO_DIMENSIONS))
    elif not stars and required:
        errors.setdefault("survey", []).append(_(NO_STARS))
    comment_errors = text_errors(comment, limits.TEXT_MAX)
    if required and not comment.strip():
        comment_errors.append(_(COMMENT_REQUIRED))
    elif comment and not stars and not required:
        comment_errors.append(_(COMMENT_NEEDS_STARS))
    if comment_errors:
        errors["comment"] = comment_errors
    if errors:
        raise ValidationError(errors)
    entries = [_entry(by_id[dimension_id], given) for dimension_id, given in sorted(stars.items())]
    survey_entries_validate(entries=entries)
    return entries


def survey_entries_validate(*, entries: Sequence[SatisfactionEntry]) -> None:
    """Every entry within the upstream's documented limits (osm-api.md §1), whoever built it."""
    if len(entries) > limits.SATISFACTION_ENTRIES_MAX:
        raise ValidationError(
            {
                "survey": [
                    _(TOO_MANY_ENTRIES)
                    % {"limit": limits.SATISFACTION_ENTRIES_MAX, "count": len(entries)}
                ]
            }
        )
    problems = []
    for position, entry in enumerate(entries, start=1):
        checks = {
            "satisfaction_id": _int_within(entry.satisfaction_id, limits.SATISFACTION_ID_MAX),
            "satisfaction_value": _int_within(entry.satisfaction_value, limits.SCORE_MAX),
            "value": entry.value is None or _int_within(entry.value, limits.SCORE_MAX),
            "per_value": entry.per_value is None or _int_within(entry.per_value, limits.SCORE_MAX),
        }
        for field in ("satisfaction_name", "sat_category_id", "sat_category_name"):
            text = getattr(entry, field)
            checks[field] = text is None or not text_errors(text, limits.SATISFACTION_TEXT_MAX)
        problems += [
            _(ENTRY_OUT_OF_LIMITS) % {"position": position, "field": field}
            for field, ok in checks.items()
            if not ok
        ]
    if problems:
        raise ValidationError({"survey": problems})


def _int_within(value: object, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _entry(dim: SatisfactionDimension, stars: int) -> SatisfactionEntry:
    """n stars send n * per_value, with the dimension's own scale and names."""
    return SatisfactionEntry(
        satisfaction_id=dim.satisfaction_id,
        satisfaction_value=stars * dim.per_value,
        value=dim.value,
        per_value=dim.per_value,
        satisfaction_name=dim.name[: limits.SATISFACTION_TEXT_MAX],
        sat_category_id=dim.category_id or None,
        sat_category_name=dim.category_name or None,
    )


# --- Sending and keeping ----------------------------------------------------------------------


def survey_submit(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    stars: Mapping[int, int],
    comment: str,
    group_id: str = "",
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
) -> AuditRecord:
    """Send the customer's survey of a completed ticket (the upstream's rating call, osm-api.md
    §2) and return its completed audit record; the survey is kept when the upstream accepted
    it. Like operation_submit, the same form sent twice is one survey."""
    operator_check(actor)
    survey = {"kind": Kind.SURVEY, "case_id": ticket.case_id, "action_id": SURVEY_ACTION}
    if earlier := operation_replay(key=idempotency_key, actor=actor, **survey):
        return earlier
    entries = survey_entries(stars=stars, comment=comment, required=True, dimensions=None)
    if group_errors := text_errors(group_id, limits.GROUP_ID_MAX):
        raise ValidationError({"group_id": group_errors})
    case_id_sendable_check(ticket.case_id)
    if ticket.pk:
        # Its status and whether the upstream holds a survey, as of the last minute.
        ticket = ticket_refresh_if_stale(ticket=ticket)
    if ticket.status != TicketStatus.COMPLETED:
        raise ValidationError({"survey": [_(NOT_COMPLETED) % {"status": ticket.status_label}]})
    if reason := survey_closed_reason(ticket=ticket):
        raise ValidationError({"survey": [reason]})
    client = get_client()
    call = client.prepare_score(
        case_id=ticket.case_id,
        judgement=comment,
        satisfaction=entries,
        group_id=group_id,
        context=profile_call_context(user=actor),
    )
    record, result = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.SURVEY,
        case_id=ticket.case_id,
        action_id=SURVEY_ACTION,
        origin=origin,
        idempotency_key=idempotency_key,
    )
    if result is not None and result.succeeded:
        survey_store(
            actor=actor,
            ticket=ticket,
            record=record,
            entries=entries,
            comment=comment,
            source=SurveySource.AFTER_CLOSURE,
        )
        ticket_refresh(ticket=ticket, actor=actor)
    return record


def survey_store(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    record: AuditRecord,
    entries: Sequence[SatisfactionEntry],
    comment: str,
    source: SurveySource,
) -> Survey | None:
    """Keep a survey the upstream accepted, exactly as it was sent. A ticket already holding
    one keeps the first (the audit record still holds the second)."""
    day = timezone.localdate(record.created_at)
    week = day - timedelta(days=day.weekday())
    product = ticket.product_category
    with transaction.atomic():
        survey, created = Survey.objects.get_or_create(
            case_id=ticket.case_id,
            defaults={
                "ticket": ticket if ticket.pk else None,
                "product": product,
                "agent": actor,
                "agent_username": actor.get_username(),
                "source": source,
                "comment": comment,
                "audit_record": record,
                "created_at": record.created_at,
                "surveyed_on": day,
                "week": week,
            },
        )
        if not created:
            logger.warning("ticket %s already has a survey; kept the first", ticket.case_id)
            return None
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                survey=survey,
                satisfaction_id=entry.satisfaction_id,
                name=entry.satisfaction_name or "",
                stars=entry.satisfaction_value // (entry.per_value or 1),
                scale=(entry.value or 0) // (entry.per_value or 1),
                satisfaction_value=entry.satisfaction_value,
                value=entry.value or 0,
                per_value=entry.per_value or 1,
                surveyed_on=day,
                week=week,
                agent=actor,
                product=product,
            )
            for entry in entries
        )
    return survey
