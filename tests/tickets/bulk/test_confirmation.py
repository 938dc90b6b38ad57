"""Before a bulk run: how many of the chosen tickets the status machine allows, the offer to
leave the others out; after: the counts per run, links from the audit trail, the audited
export."""

import pytest

from tests.tickets.bulk.test_services import closable_tickets
from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.bulk.runner import bulk_run
from ticketui.tickets.bulk.services import bulk_create
from ticketui.tickets.models import BulkOperation, Ticket

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def mixed(sandbox):
    """Three tickets awaiting confirmation (closable) and two already closed."""
    closable = closable_tickets(sandbox, 3)
    done = [Ticket.objects.create(case_id=f"DONE{n}", status=3) for n in range(2)]
    return closable, done


def test_the_confirmation_says_how_many_cannot_be_closed_in_their_status(support_client, mixed):
    closable, done = mixed
    chosen = [t.pk for t in closable + done]

    page = support_client.post("/bulk/confirm", {"action_id": "close", "ticket": chosen}).text

    assert "5 tickets are chosen." in page
    assert "2 of these cannot be closed in their current status." in page
    assert "Leave them out: send only the 3 tickets that allow it" in page
    assert 'action="/bulk/new"' in page  # without JavaScript, the page itself goes on
    assert not BulkOperation.objects.exists()  # nothing starts before the confirmation


def test_the_dialog_gets_the_same_words_as_a_fragment(support_client, mixed):
    closable, done = mixed
    chosen = [t.pk for t in closable + done]

    fragment = support_client.post(
        "/bulk/confirm", {"action_id": "press", "ticket": chosen}, headers=HTMX
    ).text

    assert "<html" not in fragment
    assert "5 of these cannot be urged in their current status." in fragment
    assert "None of them allows it" in fragment
    assert 'name="leave_out"' not in fragment
    assert "send only the 0 tickets" not in fragment


def test_a_selection_the_status_machine_allows_entirely_says_so(support_client, mixed):
    closable, _done = mixed

    page = support_client.post(
        "/bulk/confirm", {"action_id": "close", "ticket": [t.pk for t in closable]}
    ).text

    assert "Every one of them allows this operation in its current status." in page
    assert 'name="leave_out"' not in page


def test_the_confirmed_form_carries_the_choice_and_leaving_out_sends_only_the_allowed(
    support_client, mixed
):
    closable, done = mixed
    form = {"action_id": "close", "operate_desc": "Done", "ticket": [t.pk for t in closable + done]}
    page = support_client.post("/bulk/confirm", form).text
    for ticket in closable + done:
        assert f'name="ticket" value="{ticket.pk}"' in page

    response = support_client.post("/bulk/new", {**form, "leave_out": "on"})

    bulk = BulkOperation.objects.get()
    assert response["Location"] == f"/bulk/{bulk.pk}/"
    assert sorted(bulk.items.values_list("case_id", flat=True)) == sorted(
        t.case_id for t in closable
    )
    assert bulk.total == 3


def test_without_leaving_out_every_chosen_ticket_is_sent(support_client, mixed):
    closable, done = mixed
    support_client.post(
        "/bulk/new", {"action_id": "close", "ticket": [t.pk for t in closable + done]}
    )

    assert BulkOperation.objects.get().total == 5


def test_leaving_out_every_ticket_is_refused_in_words(support_client, mixed):
    _closable, done = mixed

    response = support_client.post(
        "/bulk/new",
        {"action_id": "close", "ticket": [t.pk for t in done], "leave_out": "on"},
        headers=HTMX,
    )

    assert (
        "None of the chosen tickets allows this operation in its current status." in response.text
    )
    assert not BulkOperation.objects.exists()


def test_the_bulk_list_counts_succeeded_and_failed_per_run(support_client, sandbox, support_user):
    _first, second = closable_tickets(sandbox, 2)
    sandbox.state.tickets[second.case_id]["status"] = 3  # the upstream refuses this one
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)

    page = support_client.get("/bulk/").text

    row = page.split(f'href="/bulk/{bulk.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="bulk-succeeded">1</td>' in row
    assert '<strong class="bulk-failed-count">1</strong>' in row


def test_audit_records_link_to_their_ticket_and_their_bulk_run(lead_client, sandbox, support_user):
    first, _second = closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)
    record = AuditRecord.objects.get(kind=Kind.OPERATION, case_id=first.case_id)

    listed = lead_client.get("/audit/").text
    detail = lead_client.get(f"/audit/{record.pk}/").text

    for page in (listed, detail):
        assert f'href="/tickets/{first.pk}/">{first.case_id}</a>' in page
        assert f'href="/bulk/{bulk.pk}/">Bulk operation #{bulk.pk}</a>' in page


def test_a_record_of_an_untracked_ticket_shows_its_case_id_without_a_link(lead_client, sandbox):
    ticket = closable_tickets(sandbox, 1)[0]
    lead_client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "press"})
    case_id = ticket.case_id
    ticket.delete()

    page = lead_client.get("/audit/").text

    assert case_id in page
    assert f">{case_id}</a>" not in page


def test_the_bulk_export_is_audited_like_the_others(support_client, sandbox, support_user):
    closable_tickets(sandbox, 1)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)

    response = support_client.get(f"/bulk/{bulk.pk}/export.csv")
    b"".join(response.streaming_content)

    record = AuditRecord.objects.filter(kind=Kind.EXPORT).get()
    assert record.actor == support_user
    assert record.data == {"export": "bulk results", "filter": {"bulk": bulk.pk}}
