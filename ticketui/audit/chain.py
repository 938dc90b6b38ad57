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

Concurrent writers cannot fork the chain: each append reads the head and writes the next seal
in one transaction that holds the chain lock: a transaction-scoped advisory lock on PostgreSQL,
and on SQLite the database's write lock, taken at BEGIN (settings use IMMEDIATE transactions).
The unique ``seq`` columns are a second line of defence.

What it proves: editing, removing or inserting a record in the middle breaks the chain at that
record (``audit_verify`` names it). Rewriting the whole chain after an edit, or cutting off its
newest records, is only caught against a head hash kept outside the database: the review page
shows it and lets team leads download it, and ``audit_verify --anchor SEQ:HASH`` checks it.
"""

import hashlib
import heapq
import ipaddress
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.utils import timezone

from ticketui.durability import commit_without_waiting_for_disk

from .models import AuditRecord, RecordOutcome

GENESIS_HASH = "0" * 64
SEAL_FORMAT = 1
# pg_advisory_xact_lock key for "append to the audit chain" (ASCII "auditchn").
CHAIN_LOCK_KEY = 0x617564697463686E
VERIFY_BATCH = 2000

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
SEAL_FIELDS = ("seq", "prev_hash", "hash")
COMPLETION_SEAL_FIELDS = ("completion_seq", "completion_prev_hash", "completion_hash")

# What audit_verify reports; tests import these.
CONTENT_CHANGED = (
    "Record #{record}: its content no longer matches its seal {seq} (changed after it was written)."
)
LINK_BROKEN = "Record #{record}: seal {seq} does not continue from seal {previous} (a record was removed, inserted or re-sealed before it)."
SEAL_MISSING = (
    "Record #{record}: seal {expected} is missing before its seal {seq} (a record was removed)."
)
SEAL_DUPLICATED = "Record #{record}: seal {seq} appears twice (the chain forked)."
ANCHOR_CHANGED = "Seal {seq} no longer has the hash kept outside the database: the history up to it was rewritten."
ANCHOR_MISSING = "Seal {seq} kept outside the database is missing: the newest records were cut off."
ANCHOR_INVALID = "An anchor looks like SEQ:HASH (a seal number and its 64-character SHA-256 hash)."


def _field(name: str) -> models.Field:
    return AuditRecord._meta.get_field(name)  # also finds a foreign key by its attname


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


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "ip_address":
        return str(ipaddress.ip_address(value))
    if isinstance(_field(name), models.JSONField):
        return _json_value(value)
    return value


def _stored(name: str, value: Any) -> Any:
    """The value as it will read back from the database (so that what is hashed is what is kept)."""
    field = _field(name)
    if value is None or field.is_relation:
        return value
    if isinstance(field, models.DateTimeField):
        value = field.to_python(value)
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    if isinstance(field, models.JSONField):
        return _json_value(value)
    value = field.to_python(value)
    return _text(value) if isinstance(value, str) else value


def written_pending(record: AuditRecord) -> bool:
    """Whether the record was written pending: it still is, or its completion was sealed."""
    return record.outcome == RecordOutcome.PENDING or record.completion_seq is not None


def record_content(record: AuditRecord, *, completed_later: bool) -> dict[str, Any]:
    """What the record's own seal covers. A record written pending (and completed later) is
    sealed with its request side and outcome "pending" only."""
    names = REQUEST_FIELDS if completed_later else REQUEST_FIELDS + COMPLETION_FIELDS
    content = {name: _canonical(name, getattr(record, name)) for name in names}
    if completed_later:
        content["outcome"] = RecordOutcome.PENDING.value
    return {"format": SEAL_FORMAT, "seal": "record", "fields": content}


def completion_content(record: AuditRecord) -> dict[str, Any]:
    """What an operation's completion seal covers: its answer, tied to the record's own seal."""
    content = {name: _canonical(name, getattr(record, name)) for name in COMPLETION_FIELDS}
    return {
        "format": SEAL_FORMAT,
        "seal": "completion",
        "record_seq": record.seq,
        "fields": content,
    }


def seal_hash(content: dict[str, Any], *, seq: int, prev: str) -> str:
    payload = json.dumps(
        {**content, "seq": seq, "prev": prev},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class ChainHead:
    """The newest seal: keep `seq` and `hash` outside the database to detect a rewrite."""

    seq: int
    hash: str
    record_id: int | None

    @property
    def anchor(self) -> str:
        return f"{self.seq}:{self.hash}"


EMPTY_HEAD = ChainHead(seq=0, hash=GENESIS_HASH, record_id=None)


def chain_head(*, using: str = DEFAULT_DB_ALIAS) -> ChainHead:
    """The newer of the highest record seal and the highest completion seal: two index look-ups
    in one query."""
    table = connections[using].ops.quote_name(AuditRecord._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT seq, hash, id FROM ("  # noqa: S608 - the table name is the model's own
            f"SELECT * FROM (SELECT seq, hash, id FROM {table} ORDER BY seq DESC LIMIT 1) AS r "
            f"UNION ALL SELECT * FROM (SELECT completion_seq, completion_hash, id FROM {table} "
            f"WHERE completion_seq IS NOT NULL ORDER BY completion_seq DESC LIMIT 1) AS c"
            f") AS heads ORDER BY seq DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return EMPTY_HEAD
    seq, digest, record_id = row
    return ChainHead(seq=seq, hash=digest, record_id=record_id)


def _lock_chain(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the only write lock.


@contextmanager
def chain_transaction(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction holding the chain lock: what is read in it cannot change before it ends."""
    with transaction.atomic(using=using):
        _lock_chain(using)
        yield


def chain_insert(record: AuditRecord, *, using: str | None = None) -> None:
    """Seal a new record and insert it, under the chain lock."""
    using = using or router.db_for_write(AuditRecord, instance=record)
    for name in REQUEST_FIELDS + COMPLETION_FIELDS:
        setattr(record, name, _stored(name, getattr(record, name)))
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        head = chain_head(using=using)
        content = record_content(record, completed_later=written_pending(record))
        record.seq = head.seq + 1
        record.prev_hash = head.hash
        record.hash = seal_hash(content, seq=record.seq, prev=head.hash)
        models.Model.save(record, force_insert=True, using=using)


def chain_insert_many(records: list[AuditRecord], *, using: str, insert) -> list[AuditRecord]:
    """Seal records in the given order and insert them with `insert` (the manager's own
    bulk_create), under one hold of the chain lock. Seals passed in are ignored."""
    for record in records:
        for name in REQUEST_FIELDS + COMPLETION_FIELDS:
            setattr(record, name, _stored(name, getattr(record, name)))
        record.completion_seq, record.completion_prev_hash, record.completion_hash = None, "", ""
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        head = chain_head(using=using)
        seq, prev = head.seq, head.hash
        for record in records:
            seq += 1
            content = record_content(record, completed_later=written_pending(record))
            record.seq, record.prev_hash = seq, prev
            record.hash = prev = seal_hash(content, seq=seq, prev=prev)
        return insert(records)


def chain_complete(
    *, record: AuditRecord, fields: dict[str, Any], using: str = DEFAULT_DB_ALIAS
) -> bool:
    """Give a pending record its outcome and seal the completion, and set both on `record`.
    False if it was no longer pending (another process completed or reconciled it first);
    nothing is written then.

    On PostgreSQL this commit does not wait for the disk (ticketui.durability): the pending
    record it completes was committed durably before the upstream call, and a completion lost
    to a database crash in the next fraction of a second leaves that record pending, which is
    what reconciliation settles from the upstream's operate-log. Such a crash can only lose the
    newest completions, never a link in the middle of the chain. This saves a disk flush on
    every operation."""
    values = {name: _stored(name, value) for name, value in fields.items()}
    # No savepoint when nested: a failure here fails the caller's transaction as a whole.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        commit_without_waiting_for_disk(using)
        if record.seq is not None and set(COMPLETION_FIELDS) <= set(values):
            # Everything the seal covers is at hand; the update below checks it is still pending.
            current = SimpleNamespace(seq=record.seq, **values)
        else:
            current = (
                AuditRecord.objects.using(using)
                .filter(pk=record.pk, outcome=RecordOutcome.PENDING)
                .first()
            )
            if current is None:
                return False
            for name, value in values.items():
                setattr(current, name, value)
        head = chain_head(using=using)
        seal = {
            "completion_seq": head.seq + 1,
            "completion_prev_hash": head.hash,
            "completion_hash": seal_hash(
                completion_content(current), seq=head.seq + 1, prev=head.hash
            ),
        }
        updated = (
            AuditRecord.objects.using(using)
            .filter(pk=record.pk, outcome=RecordOutcome.PENDING)
            .update(**values, **seal)
        )
    if updated != 1:
        return False
    for name, value in {**values, **seal}.items():
        setattr(record, name, value)
    return True


# --- Verification ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Seal:
    seq: int
    stage: str  # "record" or "completion"
    record: AuditRecord
    prev: str
    hash: str

    def expected_hash(self) -> str:
        if self.stage == "record":
            content = record_content(self.record, completed_later=written_pending(self.record))
        else:
            content = completion_content(self.record)
        return seal_hash(content, seq=self.seq, prev=self.prev)


def _seals(stage: str, using: str) -> Iterator[Seal]:
    """Every seal of one stage in order, read in keyset batches (constant memory)."""
    column = "seq" if stage == "record" else "completion_seq"
    last = 0
    while True:
        batch = list(
            AuditRecord.objects.using(using)
            .filter(**{f"{column}__gt": last})
            .order_by(column)[:VERIFY_BATCH]
        )
        for record in batch:
            if stage == "record":
                yield Seal(
                    seq=record.seq,
                    stage=stage,
                    record=record,
                    prev=record.prev_hash,
                    hash=record.hash,
                )
            else:
                yield Seal(
                    seq=record.completion_seq,
                    stage=stage,
                    record=record,
                    prev=record.completion_prev_hash,
                    hash=record.completion_hash,
                )
        if len(batch) < VERIFY_BATCH:
            return
        last = getattr(batch[-1], column)


@dataclass(frozen=True, kw_only=True)
class ChainReport:
    seals: int
    head: ChainHead
    problem: str = ""
    broken_record_id: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


def parse_anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(ANCHOR_INVALID)
    return int(seq), digest


def _seal_problem(seal: Seal, previous_seq: int, previous_hash: str) -> str:
    """What is wrong with this seal, coming after the one numbered previous_seq; "" if nothing."""
    values = {"record": seal.record.pk, "seq": seal.seq}
    if seal.seq == previous_seq:
        return SEAL_DUPLICATED.format(**values)
    if seal.seq != previous_seq + 1:
        return SEAL_MISSING.format(expected=previous_seq + 1, **values)
    if seal.prev != previous_hash:
        return LINK_BROKEN.format(previous=previous_seq, **values)
    if seal.expected_hash() != seal.hash:
        return CONTENT_CHANGED.format(**values)
    return ""


def chain_verify(
    *, anchors: Iterable[tuple[int, str]] = (), using: str = DEFAULT_DB_ALIAS
) -> ChainReport:
    """Walk every seal in order; stop at the first that does not hold."""
    wanted = dict(anchors)
    head, count = EMPTY_HEAD, 0
    merged = heapq.merge(_seals("record", using), _seals("completion", using), key=lambda s: s.seq)
    for seal in merged:
        if problem := _seal_problem(seal, head.seq, head.hash):
            return ChainReport(
                seals=count, head=head, problem=problem, broken_record_id=seal.record.pk
            )
        if seal.seq in wanted and wanted.pop(seal.seq) != seal.hash:
            return ChainReport(seals=count, head=head, problem=ANCHOR_CHANGED.format(seq=seal.seq))
        head, count = ChainHead(seq=seal.seq, hash=seal.hash, record_id=seal.record.pk), count + 1
    if wanted:
        return ChainReport(seals=count, head=head, problem=ANCHOR_MISSING.format(seq=min(wanted)))
    return ChainReport(seals=count, head=head)
