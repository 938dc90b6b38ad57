"""Bulk operations: one operation asked for many tickets, sent ticket by ticket by the worker.
Each ticket goes through `operation_submit` with its own one-time key, so each is its own
operation with its own audit record, and a repeated run never sends a ticket twice."""

import logging
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import (
    ACTIVE_BULK_STATES,
    BulkItem,
    BulkItemOutcome,
    BulkOperation,
    BulkState,
    Ticket,
)
from .services import NO_PERMISSION_TO_OPERATE, operation_submit, operation_validate

logger = logging.getLogger(__name__)

BULK_LIMIT = 1000
BULK_TOO_MANY = gettext_noop(
    "A bulk operation takes at most %(limit)d tickets; this selection has %(count)d. "
    "Narrow the filter and run it in parts."
)
BULK_EMPTY = gettext_noop("Select at least one ticket.")
BULK_NOT_YOURS = gettext_noop(
    "Only the person who started a bulk operation, or a team lead, may cancel it."
)
TICKET_GONE = gettext_noop("The ticket is no longer tracked.")
UNEXPECTED_FAILURE = gettext_noop(
    "The dashboard failed while sending this ticket; see the server log."
)


def bulk_create(
    *,
    actor: AbstractBaseUser,
    tickets: QuerySet[Ticket],
    action_id: str,
    operate_desc: str = "",
    selection: dict | None = None,
    request_key: UUID | None = None,
) -> BulkOperation:
    """Record a bulk operation over `tickets` (in their list order) and queue it for the worker.
    A second submission of the same form (same `request_key`) returns the first bulk."""
    if not actor.has_perm("tickets.operate_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_OPERATE)
    if request_key is not None and (earlier := bulk_for_key(request_key)):
        return earlier
    operation_validate(action_id=action_id, operate_desc=operate_desc, group_id="", judgement="")
    chosen = list(tickets.values_list("pk", "case_id")[: BULK_LIMIT + 1])
    if not chosen:
        raise ValidationError(_(BULK_EMPTY))
    if len(chosen) > BULK_LIMIT:
        count = tickets.count()
        raise ValidationError(_(BULK_TOO_MANY) % {"limit": BULK_LIMIT, "count": count})
    try:
        with transaction.atomic():
            bulk = BulkOperation.objects.create(
                actor=actor,
                action_id=action_id,
                operate_desc=operate_desc,
                total=len(chosen),
                selection=selection or {},
                request_key=request_key,
            )
            BulkItem.objects.bulk_create(
                BulkItem(bulk=bulk, ticket_id=pk, case_id=case_id, position=position)
                for position, (pk, case_id) in enumerate(chosen, start=1)
            )
    except IntegrityError:  # the same form, submitted twice at once
        if request_key is not None and (earlier := bulk_for_key(request_key)):
            return earlier
        raise
    transaction.on_commit(lambda: bulk_enqueue(bulk=bulk))
    return bulk


def bulk_for_key(key: UUID) -> BulkOperation | None:
    return BulkOperation.objects.filter(request_key=key).first()


def bulk_enqueue(*, bulk: BulkOperation) -> None:
    from .tasks import bulk_operation_task

    bulk_operation_task.enqueue(bulk_id=bulk.pk)


def bulk_cancel(*, actor: AbstractBaseUser, bulk: BulkOperation) -> BulkOperation:
    """Ask the run to stop before its next ticket; one still waiting never starts."""
    if not bulk_may_manage(actor=actor, bulk=bulk):
        raise PermissionDenied(_(BULK_NOT_YOURS))
    with transaction.atomic():
        bulk = BulkOperation.objects.select_for_update().get(pk=bulk.pk)
        if bulk.state == BulkState.QUEUED:
            _skip_rest(bulk)
        elif bulk.state == BulkState.RUNNING:
            bulk.state = BulkState.CANCELLING
            bulk.save(update_fields=["state"])
    return bulk


# Longer than one ticket can take (connect and read timeouts, the refresh after it, a margin).
BULK_STALL_SECONDS = 120
BULK_NOT_STALLED = gettext_noop("This bulk operation is still moving; it needs no resuming.")


def bulk_stalled(*, bulk: BulkOperation) -> bool:
    """A running bulk that has not finished a ticket for a while: its worker probably stopped."""
    if bulk.state not in (BulkState.RUNNING, BulkState.CANCELLING):
        return False
    latest = bulk.items.exclude(finished_at=None).order_by("-finished_at").first()
    last_move = latest.finished_at if latest else bulk.started_at
    return last_move is None or (timezone.now() - last_move).total_seconds() > BULK_STALL_SECONDS


def bulk_resume(*, actor: AbstractBaseUser, bulk: BulkOperation) -> BulkOperation:
    """Queue a stalled bulk again. Tickets already sent are not sent again: their one-time keys
    find the first operation's record."""
    if not bulk_may_manage(actor=actor, bulk=bulk):
        raise PermissionDenied(_(BULK_NOT_YOURS))
    if not bulk_stalled(bulk=bulk):
        raise ValidationError(_(BULK_NOT_STALLED))
    bulk_enqueue(bulk=bulk)
    return bulk


def bulk_may_manage(*, actor: AbstractBaseUser, bulk: BulkOperation) -> bool:
    return bulk.actor_id == actor.pk or actor.has_perm("audit.view_all_records")


def _skip_rest(bulk: BulkOperation) -> None:
    now = timezone.now()
    bulk.items.filter(outcome=BulkItemOutcome.WAITING).update(
        outcome=BulkItemOutcome.SKIPPED, finished_at=now
    )
    bulk.state, bulk.finished_at = BulkState.CANCELLED, now
    bulk.save(update_fields=["state", "finished_at"])


def _claim(bulk_id: int) -> BulkOperation | None:
    """Mark the bulk running (again, after a crash), or None when there is nothing to do."""
    with transaction.atomic():
        bulk = BulkOperation.objects.select_for_update().filter(pk=bulk_id).first()
        if bulk is None or bulk.state not in ACTIVE_BULK_STATES:
            return None
        if bulk.state == BulkState.QUEUED:
            bulk.state, bulk.started_at = BulkState.RUNNING, timezone.now()
            bulk.save(update_fields=["state", "started_at"])
    return bulk


def _cancel_requested(bulk: BulkOperation) -> bool:
    return BulkOperation.objects.filter(pk=bulk.pk, state=BulkState.CANCELLING).exists()


def bulk_run(*, bulk_id: int) -> BulkOperation | None:
    """Send the bulk's waiting tickets in order, stopping between tickets if cancelled. One
    ticket's failure is recorded on its item and the run goes on."""
    bulk = _claim(bulk_id)
    if bulk is None:
        return BulkOperation.objects.filter(pk=bulk_id).first()
    for item in bulk.items.filter(outcome=BulkItemOutcome.WAITING).select_related("ticket"):
        if _cancel_requested(bulk):
            with transaction.atomic():
                _skip_rest(BulkOperation.objects.select_for_update().get(pk=bulk.pk))
            return BulkOperation.objects.get(pk=bulk.pk)
        bulk_item_send(bulk=bulk, item=item)
    BulkOperation.objects.filter(pk=bulk.pk, state__in=ACTIVE_BULK_STATES).update(
        state=BulkState.DONE, finished_at=timezone.now()
    )
    return BulkOperation.objects.get(pk=bulk.pk)


def bulk_item_send(*, bulk: BulkOperation, item: BulkItem) -> BulkItem:
    """Send one ticket's operation and keep its outcome on the item."""
    if item.ticket is None:
        item.outcome, item.detail = BulkItemOutcome.FAILED, TICKET_GONE
    else:
        try:
            record = operation_submit(
                actor=bulk.actor,
                ticket=item.ticket,
                action_id=bulk.action_id,
                operate_desc=bulk.operate_desc,
                idempotency_key=item.idempotency_key,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            item.outcome, item.detail = BulkItemOutcome.FAILED, " ".join(messages)
        except Exception:  # one ticket must not stop the others
            logger.exception("bulk %s: sending ticket %s failed", bulk.pk, item.case_id)
            item.outcome, item.detail = BulkItemOutcome.FAILED, UNEXPECTED_FAILURE
        else:
            item.audit_record = record
            item.outcome = record.outcome
            item.error_code = record.error_code
            item.detail = record.error_msg or record.detail
    item.finished_at = timezone.now()
    item.save(update_fields=["audit_record", "outcome", "error_code", "detail", "finished_at"])
    return item


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
