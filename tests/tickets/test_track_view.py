import pytest
from django.test import Client

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_tracking_a_ticket_with_htmx_redirects_to_its_page(support_client, sandbox):
    response = support_client.post(
        "/tickets/track", {"case_id": "工单-42"}, headers={"HX-Request": "true"}
    )

    ticket = Ticket.objects.get(case_id="工单-42")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/tickets/{ticket.pk}/"
    assert AuditRecord.objects.filter(kind=Kind.TRACK, case_id="工单-42").exists()


def test_tracking_without_htmx_redirects_too(support_client, sandbox):
    response = support_client.post("/tickets/track", {"case_id": "CS2026090100001"})

    assert response.status_code == 302
    assert Ticket.objects.filter(case_id="CS2026090100001").exists()


def test_an_unknown_case_id_is_explained_in_the_form(support_client, sandbox):
    response = support_client.post(
        "/tickets/track", {"case_id": "CS-NOPE"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "The upstream has no ticket with case id CS-NOPE." in response.text
    assert not Ticket.objects.exists()


def test_a_case_id_over_64_characters_is_refused_without_asking_the_upstream(
    support_client, sandbox
):
    response = support_client.post(
        "/tickets/track", {"case_id": "C" * 65}, headers={"HX-Request": "true"}
    )

    assert "Ensure this value has at most 64 characters" in response.text
    assert not sandbox.state.received


def test_an_unreachable_upstream_is_shown_plainly(support_client, settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    response = support_client.post(
        "/tickets/track", {"case_id": "CS1"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert (
        "The upstream could not be asked just now: Could not connect to the upstream"
        in response.text
    )


def test_an_outsider_cannot_track(outsider_client, sandbox):
    response = outsider_client.post("/tickets/track", {"case_id": "CS2026090100001"})

    assert response.status_code == 403
    assert not sandbox.state.received


def test_tracking_requires_a_csrf_token(support_user, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)

    response = client.post("/tickets/track", {"case_id": "CS2026090100001"})

    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_without_javascript_an_unknown_case_id_comes_back_on_the_full_list(
    support_client, sandbox, ticket
):
    response = support_client.post("/tickets/track", {"case_id": "CS-NO-SUCH-TICKET"})

    assert response.status_code == 400
    assert "CS-NO-SUCH-TICKET" in response.text
    assert f'href="/tickets/{ticket.pk}/"' in response.text  # the list is still there


def test_opening_the_track_address_leads_to_the_list_with_its_track_form(support_client):
    response = support_client.get("/tickets/track")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_method_an_address_does_not_answer_gets_a_page_that_says_so(support_client, ticket):
    response = support_client.get(f"/tickets/{ticket.pk}/operations")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address does not answer that kind of request" in response.text
