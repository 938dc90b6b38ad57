"""When a ticket last changed upstream, as syncs and refreshes record it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ticketui.osm.results import CaseSummary
from ticketui.tickets.models import Ticket
from ticketui.tickets.services import ticket_refresh
from ticketui.tickets.sync.runner import tickets_upsert
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 9, 1, 8, tzinfo=UTC)


def test_a_sync_dates_a_change_the_list_shows_and_keeps_the_owner(sandbox, support_user):
    tickets_sync_now(full=True)
    first = Ticket.objects.get(case_id="CS2026090100003").upstream_updated_at
    Ticket.objects.filter(case_id="CS2026090100003").update(owner=support_user)
    # The list call carries no update_time (as documented): the change is dated when seen.
    sandbox.state.tickets["CS2026090100003"].update(status=3)

    tickets_sync_now(full=True)

    ticket = Ticket.objects.get(case_id="CS2026090100003")
    assert first is not None
    assert ticket.upstream_updated_at > first
    assert timezone.now() - ticket.upstream_updated_at < timedelta(minutes=1)
    assert ticket.owner == support_user  # a sync never touches who looks after a ticket


def test_a_sync_takes_an_update_time_when_the_list_sends_one():
    stamp = datetime(2026, 11, 30, 10, tzinfo=UTC)
    case = CaseSummary(case_id="A1", summary="x", status=1, create_time=CREATED, update_time=stamp)

    tickets_upsert(cases=[case])

    assert Ticket.objects.get().upstream_updated_at == stamp


def test_synced_tickets_are_nobodys_until_claimed(sandbox):
    tickets_sync_now(full=True)

    assert not Ticket.objects.exclude(owner=None).exists()


def test_without_an_update_time_a_change_is_dated_when_it_is_first_seen():
    tickets_upsert(cases=[CaseSummary(case_id="A1", summary="x", status=1, create_time=CREATED)])
    first = Ticket.objects.get().upstream_updated_at
    tickets_upsert(cases=[CaseSummary(case_id="A1", summary="x", status=1, create_time=CREATED)])
    unchanged = Ticket.objects.get().upstream_updated_at
    tickets_upsert(cases=[CaseSummary(case_id="A1", summary="x", status=2, create_time=CREATED)])
    changed = Ticket.objects.get().upstream_updated_at

    assert first == unchanged == CREATED
    assert timezone.now() - changed < timedelta(minutes=1)


def test_a_refresh_takes_the_update_time_of_the_detail(sandbox, ticket):
    sandbox.state.tickets[ticket.case_id]["update_time"] = "2026-11-29T09:30:00Z"

    ticket_refresh(ticket=ticket)

    assert Ticket.objects.get(pk=ticket.pk).upstream_updated_at == datetime(
        2026, 11, 29, 9, 30, tzinfo=UTC
    )


def test_a_ticket_awaiting_the_team_past_the_threshold_says_since_when(settings):
    settings.TICKET_WAITING_THRESHOLD_HOURS = 24
    long_ago = timezone.now() - timedelta(hours=30)
    recently = timezone.now() - timedelta(hours=2)

    assert Ticket(status=2, upstream_updated_at=long_ago).waiting_since == long_ago
    assert Ticket(status=17, upstream_updated_at=long_ago).waiting_since == long_ago
    assert Ticket(status=17, upstream_updated_at=recently).waiting_since is None
    assert Ticket(status=1, upstream_updated_at=long_ago).waiting_since is None  # engineer's turn
    assert Ticket(status=2, upstream_updated_at=None).waiting_since is None
