"""Writes for tickets: operating them upstream, tracking them, refreshing them. Views and commands
call these; nothing else calls the upstream client."""

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import (
    NO_ORIGIN,
    DuplicateOperation,
    Origin,
    audit_event,
    audit_operation_finish,
    audit_operation_start,
    audit_record_for_key,
)
from ticketui.durability import commit_without_waiting_for_disk
from ticketui.osm import limits
from ticketui.osm.auth import AuthenticationError
from ticketui.osm.client import OsmClient
from ticketui.osm.configured import get_client
from ticketui.osm.results import (
    CallResult,
    CaseNotFound,
    CaseSummary,
    Outcome,
    PreparedCall,
    SatisfactionEntry,
    UpstreamError,
)

from .models import Ticket
from .selectors import ticket_status_counts_forget

logger = logging.getLogger(__name__)

# Messages the forms, commands and tests share.
NO_PERMISSION_TO_OPERATE = "You do not have permission to operate tickets."
NO_PERMISSION_TO_TRACK = "You do not have permission to track tickets."
UNKNOWN_ACTION = "Choose one of: cancel, close, press, delete."
TEXT_TOO_LONG = "At most %(limit)d characters (this has %(length)d)."
CASE_ID_INVALID = "A case id has 1 to 64 characters."
CONTROL_CHARACTERS = "Remove control characters (such as NUL) from this text."
TICKET_NOT_FOUND = "The upstream has no ticket with case id %(case_id)s."


def _text_errors(value: str, limit: int) -> list[str]:
    errors = []
    if len(value) > limit:
        errors.append(TEXT_TOO_LONG % {"limit": limit, "length": len(value)})
    if any(ord(char) < 32 and char not in "\r\n\t" for char in value):
        errors.append(CONTROL_CHARACTERS)
    return errors


def operation_validate(*, action_id: str, operate_desc: str, group_id: str, judgement: str) -> None:
    """Raise ValidationError, keyed by field, for anything outside the upstream's limits."""
    errors: dict[str, list[str]] = {}
    if action_id not in limits.ACTIONS:
        errors["action_id"] = [UNKNOWN_ACTION]
    for field, value, limit in (
        ("operate_desc", operate_desc, limits.TEXT_MAX),
        ("judgement", judgement, limits.TEXT_MAX),
        ("group_id", group_id, limits.GROUP_ID_MAX),
    ):
        if field_errors := _text_errors(value, limit):
            errors[field] = field_errors
    if errors:
        raise ValidationError(errors)


def case_id_validate(case_id: str) -> str:
    case_id = case_id.strip()
    if not 1 <= len(case_id) <= limits.CASE_ID_MAX or _text_errors(case_id, limits.CASE_ID_MAX):
        raise ValidationError({"case_id": [CASE_ID_INVALID]})
    return case_id


def operation_submit(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    action_id: str,
    operate_desc: str = "",
    group_id: str = "",
    judgement: str = "",
    satisfaction: Sequence[SatisfactionEntry] = (),
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
    refresh: bool = True,
) -> AuditRecord:
    """Send one operation upstream and return its completed audit record. A form's one-time
    key makes a second submission of the same form return the first one's record (waiting for
    its answer if it is still on its way) instead of sending again.

    After a successful operation the ticket is refreshed from the upstream; with refresh=False
    it is only marked stale, for a caller that has the next read refresh it (the ticket page
    reloads its header as soon as it shows the outcome, so the outcome need not wait for a
    second upstream call)."""
    if not actor.has_perm("tickets.operate_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_OPERATE)
    operation_validate(
        action_id=action_id, operate_desc=operate_desc, group_id=group_id, judgement=judgement
    )
    if satisfaction:
        # A survey rides on the close action (issue 4); surveys.py builds on this module.
        from .surveys import SURVEY_ONLY_ON_CLOSE, satisfaction_validate, ticket_rating_check

        if action_id != "close":
            raise ValidationError({"ratings": [SURVEY_ONLY_ON_CLOSE]})
        satisfaction_validate(entries=satisfaction)
        if idempotency_key is not None and (earlier := audit_record_for_key(idempotency_key)):
            # Before checking whether the ticket is rated, which the first submission did.
            # (Any other second submission is caught when its record is written.)
            return operation_outcome_await(record=earlier)
        ticket_rating_check(ticket=ticket)
    client = get_client()
    call = client.prepare_action(
        case_id=ticket.case_id,
        action_id=action_id,
        operate_desc=operate_desc,
        judgement=judgement,
        group_id=group_id,
        satisfaction=satisfaction,
        context=profile_call_context(user=actor),
    )
    record, result = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.OPERATION,
        case_id=ticket.case_id,
        action_id=action_id,
        origin=origin,
        idempotency_key=idempotency_key,
    )
    if result is None:
        return record
    if result.succeeded and satisfaction:
        from .surveys import SurveySource, survey_store

        survey_store(
            actor=actor,
            ticket=ticket,
            record=record,
            entries=satisfaction,
            judgement=judgement,
            source=SurveySource.CLOSE,
        )
    if result.succeeded and refresh:
        ticket_refresh(ticket=ticket, actor=actor)
    elif result.succeeded:
        Ticket.objects.filter(pk=ticket.pk).update(refreshed_at=None)
        ticket.refreshed_at = None
    return record


def recorded_send(
    *,
    client: OsmClient,
    call: PreparedCall,
    actor: AbstractBaseUser,
    kind: Kind,
    case_id: str,
    action_id: str,
    origin: Origin,
    idempotency_key: UUID | None,
) -> tuple[AuditRecord, CallResult | None]:
    """Send one call with its audit record around it: pending and committed before the call (a
    crash while waiting leaves a pending record, never nothing), completed after it. If the form's
    key was used already, nothing is sent: the earlier record, once answered, and no result."""
    try:
        record = audit_operation_start(
            actor=actor,
            kind=kind,
            case_id=case_id,
            action_id=action_id,
            call=call,
            origin=origin,
            idempotency_key=idempotency_key,
        )
    except DuplicateOperation as duplicate:
        return operation_outcome_await(record=duplicate.record), None
    try:
        result = client.send(call)
    except AuthenticationError as exc:  # IAM refused or unreachable: nothing was sent
        result = exc.result
    return audit_operation_finish(record=record, result=result), result


DUPLICATE_POLL_SECONDS = 0.1


def operation_replay(*, key: str) -> AuditRecord | None:
    """If a form with this one-time key was already sent, its record (once it has an outcome):
    what a second submission of that form shows, before any check of a ticket it changed."""
    try:
        earlier = audit_record_for_key(UUID(key))
    except (ValueError, TypeError):
        return None
    return operation_outcome_await(record=earlier) if earlier else None


def operation_outcome_await(*, record: AuditRecord) -> AuditRecord:
    """The record once it has its outcome, or as it stands when the first submission's own wait
    for the upstream (connect and read timeouts, plus a margin) is over."""
    deadline = time.monotonic() + settings.OSM_CONNECT_TIMEOUT + settings.OSM_READ_TIMEOUT + 5
    while record.is_pending and time.monotonic() < deadline:
        time.sleep(DUPLICATE_POLL_SECONDS)
        record.refresh_from_db()
    return record


def _apply_summary(ticket: Ticket, case: CaseSummary) -> None:
    ticket.summary = case.summary
    ticket.status = case.status
    ticket.product_category = case.product_category[:200]
    ticket.business_type = case.business_type[:200]
    ticket.incident_type = case.incident_type[:200]
    ticket.customer_name = case.customer_name[:200]
    ticket.upstream_created_at = case.create_time
    ticket.upstream_data = case.raw
    ticket.refreshed_at = timezone.now()
    ticket_status_counts_forget()


def ticket_track(*, actor: AbstractBaseUser, case_id: str, origin: Origin = NO_ORIGIN) -> Ticket:
    """Start tracking a ticket by case id: fetch its detail upstream and keep a local copy.

    Raises ValidationError (bad or unknown case id) or UpstreamError (the upstream failed)."""
    if not actor.has_perm("tickets.track_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_TRACK)
    case_id = case_id_validate(case_id)
    try:
        detail = get_client().case_detail(case_id, context=profile_call_context(user=actor))
    except CaseNotFound:
        raise ValidationError({"case_id": [TICKET_NOT_FOUND % {"case_id": case_id}]}) from None
    ticket, created = Ticket.objects.get_or_create(case_id=case_id, defaults={"tracked_by": actor})
    _apply_summary(ticket, detail)
    ticket.save()
    if created:
        audit_event(kind=Kind.TRACK, actor=actor, case_id=case_id, origin=origin)
    return ticket


def ticket_refresh(
    *, ticket: Ticket, max_age: timedelta | None = None, actor: AbstractBaseUser | None = None
) -> Ticket:
    """Bring the ticket's fields up to date from the upstream. A failed refresh keeps the old
    copy (the page says when it was last refreshed) and is only logged."""
    if (
        max_age is not None
        and ticket.refreshed_at
        and timezone.now() - ticket.refreshed_at < max_age
    ):
        return ticket
    try:
        detail = get_client().case_detail(ticket.case_id, context=profile_call_context(user=actor))
    except UpstreamError as exc:
        logger.warning("refresh of ticket %s failed: %s", ticket.pk, exc)
        return ticket
    _apply_summary(ticket, detail)
    with transaction.atomic():
        # A copy of the upstream's data: lost in a database crash, the next read fetches it again.
        commit_without_waiting_for_disk()
        ticket.save()
    return ticket


def ticket_refresh_if_stale(*, ticket: Ticket, actor: AbstractBaseUser | None = None) -> Ticket:
    return ticket_refresh(
        ticket=ticket, max_age=timedelta(seconds=settings.TICKET_REFRESH_SECONDS), actor=actor
    )


def tickets_sync(*, page_size: int = 100) -> tuple[int, int]:
    """Upsert every upstream ticket by case id; returns (created, updated). Kept for callers of
    the first version: the sync itself lives in sync.py (progress, windows, one at a time)."""
    from .sync import tickets_sync_now

    run = tickets_sync_now(full=True)
    if run.status != "succeeded":
        raise UpstreamError(_sync_failure_result(run.detail))
    return run.created, run.updated


def _sync_failure_result(detail: str) -> CallResult:
    call = PreparedCall(method="GET", path="/v2/servicerequest/cases", body=None, headers={})
    return CallResult(call=call, outcome=Outcome.HTTP_ERROR, detail=detail)
