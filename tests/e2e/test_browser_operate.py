"""An agent works a ticket in Chromium against the sandbox upstream over real HTTP."""

import pytest
from playwright.sync_api import expect

from ticketui.audit.models import AuditRecord
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def synced(sandbox):
    tickets_sync_now(full=True)
    return sandbox


def test_an_agent_closes_a_ticket_and_reads_its_audit_record(
    login, live_server, synced, support_user
):
    page = login("sam")
    page.get_by_placeholder("Search case id or summary").fill("CS2026090100003")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="CS2026090100003").click()

    page.get_by_label("Close").check()
    page.get_by_label("Description").fill("Customer confirmed the fix")
    page.get_by_role("button", name="Send to the upstream").click()

    expect(page.locator("#operation-result")).to_contain_text(
        "Done. The upstream accepted the operation."
    )
    expect(page.locator("#summary .badge")).to_have_text("Completed")
    expect(page.locator("#timeline")).to_contain_text("Customer confirmed the fix")
    page.get_by_role("link", name="See the audit record").click()
    expect(page.locator("pre").first).to_contain_text("X-Time-Zone: GMT+8")
    expect(page.get_by_text('"operate_desc": "Customer confirmed the fix"')).to_be_visible()
    assert synced.state.tickets["CS2026090100003"]["status"] == 3


def test_deleting_asks_for_confirmation_and_going_back_sends_nothing(login, synced, support_user):
    page = login("sam")
    page.get_by_placeholder("Search case id or summary").fill("CS2026090100004")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="CS2026090100004").click()
    page.get_by_label("Delete").check()
    page.get_by_role("button", name="Send to the upstream").click()

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete this ticket?")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    assert not AuditRecord.objects.filter(kind="operation").exists()

    page.get_by_role("button", name="Send to the upstream").click()
    dialog.get_by_role("button", name="Yes, go ahead").click()
    expect(page.locator("#operation-result")).to_contain_text("Done.")
    assert AuditRecord.objects.filter(kind="operation", action_id="delete").count() == 1


def test_a_double_click_sends_one_operation(login, synced, support_user):
    page = login("sam")
    page.get_by_placeholder("Search case id or summary").fill("CS2026090100002")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="CS2026090100002").click()
    page.get_by_label("Urge the engineer").check()
    page.get_by_role("button", name="Send to the upstream").dblclick()

    expect(page.locator("#operation-result")).to_contain_text("Done.")
    page.wait_for_timeout(300)
    assert AuditRecord.objects.filter(kind="operation").count() == 1


def test_tracking_an_unknown_case_id_says_so_in_place(login, synced, support_user):
    page = login("sam")
    page.get_by_placeholder("Track a ticket by case id").fill("CS-DOES-NOT-EXIST")
    page.get_by_role("button", name="Track").click()

    expect(page.locator("#track-errors")).to_contain_text(
        "The upstream has no ticket with case id CS-DOES-NOT-EXIST."
    )


def test_after_a_close_in_place_the_form_and_the_survey_follow_the_new_status(
    login, synced, support_user
):
    page = login("sam")
    page.get_by_placeholder("Search case id or summary").fill("CS2026090100003")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="CS2026090100003").click()
    page.get_by_label("Close").check()
    page.get_by_role("button", name="Send to the upstream").click()

    expect(page.locator("#operation-result")).to_contain_text("Done.")
    expect(page.locator("#survey-panel")).to_contain_text("Rate this ticket")
    expect(page.locator("#operation-form .suggested")).to_have_count(1)
    expect(page.locator("#operation-form .suggested")).to_contain_text("Delete")

    page.get_by_label("Delete").check()
    page.get_by_role("button", name="Send to the upstream").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, go ahead").click()

    expect(page.locator("#summary .badge")).to_have_text("Deleted")
    expect(page.locator("#operation-form")).to_contain_text("no further operation can be sent")
    expect(page.locator("#operation-form form")).to_have_count(0)
    expect(page.locator("#survey-panel form")).to_have_count(0)
    expect(page.locator("#reply-panel")).to_contain_text("no reply can be sent")
    expect(page.locator("#reply-panel form")).to_have_count(0)
