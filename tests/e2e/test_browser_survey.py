"""Surveys in Chromium against the sandbox upstream: closing with stars using only the keyboard,
rating a completed ticket with JavaScript off, and the team lead's report of what was said."""

import pytest
from playwright.sync_api import expect

from ticketui.tickets.models import Survey, Ticket
from ticketui.tickets.surveys.dimensions import dimensions_sync
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def synced(sandbox):
    tickets_sync_now(full=True)
    dimensions_sync()
    sandbox.state.received.clear()
    return sandbox


def focused(page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, name: document.activeElement.name || '',"
        " value: document.activeElement.value ?? '', checked: !!document.activeElement.checked})"
    )


def tab_until(page, name: str, limit: int = 60) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if (element := focused(page))["name"] == name:
            return element
    raise AssertionError(f"Tab never reached {name}")


def test_an_agent_closes_a_ticket_rating_4_and_5_stars_with_the_keyboard_alone(
    login, live_server, synced, support_user, team_lead
):
    page = login("sam")
    ticket = Ticket.objects.get(case_id="CS2026090100003")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    survey = page.locator(".survey-section")
    expect(survey).to_be_hidden()

    # Tab into the operations (none chosen yet, so the first, Close, takes focus); Space picks it.
    assert tab_until(page, "action_id")["value"] == "close"
    page.keyboard.press("Space")
    expect(survey).to_be_visible()

    # The next stop is the first dimension's radio group, on its checked "No rating".
    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "INPUT", "name": "stars_1", "value": "", "checked": True}
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert focused(page) == {"tag": "INPUT", "name": "stars_1", "value": "4", "checked": True}
    four = page.get_by_role("group", name="Response timeliness").locator("label.star").nth(3)
    assert four.evaluate("label => getComputedStyle(label).outlineStyle") == "solid"
    expect(page.get_by_role("radio", name="4 of 5 stars").first).to_be_checked()

    page.keyboard.press("Tab")  # Handling result: left unrated
    assert focused(page)["name"] == "stars_3"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "stars_7"
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert focused(page)["value"] == "5"

    page.keyboard.press("Tab")
    assert focused(page)["name"] == "comment"
    page.keyboard.type("Solved within the hour")
    tab_until(page, "operate_desc")
    page.keyboard.type("Customer confirmed")
    page.keyboard.press("Tab")  # the IAM group id
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "BUTTON"
    page.keyboard.press("Enter")

    expect(page.locator("#operation-result")).to_contain_text(
        "Done. The upstream accepted the operation."
    )
    expect(page.locator("#survey-panel")).to_contain_text("Customer satisfaction")
    expect(page.locator("#survey-panel")).to_contain_text("Solved within the hour")
    [sent] = [request for request in synced.state.received if request.method == "POST"]
    assert sent.body["judgement"] == "Solved within the hour"
    assert [
        (entry["satisfaction_id"], entry["satisfaction_value"], entry["value"], entry["per_value"])
        for entry in sent.body["incident_satisfaction_list"]
    ] == [(1, 4, 5, 1), (7, 10, 10, 2)]
    assert synced.state.tickets["CS2026090100003"]["status"] == 3

    page.get_by_role("button", name="Log out").click()
    page = login("tess")
    page.get_by_role("link", name="Reports").click()
    means = page.locator("section", has=page.get_by_role("heading", name="Mean per dimension"))
    expect(means.get_by_role("row", name="Response timeliness")).to_contain_text("4.0 of 5")
    expect(means.get_by_role("row", name="Overall experience")).to_contain_text("5.0 of 5")
    expect(page.locator(".report-facts")).to_contain_text("100%")
    expect(page.get_by_role("img", name="Mean stars per dimension")).to_be_visible()


def test_rating_a_completed_ticket_works_without_javascript(
    browser, live_server, synced, support_user
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    ticket = Ticket.objects.get(case_id="CS2026090100004")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    panel = page.locator("#survey-panel")
    expect(panel.get_by_role("heading", name="Rate this ticket")).to_be_visible()
    stars = panel.get_by_role("group", name="Handling result").locator("label.star")
    # Hovering the third star previews three lit stars, by CSS alone.
    stars.nth(2).hover()
    lit = "label => getComputedStyle(label).color"
    assert stars.nth(2).evaluate(lit) == stars.nth(0).evaluate(lit)
    assert stars.nth(3).evaluate(lit) != stars.nth(2).evaluate(lit)
    stars.nth(2).click()
    expect(panel.get_by_role("radio", name="3 of 5 stars").nth(1)).to_be_checked()
    panel.get_by_label("Comment").fill("Took two days")
    panel.get_by_role("button", name="Send the survey").click()

    expect(page.locator(".flash")).to_contain_text("Done. The upstream accepted the operation.")
    expect(page.locator("#survey-panel")).to_contain_text("Took two days")
    assert Survey.objects.get().answers.get().stars == 3
    context.close()
