"""Bulk assignment: many tickets given an owner at once, locally, each change audited."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.bulk.services import bulk_assign
from ticketui.tickets.models import BulkItem, BulkOperation, BulkState, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(support_user, team_lead):
    return [
        Ticket.objects.create(case_id="A1", status=1),
        Ticket.objects.create(case_id="A2", status=1, owner=team_lead),
        Ticket.objects.create(case_id="A3", status=1, owner=support_user),
    ]


def test_a_team_lead_gives_many_tickets_at_once_each_change_its_own_record(
    sandbox, team_lead, support_user, tickets
):
    bulk = bulk_assign(
        actor=team_lead,
        tickets=Ticket.objects.all(),
        assignee=support_user,
        operate_desc="Tess is on leave",
    )

    assert bulk.state == BulkState.DONE
    assert bulk.total == 3
    assert set(Ticket.objects.values_list("owner", flat=True)) == {support_user.pk}
    records = AuditRecord.objects.filter(kind=Kind.ASSIGN).order_by("case_id")
    assert [(r.case_id, r.data["from"], r.data["to"]) for r in records] == [
        ("A1", None, "sam"),
        ("A2", "tess", "sam"),
    ]
    assert all(r.data == {**r.data, "bulk": bulk.pk, "note": "Tess is on leave"} for r in records)
    outcomes = dict(BulkItem.objects.values_list("case_id", "outcome"))
    assert outcomes == {"A1": "succeeded", "A2": "succeeded", "A3": "skipped"}
    assert not sandbox.state.received  # nothing went to the upstream


def test_an_agent_takes_only_the_unassigned_tickets_for_themselves(support_user, tickets):
    bulk_assign(actor=support_user, tickets=Ticket.objects.all(), assignee=support_user)

    owners = dict(Ticket.objects.values_list("case_id", "owner__username"))
    assert owners == {"A1": "sam", "A2": "tess", "A3": "sam"}
    skipped = BulkItem.objects.get(case_id="A2")
    assert skipped.outcome == "skipped"
    assert skipped.detail == "Someone else already looks after it."


def test_an_agent_may_not_give_tickets_to_someone_else(support_user, team_lead, tickets):
    with pytest.raises(PermissionDenied):
        bulk_assign(actor=support_user, tickets=Ticket.objects.all(), assignee=team_lead)
    with pytest.raises(PermissionDenied):
        bulk_assign(actor=support_user, tickets=Ticket.objects.all(), assignee=None)

    assert not BulkOperation.objects.exists()


def test_the_same_form_sent_twice_assigns_once(team_lead, support_user, tickets):
    key = uuid.uuid4()
    first = bulk_assign(
        actor=team_lead, tickets=Ticket.objects.all(), assignee=support_user, request_key=key
    )
    again = bulk_assign(
        actor=team_lead, tickets=Ticket.objects.all(), assignee=None, request_key=key
    )

    assert again.pk == first.pk
    assert AuditRecord.objects.filter(kind=Kind.ASSIGN).count() == 2


def test_the_bulk_bar_assigns_the_whole_filter_given_as_the_lists_query(
    lead_client, support_user, tickets
):
    response = lead_client.post(
        "/bulk/new",
        {
            "action_id": "assign",
            "assignee": support_user.pk,
            "scope": "filter",
            "filters": "owner=none&sort=oldest",
        },
    )

    bulk = BulkOperation.objects.get()
    assert response["Location"] == f"/bulk/{bulk.pk}/"
    assert list(bulk.items.values_list("case_id", flat=True)) == ["A1"]
    page = lead_client.get(f"/bulk/{bulk.pk}/")
    assert "Given to Sam" in page.text
    assert "1 succeeded, 0 with a problem, 0 skipped" in page.text


def test_the_bulk_bar_offers_giving_to_an_owner(lead_client, support_user, tickets):
    agent = Client()
    agent.force_login(support_user)
    lead_page = lead_client.get("/")
    agent_page = agent.get("/")

    assert '<option value="assign">Give to an owner</option>' in lead_page.text
    assert "Nobody (unassigned)" in lead_page.text
    assert "Me (unassigned tickets only)" in agent_page.text
    assert "Nobody (unassigned)" not in agent_page.text


def test_an_agent_posting_an_assignment_to_someone_else_is_refused(
    support_client, team_lead, tickets
):
    response = support_client.post(
        "/bulk/new", {"action_id": "assign", "assignee": team_lead.pk, "ticket": [tickets[0].pk]}
    )

    assert response.status_code == 403
    assert Ticket.objects.get(case_id="A1").owner is None
