"""Writes for bulk operations: recording one over many tickets and queueing it, cancelling and
resuming it; and giving many tickets an owner at once (bulk_assign, local and immediate). The worker sends it ticket by ticket (runner.py), each ticket through
`operation_submit` with its own one-time key, so each is its own operation with its own audit
record and a repeated run never sends a ticket twice."""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ticketui.audit.services import NO_ORIGIN, Origin
from ticketui.osm import limits

from ..models import Ticket
from ..operations.services import operation_validate
from ..ownership.selectors import ASSIGN_PERMISSION, CLAIM_PERMISSION, owner_may_hold
from ..ownership.services import CANNOT_OWN, tickets_assign_many
from ..sending import operator_check
from .models import ASSIGN_ACTION, BulkItem, BulkItemOutcome, BulkOperation, BulkState
from .runner import bulk_skip_rest
from .selectors import bulk_allowed_only, bulk_for_key, bulk_may_manage, bulk_stalled
from .tasks import bulk_operation_task

BULK_LIMIT = 1000
BULK_TOO_MANY = gettext_noop(
    "A bulk operation takes at most %(limit)d tickets; this selection has %(count)d. "
    "Narrow the filter and run it in parts."
)
BULK_EMPTY = gettext_noop("Select at least one ticket.")
BULK_NONE_ALLOWED = gettext_noop(
    "None of the chosen tickets allows this operation in its current status."
)
BULK_NOT_YOURS = gettext_noop(
    "Only the person who started a bulk operation, or a team lead, may cancel it."
)
BULK_ASSIGN_NOT_ALLOWED = gettext_noop(
    "Only a team lead may give tickets to someone else; you may take unassigned ones."
)
BULK_DESC_TOO_LONG = gettext_noop("The description has at most %(max)d characters.")
# An item's detail, translated when shown (bulk selectors).
ALREADY_THEIRS = gettext_noop("Already theirs.")
OWNED_BY_SOMEONE = gettext_noop("Someone else already looks after it.")
BULK_NOT_STALLED = gettext_noop("This bulk operation is still moving; it needs no resuming.")


def bulk_create(
    *,
    actor: AbstractBaseUser,
    tickets: QuerySet[Ticket],
    action_id: str,
    operate_desc: str = "",
    selection: dict | None = None,
    request_key: UUID | None = None,
    leave_out: bool = False,
) -> BulkOperation:
    """Record a bulk operation over `tickets` (in their list order) and queue it for the worker.
    With `leave_out`, tickets whose status does not allow the action are left out. A second
    submission of the same form (same `request_key`) returns the first bulk."""
    operator_check(actor)
    if request_key is not None and (earlier := bulk_for_key(request_key)):
        return earlier
    operation_validate(action_id=action_id, operate_desc=operate_desc, group_id="")
    if leave_out:
        if not tickets.exists():
            raise ValidationError(_(BULK_EMPTY))
        tickets = bulk_allowed_only(tickets, action_id=action_id)
        if not tickets.exists():
            raise ValidationError(_(BULK_NONE_ALLOWED))
        selection = {**(selection or {}), "left_out_not_allowed": True}
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


def _chosen_for_update(tickets: QuerySet[Ticket]) -> list[Ticket]:
    chosen = list(tickets.select_related("owner").select_for_update(of=("self",))[: BULK_LIMIT + 1])
    if not chosen:
        raise ValidationError(_(BULK_EMPTY))
    if len(chosen) > BULK_LIMIT:
        count = tickets.count()
        raise ValidationError(_(BULK_TOO_MANY) % {"limit": BULK_LIMIT, "count": count})
    return chosen


def bulk_assign(
    *,
    actor: AbstractBaseUser,
    tickets: QuerySet[Ticket],
    assignee: AbstractBaseUser | None,
    operate_desc: str = "",
    selection: dict | None = None,
    request_key: UUID | None = None,
    origin: Origin = NO_ORIGIN,
) -> BulkOperation:
    """Give `tickets` to `assignee` (None: nobody) at once, in the dashboard's own database: no
    upstream call, no worker. Each ticket that changes owner gets its own audit record; the
    others are items skipped with the reason. A team lead may give any ticket to anyone who may
    own tickets; an agent may only take unassigned tickets for themselves."""
    lead = actor.has_perm(ASSIGN_PERMISSION)
    for_self = assignee is not None and assignee.pk == actor.pk
    if not actor.has_perm(CLAIM_PERMISSION) or not (lead or for_self):
        raise PermissionDenied(_(BULK_ASSIGN_NOT_ALLOWED))
    if request_key is not None and (earlier := bulk_for_key(request_key)):
        return earlier
    if assignee is not None and not owner_may_hold(user=assignee):
        name = assignee.get_full_name() or assignee.get_username()
        raise ValidationError(_(CANNOT_OWN) % {"user": name})
    if len(operate_desc) > limits.TEXT_MAX:
        raise ValidationError(_(BULK_DESC_TOO_LONG) % {"max": limits.TEXT_MAX})
    target = assignee.pk if assignee is not None else None
    try:
        with transaction.atomic():
            chosen = _chosen_for_update(tickets)
            now = timezone.now()
            bulk = BulkOperation.objects.create(
                actor=actor,
                action_id=ASSIGN_ACTION,
                assignee=assignee,
                operate_desc=operate_desc,
                state=BulkState.DONE,
                total=len(chosen),
                selection=selection or {},
                request_key=request_key,
                started_at=now,
                finished_at=now,
            )
            taken = [t for t in chosen if t.owner_id != target and (lead or t.owner_id is None)]
            note = {"bulk": bulk.pk, **({"note": operate_desc} if operate_desc else {})}
            records = tickets_assign_many(
                actor=actor, tickets=taken, owner=assignee, origin=origin, data=note
            )
            BulkItem.objects.bulk_create(
                _assign_item(bulk, ticket, position, records.get(ticket.pk), target, now)
                for position, ticket in enumerate(chosen, start=1)
            )
    except IntegrityError:  # the same form, submitted twice at once
        if request_key is not None and (earlier := bulk_for_key(request_key)):
            return earlier
        raise
    return bulk


def _assign_item(bulk, ticket, position, record, target, now) -> BulkItem:
    item = BulkItem(
        bulk=bulk, ticket=ticket, case_id=ticket.case_id, position=position, finished_at=now
    )
    if record is not None:
        item.audit_record, item.outcome = record, BulkItemOutcome.SUCCEEDED
    else:
        item.outcome = BulkItemOutcome.SKIPPED
        item.detail = ALREADY_THEIRS if ticket.owner_id == target else OWNED_BY_SOMEONE
    return item
