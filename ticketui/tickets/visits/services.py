"""Writes for visits: recording that a user opened a ticket."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ..models import Ticket
from .models import TicketVisit


def ticket_visit_record(*, viewer: AbstractBaseUser, ticket: Ticket) -> None:
    """The viewer has seen the ticket as it is now: the list stops marking it as changed."""
    TicketVisit.objects.bulk_create(
        [TicketVisit(user_id=viewer.pk, ticket_id=ticket.pk, viewed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["viewed_at"],
    )
