"""Writes for operations: cancelling, closing, urging or deleting a ticket upstream (the action
call, osm-api.md §1), with the customer's survey riding on a close. Views, bulk runs and the
command line all send an operation through `operation_submit`."""

from collections.abc import Mapping
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import NO_ORIGIN, Origin
from ticketui.osm import limits
from ticketui.osm.catalogue import Action, unknown_action_message
from ticketui.osm.configured import get_client

from ..models import Ticket
from ..sending import operation_replay, operator_check, recorded_send
from ..services import ticket_mark_stale, ticket_refresh, ticket_stale_write
from ..surveys.models import SurveySource
from ..surveys.services import SURVEY_ONLY_ON_CLOSE, survey_prepare, survey_store
from ..validation import case_id_sendable_check, text_errors


def operation_validate(
    *, action_id: str, operate_desc: str, group_id: str, judgement: str = ""
) -> None:
    """Raise ValidationError, keyed by field, for anything outside the upstream's limits."""
    errors: dict[str, list[str]] = {}
    if action_id not in Action.values:
        errors["action_id"] = [unknown_action_message()]
    for field, value, limit in (
        ("operate_desc", operate_desc, limits.TEXT_MAX),
        ("judgement", judgement, limits.TEXT_MAX),
        ("group_id", group_id, limits.GROUP_ID_MAX),
    ):
        if field_errors := text_errors(value, limit):
            errors[field] = field_errors
    if errors:
        raise ValidationError(errors)


def operation_submit(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    action_id: str,
    operate_desc: str = "",
    group_id: str = "",
    judgement: str = "",
    stars: Mapping[int, int] | None = None,
    comment: str = "",
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
    refresh: bool = True,
) -> AuditRecord:
    """Send one operation upstream and return its completed audit record. A close may carry
    the customer's survey (`stars` by dimension id and a `comment`; see survey_prepare). A
    form's one-time key makes a second submission of the same form return the first one's
    record (waiting for its answer if it is still on its way) instead of sending again.
    `judgement` is the upstream's own free text, which it takes with any action (the command
    line sends it; a survey's comment is sent in its place).

    After a successful operation the ticket is refreshed from the upstream; with refresh=False
    it is only marked stale, for a caller that has the next read refresh it (the ticket page
    reloads its header as soon as it shows the outcome, so the outcome need not wait for a
    second upstream call)."""
    operator_check(actor)
    operation_validate(
        action_id=action_id, operate_desc=operate_desc, group_id=group_id, judgement=judgement
    )
    case_id_sendable_check(ticket.case_id)
    stars = stars or {}
    entries = []
    if stars or comment:
        if action_id != Action.CLOSE:
            raise ValidationError({"survey": [_(SURVEY_ONLY_ON_CLOSE)]})
        # Before checking whether the ticket has a survey, which the first submission sent.
        # (Any other second submission is caught when its record is written.)
        if idempotency_key is not None and (
            earlier := operation_replay(
                key=idempotency_key,
                kind=Kind.OPERATION,
                case_id=ticket.case_id,
                action_id=action_id,
                actor=actor,
            )
        ):
            return earlier
        entries = survey_prepare(ticket=ticket, stars=stars, comment=comment, required=False)
    client = get_client()
    call = client.prepare_action(
        case_id=ticket.case_id,
        action_id=action_id,
        operate_desc=operate_desc,
        judgement=comment if entries else judgement,
        group_id=group_id,
        satisfaction=entries,
        context=profile_call_context(user=actor),
    )
    # Marked stale with the completion, in its transaction, when nothing else comes between.
    stale_with_completion = not refresh and not entries
    record, result = recorded_send(
        client=client,
        call=call,
        actor=actor,
        kind=Kind.OPERATION,
        case_id=ticket.case_id,
        action_id=action_id,
        origin=origin,
        idempotency_key=idempotency_key,
        on_success=(lambda: ticket_stale_write(ticket=ticket)) if stale_with_completion else None,
    )
    if result is None or not result.succeeded:
        return record
    if entries:
        survey_store(
            actor=actor,
            ticket=ticket,
            record=record,
            entries=entries,
            comment=comment,
            source=SurveySource.CLOSE,
        )
    if refresh:
        ticket_refresh(ticket=ticket, actor=actor)
    elif not stale_with_completion:
        ticket_mark_stale(ticket=ticket)
    return record
