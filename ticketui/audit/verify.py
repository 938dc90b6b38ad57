"""Checking the audit chain (chain.py explains it): walk every seal in order, name the first
record that does not hold, and compare with heads kept outside the database."""

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from ticketui.integers import ID_MAX, ascii_integer

from .chain import (
    EMPTY_HEAD,
    ChainHead,
    completion_content,
    head_of,
    record_content,
    seal_hash,
    written_pending,
)
from .models import AuditRecord

VERIFY_BATCH = 2000

# What audit_verify reports; tests import these.
CONTENT_CHANGED = (
    "Record #{record}: its content no longer matches its seal {seq} (changed after it was written)."
)
LINK_BROKEN = "Record #{record}: seal {seq} does not continue from seal {previous} (a record was removed, inserted or re-sealed before it)."
SEAL_MISSING = "{seals} missing ({what}): seal {seq} of record #{record} follows seal {previous}."
ONE_SEAL = "Seal {first} is"
SEVERAL_SEALS = "Seals {first} to {last} are"
# The seal after a gap names the record of the seal just before it (seal format 2).
REMOVED_RECORD = "seal {last} sealed record #{removed}, which was removed"
REMOVED_UNKNOWN = "a record was removed"
SEAL_DUPLICATED = "Record #{record}: seal {seq} appears twice (the chain forked)."
ANCHOR_CHANGED = "Seal {seq} no longer has the hash kept outside the database: the history up to it was rewritten."
ANCHOR_MISSING = "Seal {seq} kept outside the database is missing: the newest records were cut off."
ANCHOR_INVALID = "An anchor looks like SEQ:HASH (a seal number and its 64-character SHA-256 hash)."


def chain_head(*, using: str = DEFAULT_DB_ALIAS) -> ChainHead:
    """The audit trail's newest seal."""
    return head_of(AuditRecord, using=using)


@dataclass(frozen=True, kw_only=True)
class Seal:
    seq: int
    stage: str  # "record" or "completion"
    record: AuditRecord
    prev: str
    hash: str
    # The record sealed just before, as this seal says (None for format 1 and the first seal).
    prev_record: int | None

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
                    prev_record=record.prev_record_id,
                )
            else:
                yield Seal(
                    seq=record.completion_seq,
                    stage=stage,
                    record=record,
                    prev=record.completion_prev_hash,
                    hash=record.completion_hash,
                    prev_record=record.completion_prev_record_id,
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
    # A record that was removed, when the seal after it names it.
    missing_record_id: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


def parse_anchor(text: str) -> tuple[int, str]:
    seq_text, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    seq = ascii_integer(seq_text, minimum=0, maximum=ID_MAX)  # not '²', nor past 64 bits
    if seq is None or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(ANCHOR_INVALID)
    return seq, digest


def _seal_problem(seal: Seal, previous_seq: int, previous_hash: str) -> str:
    """What is wrong with this seal, coming after the one numbered previous_seq; "" if nothing."""
    values = {"record": seal.record.pk, "seq": seal.seq}
    if seal.seq == previous_seq:
        return SEAL_DUPLICATED.format(**values)
    if seal.seq != previous_seq + 1:
        first, last = previous_seq + 1, seal.seq - 1
        seals = (ONE_SEAL if first == last else SEVERAL_SEALS).format(first=first, last=last)
        what = (
            REMOVED_RECORD.format(last=last, removed=seal.prev_record)
            if seal.prev_record is not None
            else REMOVED_UNKNOWN
        )
        return SEAL_MISSING.format(seals=seals, what=what, previous=previous_seq, **values)
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
            gap = seal.seq > head.seq + 1
            return ChainReport(
                seals=count,
                head=head,
                problem=problem,
                broken_record_id=seal.record.pk,
                missing_record_id=seal.prev_record if gap else None,
            )
        if seal.seq in wanted and wanted.pop(seal.seq) != seal.hash:
            return ChainReport(seals=count, head=head, problem=ANCHOR_CHANGED.format(seq=seal.seq))
        head, count = ChainHead(seq=seal.seq, hash=seal.hash, record_id=seal.record.pk), count + 1
    if wanted:
        return ChainReport(seals=count, head=head, problem=ANCHOR_MISSING.format(seq=min(wanted)))
    return ChainReport(seals=count, head=head)
