"""The audit chain's head kept outside the database (AUDIT_HEAD_FILE, AUDIT_HEAD_WEBHOOK).

Cutting off the newest records, or emptying the table and starting a new chain, leaves a chain
that verifies on its own: only a head kept elsewhere shows it. The worker keeps the head
routinely (tasks.audit_head_keep_task); `audit_verify` compares with the newest one in the file.

A new head is kept only if the chain still holds the newest kept one (the seal with that number
still has that hash): otherwise the keeper would record the restarted chain as the truth and
the next verification would pass. It then keeps nothing and reports why, until someone looks.
"""

import json
import logging
import os
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from .chain import ChainHead
from .models import AuditRecord
from .verify import chain_head, parse_anchor

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10
# Only the end of the file is read: a year of heads every 5 minutes is ~10 MB.
TAIL_BYTES = 64 * 1024
# The head last sent to the webhook (when there is no file to read it back from).
SENT_KEY = "audit:head-sent"

HEAD_NOT_HELD = (
    "The audit chain no longer holds the head kept outside the database (seal {seq}): no new "
    "head is kept. Run `manage.py audit_verify` and find out what happened to the records."
)


@dataclass(frozen=True, kw_only=True)
class KeptHead:
    seq: int
    hash: str
    at: str  # when it was kept, as written in the file

    @property
    def anchor(self) -> str:
        return f"{self.seq}:{self.hash}"


class HeadNotKept(Exception):
    """The head could not be kept (the chain lost the kept one, or the place refused it)."""


def head_keeping_configured() -> bool:
    return bool(settings.AUDIT_HEAD_FILE or settings.AUDIT_HEAD_WEBHOOK)


def newest_kept_head() -> KeptHead | None:
    """The last well-formed line of AUDIT_HEAD_FILE; None without a file or a line."""
    if not settings.AUDIT_HEAD_FILE:
        return None
    try:
        with Path(settings.AUDIT_HEAD_FILE).open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - TAIL_BYTES))
            lines = file.read().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        at, _, anchor = line.strip().rpartition(" ")
        try:
            seq, digest = parse_anchor(anchor)
        except ValueError:
            continue
        return KeptHead(seq=seq, hash=digest, at=at)
    return None


def chain_holds(kept: KeptHead) -> bool:
    """Whether the seal numbered like the kept head still has its hash (two index look-ups)."""
    return AuditRecord.objects.filter(
        Q(seq=kept.seq, hash=kept.hash) | Q(completion_seq=kept.seq, completion_hash=kept.hash)
    ).exists()


def _append(path: str, line: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _post(url: str, head: ChainHead, at: str) -> None:
    body = json.dumps({"time": at, "seq": head.seq, "hash": head.hash, "anchor": head.anchor})
    request = urllib.request.Request(  # noqa: S310 - settings allow only http(s) URLs
        url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            response.read(1024)
    except (OSError, ValueError) as exc:  # the URL may hold a token: never print it
        raise HeadNotKept(
            f"The audit head webhook did not take the head: {type(exc).__name__}"
        ) from None


def head_keep() -> ChainHead | None:
    """Keep the current head where the settings say, if it changed; the head kept, or None."""
    if not head_keeping_configured():
        return None
    head = chain_head()
    kept = newest_kept_head()
    if kept is not None and not chain_holds(kept):
        logger.error(HEAD_NOT_HELD.format(seq=kept.seq))
        raise HeadNotKept(HEAD_NOT_HELD.format(seq=kept.seq))
    last = kept.anchor if kept is not None else cache.get(SENT_KEY)
    if head.seq == 0 or last == head.anchor:
        return None
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if settings.AUDIT_HEAD_FILE:
        _append(settings.AUDIT_HEAD_FILE, f"{at} {head.anchor}\n")
    if settings.AUDIT_HEAD_WEBHOOK:
        _post(settings.AUDIT_HEAD_WEBHOOK, head, at)
        cache.set(SENT_KEY, head.anchor, None)
    return head
