"""The ticket page's owner panel: claim, give up, reassign (team leads), in place."""

import pytest

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_ticket_page_offers_an_unassigned_ticket_to_claim(support_client, sandbox, ticket):
    response = support_client.get(f"/tickets/{ticket.pk}/")

    assert "Nobody yet: unassigned" in response.text
    assert f'action="/tickets/{ticket.pk}/claim"' in response.text
    assert "Reassign" not in response.text  # agents do not give tickets away


def test_claiming_in_place_shows_the_new_owner_and_tells_the_timeline(
    support_client, support_user, ticket
):
    response = support_client.post(f"/tickets/{ticket.pk}/claim", headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="owner-panel"')
    assert "Sam" in response.text
    assert "(you)" in response.text
    assert "ticket-owner-changed" in response["HX-Trigger"]
    assert Ticket.objects.get(pk=ticket.pk).owner == support_user


def test_claiming_a_taken_ticket_says_who_has_it_in_place(support_client, team_lead, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(owner=team_lead)

    response = support_client.post(f"/tickets/{ticket.pk}/claim", headers=HTMX)

    assert response.status_code == 200
    assert "Tess already looks after this ticket." in response.text
    assert "HX-Trigger" not in response


def test_without_javascript_a_claim_returns_to_the_ticket_page(support_client, ticket):
    response = support_client.post(f"/tickets/{ticket.pk}/claim")

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"


def test_outsiders_may_not_claim(outsider_client, ticket):
    assert outsider_client.post(f"/tickets/{ticket.pk}/claim").status_code == 403


def test_a_team_lead_reassigns_from_the_ticket_page(lead_client, sandbox, support_user, ticket):
    page = lead_client.get(f"/tickets/{ticket.pk}/")
    assert "Reassign" in page.text

    response = lead_client.post(
        f"/tickets/{ticket.pk}/owner", {"owner": support_user.pk}, headers=HTMX
    )

    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).owner == support_user
    assert AuditRecord.objects.get(kind=Kind.ASSIGN).data == {"from": None, "to": "sam"}


def test_an_agent_posting_a_reassignment_is_refused(support_client, team_lead, ticket):
    response = support_client.post(f"/tickets/{ticket.pk}/owner", {"owner": team_lead.pk})

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).owner is None


def test_an_unknown_owner_is_a_message_not_a_crash(lead_client, ticket):
    response = lead_client.post(f"/tickets/{ticket.pk}/owner", {"owner": "99999"}, headers=HTMX)

    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_the_timeline_shows_the_change_of_owner(lead_client, support_user, ticket):
    lead_client.post(f"/tickets/{ticket.pk}/owner", {"owner": support_user.pk}, headers=HTMX)

    response = lead_client.get(f"/tickets/{ticket.pk}/timeline", headers=HTMX)

    assert "Owner changed" in response.text
    assert "From nobody to sam" in response.text
