"""Reads for visits: which of the tickets shown changed upstream since the viewer last opened
them (tickets never opened are not marked: a freshly synced list would be all marks)."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from ..models import Ticket
from .models import TicketVisit


def tickets_changed_since_visit(
    *, viewer: AbstractBaseUser, tickets: Sequence[Ticket]
) -> frozenset[int]:
    """The ids among `tickets` (one page: one indexed query) whose upstream change is newer
    than the viewer's last visit."""
    by_id = {ticket.pk: ticket for ticket in tickets}
    visits = TicketVisit.objects.filter(user_id=viewer.pk, ticket_id__in=by_id).values_list(
        "ticket_id", "viewed_at"
    )
    return frozenset(
        pk
        for pk, viewed_at in visits
        if (changed := by_id[pk].upstream_updated_at) is not None and changed > viewed_at
    )
