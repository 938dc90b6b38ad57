"""New engineer replies are noticed: the worker's poll keeps each ticket's unread count, the
list marks those tickets and filters them, the top bar counts them, and reading the ticket's
conversation marks them read upstream and here."""

import pytest
from django_tasks_db.models import DBTaskResult

from ticketui.osm.catalogue import TicketStatus
from ticketui.sandbox import conversation
from ticketui.sandbox.faults import Fault
from ticketui.tickets.conversation.runner import unread_poll
from ticketui.tickets.conversation.tasks import unread_poll_schedule, unread_poll_task
from ticketui.tickets.models import Ticket
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def synced(sandbox):
    tickets_sync_now()
    return sandbox


def upstream_unread(sandbox) -> dict[str, int]:
    """The upstream's unread counts of the tickets the poll asks about (all but deleted ones)."""
    asked = Ticket.objects.exclude(status=TicketStatus.DELETED).values_list("case_id", flat=True)
    return {case_id: conversation.unread(sandbox.state, case_id) for case_id in asked}


def test_the_poll_keeps_each_tickets_unread_engineer_messages(synced):
    report = unread_poll()

    held = upstream_unread(synced)
    assert any(held.values())
    assert report.asked == len(held)
    kept = Ticket.objects.exclude(status=TicketStatus.DELETED).values_list(
        "case_id", "unread_messages"
    )
    assert dict(kept) == held


def test_the_list_marks_and_filters_tickets_with_unread_messages_and_the_top_bar_counts_them(
    support_client, synced
):
    unread_poll()
    unread = {case_id for case_id, n in upstream_unread(synced).items() if n}

    listing = support_client.get("/")
    filtered = support_client.get("/", {"unread": "1"}).context["page"].object_list

    assert listing.text.count('class="badge badge-unread"') == len(unread)
    assert f"Unread {len(unread)}</a>" in listing.text
    assert {t.case_id for t in filtered} == unread


def test_reading_the_conversation_marks_it_read_upstream_and_here(support_client, synced):
    unread_poll()
    ticket = Ticket.objects.filter(unread_messages__gt=0).first()
    before = Ticket.objects.filter(unread_messages__gt=0).count()

    support_client.get(f"/tickets/{ticket.pk}/conversation/", headers=HTMX)

    ticket.refresh_from_db()
    assert ticket.unread_messages == 0
    assert conversation.unread(synced.state, ticket.case_id) == 0
    assert f"Unread {before - 1}</a>" in support_client.get("/").text or before == 1


def test_a_mark_read_the_upstream_refuses_leaves_the_mark_for_next_time(support_client, synced):
    unread_poll()
    ticket = Ticket.objects.filter(unread_messages__gt=0).first()
    synced.faults.add(Fault(kind="status", status=503, path_contains="/unread", times=0))

    response = support_client.get(f"/tickets/{ticket.pk}/conversation/", headers=HTMX)

    ticket.refresh_from_db()
    assert response.status_code == 200
    assert ticket.unread_messages > 0


def test_an_engineers_new_answer_is_noticed_by_the_next_poll(synced):
    unread_poll()
    ticket = Ticket.objects.filter(unread_messages=0).first()
    with synced.state.lock:
        conversation.add_message(synced.state, ticket.case_id, content="Fixed.", engineer=True)

    report = unread_poll()

    ticket.refresh_from_db()
    assert ticket.unread_messages == 1
    assert report.changed == 1


def test_a_poll_the_upstream_does_not_answer_keeps_the_counts(synced):
    unread_poll()
    counts = dict(Ticket.objects.values_list("case_id", "unread_messages"))
    synced.faults.add(Fault(kind="status", status=503, path_contains="/unread", times=0))

    report = unread_poll()

    assert report.failed_batches == 1
    assert dict(Ticket.objects.values_list("case_id", "unread_messages")) == counts


def queued_polls() -> int:
    return DBTaskResult.objects.filter(
        task_path=unread_poll_task.module_path, status="READY"
    ).count()


def test_the_worker_queues_one_poll_and_each_poll_queues_the_next(synced):
    assert unread_poll_schedule() is True
    assert unread_poll_schedule() is False  # a second worker starting: still one run
    DBTaskResult.objects.all().delete()

    unread_poll_task.call()

    assert queued_polls() == 1
    assert Ticket.objects.filter(unread_messages__gt=0).exists()


def test_a_poll_interval_of_zero_turns_the_poll_off(settings, db):
    settings.CONVERSATION_POLL_SECONDS = 0

    assert unread_poll_schedule() is False
    assert queued_polls() == 0
