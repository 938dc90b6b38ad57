"""Writes for who on the team owns a ticket: an agent claims an unassigned one or gives up their
own; a team lead gives any ticket to anyone (or to nobody). Each change is its own audit record
(kinds "claim" and "assign") naming the previous and the new owner."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import NO_ORIGIN, Origin, audit_event

from ..models import Ticket
from ..selectors import ticket_status_counts_forget
from .selectors import ASSIGN_PERMISSION, CLAIM_PERMISSION, owner_label, owner_may_hold

MAY_NOT_CLAIM = gettext_noop("Your role does not allow claiming tickets.")
MAY_NOT_ASSIGN = gettext_noop("Only a team lead may give a ticket to someone else.")
ALREADY_OWNED = gettext_noop("%(owner)s already looks after this ticket.")
NOT_YOURS = gettext_noop("Only the ticket's owner, or a team lead, may give it up.")
CANNOT_OWN = gettext_noop("%(user)s cannot look after tickets: their role does not allow it.")


def _name(user: AbstractBaseUser | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def ticket_claim(*, actor: AbstractBaseUser, ticket: Ticket, origin: Origin = NO_ORIGIN) -> Ticket:
    """Take an unassigned ticket. Two agents claiming at once: the first one gets it, the
    second is told who did."""
    if not actor.has_perm(CLAIM_PERMISSION):
        raise PermissionDenied(_(MAY_NOT_CLAIM))
    with transaction.atomic():
        taken = Ticket.objects.filter(pk=ticket.pk, owner__isnull=True).update(
            owner=actor, updated_at=timezone.now()
        )
        if not taken:
            ticket.refresh_from_db(fields=["owner", "updated_at"])
            if ticket.owner_id == actor.pk:
                return ticket
            raise ValidationError(_(ALREADY_OWNED) % {"owner": _name(ticket.owner)})
        audit_event(
            kind=Kind.CLAIM,
            actor=actor,
            case_id=ticket.case_id,
            data={"from": None, "to": owner_label(actor)},
            origin=origin,
        )
    ticket_status_counts_forget()
    ticket.refresh_from_db(fields=["owner", "updated_at"])
    return ticket


def ticket_assign(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    owner: AbstractBaseUser | None,
    origin: Origin = NO_ORIGIN,
) -> Ticket:
    """Give the ticket to `owner` (None: nobody). Team leads may give any ticket to anyone who
    may own tickets; an owner may give up their own (owner None)."""
    releasing_own = owner is None and ticket.owner_id == actor.pk
    if not actor.has_perm(ASSIGN_PERMISSION) and not releasing_own:
        raise PermissionDenied(_(NOT_YOURS if owner is None else MAY_NOT_ASSIGN))
    if owner is not None and not owner_may_hold(user=owner):
        raise ValidationError(_(CANNOT_OWN) % {"user": _name(owner)})
    with transaction.atomic():
        current = (
            Ticket.objects.select_for_update(of=("self",)).select_related("owner").get(pk=ticket.pk)
        )
        if current.owner_id == (owner.pk if owner else None):
            return current
        Ticket.objects.filter(pk=ticket.pk).update(owner=owner, updated_at=timezone.now())
        audit_event(
            kind=Kind.ASSIGN,
            actor=actor,
            case_id=ticket.case_id,
            data={"from": owner_label(current.owner), "to": owner_label(owner)},
            origin=origin,
        )
    ticket_status_counts_forget()
    ticket.refresh_from_db(fields=["owner", "updated_at"])
    return ticket


def tickets_assign_many(
    *,
    actor: AbstractBaseUser,
    tickets: list[Ticket],
    owner: AbstractBaseUser | None,
    origin: Origin = NO_ORIGIN,
    data: dict | None = None,
) -> dict[int, AuditRecord]:
    """Give each of `tickets` (with their current `owner` loaded, locked by the caller's
    transaction) to `owner`, in one update, with one audit record per ticket; the records by
    ticket id. The caller has checked who may do this and left out tickets already `owner`'s."""
    if not tickets:
        return {}
    now = timezone.now()
    records = [
        AuditRecord(
            kind=Kind.ASSIGN,
            created_at=now,
            completed_at=now,
            case_id=ticket.case_id,
            outcome=RecordOutcome.SUCCEEDED,
            data={"from": owner_label(ticket.owner), "to": owner_label(owner), **(data or {})},
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            actor=actor,
            actor_username=actor.get_username(),
        )
        for ticket in tickets
    ]
    with transaction.atomic():
        Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).update(
            owner=owner, updated_at=now
        )
        AuditRecord.objects.bulk_create(records)
    ticket_status_counts_forget()
    return {ticket.pk: record for ticket, record in zip(tickets, records, strict=True)}
