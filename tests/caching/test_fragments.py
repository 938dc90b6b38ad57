"""The rows of the ticket list, a ticket's timeline and the audit review are cached markup
(ticketui.fragments): what a user sees must still be the current state of each row, in the
user's own language, time zone and role."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User

from tests.audit.conftest import finish_operation, start_operation
from ticketui.accounts.models import Profile
from ticketui.audit.models import AuditRecord
from ticketui.caching import fragments
from ticketui.osm.results import Outcome
from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def row_of(html: str, case_id: str) -> str:
    """The list's table row that links to `case_id`."""
    rows = re.findall(r"<tr data-row>.*?</tr>", html, flags=re.S)
    return next(row for row in rows if f">{case_id}</a>" in row)


@pytest.fixture
def listed(db) -> Ticket:
    return Ticket.objects.create(
        case_id="CS100",
        summary="ECS cannot boot",
        status=1,
        upstream_created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    )


def test_a_changed_ticket_shows_its_new_state_in_the_list(support_client, listed):
    assert "Processing" in row_of(support_client.get("/").text, "CS100")

    listed.status = 4
    listed.summary = "ECS boots again"
    listed.save()
    row = row_of(support_client.get("/").text, "CS100")

    assert "Cancelled" in row
    assert "ECS boots again" in row


def test_the_list_rows_follow_each_viewers_language_and_time_zone(
    support_client, support_user, listed
):
    english = row_of(support_client.get("/").text, "CS100")
    Profile.objects.create(user=support_user, language="zh-cn", utc_offset_minutes=0)
    chinese = row_of(support_client.get("/").text, "CS100")

    assert "Processing" in english
    assert "2026-03-02 07:30" in english
    assert 'aria-label="Select CS100"' in english
    assert 'aria-label="选择 CS100"' in chinese
    assert "处理中" in chinese
    assert "2026-03-01 23:30" in chinese


def test_a_viewer_who_may_not_operate_gets_no_selection_boxes_from_an_operators_rows(
    client, support_client, listed
):
    assert "data-bulk-ticket" in support_client.get("/").text
    reader = User.objects.create_user("rita", password="correct horse battery")
    reader.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client.force_login(reader)

    page = client.get("/")

    assert "CS100" in page.text
    assert "data-bulk-ticket" not in page.text


def test_the_list_counts_its_pages_from_the_status_counts(support_client):
    Ticket.objects.bulk_create(
        Ticket(case_id=f"CS{n:03d}", status=1 if n % 2 else 3) for n in range(60)
    )

    everything = support_client.get("/", {"page": 3})
    processing = support_client.get("/", {"status": 1, "page": 2})

    assert everything.context["page"].paginator.count == 60
    assert len(everything.context["page"]) == 10
    assert processing.context["page"].paginator.count == 30
    assert len(processing.context["page"]) == 5


def test_a_completed_operation_replaces_pending_in_the_audit_review(lead_client, support_user):
    record = start_operation(support_user, action_id="cancel")
    assert 'outcome-pending">Pending<' in lead_client.get("/audit/").text

    finish_operation(record, outcome=Outcome.REJECTED, error_code="OSM.01010014")
    page = lead_client.get("/audit/").text

    assert 'outcome-pending">Pending<' not in page
    assert 'outcome-rejected">Rejected by the upstream<' in page
    assert "OSM.01010014" in page


def test_a_completed_operation_replaces_pending_in_the_ticket_timeline(
    support_client, support_user, ticket
):
    record = start_operation(support_user, action_id="close", case_id=ticket.case_id)
    url = ticket.get_absolute_url()
    assert ">Pending<" in support_client.get(url).text

    finish_operation(record)
    page = support_client.get(url).text

    assert ">Pending<" not in page
    assert ">Succeeded<" in page
    assert AuditRecord.objects.get(pk=record.pk).outcome == "succeeded"


def test_the_audit_filter_form_shows_the_values_asked_for(lead_client):
    logins = lead_client.get("/audit/", {"kind": "login"}).text
    exports = lead_client.get("/audit/", {"kind": "export"}).text

    assert '<option value="login" selected>' in logins
    assert '<option value="export" selected>' in exports
    assert '<option value="login" selected>' not in exports


def test_an_agent_gets_no_agent_filter_from_a_team_leads_cached_form(
    lead_client, client, support_user
):
    assert 'name="agent"' in lead_client.get("/audit/").text
    client.force_login(support_user)

    assert 'name="agent"' not in client.get("/audit/").text


def test_rows_drawn_by_other_templates_are_drawn_again_after_a_deploy(
    support_client, listed, monkeypatch
):
    monkeypatch.setattr(fragments, "templates_version", lambda: "before-the-deploy")
    assert "ECS cannot boot" in row_of(support_client.get("/").text, "CS100")
    # Changed without a new change stamp: only markup drawn afresh can show it.
    Ticket.objects.filter(pk=listed.pk).update(summary="ECS boots again")
    assert "ECS cannot boot" in row_of(support_client.get("/").text, "CS100")

    monkeypatch.setattr(fragments, "templates_version", lambda: "after-the-deploy")

    assert "ECS boots again" in row_of(support_client.get("/").text, "CS100")


def test_the_templates_digest_changes_with_any_template(tmp_path, settings):
    (tmp_path / "templates" / "tickets").mkdir(parents=True)
    row = tmp_path / "templates" / "tickets" / "rows.jinja.html"
    row.write_text("<td>{{ a }}</td>")
    settings.BASE_DIR = tmp_path
    fragments.templates_version.cache_clear()
    try:
        before = fragments.templates_version()
        row.write_text("<td>{{ a }}</td><td>{{ b }}</td>")
        assert fragments.templates_version() == before  # read once per process
        fragments.templates_version.cache_clear()
        assert fragments.templates_version() != before
    finally:
        fragments.templates_version.cache_clear()
