"""Writes to the audit trail. Operation records are started (pending, committed) before the upstream
call and finished after it; everything else is recorded in one step. Every write is sealed into
the hash chain (chain.py); records are never changed afterwards (migration 0005's triggers)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from ticketui.durability import durable_commits
from ticketui.osm.results import CallResult, PreparedCall
from ticketui.proxies import client_address

from .chain import chain_complete
from .models import AuditRecord, Kind, OperationKey, RecordOutcome
from .reconcile import stale_after
from .tasks import reconcile_schedule

USER_AGENT_MAX = 400


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where a request came from: recorded with what it did."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request: HttpRequest) -> "Origin":
        return cls(
            ip_address=client_address(request),  # the client's, behind trusted proxies
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        )


NO_ORIGIN = Origin()


def _actor_fields(
    actor: AbstractBaseUser | AnonymousUser | None, username: str = ""
) -> dict[str, Any]:
    if actor is not None and actor.is_authenticated:
        return {"actor": actor, "actor_username": actor.get_username()}
    return {"actor": None, "actor_username": username[:150]}


class DuplicateOperation(Exception):
    """An operation with this one-time key was already started; `record` is its audit record."""

    def __init__(self, record: AuditRecord) -> None:
        self.record = record
        super().__init__(f"operation key already used by audit record {record.pk}")


class OperationKeyReused(Exception):
    """A one-time key already used for another operation (another kind, action, ticket or
    actor); `record` is the operation that used it. Whoever sent it must not see that outcome."""

    def __init__(self, record: AuditRecord) -> None:
        self.record = record
        super().__init__(
            f"operation key already used by audit record {record.pk} for another operation"
        )


def audit_operation_start(
    *,
    actor: AbstractBaseUser,
    kind: str,
    case_id: str,
    action_id: str,
    call: PreparedCall,
    origin: Origin = NO_ORIGIN,
    idempotency_key: UUID | None = None,
) -> AuditRecord:
    """Write (and commit) the pending record, and make sure reconciliation will look at it
    should nobody ever finish it. With a key already used, nothing is written and
    DuplicateOperation names the record that used it (OperationKeyReused when that record is of
    another operation)."""
    try:
        # On disk before the call: what makes "a crash while waiting leaves a pending record" true
        # (SQLite's ordinary commits do not flush; see durable_commits).
        with durable_commits(), transaction.atomic():
            record = AuditRecord.objects.create(
                kind=kind,
                created_at=timezone.now(),
                case_id=case_id,
                action_id=action_id,
                outcome=RecordOutcome.PENDING,
                request_method=call.method,
                request_path=call.path,
                request_body=call.body,
                request_headers=call.headers,
                ip_address=origin.ip_address,
                user_agent=origin.user_agent,
                **_actor_fields(actor),
            )
            if idempotency_key is not None:
                _operation_key_insert(idempotency_key, record=record)
    except IntegrityError:
        if idempotency_key is not None and (
            earlier := audit_record_for_key(
                idempotency_key, kind=kind, case_id=case_id, action_id=action_id, actor=actor
            )
        ):
            raise DuplicateOperation(earlier) from None
        raise
    reconcile_schedule(at=record.created_at + stale_after())
    return record


def _operation_key_insert(key: UUID, *, record: AuditRecord) -> None:
    """OperationKey.objects.create(key=key, record=record)'s INSERT, written directly: on every
    operation, the ORM's building of it cost more than the database's running it. The values
    are prepared by the model's own fields, as the ORM prepares them; a key used already raises
    IntegrityError as create() does."""
    connection = connections[router.db_for_write(OperationKey)]
    meta = OperationKey._meta
    values = {"key": key, "record": record.pk, "created_at": timezone.now()}
    fields = [meta.get_field(name) for name in values]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608 - the model's names
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [
                field.get_db_prep_save(value, connection)
                for field, value in zip(fields, values.values(), strict=True)
            ],
        )


def audit_record_for_key(
    key: UUID, *, kind: str, case_id: str, action_id: str, actor: AbstractBaseUser
) -> AuditRecord | None:
    """The operation this one-time key was used for, if any. A key is one form's: used for
    another operation (kind, action, ticket or actor differ), it raises OperationKeyReused."""
    found = OperationKey.objects.select_related("record").filter(key=key).first()
    if found is None:
        return None
    record = found.record
    if (record.kind, record.case_id, record.action_id, record.actor_id) != (
        kind,
        case_id,
        action_id,
        actor.pk,
    ):
        raise OperationKeyReused(record)
    return record


LATE_ANSWER = (
    "The upstream's answer arrived after reconciliation had already marked this operation "
    "unknown; this is that answer."
)


def audit_operation_finish(
    *, record: AuditRecord, result: CallResult, also: Callable[[], None] | None = None
) -> AuditRecord:
    """The one change a record may undergo: pending to its outcome. If reconciliation got there
    first (the answer took longer than it allows for), the answer is kept as a linked record.
    `also` is written in the completion's transaction (see chain_complete), or on its own
    after the late answer when there was no completion to write."""
    fields = {
        "outcome": RecordOutcome(result.outcome.value),
        "completed_at": timezone.now(),
        "http_status": result.http_status,
        "error_code": result.error_code[:64],
        "error_msg": result.error_msg,
        "response_body": result.raw_body,
        "response_truncated": result.body_truncated,
        "request_id": result.request_id[:128],
        "duration_ms": result.duration_ms,
        "detail": result.detail,
    }
    if chain_complete(record=record, fields=fields, also=also):
        return record
    record.refresh_from_db()
    AuditRecord.objects.create(
        kind=Kind.RECONCILE,
        created_at=fields["completed_at"],
        reconciles=record,
        case_id=record.case_id,
        action_id=record.action_id,
        data={"source": "late answer"},
        **{**fields, "detail": f"{LATE_ANSWER} {fields['detail']}".strip()},
    )
    if also is not None:
        with transaction.atomic():
            also()
    return record


def audit_event(
    *,
    kind: Kind,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    username: str = "",
    case_id: str = "",
    outcome: RecordOutcome = RecordOutcome.SUCCEEDED,
    detail: str = "",
    data: dict[str, Any] | None = None,
    origin: Origin = NO_ORIGIN,
) -> AuditRecord:
    now = timezone.now()
    return AuditRecord.objects.create(
        kind=kind,
        created_at=now,
        completed_at=now,
        case_id=case_id[:64],
        outcome=outcome,
        detail=detail,
        data=data or {},
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        **_actor_fields(actor, username),
    )


def audit_export_record(
    *, actor: AbstractBaseUser, what: str, filters: dict[str, Any], origin: Origin = NO_ORIGIN
) -> AuditRecord:
    """Who exported what, with which filter: written before the first row leaves."""
    return audit_event(
        kind=Kind.EXPORT,
        actor=actor,
        data={"export": what, "filter": filters},
        origin=origin,
    )
