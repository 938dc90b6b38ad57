"""The worker's side of a bulk operation: sending its waiting tickets one by one."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..operations.services import operation_submit
from .models import ACTIVE_BULK_STATES, BulkItem, BulkItemOutcome, BulkOperation, BulkState

logger = logging.getLogger(__name__)

TICKET_GONE = gettext_noop("The ticket is no longer tracked.")
UNEXPECTED_FAILURE = gettext_noop(
    "The dashboard failed while sending this ticket; see the server log."
)


def bulk_skip_rest(bulk: BulkOperation) -> None:
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
                bulk_skip_rest(BulkOperation.objects.select_for_update().get(pk=bulk.pk))
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
