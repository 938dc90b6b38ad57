"""An agent reads a ticket's conversation in Chromium, against the sandbox upstream over real
HTTP: the thread in order, a reply with an attachment seen in place, the sandbox engineer's
answer noticed by the poll with an unread mark that clears once the ticket is opened. (A double
click on Send posting one message: test_browser_reply.py.)"""

import re
import time

import pytest
from playwright.sync_api import expect

from ticketui.sandbox.conversation import CANNED_REPLY, language
from ticketui.tickets.conversation.runner import unread_poll
from ticketui.tickets.sync.services import tickets_sync_now

from .conftest import ARTIFACTS, open_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
CASE = "CS2026090100003"
ENGINEER_DELAY = 1.5


@pytest.fixture
def synced(sandbox):
    sandbox.state.engineer_reply_after = ENGINEER_DELAY
    tickets_sync_now(full=True)
    unread_poll()
    return sandbox


def thread(sandbox) -> list[dict]:
    return sandbox.state.tickets[CASE]["message_list"]


def test_an_agent_reads_the_thread_replies_and_notices_the_engineers_answer(
    login, synced, support_user, tmp_path
):
    page = login("sam")
    open_ticket(page, CASE)

    messages = page.locator("#thread-messages .message-text")
    expect(messages).to_have_count(len(thread(synced)))
    expect(messages).to_have_text([m["content"] for m in thread(synced)])
    expect(page.locator("#timeline [data-source]").first).to_be_visible()

    log = tmp_path / "replica-lag.log"
    log.write_text("03:12 replica 2 lag 48s\n")
    page.get_by_label("Reply", exact=True).fill("The lag started after the 03:00 backup.")
    page.get_by_label("Attachments").set_input_files(str(log))
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator("#reply-result")).to_contain_text("Sent.")
    last = page.locator("#thread-messages .message").last
    expect(last).to_contain_text("The lag started after the 03:00 backup.")
    expect(last).to_have_attribute("data-role", "agent")
    expect(last.get_by_role("link", name="replica-lag.log")).to_be_visible()

    time.sleep(ENGINEER_DELAY + 0.5)
    unread_poll()  # the worker's poll, run here
    page.goto(page.url.split("/tickets/")[0] + "/")
    row = page.locator("#results tbody tr", has=page.get_by_role("link", name=CASE))
    page.get_by_placeholder("Search case id or summary").fill(CASE)
    expect(row.locator(".badge-unread")).to_be_visible()
    expect(page.locator(".topnav-unread")).to_have_text(re.compile(r"Unread \d+"))

    page.get_by_role("link", name=CASE).click()
    answer = page.locator("#thread-messages .message").last
    expect(answer).to_have_attribute("data-role", "engineer")
    expect(answer).to_contain_text(CANNED_REPLY[language(synced.state.tickets[CASE])])
    page.screenshot(path=ARTIFACTS / "conversation_answer.png", full_page=True)

    page.goto(page.url.split("/tickets/")[0] + "/")
    page.get_by_placeholder("Search case id or summary").fill(CASE)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(row.locator(".badge-unread")).to_have_count(0)


def test_show_older_puts_the_earlier_messages_above_in_order_down_to_the_first(
    login, synced, support_user
):
    from ticketui.sandbox.conversation import add_message

    with synced.state.lock:
        for number in range(45):
            add_message(synced.state, CASE, content=f"note {number}", engineer=number % 2 == 1)
    held = [m["content"] for m in thread(synced)]
    page = login("sam")
    open_ticket(page, CASE)
    messages = page.locator("#thread-messages .message-text")
    expect(messages).to_have_count(20)

    while page.get_by_role("button", name=re.compile("Show older")).count():
        page.get_by_role("button", name=re.compile("Show older")).click()
        expect(page.locator("#thread-messages .htmx-request")).to_have_count(0)

    expect(messages).to_have_text(held)  # every message once, oldest first
    expect(page.locator("#thread-messages .message").first).to_contain_text("Description")
