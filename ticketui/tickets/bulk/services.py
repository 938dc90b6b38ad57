"""Writes for bulk operations: recording one over many tickets and queueing it, cancelling and
resuming it. The worker sends it ticket by ticket (runner.py), each ticket through
`operation_submit` with its own one-time key, so each is its own operation with its own audit
record and a repeated run never sends a ticket twice."""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import Ticket
from ..operations.services import operation_validate
from ..sending import operator_check
from .models import BulkItem, BulkOperation, BulkState
from .runner import bulk_skip_rest
from .selectors import bulk_for_key, bulk_may_manage, bulk_stalled
from .tasks import bulk_operation_task

BULK_LIMIT = 1000
BULK_TOO_MANY = gettext_noop(
    "A bulk operation takes at most %(limit)d tickets; this selection has %(count)d. "
    "Narrow the filter and run it in parts."
)
BULK_EMPTY = gettext_noop("Select at least one ticket.")
BULK_NOT_YOURS = gettext_noop(
    "Only the person who started a bulk operation, or a team lead, may cancel it."
)
BULK_NOT_STALLED = gettext_noop("This bulk operation is still moving; it needs no resuming.")


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
    operator_check(actor)
    if request_key is not None and (earlier := bulk_for_key(request_key)):
        return earlier
    operation_validate(action_id=action_id, operate_desc=operate_desc, group_id="")
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


def bulk_enqueue(*, bulk: BulkOperation) -> None:
    bulk_operation_task.enqueue(bulk_id=bulk.pk)


def bulk_cancel(*, actor: AbstractBaseUser, bulk: BulkOperation) -> BulkOperation:
    """Ask the run to stop before its next ticket; one still waiting never starts."""
    if not bulk_may_manage(actor=actor, bulk=bulk):
        raise PermissionDenied(_(BULK_NOT_YOURS))
    with transaction.atomic():
        bulk = BulkOperation.objects.select_for_update().get(pk=bulk.pk)
        if bulk.state == BulkState.QUEUED:
            bulk_skip_rest(bulk)
        elif bulk.state == BulkState.RUNNING:
            bulk.state = BulkState.CANCELLING
            bulk.save(update_fields=["state"])
    return bulk


def bulk_resume(*, actor: AbstractBaseUser, bulk: BulkOperation) -> BulkOperation:
    """Queue a stalled bulk again. Tickets already sent are not sent again: their one-time keys
    find the first operation's record."""
    if not bulk_may_manage(actor=actor, bulk=bulk):
        raise PermissionDenied(_(BULK_NOT_YOURS))
    if not bulk_stalled(bulk=bulk):
        raise ValidationError(_(BULK_NOT_STALLED))
    bulk_enqueue(bulk=bulk)
    return bulk
