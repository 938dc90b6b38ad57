"""Reads for bulk operations: their progress, who may manage them, whether one has stalled."""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_tasks_db.models import DBTaskResult

from ticketui.audit.models import AuditRecord, Kind, OperationKey
from ticketui.osm.catalogue import ALLOWED_IN
from ticketui.worker.heartbeat import task_result_dead

from ..models import Ticket
from ..outcomes import outcome_message
from .models import BulkItem, BulkItemOutcome, BulkOperation, BulkState
from .tasks import bulk_operation_task

# Longer than one ticket can take (connect and read timeouts, the refresh after it, a margin).
BULK_STALL_SECONDS = 120


def bulk_for_key(key: UUID) -> BulkOperation | None:
    return BulkOperation.objects.filter(request_key=key).first()


def bulk_may_manage(*, actor: AbstractBaseUser, bulk: BulkOperation) -> bool:
    return bulk.actor_id == actor.pk or actor.has_perm("audit.view_all_records")


def bulk_worker_dead(*, bulk: BulkOperation) -> bool:
    """A running bulk whose task will never finish: its worker died (heartbeat.py)."""
    if bulk.state not in (BulkState.RUNNING, BulkState.CANCELLING):
        return False
    task = (
        DBTaskResult.objects.filter(
            task_path=bulk_operation_task.module_path, args_kwargs__kwargs__bulk_id=bulk.pk
        )
        .order_by("-enqueued_at")
        .first()
    )
    return task is not None and task_result_dead(task)


def bulk_stalled(*, bulk: BulkOperation) -> bool:
    """A running bulk that has not finished a ticket for a while, or whose worker died."""
    if bulk.state not in (BulkState.RUNNING, BulkState.CANCELLING):
        return False
    if bulk_worker_dead(bulk=bulk):
        return True
    latest = bulk.items.exclude(finished_at=None).order_by("-finished_at").first()
    last_move = latest.finished_at if latest else bulk.started_at
    return last_move is None or (timezone.now() - last_move).total_seconds() > BULK_STALL_SECONDS


def bulk_counts(*, bulk: BulkOperation) -> dict[str, int]:
    """How many items have each outcome (as their operations now stand), and how many are
    done (not waiting)."""
    return _counts(item.outcome for item in bulk_items_settled(bulk=bulk))


def _counts(outcomes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    done = sum(n for outcome, n in counts.items() if outcome != BulkItemOutcome.WAITING)
    succeeded = counts.get(BulkItemOutcome.SUCCEEDED, 0)
    skipped = counts.get(BulkItemOutcome.SKIPPED, 0)
    return {
        "done": done,
        "succeeded": succeeded,
        "skipped": skipped,
        "problems": done - succeeded - skipped,
    }


def bulk_items_settled(*, bulk: BulkOperation) -> list[BulkItem]:
    """The bulk's items in order, each with the outcome its operation has now (not saved): an
    item's audit record (or, for one in flight when its worker died, the record its one-time key
    wrote) and that record's latest settlement by reconciliation, which the worker never saw."""
    items = list(bulk.items.select_related("audit_record").order_by("position"))
    unlinked = [item.idempotency_key for item in items if item.audit_record is None]
    by_key = {
        found.key: found.record
        for found in OperationKey.objects.filter(key__in=unlinked).select_related("record")
    }
    for item in items:
        if item.audit_record is None and item.idempotency_key in by_key:
            item.audit_record = by_key[item.idempotency_key]
    records = [item.audit_record for item in items if item.audit_record is not None]
    settlements = {
        settlement.reconciles_id: settlement
        for settlement in AuditRecord.objects.filter(
            kind=Kind.RECONCILE, reconciles__in=[record.pk for record in records]
        ).order_by("created_at", "id")
    }  # the latest settlement of each operation wins
    for item in items:
        record = item.audit_record
        if record is None:
            continue
        if record.is_pending:
            item.outcome = BulkItemOutcome.PENDING
            continue
        item.settlement = settlements.get(record.pk)
        item.outcome = (item.settlement or record).outcome
    return items


def bulk_list_for(*, actor: AbstractBaseUser) -> QuerySet[BulkOperation]:
    """Recent bulk operations: the actor's own, or everyone's for a team lead; each with how
    many of its tickets succeeded and failed so far (as the worker recorded them)."""
    not_failed = [BulkItemOutcome.WAITING, BulkItemOutcome.SUCCEEDED, BulkItemOutcome.SKIPPED]
    bulks = BulkOperation.objects.select_related("actor", "assignee").annotate(
        succeeded=Count("items", filter=Q(items__outcome=BulkItemOutcome.SUCCEEDED)),
        failed=Count("items", filter=~Q(items__outcome__in=not_failed)),
    )
    if not actor.has_perm("audit.view_all_records"):
        bulks = bulks.filter(actor=actor)
    return bulks


def _item_detail(item: BulkItem) -> str:
    """What happened to one ticket, in the reader's language (as on the ticket page)."""
    if getattr(item, "settlement", None) is not None:
        return item.settlement.detail
    if item.audit_record is not None and not item.audit_record.is_pending:
        return "" if item.outcome == "succeeded" else outcome_message(item.audit_record)
    return gettext(item.detail) if item.detail else ""


def bulk_progress(*, bulk: BulkOperation) -> dict:
    """What the progress page shows: each item with its outcome in words, and the counts."""
    items = bulk_items_settled(bulk=bulk)
    for item in items:
        item.shown_detail = _item_detail(item)
    return {
        "bulk": bulk,
        "items": items,
        "counts": _counts(item.outcome for item in items),
        "stalled": bulk_stalled(bulk=bulk),
        "worker_dead": bulk_worker_dead(bulk=bulk),
    }


def bulk_result_rows(*, bulk: BulkOperation):
    """Each item as a row of the results export, in order, as its operation now stands."""
    for item in bulk_items_settled(bulk=bulk):
        settlement = getattr(item, "settlement", None)
        yield (
            item.position,
            item.case_id,
            bulk.action_id,
            item.outcome,
            item.error_code,
            settlement.detail if settlement is not None else item.detail,
            item.audit_record.pk if item.audit_record is not None else None,
            item.finished_at,
        )


# What the confirmation says of the tickets the status machine does not allow the action in.
REFUSED_TEXT = {
    "close": lambda n: ngettext(
        "%(count)d of these cannot be closed in its current status.",
        "%(count)d of these cannot be closed in their current status.",
        n,
    ),
    "press": lambda n: ngettext(
        "%(count)d of these cannot be urged in its current status.",
        "%(count)d of these cannot be urged in their current status.",
        n,
    ),
    "cancel": lambda n: ngettext(
        "%(count)d of these cannot be cancelled in its current status.",
        "%(count)d of these cannot be cancelled in their current status.",
        n,
    ),
    "delete": lambda n: ngettext(
        "%(count)d of these cannot be deleted in its current status.",
        "%(count)d of these cannot be deleted in their current status.",
        n,
    ),
}


def bulk_allowed_only(tickets: QuerySet[Ticket], *, action_id: str) -> QuerySet[Ticket]:
    """The tickets whose status allows the action (all of them for an assignment)."""
    allowed = ALLOWED_IN.get(action_id)
    return tickets if allowed is None else tickets.filter(status__in=allowed)


def bulk_preview(*, tickets: QuerySet[Ticket], action_id: str) -> dict:
    """What a bulk run would do, told before it starts: how many tickets are chosen, and how
    many of them the status machine does not allow the action in (and what that says)."""
    total = tickets.count()
    refused = total - bulk_allowed_only(tickets, action_id=action_id).count()
    words = REFUSED_TEXT.get(action_id)
    return {
        "total": total,
        "refused": refused,
        "allowed": total - refused,
        "refused_text": words(refused) % {"count": refused} if words and refused else "",
    }
