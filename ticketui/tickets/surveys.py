"""Writes for satisfaction surveys: the dimensions copied from the upstream, validating a survey
to the upstream's limits, rating a completed ticket (`ticket_rate`), and keeping every survey the
upstream accepted for the report. A survey sent with the close action goes through
`operation_submit`, which calls `survey_store` here once the upstream accepted it."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import (
    NO_ORIGIN,
    Origin,
    audit_record_for_key,
)
from ticketui.osm import limits
from ticketui.osm.configured import get_client
from ticketui.osm.results import SatisfactionDimension as UpstreamDimension
from ticketui.osm.results import SatisfactionEntry, UpstreamError

from .models import SatisfactionDimension, Survey, SurveyAnswer, SurveySource, Ticket, TicketStatus
from .services import (
    NO_PERMISSION_TO_OPERATE,
    _text_errors,
    operation_outcome_await,
    recorded_send,
    ticket_refresh,
    ticket_refresh_if_stale,
)

logger = logging.getLogger(__name__)

# Messages the forms, commands and tests share.
ALREADY_RATED = "This ticket has already been rated; a ticket is rated once."
RATING_IN_PROGRESS = "A rating of this ticket is being sent; wait for its outcome."
NOT_COMPLETED = "Only a completed ticket can be rated (this one is %(status)s)."
STARS_OUT_OF_RANGE = "Rate %(name)s with 1 to %(stars)d stars."
SATISFACTION_ID_OUT_OF_RANGE = (
    "A satisfaction dimension id is a number from 0 to 9999 (got %(id)s)."
)
UNKNOWN_DIMENSION = "There is no satisfaction dimension %(id)s; the upstream offers: %(known)s."
NO_DIMENSIONS = "The upstream's satisfaction dimensions are not known yet; try again shortly."
REQUIRED_DIMENSION = "Rate %(name)s: the team asks every survey to rate it."
NO_RATING = "Rate at least one dimension."
COMMENT_NEEDS_RATING = "A comment is part of the survey: rate at least one dimension, or remove it."
JUDGEMENT_REQUIRED = "Write a comment: the upstream requires one with a rating."
SURVEY_ONLY_ON_CLOSE = "A survey is sent with the close action only."
TOO_MANY_ENTRIES = "At most %(limit)d ratings can be sent (this has %(count)d)."
ENTRY_OUT_OF_LIMITS = "Rating %(position)d: %(field)s is outside the upstream's limits."

# A dimension with more stars than this cannot be shown as a row of stars; it is not offered.
MAX_STARS = 20
# How long a failed lazy sync waits before the next page asks the upstream again.
LAZY_SYNC_INTERVAL_SECONDS = 300
LAZY_SYNC_KEY = "tickets:dimensions-lazy-sync"
PENDING_RATING_SECONDS = 600


# --- Dimensions -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DimensionSync:
    created: int
    updated: int
    retired: int


def dimensions_sync() -> DimensionSync:
    """Upsert the upstream's satisfaction dimensions by id; ones it no longer lists stop being
    offered (old surveys keep them). The team's `required` choices are kept.

    Raises UpstreamError when the upstream cannot be asked."""
    upstream = get_client().satisfaction_dimensions()
    now = timezone.now()
    usable = [dim for dim in upstream if _dimension_usable(dim)]
    if not usable:
        # An empty answer is more likely a hiccup than a survey without questions.
        logger.warning("the upstream listed no usable satisfaction dimension; kept the local ones")
        return DimensionSync(created=0, updated=0, retired=0)
    created = updated = 0
    with transaction.atomic():
        for dim in usable:
            _, was_created = SatisfactionDimension.objects.update_or_create(
                satisfaction_id=dim.satisfaction_id,
                defaults={
                    "name": dim.name[:200],
                    "description": dim.description,
                    "value": dim.value,
                    "per_value": dim.per_value,
                    "category_id": dim.category_id[: limits.SATISFACTION_TEXT_MAX],
                    "category_name": dim.category_name[: limits.SATISFACTION_TEXT_MAX],
                    "offered": True,
                    "synced_at": now,
                },
            )
            created += was_created
            updated += not was_created
        retired = (
            SatisfactionDimension.objects.filter(offered=True)
            .exclude(satisfaction_id__in=[dim.satisfaction_id for dim in usable])
            .update(offered=False, synced_at=now)
        )
    return DimensionSync(created=created, updated=updated, retired=retired)


def _dimension_usable(dim: UpstreamDimension) -> bool:
    usable = (
        0 <= dim.satisfaction_id <= limits.SATISFACTION_ID_MAX
        and 1 <= dim.per_value <= dim.value <= limits.SCORE_MAX
        and dim.value // dim.per_value <= MAX_STARS
    )
    if not usable:
        logger.warning(
            "satisfaction dimension %s not offered: value %s, per_value %s cannot be shown as stars",
            dim.satisfaction_id,
            dim.value,
            dim.per_value,
        )
    return usable


def dimensions_offered(*, fetch_if_empty: bool = False) -> list[SatisfactionDimension]:
    """The dimensions a survey shows. With `fetch_if_empty` (pages that show a survey), the
    first time they are fetched from the upstream; if that fails the survey is left out and the
    upstream asked again a few minutes later. Writes never fetch: they use what was shown."""
    dimensions = list(SatisfactionDimension.objects.filter(offered=True))
    if (
        dimensions
        or not fetch_if_empty
        or not cache.add(LAZY_SYNC_KEY, True, LAZY_SYNC_INTERVAL_SECONDS)
    ):
        return dimensions
    try:
        dimensions_sync()
    except UpstreamError as exc:
        logger.warning("satisfaction dimensions could not be fetched: %s", exc)
        return []
    return list(SatisfactionDimension.objects.filter(offered=True))


def dimensions_require(*, actor: AbstractBaseUser, required_ids: Iterable[int]) -> int:
    """Mark which offered dimensions every survey must rate; returns how many are required."""
    if not actor.has_perm("tickets.change_satisfactiondimension"):
        raise PermissionDenied("You do not have permission to change the survey.")
    required_ids = set(required_ids)
    with transaction.atomic():
        SatisfactionDimension.objects.exclude(satisfaction_id__in=required_ids).update(
            required=False
        )
        return SatisfactionDimension.objects.filter(satisfaction_id__in=required_ids).update(
            required=True
        )


# --- Validation ---------------------------------------------------------------------------------


def satisfaction_validate(*, entries: Sequence[SatisfactionEntry]) -> None:
    """Every entry within the upstream's documented limits (osm-api.md §1), whoever built it."""
    if len(entries) > limits.SATISFACTION_ENTRIES_MAX:
        raise ValidationError(
            {
                "ratings": [
                    TOO_MANY_ENTRIES
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
            checks[field] = text is None or not _text_errors(text, limits.SATISFACTION_TEXT_MAX)
        problems += [
            ENTRY_OUT_OF_LIMITS % {"position": position, "field": field}
            for field, ok in checks.items()
            if not ok
        ]
    if problems:
        raise ValidationError({"ratings": problems})


def _int_within(value: object, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def survey_validate(
    *,
    ratings: Mapping[int, int],
    judgement: str,
    dimensions: Sequence[SatisfactionDimension],
    required: bool,
) -> list[SatisfactionEntry]:
    """Check a survey (stars per dimension id, and the comment) and build the entries to send.

    `required` is true for the rating call, which must carry a survey and a comment; with the
    close action a survey is optional, but once any dimension is rated the required ones must be
    too. Raises ValidationError keyed by form field (`rating_<id>`, `ratings`, `judgement`)."""
    errors: dict[str, list[str]] = {}
    by_id = {dim.satisfaction_id: dim for dim in dimensions}
    for satisfaction_id, stars in ratings.items():
        if not 0 <= satisfaction_id <= limits.SATISFACTION_ID_MAX:
            errors.setdefault("ratings", []).append(
                SATISFACTION_ID_OUT_OF_RANGE % {"id": satisfaction_id}
            )
        elif satisfaction_id not in by_id:
            known = ", ".join(f"{dim.satisfaction_id} {dim.name}" for dim in dimensions)
            errors.setdefault("ratings", []).append(
                UNKNOWN_DIMENSION % {"id": satisfaction_id, "known": known or "none"}
            )
        elif not 1 <= stars <= by_id[satisfaction_id].stars:
            dim = by_id[satisfaction_id]
            errors[f"rating_{satisfaction_id}"] = [
                STARS_OUT_OF_RANGE % {"name": dim.name, "stars": dim.stars}
            ]
    if ratings or required:
        for dim in dimensions:
            if dim.required and dim.satisfaction_id not in ratings:
                errors[f"rating_{dim.satisfaction_id}"] = [REQUIRED_DIMENSION % {"name": dim.name}]
    if not dimensions and (ratings or required):
        errors.setdefault("ratings", []).append(NO_DIMENSIONS)
    elif not ratings and required:
        errors.setdefault("ratings", []).append(NO_RATING)
    judgement_errors = _text_errors(judgement, limits.TEXT_MAX)
    if required and not judgement.strip():
        judgement_errors.append(JUDGEMENT_REQUIRED)
    elif judgement and not ratings and not required:
        judgement_errors.append(COMMENT_NEEDS_RATING)
    if judgement_errors:
        errors["judgement"] = judgement_errors
    if errors:
        raise ValidationError(errors)
    entries = [
        _entry(by_id[satisfaction_id], stars) for satisfaction_id, stars in sorted(ratings.items())
    ]
    satisfaction_validate(entries=entries)
    return entries


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


def ticket_rating_check(*, ticket: Ticket) -> None:
    """Raise ValidationError unless the ticket may still be rated: it has no survey here, none
    upstream (as last refreshed), and no rating of it is on its way."""
    rated_upstream = bool((ticket.upstream_data or {}).get("incident_satisfaction"))
    if rated_upstream or Survey.objects.filter(case_id=ticket.case_id).exists():
        raise ValidationError({"ratings": [ALREADY_RATED]})
    ratings = AuditRecord.objects.filter(kind=Kind.RATING, case_id=ticket.case_id)
    if ratings.filter(outcome=RecordOutcome.SUCCEEDED).exists():
        raise ValidationError({"ratings": [ALREADY_RATED]})
    # A pending record older than any call can take was left by a crash; it blocks nothing.
    recent = timezone.now() - timedelta(seconds=PENDING_RATING_SECONDS)
    if ratings.filter(outcome=RecordOutcome.PENDING, created_at__gte=recent).exists():
        raise ValidationError({"ratings": [RATING_IN_PROGRESS]})


# --- Rating and storing ----------------------------------------------------------------------


def ticket_rate(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    ratings: Mapping[int, int],
    judgement: str,
    group_id: str = "",
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
) -> AuditRecord:
    """Rate a completed ticket with the rating call (osm-api.md §2) and return its completed
    audit record; the survey is kept when the upstream accepted it. Like operation_submit, the
    same form sent twice is one rating."""
    if not actor.has_perm("tickets.operate_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_OPERATE)
    if idempotency_key is not None and (earlier := audit_record_for_key(idempotency_key)):
        return operation_outcome_await(record=earlier)
    entries = survey_validate(
        ratings=ratings, judgement=judgement, dimensions=dimensions_offered(), required=True
    )
    if group_errors := _text_errors(group_id, limits.GROUP_ID_MAX):
        raise ValidationError({"group_id": group_errors})
    if ticket.pk:
        # Its status and whether the upstream holds a rating, as of the last minute.
        ticket = ticket_refresh_if_stale(ticket=ticket)
    if ticket.status != TicketStatus.COMPLETED:
        raise ValidationError({"ratings": [NOT_COMPLETED % {"status": ticket.status_label}]})
    ticket_rating_check(ticket=ticket)
    client = get_client()
    call = client.prepare_score(
        case_id=ticket.case_id,
        judgement=judgement,
        satisfaction=entries,
        group_id=group_id,
        context=profile_call_context(user=actor),
    )
    record, result = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.RATING,
        case_id=ticket.case_id,
        action_id="score",
        origin=origin,
        idempotency_key=idempotency_key,
    )
    if result is None:
        return record
    if result.succeeded:
        survey_store(
            actor=actor,
            ticket=ticket,
            record=record,
            entries=entries,
            judgement=judgement,
            source=SurveySource.SCORE,
        )
        ticket_refresh(ticket=ticket, actor=actor)
    return record


def survey_store(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    record: AuditRecord,
    entries: Sequence[SatisfactionEntry],
    judgement: str,
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
                "judgement": judgement,
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
