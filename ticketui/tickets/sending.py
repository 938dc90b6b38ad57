"""Sending one call that changes a ticket upstream, with its audit record around it, and the
one-time key that makes a form sent twice one call. Operations and surveys both send this way."""

import time
from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, gettext_noop

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import (
    DuplicateOperation,
    OperationKeyReused,
    Origin,
    audit_operation_finish,
    audit_operation_start,
    audit_record_for_key,
)
from ticketui.osm.auth import AuthenticationError
from ticketui.osm.client import OsmClient
from ticketui.osm.results import CallResult, PreparedCall

DUPLICATE_POLL_SECONDS = 0.1
# What a second submission waits for the first one's outcome beyond the upstream's timeouts.
DUPLICATE_WAIT_MARGIN_SECONDS = 5.0
NO_PERMISSION_TO_OPERATE = "You do not have permission to operate tickets."
KEY_REUSED = gettext_noop(
    "Not sent: this form was already used for another operation (another action, ticket or "
    "person). Reload the page for a fresh form."
)


def key_reused_error() -> ValidationError:
    return ValidationError(gettext(KEY_REUSED))


def operator_check(actor: AbstractBaseUser) -> None:
    """PermissionDenied unless the actor may change tickets upstream."""
    if not actor.has_perm("tickets.operate_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_OPERATE)


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
    on_success: Callable[[], None] | None = None,
) -> tuple[AuditRecord, CallResult | None]:
    """Send one call with its audit record around it: pending and committed before the call (a
    crash while waiting leaves a pending record, never nothing), completed after it. If the form's
    key was used already, nothing is sent: the earlier record, once answered, and no result
    (ValidationError when it was used for another operation). `on_success` is a write made
    when the call succeeded, in the transaction that completes the record (see
    chain_complete: one that may be lost with the completion)."""
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
    except OperationKeyReused:
        raise key_reused_error() from None
    try:
        result = client.send(call)
    except AuthenticationError as exc:  # IAM refused or unreachable: nothing was sent
        result = exc.result
    also = on_success if on_success is not None and result.succeeded else None
    return audit_operation_finish(record=record, result=result, also=also), result


def operation_replay(
    *,
    key: str | UUID | None,
    kind: Kind,
    case_id: str,
    action_id: str,
    actor: AbstractBaseUser,
) -> AuditRecord | None:
    """If a form with this one-time key was already sent, its record (once it has an outcome):
    what a second submission of that form shows, before any check of a ticket it changed. A key
    used for another operation (`kind`, `action_id`, `case_id` or `actor` differ) is refused
    with a ValidationError: that operation's outcome is not this one's."""
    try:
        key = key if isinstance(key, UUID) else UUID(str(key))
    except (ValueError, TypeError):
        return None
    try:
        earlier = audit_record_for_key(
            key, kind=kind, case_id=case_id, action_id=action_id, actor=actor
        )
    except OperationKeyReused:
        raise key_reused_error() from None
    return operation_outcome_await(record=earlier) if earlier else None


def operation_outcome_await(*, record: AuditRecord) -> AuditRecord:
    """The record once it has its outcome, or as it stands when the first submission's own wait
    for the upstream (connect and read timeouts, plus a margin) is over."""
    deadline = (
        time.monotonic()
        + settings.OSM_CONNECT_TIMEOUT
        + settings.OSM_READ_TIMEOUT
        + DUPLICATE_WAIT_MARGIN_SECONDS
    )
    while record.is_pending and time.monotonic() < deadline:
        time.sleep(DUPLICATE_POLL_SECONDS)
        record.refresh_from_db()
    return record
