import json
import re

import pytest
from django.test import Client

from ticketui.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_closing_a_ticket_shows_the_outcome_in_place(support_client, sandbox, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "operate_desc": "Confirmed"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="operation-panel"')
    assert "Done. The upstream accepted the operation." in response.text
    # After the new panel settled: the header's ticket-refreshed must reach the new form.
    assert "ticket-changed" in json.loads(response["HX-Trigger-After-Settle"])
    record = AuditRecord.objects.get(kind="operation")
    assert record.request_body == {"operate_desc": "Confirmed"}


def test_after_an_operation_in_place_the_ticket_header_shows_the_upstreams_new_status(
    support_client, sandbox, ticket
):
    support_client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX)
    # The outcome did not wait for a second upstream call: the header's reload makes it.
    assert [request.method for request in sandbox.state.received] == ["POST"]

    header = support_client.get(f"/tickets/{ticket.pk}/summary", headers=HTMX)

    assert "Completed" in header.text
    assert [request.method for request in sandbox.state.received] == ["POST", "GET"]
    ticket.refresh_from_db()
    assert ticket.status == 3
    assert ticket.refreshed_at is not None


def test_a_known_error_code_is_explained_in_words(support_client, sandbox, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "delete"}, headers=HTMX
    )

    assert "usually because the ticket&#x27;s status does not allow it" in response.text
    assert "OSM.01010014" in response.text


def test_an_unknown_error_code_is_shown_as_it_came(support_client, settings, ticket):
    import responses

    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/action",
            json={"error_code": "OSM.01010062", "error_msg": "Something new"},
        )
        response = support_client.post(
            f"/tickets/{ticket.pk}/operations", {"action_id": "press"}, headers=HTMX
        )

    assert "The upstream answered with error OSM.01010062." in response.text
    assert "Something new" in response.text


def test_a_read_timeout_tells_the_agent_the_result_is_unknown(support_client, settings, ticket):
    import responses
    from requests.exceptions import ReadTimeout

    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/action",
            body=ReadTimeout(),
        )
        response = support_client.post(
            f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX
        )

    assert "The result is unknown" in response.text
    assert "failed" not in response.text.lower()
    assert AuditRecord.objects.get(kind="operation").outcome == "unknown"


def test_field_errors_are_shown_inline_and_nothing_is_sent(support_client, sandbox, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "operate_desc": "x" * 401, "group_id": "g" * 65},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 400 characters (it has 401)." in response.text
    assert "Ensure this value has at most 64 characters (it has 65)." in response.text
    assert not sandbox.state.received
    assert not AuditRecord.objects.filter(kind="operation").exists()


def test_a_missing_action_is_a_field_error(support_client, sandbox, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"operate_desc": "hi"}, headers=HTMX
    )

    assert "This field is required." in response.text
    assert not sandbox.state.received


def test_without_htmx_it_redirects_back_to_the_ticket_with_a_message(
    support_client, sandbox, ticket
):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, follow=True
    )

    assert response.redirect_chain == [(f"/tickets/{ticket.pk}/", 302)]
    assert "Done. The upstream accepted the operation." in response.text
    ticket.refresh_from_db()
    assert ticket.status == 3  # refreshed before the redirect: the page works without JavaScript


def test_an_outsider_is_refused_and_nothing_is_sent(outsider_client, sandbox, ticket):
    response = outsider_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX
    )

    assert response.status_code == 403
    assert not sandbox.state.received
    assert not AuditRecord.objects.filter(kind="operation").exists()


def test_it_requires_a_csrf_token(support_user, sandbox, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)

    response = client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX)

    assert response.status_code == 403
    assert not sandbox.state.received


def test_a_get_is_not_allowed(support_client, ticket):
    assert support_client.get(f"/tickets/{ticket.pk}/operations").status_code == 405


def test_the_dashboards_request_id_travels_to_the_upstream_and_into_the_record(
    support_client, sandbox, ticket
):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "press"},
        headers={**HTMX, "X-Request-Id": "0f0e0d0c0b0a49388776655443322110"},
    )

    assert response["X-Request-Id"] == "0f0e0d0c0b0a49388776655443322110"
    posted = next(request for request in sandbox.state.received if request.method == "POST")
    assert posted.headers["X-Request-Id"] == "0f0e0d0c0b0a49388776655443322110"
    record = AuditRecord.objects.get(kind="operation")
    assert record.request_headers["X-Request-Id"] == "0f0e0d0c0b0a49388776655443322110"
    assert record.request_id
    assert record.request_id != "0f0e0d0c0b0a49388776655443322110"


def test_the_header_tells_the_page_when_the_upstream_changed_the_status(
    support_client, sandbox, ticket
):
    support_client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX)

    header = support_client.get(f"/tickets/{ticket.pk}/summary?shown=2", headers=HTMX)
    unchanged = support_client.get(f"/tickets/{ticket.pk}/summary?shown=3", headers=HTMX)

    assert "ticket-refreshed" in json.loads(header["HX-Trigger"])
    assert "HX-Trigger" not in unchanged


def test_after_the_header_refresh_the_operation_form_offers_the_new_statuss_actions(
    support_client, sandbox, ticket
):
    support_client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX)
    support_client.get(f"/tickets/{ticket.pk}/summary?shown=2", headers=HTMX)

    form = support_client.get(f"/tickets/{ticket.pk}/operations/form", headers=HTMX)

    assert form.text.lstrip().startswith('<div id="operation-form"')
    suggested = re.findall(
        r'class="action-choice suggested">\s*<input[^>]*value="(\w+)"', form.text
    )
    assert suggested == ["delete"]


def test_a_deleted_ticket_offers_no_operation_form(support_client, ticket):
    ticket.status = 13
    ticket.save()

    page = support_client.get(f"/tickets/{ticket.pk}/")
    fragment = support_client.get(f"/tickets/{ticket.pk}/operations/form", headers=HTMX)

    for response in (page, fragment):
        assert "no further operation can be sent" in response.text
        assert 'name="action_id"' not in response.text


def test_the_survey_panel_follows_the_headers_refresh_not_the_operation_itself(
    support_client, ticket
):
    page = support_client.get(f"/tickets/{ticket.pk}/")

    panel = page.text.split('id="survey-panel"')[1].split(">")[0]
    assert 'hx-trigger="ticket-refreshed from:body"' in panel
