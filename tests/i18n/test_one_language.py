"""One language per user: the dashboard is shown in the language the upstream is asked to answer
in (X-Language), from the team's default (OSM_LANGUAGE) until the user chooses another."""

import pytest

from ticketui.accounts.models import Profile

pytestmark = pytest.mark.django_db


def languages_sent(sandbox) -> list[str]:
    return [request.headers.get("X-Language") for request in sandbox.state.received]


def open_ticket_summary(client, ticket):
    """The ticket page's header fragment, which refreshes the ticket from the upstream."""
    return client.get(f"/tickets/{ticket.pk}/summary", headers={"HX-Request": "true"})


@pytest.mark.parametrize(("team_language", "html_lang"), [("en-us", "en"), ("zh-cn", "zh-hans")])
def test_a_new_user_sees_the_dashboard_in_the_language_the_upstream_is_asked_for(
    support_client, sandbox, ticket, settings, team_language, html_lang
):
    settings.OSM_LANGUAGE = team_language

    page = support_client.get("/")
    open_ticket_summary(support_client, ticket)

    assert f'<html lang="{html_lang}">' in page.text
    assert languages_sent(sandbox) == [team_language]


def test_the_default_team_language_is_english_for_both(support_client, sandbox, ticket):
    page = support_client.get("/")
    open_ticket_summary(support_client, ticket)

    assert '<html lang="en">' in page.text
    assert languages_sent(sandbox) == ["en-us"]


def test_a_chinese_browser_does_not_split_the_interface_from_the_upstream(
    client, support_user, sandbox, ticket, settings
):
    settings.OSM_LANGUAGE = "en-us"
    client.force_login(support_user)
    chinese_browser = {"Accept-Language": "zh-CN,zh;q=0.9"}

    page = client.get("/", headers=chinese_browser)
    client.get(f"/tickets/{ticket.pk}/summary", headers={"HX-Request": "true", **chinese_browser})

    assert '<html lang="en">' in page.text
    assert languages_sent(sandbox) == ["en-us"]


def test_switching_to_chinese_gets_the_upstreams_answers_in_chinese(
    support_client, sandbox, ticket, settings
):
    settings.OSM_LANGUAGE = "en-us"
    sandbox.state.tickets[ticket.case_id]["severity_name"] = "High"

    support_client.post("/accounts/language", {"language": "zh-cn"})
    page = support_client.get("/")
    open_ticket_summary(support_client, ticket)

    assert '<html lang="zh-hans">' in page.text
    assert languages_sent(sandbox) == ["zh-cn"]
    assert ticket.__class__.objects.get(pk=ticket.pk).upstream_data["severity_name"] == "高"


def test_switching_back_to_english_gets_them_in_english(
    support_client, support_user, sandbox, ticket, settings
):
    settings.OSM_LANGUAGE = "zh-cn"
    Profile.objects.create(user=support_user, language="zh-cn")
    sandbox.state.tickets[ticket.case_id]["severity_name"] = "High"

    support_client.post("/accounts/language", {"language": "en-us"})
    page = support_client.get("/")
    open_ticket_summary(support_client, ticket)

    assert '<html lang="en">' in page.text
    assert languages_sent(sandbox) == ["en-us"]
    assert ticket.__class__.objects.get(pk=ticket.pk).upstream_data["severity_name"] == "High"


def test_the_profile_page_names_the_team_default_it_falls_back_to(support_client, settings):
    settings.OSM_LANGUAGE = "en-us"

    page = support_client.get("/accounts/profile/")

    assert "Team default (en-us)" in page.text
    assert '<dd class="mono" id="header-language">en-us</dd>' in page.text
