"""Error pages speak the viewer's language: Chinese for a Chinese profile (403, 404, 405) or a
Chinese browser before signing in (400), and the 500 page in whatever language was active."""

import pytest
from django.template.loader import get_template
from django.utils import translation

from ticketui.accounts.models import Profile

from .test_chinese_pages import english_catalog_strings, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_agent(support_user):
    Profile.objects.create(user=support_user, language="zh-cn")
    return support_user


def english_left(text: str) -> list[str]:
    return sorted(s for s in english_catalog_strings() if s in visible_text(text))


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("get", "/reports/satisfaction", 403, "<h1>"),
        ("get", "/no-such-page", 404, "这里什么也没有"),
        ("get", "/accounts/language", 405, "此地址不接受这种请求"),
    ],
)
def test_a_chinese_agent_gets_error_pages_in_chinese(
    support_client, chinese_agent, method, path, status, heading
):
    response = getattr(support_client, method)(path)

    assert response.status_code == status
    assert '<html lang="zh-hans">' in response.text
    assert heading in response.text
    assert not english_left(response.text)


def test_a_request_with_a_bad_host_gets_a_400_page_in_the_browsers_language(client):
    response = client.get(
        "/accounts/login/", headers={"Host": "evil.example", "Accept-Language": "zh-CN"}
    )

    assert response.status_code == 400
    assert '<html lang="zh-hans">' in response.text
    assert "控制台无法识别此请求" in response.text


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Something went wrong on our side"), ("zh-hans", "我们这边出了问题")],
)
def test_the_500_page_is_in_the_language_that_was_active(language, words):
    with translation.override(language):
        page = get_template("500.html").render({})

    assert f'<html lang="{language}">' in page
    assert words in page
