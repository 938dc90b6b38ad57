"""Writes for tracked tickets: tracking one by case id and refreshing it from the upstream.
Operating a ticket lives in operations/, its survey in surveys/."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import Kind
from ticketui.audit.services import NO_ORIGIN, Origin, audit_event
from ticketui.durability import commit_without_waiting_for_disk
from ticketui.osm.configured import get_client
from ticketui.osm.results import CaseNotFound, CaseSummary, RequestRefused, UpstreamError

from .ageing import upstream_changed_at
from .labels import case_labels, case_severity, ticket_tags_write
from .models import Ticket
from .ownership.selectors import CLAIM_PERMISSION
from .ownership.services import ticket_claim
from .selectors import ticket_status_counts_forget
from .validation import case_id_validate

logger = logging.getLogger(__name__)

NO_PERMISSION_TO_TRACK = "You do not have permission to track tickets."
TICKET_NOT_FOUND = gettext_noop("The upstream has no ticket with case id %(case_id)s.")


def _apply_summary(ticket: Ticket, case: CaseSummary) -> None:
    changed = (ticket.summary, ticket.status) != (case.summary, case.status)
    ticket.upstream_updated_at = upstream_changed_at(
        case, previous=ticket.upstream_updated_at, changed=changed
    )
    ticket.summary = case.summary
    ticket.status = case.status
    ticket.product_category = case.product_category[:200]
    ticket.business_type = case.business_type[:200]
    ticket.incident_type = case.incident_type[:200]
    ticket.customer_name = case.customer_name[:200]
    ticket.upstream_created_at = case.create_time
    ticket.upstream_data = case.raw
    ticket.severity = case_severity(case, ticket.severity)
    ticket.labels = case_labels(case)
    ticket.refreshed_at = timezone.now()
    ticket_status_counts_forget()


def ticket_track(*, actor: AbstractBaseUser, case_id: str, origin: Origin = NO_ORIGIN) -> Ticket:
    """Start tracking a ticket by case id: fetch its detail upstream and keep a local copy,
    owned by the actor (a ticket tracked already and nobody's is claimed by them).

    Raises ValidationError (bad or unknown case id) or UpstreamError (the upstream failed)."""
    if not actor.has_perm("tickets.track_ticket"):
        raise PermissionDenied(NO_PERMISSION_TO_TRACK)
    case_id = case_id_validate(case_id)
    try:
        detail = get_client().case_detail(case_id, context=profile_call_context(user=actor))
    except CaseNotFound:
        raise ValidationError({"case_id": [_(TICKET_NOT_FOUND) % {"case_id": case_id}]}) from None
    # Whoever tracks a ticket looks after it, until they give it up or a team lead reassigns it.
    ticket, created = Ticket.objects.get_or_create(
        case_id=case_id, defaults={"tracked_by": actor, "owner": actor}
    )
    _apply_summary(ticket, detail)
    ticket.save()
    ticket_tags_write(ticket=ticket)
    if created:
        audit_event(
            kind=Kind.TRACK,
            actor=actor,
            case_id=case_id,
            data={"owner": actor.get_username()},
            origin=origin,
        )
    elif ticket.owner_id is None and actor.has_perm(CLAIM_PERMISSION):
        # Tracked already (by a sync, say) but nobody's: whoever tracks it takes it.
        ticket = ticket_claim(actor=actor, ticket=ticket, origin=origin)
    return ticket


def ticket_refresh(
    *, ticket: Ticket, max_age: timedelta | None = None, actor: AbstractBaseUser | None = None
) -> Ticket:
    """Bring the ticket's fields up to date from the upstream. A failed refresh keeps the old
    copy (the page says when it was last refreshed) and is only logged."""
    if (
        max_age is not None
        and ticket.refreshed_at
        and timezone.now() - ticket.refreshed_at < max_age
    ):
        return ticket
    try:
        detail = get_client().case_detail(ticket.case_id, context=profile_call_context(user=actor))
    except (UpstreamError, RequestRefused) as exc:
        logger.warning("refresh of ticket %s failed: %s", ticket.pk, exc)
        return ticket
    _apply_summary(ticket, detail)
    with transaction.atomic():
        # A copy of the upstream's data: lost in a database crash, the next read fetches it again.
        commit_without_waiting_for_disk()
        ticket.save()
        ticket_tags_write(ticket=ticket)
    return ticket


def ticket_refresh_if_stale(*, ticket: Ticket, actor: AbstractBaseUser | None = None) -> Ticket:
    """A ticket whose detail was never read (a sync brought it: no severity yet) is read now."""
    max_age = (
        None if ticket.severity is None else timedelta(seconds=settings.TICKET_REFRESH_SECONDS)
    )
    return ticket_refresh(ticket=ticket, max_age=max_age, actor=actor)


def ticket_mark_stale(*, ticket: Ticket) -> None:
    """The next read refreshes the ticket (after an operation changed it upstream)."""
    with transaction.atomic():
        # Lost in a database crash, the copy goes stale by its age instead: no wait for the disk,
        # which the operation's own durable commit already paid for.
        commit_without_waiting_for_disk()
        ticket_stale_write(ticket=ticket)


def ticket_stale_write(*, ticket: Ticket) -> None:
    """ticket_mark_stale's write, in a transaction of the caller's (one that need not wait for
    the disk, as an operation's completion)."""
    Ticket.objects.filter(pk=ticket.pk).update(refreshed_at=None)
    ticket.refreshed_at = None
