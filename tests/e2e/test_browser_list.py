"""The ticket list in Chromium: status chips, search in place, keyboard shortcuts."""

import re

import pytest
from playwright.sync_api import expect

from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def synced(sandbox):
    tickets_sync_now(full=True)
    return sandbox


def test_a_status_chip_filters_the_list_in_place_and_in_the_url(login, synced, support_user):
    page = login("sam")
    chip = page.get_by_role("button", name=re.compile(r"^Completed \d+$"))

    chip.click()

    expect(page).to_have_url(re.compile(r"status=3"))
    expect(page.get_by_role("button", name=re.compile(r"^Completed"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody .badge").first).to_have_text("Completed")


def test_searching_keeps_the_chosen_status(login, synced, support_user):
    page = login("sam")
    page.get_by_role("button", name=re.compile(r"^Processing \d+$")).click()
    expect(page).to_have_url(re.compile(r"status=1"))

    page.get_by_placeholder("Search case id or summary").fill("控制台")

    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"status=1.*q=|q=.*status=1"))


def test_the_keyboard_alone_finds_and_opens_a_ticket(login, synced, support_user):
    page = login("sam")
    page.keyboard.press("/")
    expect(page.get_by_placeholder("Search case id or summary")).to_be_focused()
    page.keyboard.type("CS20260901000")
    expect(page.locator("#results tbody tr")).to_have_count(12)
    page.keyboard.press("Escape")

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.is-current")).to_have_count(1)
    chosen = page.locator("tr.is-current a").inner_text()
    page.keyboard.press("o")

    expect(page.locator("#summary h1")).to_have_text(chosen)


def test_question_mark_shows_the_shortcuts(login, synced, support_user):
    page = login("sam")
    page.keyboard.press("?")

    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
