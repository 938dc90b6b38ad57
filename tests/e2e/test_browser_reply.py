"""An agent replies on a ticket's conversation in Chromium, with an attachment, against the
sandbox upstream over real HTTP; a double click on Send posts one message."""

import pytest
from playwright.sync_api import expect

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.sync.services import tickets_sync_now

from .conftest import ARTIFACTS, open_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
CASE = "CS2026090100003"


@pytest.fixture
def synced(sandbox):
    sandbox.state.engineer_reply_after = None  # the thread holds only what the agent sends
    tickets_sync_now(full=True)
    return sandbox


def customer_messages(sandbox) -> list[dict]:
    return [m for m in sandbox.state.tickets[CASE].get("message_list", []) if m["type"] == 0]


def test_an_agent_replies_with_an_attachment_and_sees_it_in_place(
    login, synced, support_user, tmp_path
):
    before = len(customer_messages(synced))
    log = tmp_path / "replica-lag.log"
    log.write_text("03:12 replica 2 lag 48s\n")
    page = login("sam")
    open_ticket(page, CASE)

    page.get_by_label("Reply", exact=True).fill("The lag started after the 03:00 backup.")
    page.get_by_label("Attachments").set_input_files(str(log))
    page.get_by_role("button", name="Send reply").click()

    result = page.locator("#reply-result")
    expect(result).to_contain_text("Sent. The upstream accepted the reply.")
    expect(result).to_contain_text("The lag started after the 03:00 backup.")
    expect(result).to_contain_text("With 1 attachment.")
    expect(page.get_by_label("Reply", exact=True)).to_have_value("")  # a fresh form
    expect(page.locator("#timeline")).to_contain_text("Reply")
    page.screenshot(path=ARTIFACTS / "reply_sent.png", full_page=True)
    messages = customer_messages(synced)
    assert len(messages) == before + 1
    assert messages[-1]["accessory_list"][0]["file_actual_name"] == "replica-lag.log"
    assert AuditRecord.objects.filter(kind=Kind.UPLOAD, outcome="succeeded").count() == 1


def test_a_double_click_on_send_posts_one_message(login, synced, support_user):
    before = len(customer_messages(synced))
    page = login("sam")
    open_ticket(page, CASE)

    page.get_by_label("Reply", exact=True).fill("Sent once, clicked twice.")
    page.get_by_role("button", name="Send reply").dblclick()

    expect(page.locator("#reply-result")).to_contain_text("Sent.")
    page.wait_for_timeout(500)
    assert len(customer_messages(synced)) == before + 1
    assert AuditRecord.objects.filter(kind=Kind.REPLY).count() == 1


def test_a_refused_file_is_said_in_place_in_chinese(
    login, live_server, synced, support_user, tmp_path
):
    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ")
    page = login("sam")
    page.get_by_role("button", name="中文", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name=CASE).click()

    page.get_by_label("回复", exact=True).fill("见附件")
    page.get_by_label("附件", exact=True).set_input_files(str(tool))
    page.get_by_role("button", name="发送回复").click()

    expect(page.locator("#reply-panel")).to_contain_text("“tool.exe”：不接受此类型的文件")
    expect(page.get_by_label("回复", exact=True)).to_have_value("见附件")  # the text is kept
    page.screenshot(path=ARTIFACTS / "reply_refused_zh.png", full_page=True)
    assert all(m["content"] != "见附件" for m in customer_messages(synced))
