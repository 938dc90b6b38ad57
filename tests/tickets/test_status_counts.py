"""The status chips' counts are kept by triggers in the same transaction as each change (no count
of the tickets table per request), and stay equal to a count of the table after every kind of
write: tracking, refreshing, syncing, deleting, bulk writes and folding the change rows."""

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from ticketui.tickets import selectors
from ticketui.tickets.models import Ticket
from ticketui.tickets.selectors import (
    STATUS_COUNTS_FOLD_AFTER,
    STATUS_COUNTS_TABLE,
    ticket_status_counts,
    ticket_status_counts_fold,
)
from ticketui.tickets.services import ticket_refresh, ticket_track
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = pytest.mark.django_db


def counted() -> dict:
    """What a GROUP BY over the tickets table says, the way the chips show it."""
    return dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("id")))


def chips() -> dict:
    return {code: n for code, _label, n in ticket_status_counts()}


def change_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {STATUS_COUNTS_TABLE}")
        return cursor.fetchone()[0]


def test_reading_the_counts_does_not_read_the_tickets_table():
    Ticket.objects.bulk_create(Ticket(case_id=f"CS{n}", status=n % 3 + 1) for n in range(30))

    with CaptureQueriesContext(connection) as queries:
        counts = chips()

    assert counts == {1: 10, 2: 10, 3: 10}
    assert not [q for q in queries.captured_queries if "tickets_ticket" in q["sql"]]


def test_tracking_and_refreshing_a_ticket_keep_the_counts(sandbox, support_user):
    ticket = ticket_track(actor=support_user, case_id="工单-42")
    assert chips() == counted() == {1: 1}

    sandbox.state.tickets["工单-42"]["status"] = 3
    ticket_refresh(ticket=ticket, actor=support_user)

    assert Ticket.objects.get(case_id="工单-42").status == 3
    assert chips() == counted() == {3: 1}


def test_a_sync_keeps_the_counts_when_it_creates_and_when_it_updates(sandbox):
    tickets_sync_now(full=True)
    assert chips() == counted()
    assert sum(chips().values()) == 14

    sandbox.state.tickets["CS2026090100003"]["status"] = 3
    tickets_sync_now(full=True)

    assert chips() == counted()
    assert Ticket.objects.get(case_id="CS2026090100003").status == 3


def test_deleting_tickets_and_bulk_updates_keep_the_counts():
    Ticket.objects.bulk_create(Ticket(case_id=f"CS{n}", status=n % 4 or None) for n in range(40))
    assert chips() == counted()

    Ticket.objects.filter(status=2).update(status=5)
    Ticket.objects.filter(status=None).update(status=99)  # a status without a name
    Ticket.objects.filter(case_id__in=["CS1", "CS3", "CS5"]).delete()
    Ticket.objects.get(case_id="CS7").delete()

    assert chips() == counted()
    assert 2 not in chips()
    assert chips()[99] == 10


def test_a_write_rolled_back_leaves_the_counts_as_they_were():
    Ticket.objects.create(case_id="CS1", status=1)

    def failing_write() -> None:
        with transaction.atomic():
            Ticket.objects.create(case_id="CS2", status=1)
            Ticket.objects.filter(case_id="CS1").update(status=3)
            raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError):
        failing_write()

    assert chips() == counted() == {1: 1}


def test_the_change_rows_are_folded_into_one_per_status_keeping_the_counts():
    for n in range(STATUS_COUNTS_FOLD_AFTER + 10):
        Ticket.objects.create(case_id=f"CS{n}", status=n % 2 + 1)
    Ticket.objects.filter(case_id="CS0").update(status=3)
    assert change_rows() > STATUS_COUNTS_FOLD_AFTER

    before = chips()  # folds, past the threshold

    assert change_rows() == 3
    assert chips() == before == counted()
    ticket_status_counts_fold()
    assert chips() == counted()


def test_statuses_whose_tickets_are_all_gone_are_not_shown():
    Ticket.objects.create(case_id="CS1", status=1)
    Ticket.objects.create(case_id="CS2", status=3)
    Ticket.objects.filter(status=3).delete()
    ticket_status_counts_fold()

    assert ticket_status_counts() == [(1, "Processing", 1)]


def test_counts_that_cannot_be_folded_just_now_are_still_shown(monkeypatch):
    def locked() -> None:
        raise OperationalError("database is locked")

    for n in range(STATUS_COUNTS_FOLD_AFTER + 1):
        Ticket.objects.create(case_id=f"CS{n}", status=1)
    monkeypatch.setattr(selectors, "ticket_status_counts_fold", locked)

    assert chips() == counted() == {1: STATUS_COUNTS_FOLD_AFTER + 1}
