"""Reads for bulk operations: their progress, who may manage them, whether one has stalled."""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from ..outcomes import outcome_message
from .models import BulkItem, BulkItemOutcome, BulkOperation, BulkState

# Longer than one ticket can take (connect and read timeouts, the refresh after it, a margin).
BULK_STALL_SECONDS = 120


def bulk_for_key(key: UUID) -> BulkOperation | None:
    return BulkOperation.objects.filter(request_key=key).first()


def bulk_may_manage(*, actor: AbstractBaseUser, bulk: BulkOperation) -> bool:
    return bulk.actor_id == actor.pk or actor.has_perm("audit.view_all_records")


def bulk_stalled(*, bulk: BulkOperation) -> bool:
    """A running bulk that has not finished a ticket for a while: its worker probably stopped."""
    if bulk.state not in (BulkState.RUNNING, BulkState.CANCELLING):
        return False
    latest = bulk.items.exclude(finished_at=None).order_by("-finished_at").first()
    last_move = latest.finished_at if latest else bulk.started_at
    return last_move is None or (timezone.now() - last_move).total_seconds() > BULK_STALL_SECONDS


def bulk_counts(*, bulk: BulkOperation) -> dict[str, int]:
    """How many items have each outcome, and how many are done (not waiting)."""
    counts = dict(bulk.items.order_by().values_list("outcome").annotate(n=Count("id")))
    done = sum(n for outcome, n in counts.items() if outcome != BulkItemOutcome.WAITING)
    return {
        "done": done,
        "succeeded": counts.get(BulkItemOutcome.SUCCEEDED, 0),
        "skipped": counts.get(BulkItemOutcome.SKIPPED, 0),
        "problems": done
        - counts.get(BulkItemOutcome.SUCCEEDED, 0)
        - counts.get(BulkItemOutcome.SKIPPED, 0),
    }


def bulk_list_for(*, actor: AbstractBaseUser) -> QuerySet[BulkOperation]:
    """Recent bulk operations: the actor's own, or everyone's for a team lead."""
    bulks = BulkOperation.objects.select_related("actor")
    if not actor.has_perm("audit.view_all_records"):
        bulks = bulks.filter(actor=actor)
    return bulks


def _item_detail(item: BulkItem) -> str:
    """What happened to one ticket, in the reader's language (as on the ticket page)."""
    if item.audit_record is not None and not item.audit_record.is_pending:
        return "" if item.outcome == "succeeded" else outcome_message(item.audit_record)
    return gettext(item.detail) if item.detail else ""


def bulk_progress(*, bulk: BulkOperation) -> dict:
    """What the progress page shows: each item with its outcome in words, and the counts."""
    items = bulk.items.select_related("audit_record").order_by("position")
    for item in items:
        item.shown_detail = _item_detail(item)
    counts = bulk_counts(bulk=bulk)
    return {
        "bulk": bulk,
        "items": items,
        "counts": counts,
        "stalled": bulk_stalled(bulk=bulk),
    }


def bulk_result_rows(*, bulk: BulkOperation):
    """Each item as a row of the results export, in order; read in chunks."""
    for item in bulk.items.order_by("position").iterator(chunk_size=1000):
        yield (
            item.position,
            item.case_id,
            bulk.action_id,
            item.outcome,
            item.error_code,
            item.detail,
            item.audit_record_id,
            item.finished_at,
        )
