"""The ticket page by keyboard in Chromium: r writes a reply, c chooses close in the operation
form, g l goes back to the list, ? shows these."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_the_ticket(login, sandbox, ticket, support_user):
    page = login("sam")
    page.goto(page.url.rstrip("/") + f"/tickets/{ticket.pk}/")
    expect(page.locator("#operation-panel")).to_be_visible()
    return page


def test_r_puts_the_cursor_in_the_reply(on_the_ticket):
    page = on_the_ticket
    page.keyboard.press("r")

    expect(page.locator("#reply-panel textarea[name=content]")).to_be_focused()
    page.keyboard.type("r and c typed here stay text")
    expect(page.locator("#reply-panel textarea[name=content]")).to_have_value(
        "r and c typed here stay text"
    )


def test_c_chooses_close_and_puts_the_cursor_in_its_description(on_the_ticket):
    page = on_the_ticket
    page.keyboard.press("c")

    expect(page.locator("#operation-panel input[name=action_id][value=close]")).to_be_checked()
    expect(page.locator("#operation-panel [name=operate_desc]")).to_be_focused()


def test_g_then_l_goes_back_to_the_list(on_the_ticket):
    page = on_the_ticket
    page.keyboard.press("g")
    page.keyboard.press("l")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()


def test_question_mark_shows_the_ticket_pages_shortcuts(on_the_ticket):
    page = on_the_ticket
    page.keyboard.press("?")

    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    expect(help).to_contain_text("Write a reply")
    expect(help).to_contain_text("Back to the ticket list")
    page.screenshot(path=ARTIFACTS / "ticket_shortcuts.png")
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()
