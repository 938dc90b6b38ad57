"""A ticket's severity and labels: copied from the upstream, shown on its page and in the list,
and the list filtered by them."""

import pytest

from ticketui.tickets.models import Ticket, TicketTag
from ticketui.tickets.services import ticket_refresh, ticket_track
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = pytest.mark.django_db


def upstream(sandbox, case_id: str) -> dict:
    return sandbox.state.tickets[case_id]


def labelled_case(sandbox) -> str:
    return next(case_id for case_id, t in sorted(sandbox.state.tickets.items()) if t["label_list"])


def test_tracking_copies_the_upstreams_severity_and_labels(sandbox, support_user):
    case_id = labelled_case(sandbox)

    ticket = ticket_track(actor=support_user, case_id=case_id)

    held = upstream(sandbox, case_id)
    assert ticket.severity == held["severity_name"]
    assert [label["name"] for label in ticket.labels] == [
        label["name"] for label in held["label_list"]
    ]


def test_a_sync_brings_labels_and_keeps_the_severity_it_cannot_see(sandbox, support_user):
    case_id = labelled_case(sandbox)
    ticket = ticket_track(actor=support_user, case_id=case_id)
    upstream(sandbox, case_id)["label_list"] = [{"label_id": 9, "name": "Escalated", "color": ""}]

    tickets_sync_now()

    ticket.refresh_from_db()
    assert ticket.severity == upstream(sandbox, case_id)["severity_name"]
    assert [label["name"] for label in ticket.labels] == ["Escalated"]
    assert set(
        TicketTag.objects.filter(ticket=ticket, kind="label").values_list("name", flat=True)
    ) == {"Escalated"}


def test_the_page_and_the_list_show_severity_and_labels(support_client, sandbox, support_user):
    case_id = labelled_case(sandbox)
    ticket = ticket_track(actor=support_user, case_id=case_id)
    held = upstream(sandbox, case_id)

    page = support_client.get(ticket.get_absolute_url())
    listing = support_client.get("/")

    for response in (page, listing):
        assert held["severity_name"] in response.text
        assert f'<span class="label-chip">{held["label_list"][0]["name"]}</span>' in response.text
    assert ">Severity</th>" in listing.text
    assert ">Labels</th>" in listing.text


def test_the_list_is_filtered_by_severity_and_by_label(support_client, sandbox, support_user):
    tickets_sync_now()
    for ticket in Ticket.objects.all():
        ticket_refresh(ticket=ticket)
    case_id = labelled_case(sandbox)
    label = upstream(sandbox, case_id)["label_list"][0]["name"]
    severity = upstream(sandbox, case_id)["severity_name"]

    by_label = support_client.get("/", {"label": label}).context["page"].object_list
    by_severity = support_client.get("/", {"severity": severity}).context["page"].object_list
    offered = support_client.get("/")

    assert case_id in {t.case_id for t in by_label}
    assert all(label in [x["name"] for x in t.labels] for t in by_label)
    assert case_id in {t.case_id for t in by_severity}
    assert {t.severity for t in by_severity} == {severity}
    assert f'<option value="{label}"' in offered.text
    assert f'<option value="{severity}"' in offered.text


def test_a_synced_ticket_reads_its_severity_when_first_opened(support_client, sandbox):
    tickets_sync_now()
    ticket = Ticket.objects.get(case_id=labelled_case(sandbox))
    assert ticket.severity is None  # the list call has none

    response = support_client.get(f"/tickets/{ticket.pk}/summary", headers={"HX-Request": "true"})

    ticket.refresh_from_db()
    assert ticket.severity == upstream(sandbox, ticket.case_id)["severity_name"]
    assert ticket.severity in response.text
