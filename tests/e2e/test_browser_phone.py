"""Every main page on a 390 px phone, in English and in Chinese: no sideways scrolling of the
page (wide tables scroll in their own box), the top bar folds into a menu, and the ticket page
shows the thread before the forms."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, surveys_given
from ticketui.accounts.models import Profile
from ticketui.tickets.bulk.services import bulk_create
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.surveys.dimensions import dimensions_sync
from ticketui.tickets.sync.services import tickets_sync_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def main_pages(sandbox, team_lead, support_user):
    dimensions_sync()
    tickets_sync_now(full=True)
    awaiting = Ticket.objects.get(case_id="CS2026090100003")
    record = operation_submit(actor=team_lead, ticket=awaiting, action_id="press", operate_desc="x")
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.filter(status=1), action_id="press")
    surveys_given(team_lead)
    return [
        ("list", "/"),
        ("ticket", f"/tickets/{awaiting.pk}/"),
        ("audit", "/audit/"),
        ("audit-record", f"/audit/{record.pk}/"),
        ("report", "/reports/satisfaction"),
        ("dimensions", "/reports/satisfaction/dimensions"),
        ("bulk-list", "/bulk/"),
        ("bulk", f"/bulk/{bulk.pk}/"),
        ("views", "/views/"),
        ("profile", "/accounts/profile/"),
    ]


@pytest.mark.parametrize("language", ["en-us", "zh-cn"])
def test_every_main_page_fits_a_390_px_phone(login, live_server, main_pages, team_lead, language):
    page = login("tess")
    Profile.objects.update_or_create(user=team_lead, defaults={"language": language})
    page.set_viewport_size(PHONE)
    too_wide = {}
    for name, path in main_pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=ARTIFACTS / f"phone-{language}-{name}.png", full_page=True)
        if width > PHONE["width"]:
            too_wide[name] = width
    assert too_wide == {}


def test_the_top_bar_folds_into_a_menu_on_a_phone(login, live_server, main_pages):
    page = login("tess")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")

    expect(page.get_by_role("link", name="Audit log")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    # On a wide screen the bar is open and there is no menu button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Reports")).to_be_visible()


def test_the_ticket_page_shows_the_thread_before_the_forms_on_a_phone(
    login, live_server, main_pages
):
    page = login("tess")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + main_pages[1][1])

    history = page.get_by_role("heading", name="History").bounding_box()
    reply = page.locator("#reply-panel").bounding_box()
    operate = page.locator("#operation-panel").bounding_box()
    assert history["y"] < reply["y"]
    assert history["y"] < operate["y"]
