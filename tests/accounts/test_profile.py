"""Each agent's language and time zone: the profile page, and the headers sent upstream."""

from datetime import UTC, datetime

import pytest

from ticketui.accounts.models import Profile
from ticketui.accounts.selectors import profile_call_context
from ticketui.accounts.services import UNKNOWN_TIME_ZONE
from ticketui.accounts.views import PROFILE_SAVED
from ticketui.tickets.operations.services import operation_submit

pytestmark = pytest.mark.django_db


def upstream_headers(sandbox) -> list[tuple[str, str]]:
    return [
        (request.headers.get("X-Language"), request.headers.get("X-Time-Zone"))
        for request in sandbox.state.received
    ]


def test_an_agent_whose_profile_says_english_and_gmt_minus_5_sends_those_headers(
    support_client, support_user, sandbox, ticket
):
    support_client.post("/accounts/profile/", {"language": "en-us", "utc_offset_minutes": "-300"})

    operation_submit(actor=support_user, ticket=ticket, action_id="close")

    assert upstream_headers(sandbox) == [("en-us", "GMT-5"), ("en-us", "GMT-5")]  # action, refresh


def test_without_a_profile_the_team_defaults_are_sent(support_user, sandbox, ticket, settings):
    settings.OSM_LANGUAGE = "zh-cn"
    settings.OSM_TIME_ZONE = "GMT+8"

    operation_submit(actor=support_user, ticket=ticket, action_id="close")

    assert upstream_headers(sandbox)[0] == ("zh-cn", "GMT+8")


def test_a_half_hour_offset_is_sent_with_its_minutes(support_user, settings):
    settings.OSM_LANGUAGE = "zh-cn"
    Profile.objects.create(user=support_user, utc_offset_minutes=330)

    context = profile_call_context(user=support_user)

    assert (context.language, context.time_zone) == ("zh-cn", "GMT+5:30")


def test_opening_a_ticket_refreshes_it_in_the_agents_language(
    support_client, support_user, sandbox, ticket
):
    Profile.objects.create(user=support_user, language="en-us", utc_offset_minutes=-300)

    support_client.get(f"/tickets/{ticket.pk}/summary", headers={"HX-Request": "true"})

    assert upstream_headers(sandbox) == [("en-us", "GMT-5")]


def test_the_name_in_the_top_bar_leads_to_the_profile(support_client):
    assert 'href="/accounts/profile/"' in support_client.get("/").text


def test_the_profile_page_shows_what_the_upstream_is_told(support_client, settings):
    settings.OSM_TIME_ZONE = "GMT+8"

    response = support_client.get("/accounts/profile/")

    assert response.status_code == 200
    assert "Team default (GMT+8)" in response.text
    assert "GMT+5:30 — India, Sri Lanka" in response.text
    assert '<dd class="mono" id="header-time-zone">GMT+8</dd>' in response.text


def test_saving_the_profile_keeps_it_and_says_so(support_client, support_user):
    response = support_client.post(
        "/accounts/profile/", {"language": "en-us", "utc_offset_minutes": "-300"}, follow=True
    )

    profile = Profile.objects.get(user=support_user)
    assert (profile.language, profile.utc_offset_minutes) == ("en-us", -300)
    assert PROFILE_SAVED in response.text
    assert '<dd class="mono" id="header-time-zone">GMT-5</dd>' in response.text
    assert '<option value="-300" selected>' in response.text


def test_choosing_the_team_default_again_clears_the_preference(support_client, support_user):
    Profile.objects.create(user=support_user, language="en-us", utc_offset_minutes=-300)

    support_client.post("/accounts/profile/", {"language": "", "utc_offset_minutes": ""})

    profile = Profile.objects.get(user=support_user)
    assert (profile.language, profile.utc_offset_minutes) == ("", None)


def test_an_offset_that_is_not_offered_is_refused(support_client, support_user):
    response = support_client.post(
        "/accounts/profile/", {"language": "en-us", "utc_offset_minutes": "17"}
    )

    assert response.status_code == 400
    assert UNKNOWN_TIME_ZONE in response.text
    assert not Profile.objects.filter(user=support_user).exists()


def test_times_are_shown_in_the_agents_time_zone(support_client, support_user, ticket):
    ticket.upstream_created_at = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    ticket.save()
    Profile.objects.create(user=support_user, utc_offset_minutes=-300)

    assert "2026-09-01 07:00" in support_client.get("/").text


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
