"""The ticket page's satisfaction panel: "Rate this ticket", and what was said once rated."""

import json

import pytest
from django.test import Client

from ticketui.audit.models import AuditRecord
from ticketui.tickets.models import Survey
from ticketui.tickets.surveys import selectors as survey_selectors
from ticketui.tickets.surveys import services as surveys
from ticketui.tickets.surveys.services import survey_submit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def posts(sandbox):
    return [request for request in sandbox.state.received if request.method == "POST"]


def test_a_completed_unrated_ticket_offers_rate_this_ticket(
    support_client, dimensions, completed_ticket
):
    html = support_client.get(f"/tickets/{completed_ticket.pk}/").text

    assert "<h2>Rate this ticket</h2>" in html
    assert f'hx-post="/tickets/{completed_ticket.pk}/survey/send"' in html
    # Its own ids: the operation form on the same page has a survey too.
    assert 'id="survey-stars_1_4"' in html
    assert 'id="id_stars_1_4"' in html
    assert 'name="comment" cols="40" rows="3" maxlength="400" required' in html


def test_a_ticket_that_is_not_completed_offers_no_rating(support_client, dimensions, ticket):
    assert "Rate this ticket" not in support_client.get(f"/tickets/{ticket.pk}/").text


def test_a_ticket_rated_upstream_shows_what_the_upstream_holds(
    support_client, dimensions, completed_ticket
):
    completed_ticket.upstream_data = {
        "judgement": "Rated in the console",
        "incident_satisfaction": [
            {
                "satisfaction_id": 1,
                "satisfaction_name": "Response timeliness",
                "satisfaction_value": 3,
                "value": 5,
            }
        ],
    }
    completed_ticket.save()

    html = support_client.get(f"/tickets/{completed_ticket.pk}/").text

    assert "Rate this ticket" not in html
    assert "Rated at the upstream, not from this dashboard." in html
    assert "Rated in the console" in html
    assert "3 / 5" in html


def test_outsiders_see_no_rating_form(outsider_client, dimensions, completed_ticket):
    assert "Rate this ticket" not in outsider_client.get(f"/tickets/{completed_ticket.pk}/").text


def test_rating_shows_the_outcome_and_the_stars_given_in_place(
    support_client, sandbox, dimensions, completed_ticket
):
    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "4", "stars_3": "5", "stars_7": "", "comment": "Very quick"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="survey-panel"')
    assert "Survey: Succeeded." in response.text
    assert '<span class="visually-hidden">4 of 5 stars</span>' in response.text
    assert "Very quick" in response.text
    assert "ticket-changed" in json.loads(response["HX-Trigger-After-Settle"])
    [sent] = posts(sandbox)
    assert [
        (entry["satisfaction_id"], entry["satisfaction_value"])
        for entry in sent.body["incident_satisfaction_list"]
    ] == [(1, 4), (3, 5)]
    # The panel follows only a change of status (which a survey does not make), so the outcome
    # stays when the page reloads its header after the survey.
    assert 'hx-trigger="ticket-refreshed from:body"' in response.text.split(">", 1)[0]


def test_a_rated_ticket_shows_its_survey_on_the_page(
    support_client, sandbox, dimensions, support_user, completed_ticket
):
    survey_submit(actor=support_user, ticket=completed_ticket, stars={7: 2}, comment="Slow")

    html = support_client.get(f"/tickets/{completed_ticket.pk}/").text

    assert "<h2>Customer satisfaction</h2>" in html
    assert "Rate this ticket" not in html
    assert '<span class="visually-hidden">2 of 5 stars</span>' in html
    assert "Recorded by sam on" in html
    assert "(rated after closure)" in html


def test_rating_twice_is_refused_with_a_clear_message_and_nothing_sent(
    support_client, sandbox, dimensions, support_user, completed_ticket
):
    survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 5}, comment="Great")
    sandbox.state.received.clear()

    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "1", "comment": "Changed my mind"},
        headers=HTMX,
    )

    assert survey_selectors.ALREADY_RATED in response.text
    assert not posts(sandbox)
    assert AuditRecord.objects.filter(kind="rating").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stars_1": "6", "comment": "ok"}, "Rate Response timeliness with 1 to 5 stars."),
        ({"stars_7": "0", "comment": "ok"}, "Rate Overall experience with 1 to 5 stars."),
        ({"stars_1": "4", "comment": ""}, surveys.COMMENT_REQUIRED),
        ({"comment": "no stars"}, surveys.NO_STARS),
        ({"stars_1": "4", "comment": "x" * 401}, "at most 400 characters"),
    ],
)
def test_a_bad_rating_is_shown_in_place_and_nothing_is_sent(
    support_client, sandbox, dimensions, completed_ticket, data, message
):
    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send", data, headers=HTMX
    )

    assert message in response.text
    assert "<h2>Rate this ticket</h2>" in response.text
    assert not posts(sandbox)
    assert not AuditRecord.objects.filter(kind="rating").exists()


def test_an_unknown_dimension_in_the_post_is_not_sent(
    support_client, sandbox, dimensions, completed_ticket
):
    support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "3", "stars_99": "5", "comment": "ok"},
        headers=HTMX,
    )

    [sent] = posts(sandbox)
    assert [entry["satisfaction_id"] for entry in sent.body["incident_satisfaction_list"]] == [1]


def test_an_upstream_refusal_is_shown_and_the_form_stays(
    support_client, sandbox, dimensions, completed_ticket
):
    sandbox.state.logs["CS2026090100004"].append({"operate_type": 5})

    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "3", "comment": "ok"},
        headers=HTMX,
    )

    assert "Survey: Rejected by the upstream." in response.text
    assert "OSM.01010014" in response.text
    assert "Ticket already evaluated" in response.text
    assert "<h2>Rate this ticket</h2>" in response.text
    assert not Survey.objects.exists()


def test_without_htmx_rating_redirects_back_with_a_message(
    support_client, sandbox, dimensions, completed_ticket
):
    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "5", "comment": "Lovely"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/tickets/{completed_ticket.pk}/", 302)]
    assert "Done. The upstream accepted the operation." in response.text
    assert "Lovely" in response.text


def test_without_htmx_a_bad_rating_shows_the_whole_page(
    support_client, sandbox, dimensions, completed_ticket
):
    response = support_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send", {"stars_1": "5", "comment": ""}
    )

    assert response.status_code == 400
    assert surveys.COMMENT_REQUIRED in response.text
    assert "<h2>History</h2>" in response.text


def test_outsiders_cannot_rate(outsider_client, sandbox, dimensions, completed_ticket):
    response = outsider_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send", {"stars_1": "5", "comment": "x"}
    )

    assert response.status_code == 403
    assert not sandbox.state.received


def test_rating_requires_a_csrf_token(support_user, sandbox, dimensions, completed_ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)

    response = client.post(
        f"/tickets/{completed_ticket.pk}/survey/send", {"stars_1": "5", "comment": "x"}
    )

    assert response.status_code == 403
    assert not sandbox.state.received


def test_the_panel_fragment_follows_the_tickets_status_as_the_header_refreshes_it(
    support_client, dimensions, ticket
):
    response = support_client.get(f"/tickets/{ticket.pk}/survey", headers=HTMX)

    assert f'hx-get="/tickets/{ticket.pk}/survey"' in response.text
    assert 'hx-trigger="ticket-refreshed from:body"' in response.text


def test_a_comment_is_escaped(support_client, sandbox, dimensions, support_user, completed_ticket):
    survey_submit(
        actor=support_user,
        ticket=completed_ticket,
        stars={1: 1},
        comment='<script>alert("x")</script>',
    )

    html = support_client.get(f"/tickets/{completed_ticket.pk}/").text

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
