"""A team lead closes fifty tickets in one bulk operation in Chromium, with a worker running
in the background, and watches it to the end (reloading the page on the way)."""

import re
import threading

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.tickets.bulk.test_services import closable_tickets
from ticketui.audit.models import AuditRecord
from ticketui.sandbox.faults import Fault
from ticketui.tickets.models import BulkOperation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker():
    """`manage.py db_worker` in a thread of this process, against the test database."""
    running = Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )

    def run():
        try:
            running.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield running
    running.running = False
    thread.join(timeout=30)


def test_a_team_lead_closes_fifty_tickets_and_watches_them_through(
    login, sandbox, team_lead, worker
):
    closable_tickets(sandbox, 50)
    # Slow enough upstream that the bar is seen moving and a reload lands mid-way.
    sandbox.faults.add(Fault(kind="latency", seconds=0.1, path_contains="/action", times=0))
    page = login("tess")

    page.get_by_role("button", name=re.compile("^Awaiting confirmation")).click()
    expect(page).to_have_url(re.compile(r"status=2"))
    expect(page.locator("#bulk-form")).to_be_hidden()
    page.get_by_label("Select all tickets on this page").check()
    expect(page.locator("#bulk-form")).to_be_visible()
    expect(page.locator("[data-bulk-count]")).to_have_text("25 selected")
    page.get_by_label("Select all 50 tickets matching this filter").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("50 selected")
    page.locator("#bulk-form").get_by_label("Operation").select_option("close")
    page.locator("#bulk-form").get_by_label("Description").fill("Resolved in the weekly clean-up")
    page.screenshot(path=ARTIFACTS / "bulk_selection.png")
    page.get_by_role("button", name="Apply to selected").click()

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Close 50 tickets?")
    expect(dialog).to_contain_text("50 separate operations")
    page.screenshot(path=ARTIFACTS / "bulk_confirmation.png")
    dialog.get_by_role("button", name="Yes, go ahead").click()
    expect(page).to_have_url(re.compile(r"/bulk/\d+/$"))

    bar = page.locator("#bulk-bar")
    expect(bar).to_have_attribute("max", "50")
    expect(bar).to_have_attribute("value", re.compile(r"^([5-9]|[1-3]\d|4[0-8])$"), timeout=30_000)
    before_reload = int(bar.get_attribute("value"))
    page.reload()
    after_reload = int(page.locator("#bulk-bar").get_attribute("value"))
    assert before_reload <= after_reload < 50
    page.screenshot(path=ARTIFACTS / "bulk_progress_mid_way.png")
    expect(page.locator("#bulk-count")).to_have_text(f"{after_reload} of 50")
    expect(page.get_by_role("button", name="Cancel the rest")).to_be_visible()

    expect(page.locator("#bulk-count")).to_have_text("50 of 50", timeout=60_000)
    expect(page.locator("#bulk-progress .bulk-state-done")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the rest")).to_have_count(0)
    expect(page.locator("#bulk-progress tbody .outcome-succeeded")).to_have_count(50)
    bulk = BulkOperation.objects.get()
    records = AuditRecord.objects.filter(kind="operation", action_id="close", actor=team_lead)
    assert records.filter(outcome="succeeded").count() == 50
    assert set(records.values_list("case_id", flat=True)) == {f"BULK{i:04d}" for i in range(50)}
    assert bulk.items.filter(audit_record__isnull=False).count() == 50
    assert all(sandbox.state.tickets[f"BULK{i:04d}"]["status"] == 3 for i in range(50))

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == f"bulk-{bulk.pk}.csv"


def test_cancelling_stops_a_bulk_between_tickets(login, sandbox, team_lead, worker):
    closable_tickets(sandbox, 30)
    sandbox.faults.add(Fault(kind="latency", seconds=0.2, path_contains="/action", times=0))
    page = login("tess")

    page.get_by_label("Select all tickets on this page").check()
    page.get_by_label("Select all 30 tickets matching this filter").check()
    page.locator("#bulk-form").get_by_label("Operation").select_option("close")
    page.get_by_role("button", name="Apply to selected").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Yes, go ahead").click()
    expect(page.locator("#bulk-bar")).to_have_attribute("value", re.compile(r"^[1-9]\d*$"))
    page.get_by_role("button", name="Cancel the rest").click()

    expect(page.locator("#bulk-progress .bulk-state-cancelled")).to_be_visible(timeout=30_000)
    expect(page.locator("#bulk-count")).to_have_text("30 of 30")
    skipped = page.locator("#bulk-progress tbody .outcome-skipped").count()
    sent = AuditRecord.objects.filter(kind="operation").count()
    assert skipped > 0
    assert sent + skipped == 30


def test_ticking_two_rows_closes_exactly_those_two(login, sandbox, team_lead, worker):
    closable_tickets(sandbox, 5)
    page = login("tess")

    page.get_by_label("Select BULK0001").check()
    page.get_by_label("Select BULK0003").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected")
    page.get_by_role("button", name="Apply to selected").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Close 2 tickets?")
    dialog.get_by_role("button", name="Yes, go ahead").click()

    expect(page.locator("#bulk-count")).to_have_text("2 of 2", timeout=30_000)
    closed = AuditRecord.objects.filter(kind="operation", outcome="succeeded")
    assert set(closed.values_list("case_id", flat=True)) == {"BULK0001", "BULK0003"}
