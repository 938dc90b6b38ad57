"""A team lead reviews the audit log in Chromium: filters in place, exports what they see, reads
the chain head; an agent sees only their own activity."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.verify import chain_head

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def operation(actor, *, days_ago: float, action_id: str, outcome: str) -> AuditRecord:
    return AuditRecord.objects.create(
        kind=Kind.OPERATION,
        created_at=timezone.now() - timedelta(days=days_ago),
        actor=actor,
        actor_username=actor.username,
        action_id=action_id,
        case_id="CS2026090100003",
        outcome=outcome,
        error_code="OSM.01010014" if outcome == RecordOutcome.REJECTED else "",
        request_method="POST",
        request_path="/v2/servicerequest/cases/CS2026090100003/action?action_id=" + action_id,
        request_body={"operate_desc": "=cmd()"},
        ip_address="203.0.113.9",
    )


@pytest.fixture
def trail(support_user, team_lead):
    wanted = [
        operation(support_user, days_ago=1, action_id="close", outcome=RecordOutcome.REJECTED),
        operation(support_user, days_ago=5, action_id="close", outcome=RecordOutcome.NOT_SENT),
    ]
    operation(support_user, days_ago=2, action_id="close", outcome=RecordOutcome.SUCCEEDED)
    operation(support_user, days_ago=12, action_id="close", outcome=RecordOutcome.REJECTED)
    operation(support_user, days_ago=1, action_id="press", outcome=RecordOutcome.REJECTED)
    operation(team_lead, days_ago=1, action_id="close", outcome=RecordOutcome.REJECTED)
    return wanted


def test_a_team_lead_filters_failed_closes_and_exports_exactly_those(
    login, live_server, trail, tmp_path
):
    page = login("tess")
    page.get_by_role("link", name="Audit log").click()
    head = chain_head()
    expect(page.locator("#head-hash")).to_have_text(head.hash)

    page.get_by_label("Agent").select_option("sam")
    page.get_by_label("Action").select_option("close")
    page.get_by_label("Outcome").select_option("failed")
    page.get_by_label("Period").select_option("7d")

    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("#result-count")).to_contain_text("2 records match.")
    for part in ("agent=sam", "action=close", "outcome=failed", "period=7d"):
        assert part in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert sorted(int(row["id"]) for row in rows) == sorted(record.pk for record in trail)
    assert {row["request_body"] for row in rows} == {'{"operate_desc": "=cmd()"}'}
    export = AuditRecord.objects.get(kind=Kind.EXPORT)
    assert export.data["filter"]["agent"] == "sam"

    page.reload()  # the state lives in the URL
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.get_by_label("Outcome")).to_have_value("failed")
    page.locator("#results tbody tr").first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Operation: Close")
    expect(page.get_by_text("203.0.113.9")).to_be_visible()


def test_an_agent_sees_only_their_own_activity(login, live_server, trail):
    page = login("sam")
    page.get_by_role("link", name="My activity").click()

    expect(page.get_by_label("Agent")).to_have_count(0)
    page.get_by_label("Kind").select_option("operation")
    expect(page.locator("#results tbody tr")).to_have_count(5)
    expect(page.locator("#results")).not_to_contain_text("tess")
    expect(page.get_by_text("Tamper evidence")).to_have_count(0)
