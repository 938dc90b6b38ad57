"""The bulk pages: selecting on the list, starting a bulk, its progress, cancel and export."""

import pytest
from django.test import Client

from tests.tickets.bulk.test_services import closable_tickets
from ticketui.tickets.bulk.runner import bulk_run
from ticketui.tickets.bulk.services import BULK_EMPTY, bulk_create
from ticketui.tickets.models import BulkItem, BulkOperation, BulkState, Ticket

pytestmark = pytest.mark.django_db


def test_the_list_offers_selection_to_those_who_may_operate(support_client, ticket):
    page = support_client.get("/").text
    assert f'name="ticket" value="{ticket.pk}"' in page
    assert "Select all tickets on this page" in page
    assert "Select the 1 ticket matching this filter" in page
    assert 'name="request_key"' in page


def test_the_list_offers_no_selection_to_outsiders(outsider_client, ticket):
    page = outsider_client.get("/").text
    assert 'name="ticket"' not in page
    assert "bulk-form" not in page


def test_chosen_tickets_become_a_queued_bulk(support_client, sandbox, support_user):
    tickets = closable_tickets(sandbox, 3)
    response = support_client.post(
        "/bulk/new",
        {"action_id": "close", "operate_desc": "Done", "ticket": [tickets[0].pk, tickets[2].pk]},
    )
    bulk = BulkOperation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bulk/{bulk.pk}/"
    assert bulk.actor == support_user
    assert bulk.state == BulkState.QUEUED
    assert sorted(bulk.items.values_list("case_id", flat=True)) == sorted(
        [tickets[0].case_id, tickets[2].case_id]
    )


def test_all_matching_takes_the_whole_filter_not_just_the_posted_boxes(support_client, sandbox):
    closable_tickets(sandbox, 30)
    Ticket.objects.create(case_id="OTHER1", status=3)
    response = support_client.post(
        "/bulk/new",
        {"action_id": "close", "scope": "filter", "status": "2", "q": "", "ticket": []},
        headers={"HX-Request": "true"},
    )
    bulk = BulkOperation.objects.get()
    assert response["HX-Redirect"] == f"/bulk/{bulk.pk}/"
    assert bulk.total == 30
    assert not bulk.items.filter(case_id="OTHER1").exists()
    assert bulk.selection == {"scope": "filter", "q": "", "status": 2}


def test_nothing_selected_is_said_in_place(support_client):
    response = support_client.post(
        "/bulk/new", {"action_id": "close"}, headers={"HX-Request": "true"}
    )
    assert BULK_EMPTY in response.text
    assert 'role="alert"' in response.text
    assert not BulkOperation.objects.exists()


def test_a_too_long_description_is_refused(support_client, ticket):
    response = support_client.post(
        "/bulk/new",
        {"action_id": "close", "operate_desc": "x" * 401, "ticket": [ticket.pk]},
        headers={"HX-Request": "true"},
    )
    assert "at most 400 characters" in response.text
    assert not BulkOperation.objects.exists()


def test_outsiders_may_not_start_one(outsider_client, ticket):
    response = outsider_client.post("/bulk/new", {"action_id": "close", "ticket": [ticket.pk]})
    assert response.status_code == 403
    assert not BulkOperation.objects.exists()


def test_starting_one_requires_a_csrf_token(support_user, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)
    response = client.post("/bulk/new", {"action_id": "close", "ticket": [ticket.pk]})
    assert response.status_code == 403
    assert not BulkOperation.objects.exists()


def test_the_progress_page_polls_while_running_and_stops_when_done(
    support_client, sandbox, support_user
):
    closable_tickets(sandbox, 4)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")

    queued = support_client.get(f"/bulk/{bulk.pk}/")
    bulk_run(bulk_id=bulk.pk)
    done = support_client.get(f"/bulk/{bulk.pk}/", headers={"HX-Request": "true"})

    assert "0 of 4" in queued.text
    assert 'hx-trigger="every 1s"' in queued.text
    assert "Cancel the rest" in queued.text
    assert "4 of 4" in done.text
    assert 'value="4"' in done.text
    assert "every 1s" not in done.text
    assert "Cancel the rest" not in done.text
    assert done.text.count("/audit/") == 4
    assert "<html" not in done.text  # the fragment alone


def test_the_starter_cancels_from_the_progress_page(support_client, sandbox, support_user):
    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    response = support_client.post(f"/bulk/{bulk.pk}/cancel", headers={"HX-Request": "true"})
    bulk.refresh_from_db()
    assert bulk.state == BulkState.CANCELLED
    assert "Skipped" in response.text


def test_another_agent_can_neither_see_nor_cancel_it(client, sandbox, support_user):
    from django.contrib.auth.models import Group, User

    closable_tickets(sandbox, 1)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    other = User.objects.create_user("sue")
    other.groups.add(Group.objects.get(name="Support"))
    client.force_login(other)
    assert client.get(f"/bulk/{bulk.pk}/").status_code == 404
    assert client.post(f"/bulk/{bulk.pk}/cancel").status_code == 404
    assert client.get(f"/bulk/{bulk.pk}/export.csv").status_code == 404
    bulk.refresh_from_db()
    assert bulk.state == BulkState.QUEUED


def test_team_leads_see_everyones_bulks(lead_client, sandbox, support_user):
    closable_tickets(sandbox, 1)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    assert lead_client.get(f"/bulk/{bulk.pk}/").status_code == 200
    assert f'href="/bulk/{bulk.pk}/"' in lead_client.get("/bulk/").text


def test_the_export_is_spreadsheet_safe(support_client, sandbox, support_user):
    closable_tickets(sandbox, 2, prefix="=HYPERLINK")
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)
    response = support_client.get(f"/bulk/{bulk.pk}/export.csv")
    text = b"".join(response.streaming_content).decode()
    # A byte order mark first, as every export has, so that spreadsheets read UTF-8.
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("position,case_id,action,outcome")
    assert len(lines) == 3
    assert "'=HYPERLINK0000" in text
    assert ",=HYPERLINK" not in text
    assert BulkItem.objects.filter(outcome="succeeded").count() == 2


def test_a_refused_ticket_says_why_in_plain_words(support_client, sandbox, support_user):
    _first, second = closable_tickets(sandbox, 2)
    sandbox.state.tickets[second.case_id]["status"] = 3
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)

    page = support_client.get(f"/bulk/{bulk.pk}/").text

    assert "OSM.01010014" in page
    assert "usually because the ticket&#x27;s status does not allow it" in page
    assert "1 succeeded, 1 with a problem, 0 skipped" in page


def test_a_stalled_bulk_offers_to_resume_and_resuming_queues_it_again(
    support_client, sandbox, support_user
):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    long_ago = timezone.now() - timedelta(minutes=10)
    BulkOperation.objects.filter(pk=bulk.pk).update(state=BulkState.RUNNING, started_at=long_ago)
    queued_before = DBTaskResult.objects.count()

    page = support_client.get(f"/bulk/{bulk.pk}/").text
    response = support_client.post(f"/bulk/{bulk.pk}/resume")

    assert "the worker may have stopped" in page
    assert response.status_code == 302
    assert DBTaskResult.objects.count() == queued_before + 1


def test_a_moving_bulk_offers_no_resume(support_client, sandbox, support_user):
    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    from django.utils import timezone

    BulkOperation.objects.filter(pk=bulk.pk).update(
        state=BulkState.RUNNING, started_at=timezone.now()
    )
    assert "the worker may have stopped" not in support_client.get(f"/bulk/{bulk.pk}/").text


@pytest.mark.parametrize(
    "ids", [["99999999999999999999999"], ["9223372036854775808"], ["²"], ["0"], ["-3"]]
)
def test_ids_that_no_ticket_can_have_choose_nothing(support_client, ticket, ids):
    """Past 64 bits, not ASCII digits, zero or negative: no ticket has that id."""
    response = support_client.post(
        "/bulk/new", {"action_id": "close", "ticket": ids}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert BULK_EMPTY in response.text
    assert not BulkOperation.objects.exists()


def test_a_filter_status_past_the_database_column_is_a_clear_refusal(support_client, ticket):
    response = support_client.post(
        "/bulk/new",
        {"action_id": "close", "scope": "filter", "status": "99999999999999999999999"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "less than or equal to 2147483647" in response.text
    assert not BulkOperation.objects.exists()
