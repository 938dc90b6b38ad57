"""Owners and saved views in Chromium: an agent claims a ticket and saves a view of their old
tickets; the scheduled sync brings a change to it, which the agent's list marks; a team lead
gives the ticket to someone else; the agent's view no longer holds it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from ticketui.tickets.models import Ticket
from ticketui.tickets.sync.services import tickets_sync_now
from ticketui.tickets.sync.tasks import tickets_sync_scheduled_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_ID = "CS2026090100003"


@pytest.fixture
def synced(sandbox):
    tickets_sync_now(full=True)
    return sandbox


@pytest.fixture
def ana(support_user):
    user = User.objects.create_user("ana", password="correct horse battery", first_name="Ana")
    user.groups.add(Group.objects.get(name="Support"))
    return user


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def scheduled_sync_after_an_upstream_change(sandbox, settings, case_id: str) -> None:
    """The engineer changes the ticket upstream; then the worker's scheduled sync runs (called
    here as the worker calls it, its next run queued in the database)."""
    later = (timezone.now() + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.state.tickets[case_id].update(status=3, update_time=later)
    backend, interval = settings.TASKS, settings.SYNC_INTERVAL_SECONDS
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SYNC_INTERVAL_SECONDS = 300
    tickets_sync_scheduled_task.call()
    settings.TASKS, settings.SYNC_INTERVAL_SECONDS = backend, interval


def test_an_agent_claims_saves_a_view_and_a_team_lead_reassigns(
    login, synced, settings, support_user, team_lead, ana
):
    page = login("sam")
    page.get_by_role("link", name="Unassigned").click()
    expect(page).to_have_url(re.compile(r"owner=none"))
    expect(page.locator("#result-count")).to_contain_text("tickets match this filter")
    page.get_by_role("link", name=CASE_ID).click()

    panel = page.locator("#owner-panel")
    expect(panel).to_contain_text("Nobody yet: unassigned")
    panel.get_by_role("button", name="Claim").click()
    expect(panel.locator("#owner-name")).to_have_text("Sam (you)")
    expect(page.locator("#timeline")).to_contain_text("Ticket claimed")
    expect(page.locator("#timeline")).to_contain_text("From nobody to sam")
    page.screenshot(path=ARTIFACTS / "ownership_claimed.png", full_page=True)

    page.get_by_role("link", name="Tickets", exact=True).first.click()
    page.locator("#ticket-filters select[name=owner]").select_option("me")
    expect(page).to_have_url(re.compile(r"owner=me"))
    page.locator("#ticket-filters select[name=age]").select_option("7d")
    expect(page).to_have_url(re.compile(r"age=7d"))
    page.locator("#results th").get_by_role("link", name=re.compile("^Age")).click()
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text(CASE_ID)
    page.get_by_text("Save this view").click()
    page.get_by_label("Name", exact=True).fill("my old ones")
    page.locator(".view-save-form").get_by_role("button", name="Save").click()

    expect(page.locator(".flash")).to_contain_text("Saved the view “my old ones”.")
    saved = page.get_by_role("link", name="my old ones")
    expect(saved).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"\?age=7d&owner=me&sort=oldest$"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "ownership_saved_view.png", full_page=True)
    row = page.locator("#results tbody tr", has_text=CASE_ID)
    expect(row.locator(".badge-changed")).to_have_count(0)

    scheduled_sync_after_an_upstream_change(synced, settings, CASE_ID)
    page.reload()
    expect(row.locator(".badge-changed")).to_have_text("Changed")
    page.screenshot(path=ARTIFACTS / "ownership_changed_upstream.png", full_page=True)
    log_out(page)

    login("tess")
    page.get_by_placeholder("Search case id or summary").fill(CASE_ID)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr")).to_contain_text("Sam")
    page.get_by_role("link", name=CASE_ID).click()
    panel = page.locator("#owner-panel")
    expect(panel.locator("#owner-name")).to_have_text("Sam")
    panel.get_by_label("Give to").select_option(label="Ana")
    panel.get_by_role("button", name="Reassign").click()
    expect(panel.locator("#owner-name")).to_have_text("Ana")
    expect(page.locator("#timeline")).to_contain_text("Owner changed")
    expect(page.locator("#timeline")).to_contain_text("From sam to ana")
    page.screenshot(path=ARTIFACTS / "ownership_reassigned.png", full_page=True)
    assert Ticket.objects.get(case_id=CASE_ID).owner == ana
    log_out(page)

    login("sam")
    page.get_by_role("link", name="my old ones").click()
    expect(page.locator("#result-count")).to_have_text("0 tickets match this filter")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("link", name="我的工单")).to_be_visible()
    page.get_by_role("link", name="未分配").click()
    expect(page.locator("#results thead")).to_contain_text("负责人")
    page.screenshot(path=ARTIFACTS / "ownership_list_zh.png", full_page=True)
