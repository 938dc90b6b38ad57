"""The bulk confirmation in Chromium says beforehand how many of the chosen tickets cannot be
urged in their status, and leaving them out sends only the others."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.tickets.bulk.test_services import closable_tickets
from ticketui.tickets.models import BulkOperation, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dialog_counts_the_tickets_that_cannot_be_urged_and_leaves_them_out(
    login, sandbox, team_lead
):
    closable_tickets(sandbox, 3)  # awaiting confirmation: urging is not allowed
    urgeable = [
        Ticket.objects.create(case_id=f"URGE{n}", summary="Waiting", status=1) for n in (1, 2)
    ]
    page = login("tess")

    page.get_by_label("Select all tickets on this page").check()
    page.locator("#bulk-form").get_by_label("Operation").select_option("press")
    page.get_by_role("button", name="Apply to selected").click()

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("3 of these cannot be urged in their current status.")
    dialog.get_by_label(re.compile("Leave them out")).check()
    page.screenshot(path=ARTIFACTS / "bulk_confirmation_leave_out.png")
    dialog.get_by_role("button", name="Yes, go ahead").click()
    expect(page).to_have_url(re.compile(r"/bulk/\d+/$"))

    bulk = BulkOperation.objects.get()
    assert sorted(bulk.items.values_list("case_id", flat=True)) == [t.case_id for t in urgeable]
