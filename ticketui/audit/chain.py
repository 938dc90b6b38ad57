"""Tamper evidence: every audit record is sealed into one SHA-256 hash chain.

A *seal* is one link of the chain: ``hash = SHA-256(canonical JSON of {content, seq, prev})``
where ``prev`` is the hash of the seal numbered ``seq - 1`` (64 zeros for the first). The
canonical JSON has sorted keys, no spaces, UTF-8, UTC timestamps with microseconds and IP
addresses in Python's normal form, so the same record hashes alike on SQLite and PostgreSQL.

Pending → final. An operation record is written *pending* before the upstream call and
completed once after it, so its content changes exactly once. We seal both moments instead of
choosing one: the record's own seal (``seq``/``prev_hash``/``hash``, written with the row)
covers the request side and the outcome it had when written; an operation's completion is a
second seal (``completion_seq``/``completion_prev_hash``/``completion_hash``) appended to the
same chain when it completes, covering the answer. A pending record is therefore already in the
chain (removing the evidence of a crash breaks it), and the answer is sealed at the moment it is
recorded. Events (logins, exports, reconciliations...) are written final and have one seal.
Sealing at completion only would leave pending records outside the chain; re-hashing the record
at completion would rewrite a link that later links already depend on.

Identity and links (format 2). A seal covers the record's own id, the ids it points to (its
actor, the operation a settlement ``reconciles``) and the id of the record whose seal comes just
before it (``prev_record_id``, kept in the row). So changing or swapping ids breaks the seal,
and a removed record is named by the seal that followed it. The id must be known before the
row is written, because the row cannot be updated afterwards: it is reserved under the chain
lock. On PostgreSQL it is ``nextval`` of the table's identity sequence (never handed out
twice, whatever else inserts); on SQLite it is one past the highest id ever used
(``sqlite_sequence``, kept by AUTOINCREMENT, or the highest id present), and the chain lock is
SQLite's single write lock, so no other insert can take it between the reservation and the
insert. Records sealed before format 2 (``seal_format`` 1) keep verifying by their format-1
content, which has no ids; a record's completion is sealed in its record's format.

Concurrent writers cannot fork the chain: each append reads the head and writes the next seal
in one transaction that holds the chain lock: a transaction-scoped advisory lock on PostgreSQL,
and on SQLite the database's write lock, taken at BEGIN (settings use IMMEDIATE transactions).
The unique ``seq`` columns are a second line of defence.

What it proves: editing, removing, inserting or renumbering a record in the middle breaks the
chain at that record (``audit_verify`` names it, and names a removed one). Rewriting the whole
chain after an edit, or cutting off its newest records (up to a ``TRUNCATE`` and a fresh
start), is only caught against a head kept outside the database: the worker writes the head
there routinely (kept_head.py) and ``audit_verify`` compares with the newest one kept.

This module works on the model class it is given (``type(record)``) and imports no model, so
models.py can import it; verification, which reads the table, is verify.py.
"""

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.utils import timezone

from .chain_head import (  # noqa: F401  (GENESIS_HASH, EMPTY_HEAD: the chain's own names)
    EMPTY_HEAD,
    GENESIS_HASH,
    ChainHead,
    _reserve_id_and_head,
    _reserve_ids,
    head_of,
)
from .kinds import RecordOutcome

SEAL_FORMAT = 2
# pg_advisory_xact_lock key for "append to the audit chain" (ASCII "auditchn").
CHAIN_LOCK_KEY = 0x617564697463686E

# Written with the record and never changed afterwards.
REQUEST_FIELDS = (
    "kind",
    "created_at",
    "actor_id",
    "actor_username",
    "case_id",
    "action_id",
    "request_method",
    "request_path",
    "request_body",
    "request_headers",
    "ip_address",
    "user_agent",
    "data",
    "reconciles_id",
)
# Written once, when a pending operation gets its outcome.
COMPLETION_FIELDS = (
    "outcome",
    "completed_at",
    "http_status",
    "error_code",
    "error_msg",
    "response_body",
    "response_truncated",
    "request_id",
    "duration_ms",
    "detail",
)
SEAL_FIELDS = ("seq", "prev_hash", "hash", "seal_format", "prev_record_id")
COMPLETION_SEAL_FIELDS = (
    "completion_seq",
    "completion_prev_hash",
    "completion_hash",
    "completion_prev_record_id",
)


def _meta(record: Any, model: type[models.Model] | None) -> Any:
    return (model or type(record))._meta


def _text(value: str) -> str:
    """PostgreSQL stores no NUL character in text or JSON: it is kept as U+FFFD on both databases,
    rather than losing the record (an upstream body may contain one)."""
    return value.replace("\x00", "\ufffd")


def _json_value(value: Any) -> Any:
    """JSON as both databases give it back: PostgreSQL's jsonb turns 1e16 into 10000000000000000."""
    if isinstance(value, dict):
        return {_text(str(key)): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, str):
        return _text(value)
    return value


def _canonical(meta: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "ip_address":
        return str(ipaddress.ip_address(value))
    if isinstance(meta.get_field(name), models.JSONField):  # finds a foreign key by its attname
        return _json_value(value)
    return value


def _stored(meta: Any, name: str, value: Any) -> Any:
    """The value as it will read back from the database (so that what is hashed is what is kept)."""
    field = meta.get_field(name)
    if value is None or field.is_relation:
        return value
    if isinstance(field, models.DateTimeField):
        value = field.to_python(value)
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    if isinstance(field, models.JSONField):
        return _json_value(value)
    value = field.to_python(value)
    return _text(value) if isinstance(value, str) else value


def written_pending(record: Any) -> bool:
    """Whether the record was written pending: it still is, or its completion was sealed."""
    return record.outcome == RecordOutcome.PENDING or record.completion_seq is not None


def record_content(
    record: Any, *, completed_later: bool, seal_format: int | None = None
) -> dict[str, Any]:
    """What the record's own seal covers. A record written pending (and completed later) is
    sealed with its request side and outcome "pending" only. `seal_format` defaults to the
    record's own (a model without the column, as in migration 0003, passes 1)."""
    version = record.seal_format if seal_format is None else seal_format
    meta = _meta(record, None)
    names = REQUEST_FIELDS if completed_later else REQUEST_FIELDS + COMPLETION_FIELDS
    content = {name: _canonical(meta, name, getattr(record, name)) for name in names}
    if completed_later:
        content["outcome"] = RecordOutcome.PENDING.value
    sealed = {"format": version, "seal": "record", "fields": content}
    if version >= 2:
        sealed |= {"id": record.pk, "prev_record": record.prev_record_id}
    return sealed


def completion_content(record: Any, *, model: type[models.Model] | None = None) -> dict[str, Any]:
    """What an operation's completion seal covers: its answer, tied to the record's own seal
    (and, from format 2, to the record's id and the record sealed just before)."""
    meta = _meta(record, model)
    content = {name: _canonical(meta, name, getattr(record, name)) for name in COMPLETION_FIELDS}
    sealed = {
        "format": record.seal_format,
        "seal": "completion",
        "record_seq": record.seq,
        "fields": content,
    }
    if record.seal_format >= 2:
        sealed |= {"record": record.pk, "prev_record": record.completion_prev_record_id}
    return sealed


def seal_hash(content: dict[str, Any], *, seq: int, prev: str) -> str:
    payload = json.dumps(
        {**content, "seq": seq, "prev": prev},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain(using: str, *, durable: bool = True) -> None:
    """Take the chain lock; with durable=False the transaction's commit also does not wait for
    the disk (ticketui.durability), set in the same statement on PostgreSQL."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        without_wait = ", set_config('synchronous_commit', 'off', true)" if not durable else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_xact_lock(%s){without_wait}", [CHAIN_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the only write lock.


@contextmanager
def chain_transaction(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction holding the chain lock: what is read in it cannot change before it ends."""
    with transaction.atomic(using=using):
        _lock_chain(using)
        yield


def _prepare(record: models.Model) -> None:
    meta = record._meta
    for name in REQUEST_FIELDS + COMPLETION_FIELDS:
        setattr(record, name, _stored(meta, name, getattr(record, name)))


def _seal(record: Any, *, head: ChainHead) -> ChainHead:
    """Give a record (with its id) its own seal after `head`; returns the new head."""
    record.seal_format = SEAL_FORMAT
    record.seq, record.prev_hash, record.prev_record_id = head.seq + 1, head.hash, head.record_id
    content = record_content(record, completed_later=written_pending(record))
    record.hash = seal_hash(content, seq=record.seq, prev=head.hash)
    return ChainHead(seq=record.seq, hash=record.hash, record_id=record.pk)


def chain_insert(record: models.Model, *, using: str | None = None) -> None:
    """Seal a new record and insert it, under the chain lock."""
    model = type(record)
    using = using or router.db_for_write(model, instance=record)
    _prepare(record)
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        if record.pk is None:
            record.pk, head = _reserve_id_and_head(model, using=using)
        else:
            head = head_of(model, using=using)
        _seal(record, head=head)
        models.Model.save(record, force_insert=True, using=using)


def chain_insert_many(
    records: list[Any],
    *,
    model: type[models.Model],
    using: str,
    insert: Callable[[list[Any]], list[Any]],
) -> list[Any]:
    """Seal records in the given order and insert them with `insert` (the manager's own
    bulk_create), under one hold of the chain lock. Seals passed in are ignored."""
    for record in records:
        _prepare(record)
        record.completion_seq, record.completion_prev_hash, record.completion_hash = None, "", ""
        record.completion_prev_record_id = None
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        without_id = [record for record in records if record.pk is None]
        for record, pk in zip(
            without_id, _reserve_ids(model, len(without_id), using=using), strict=True
        ):
            record.pk = pk
        head = head_of(model, using=using)
        for record in records:
            head = _seal(record, head=head)
        return insert(records)


def chain_complete(
    *,
    record: Any,
    fields: dict[str, Any],
    using: str = DEFAULT_DB_ALIAS,
    also: Callable[[], None] | None = None,
) -> bool:
    """Give a pending record its outcome and seal the completion, and set both on `record`.
    False if it was no longer pending (another process completed or reconciled it first);
    nothing is written then.

    On PostgreSQL this commit does not wait for the disk (ticketui.durability): the pending
    record it completes was committed durably before the upstream call, and a completion lost
    to a database crash in the next fraction of a second leaves that record pending, which is
    what reconciliation settles from the upstream's operate-log. Such a crash can only lose the
    newest completions, never a link in the middle of the chain. This saves a disk flush on
    every operation.

    `also` runs in the same transaction once the completion is written (not when it is not): a
    write that may be lost with the completion, saving its own transaction."""
    model = type(record)
    values = {name: _stored(model._meta, name, value) for name, value in fields.items()}
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using, durable=False)
        if record.seq is not None and set(COMPLETION_FIELDS) <= set(values):
            # Everything the seal covers is at hand; the update below checks it is still pending.
            current = SimpleNamespace(
                pk=record.pk, seq=record.seq, seal_format=record.seal_format, **values
            )
        else:
            current = (
                model.objects.using(using)
                .filter(pk=record.pk, outcome=RecordOutcome.PENDING)
                .first()
            )
            if current is None:
                return False
            for name, value in values.items():
                setattr(current, name, value)
        head = head_of(model, using=using)
        current.completion_prev_record_id = head.record_id
        seal = {
            "completion_seq": head.seq + 1,
            "completion_prev_hash": head.hash,
            "completion_prev_record_id": head.record_id,
            "completion_hash": seal_hash(
                completion_content(current, model=model), seq=head.seq + 1, prev=head.hash
            ),
        }
        updated = (
            model.objects.using(using)
            .filter(pk=record.pk, outcome=RecordOutcome.PENDING)
            .update(**values, **seal)
        )
        if updated == 1 and also is not None:
            also()
    if updated != 1:
        return False
    for name, value in {**values, **seal}.items():
        setattr(record, name, value)
    return True
