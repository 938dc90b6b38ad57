"""The survey inside the operation form: sent with close, ignored for the other actions."""

import pytest
from django.core.cache import cache

from ticketui.audit.models import AuditRecord
from ticketui.tickets.models import SatisfactionDimension, Survey
from ticketui.tickets.surveys import dimensions as survey_dimensions
from ticketui.tickets.surveys import selectors as survey_selectors

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def posts(sandbox):
    return [request for request in sandbox.state.received if request.method == "POST"]


def test_the_close_form_offers_a_star_radio_group_per_dimension(support_client, dimensions, ticket):
    response = support_client.get(f"/tickets/{ticket.pk}/")

    html = response.text
    assert 'class="survey-section"' in html
    assert "<legend>Overall experience" in html
    assert html.count('name="stars_7"') == 6  # "No rating" and five stars
    assert '<span class="visually-hidden">3 of 5 stars</span>' in html
    assert 'name="stars_1" value="" id="id_stars_1_0" checked' in html
    assert 'name="comment"' in html
    assert 'maxlength="400"' in html


def test_required_dimensions_are_marked(support_client, dimensions, ticket):
    SatisfactionDimension.objects.filter(satisfaction_id=3).update(required=True)

    html = support_client.get(f"/tickets/{ticket.pk}/").text

    assert '<legend>Handling result <span class="required-mark">required</span></legend>' in html
    assert "<legend>Response timeliness</legend>" in html


def test_the_page_fetches_the_dimensions_when_none_are_stored(support_client, sandbox, ticket):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)

    html = support_client.get(f"/tickets/{ticket.pk}/").text

    assert "<legend>Response timeliness" in html


def test_without_dimensions_the_form_has_no_survey(support_client, settings, ticket):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    html = support_client.get(f"/tickets/{ticket.pk}/").text

    assert 'id="operation-panel"' in html
    assert "survey-section" not in html
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)


def test_closing_with_stars_sends_the_entries_and_keeps_the_survey(
    support_client, sandbox, dimensions, ticket
):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {
            "action_id": "close",
            "stars_1": "4",
            "stars_3": "",
            "stars_7": "5",
            "comment": "Kind",
        },
        headers=HTMX,
    )

    assert "Done. The upstream accepted the operation." in response.text
    [sent] = posts(sandbox)
    assert sent.body["judgement"] == "Kind"
    assert sent.body["incident_satisfaction_list"] == [
        {
            "satisfaction_id": 1,
            "satisfaction_value": 4,
            "value": 5,
            "per_value": 1,
            "satisfaction_name": "Response timeliness",
            "sat_category_id": "service",
        },
        {
            "satisfaction_id": 7,
            "satisfaction_value": 10,
            "value": 10,
            "per_value": 2,
            "satisfaction_name": "Overall experience",
            "sat_category_id": "overall",
        },
    ]
    survey = Survey.objects.get()
    assert survey.audit_record == AuditRecord.objects.get(kind="operation")
    assert list(survey.answers.values_list("satisfaction_id", "stars")) == [(1, 4), (7, 5)]


def test_closing_without_stars_sends_no_survey(support_client, sandbox, dimensions, ticket):
    support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "operate_desc": "Done", "stars_1": "", "comment": ""},
        headers=HTMX,
    )

    [sent] = posts(sandbox)
    assert sent.body == {"operate_desc": "Done"}
    assert not Survey.objects.exists()


def test_other_actions_ignore_the_survey_fields(support_client, sandbox, dimensions, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "cancel", "stars_1": "9", "comment": "x" * 500},
        headers=HTMX,
    )

    assert "Done." in response.text
    [sent] = posts(sandbox)
    assert sent.body == {}


@pytest.mark.parametrize("stars", ["6", "0", "three"])
def test_stars_outside_the_scale_are_a_field_error_and_nothing_is_sent(
    support_client, sandbox, dimensions, ticket, stars
):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close", "stars_1": stars}, headers=HTMX
    )

    assert "Rate Response timeliness with 1 to 5 stars." in response.text
    assert not sandbox.state.received
    assert not AuditRecord.objects.filter(kind="operation").exists()


def test_a_missing_required_dimension_is_a_field_error(support_client, sandbox, dimensions, ticket):
    SatisfactionDimension.objects.filter(satisfaction_id=3).update(required=True)

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close", "stars_1": "5"}, headers=HTMX
    )

    assert "Rate Handling result: the team asks every survey to rate it." in response.text
    assert not sandbox.state.received


def test_a_comment_without_stars_is_a_field_error(support_client, sandbox, dimensions, ticket):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "comment": "Fine"},
        headers=HTMX,
    )

    assert "A comment is part of the survey" in response.text
    assert not sandbox.state.received


def test_a_ticket_already_rated_is_not_closed_with_a_second_survey(
    support_client, sandbox, dimensions, ticket
):
    ticket.upstream_data = {"incident_satisfaction": [{"satisfaction_id": 1}]}
    ticket.save()

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close", "stars_1": "5"}, headers=HTMX
    )

    assert survey_selectors.ALREADY_RATED in response.text
    assert not sandbox.state.received


def test_without_htmx_a_bad_survey_shows_the_whole_page_with_the_error(
    support_client, sandbox, dimensions, ticket
):
    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "close", "stars_7": "6"}
    )

    assert response.status_code == 400
    assert "Rate Overall experience with 1 to 5 stars." in response.text
    assert "<h2>History</h2>" in response.text
