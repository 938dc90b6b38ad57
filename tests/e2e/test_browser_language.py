"""The top bar's language switch in Chromium: one click turns the dashboard Chinese, one click
turns it back."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_clicking_chinese_then_en_in_the_top_bar_switches_the_list_page_and_back(
    login, live_server, sandbox, support_user
):
    page = login("sam")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Tickets", level=1)).to_be_visible()

    page.get_by_role("button", name="中文", exact=True).click()

    page.wait_for_url(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="工单", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.get_by_role("button", name="中文", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.get_by_role("heading", name="Tickets", level=1)).to_have_count(0)

    page.get_by_role("button", name="EN", exact=True).click()

    page.wait_for_url(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Tickets", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("button", name="EN", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
