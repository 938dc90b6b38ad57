import pytest

from ticketui.accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_the_language_switch_shows_the_dashboard_in_chinese_and_tells_the_upstream(
    support_client, support_user
):
    response = support_client.post(
        "/accounts/language", {"language": "zh-cn", "next": "/?status=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/?status=1"
    page = support_client.get("/")
    assert '<html lang="zh-hans">' in page.text
    assert "搜索工单号或摘要" in page.text
    assert Profile.objects.get(user=support_user).language == "zh-cn"


def test_switching_back_to_english(support_client):
    support_client.post("/accounts/language", {"language": "zh-cn"})
    support_client.post("/accounts/language", {"language": "en-us"})

    assert "Search case id or summary" in support_client.get("/").text


def test_the_switch_keeps_the_time_zone(support_client, support_user):
    Profile.objects.create(user=support_user, language="en-us", utc_offset_minutes=-300)

    support_client.post("/accounts/language", {"language": "zh-cn"})

    assert Profile.objects.get(user=support_user).utc_offset_minutes == -300


def test_an_unknown_language_is_refused(support_client):
    assert support_client.post("/accounts/language", {"language": "fr-fr"}).status_code == 400


def test_it_never_redirects_to_another_site(support_client):
    response = support_client.post(
        "/accounts/language", {"language": "zh-cn", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


@pytest.mark.parametrize("back", ["a b", "a\x00b", "audit", "tickets:list"])
def test_a_next_address_that_is_not_a_path_returns_to_the_ticket_list(support_client, back):
    response = support_client.post("/accounts/language", {"language": "zh-cn", "next": back})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_without_a_saved_language_a_signed_in_user_sees_the_teams_not_the_browsers(
    client, support_user, settings
):
    settings.OSM_LANGUAGE = "en-us"
    client.force_login(support_user)

    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert '<html lang="en">' in response.text


def test_the_sign_in_page_follows_the_browser(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert '<html lang="zh-hans">' in response.text
