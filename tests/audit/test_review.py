"""The review page: filters in the URL, the viewer's time zone, sorting, keyset paging, and what
each role may see."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketui.audit import views
from ticketui.audit.forms import DATE_RANGE_BACKWARDS
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import audit_event
from ticketui.audit.verify import chain_head

from .conftest import FAILED_CLOSES, record

pytestmark = pytest.mark.django_db


# Logging the test client in writes a login record; most tests look at operations only.
OPS = {"kind": "operation"}


def ids(response) -> list[int]:
    return [item.pk for item in response.context["page"].object_list]


def test_a_team_lead_filters_to_failed_closes_by_one_agent_in_the_last_7_days(
    lead_client, failed_closes
):
    response = lead_client.get("/audit/", FAILED_CLOSES)

    assert response.status_code == 200
    assert ids(response) == [
        item.pk for item in sorted(failed_closes, key=lambda r: r.created_at, reverse=True)
    ]
    assert "3 records match." in response.text


def test_the_results_alone_come_back_to_htmx_with_the_filter_kept_in_the_links(
    lead_client, failed_closes
):
    response = lead_client.get("/audit/", FAILED_CLOSES, headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<section id="results"')
    assert 'id="audit-filters"' not in response.text
    assert "/audit/export.csv?action=close&amp;outcome=failed&amp;period=7d&amp;agent=sam" in (
        response.text
    )


def test_the_page_shows_the_filter_it_was_opened_with(lead_client, failed_closes):
    response = lead_client.get("/audit/", FAILED_CLOSES)

    assert '<option value="failed" selected>' in response.text
    assert '<option value="sam" selected>' in response.text


def test_each_filter_narrows_the_list(lead_client, support_user, team_lead):
    rejected = record(
        support_user,
        action_id="cancel",
        case_id="CS-A",
        outcome=RecordOutcome.REJECTED,
        error_code="OSM.01010014",
    )
    record(
        team_lead,
        action_id="press",
        case_id="CS-B",
        error_code="OSM.01010004",
        outcome=RecordOutcome.REJECTED,
    )
    tracked = record(team_lead, kind=Kind.TRACK)

    assert ids(lead_client.get("/audit/", {"case_id": "CS-A"})) == [rejected.pk]
    assert ids(lead_client.get("/audit/", {"error_code": "OSM.01010014"})) == [rejected.pk]
    assert ids(lead_client.get("/audit/", {"kind": "track"})) == [tracked.pk]
    assert ids(lead_client.get("/audit/", {"action": "cancel"})) == [rejected.pk]
    assert ids(lead_client.get("/audit/", {"outcome": "rejected", "agent": "sam"})) == [rejected.pk]


def test_an_agents_failed_logins_are_found_under_their_name(lead_client, support_user):
    failed = audit_event(kind=Kind.LOGIN_FAILED, username="sam", outcome=RecordOutcome.FAILED)

    assert ids(lead_client.get("/audit/", {"agent": "sam", "outcome": "failed"})) == [failed.pk]


def test_dates_are_whole_days_in_the_viewers_time_zone(lead_client, support_user, settings):
    shanghai = ZoneInfo("Asia/Shanghai")
    just_in = record(support_user, at=datetime(2026, 11, 28, 0, 30, tzinfo=shanghai))
    just_out = record(support_user, at=datetime(2026, 11, 27, 23, 59, tzinfo=shanghai))
    day = {"date_from": "2026-11-28", "date_to": "2026-11-28", **OPS}

    settings.TIME_ZONE = "Asia/Shanghai"
    assert ids(lead_client.get("/audit/", day)) == [just_in.pk]
    settings.TIME_ZONE = "UTC"  # the same date is another span of time for a viewer in UTC
    assert ids(lead_client.get("/audit/", day)) == []
    assert ids(lead_client.get("/audit/", {"date_to": "2026-11-27", **OPS})) == [
        just_in.pk,
        just_out.pk,
    ]


def test_an_end_date_before_the_start_date_is_explained_and_lists_nothing(
    lead_client, support_user
):
    record(support_user)

    response = lead_client.get("/audit/", {"date_from": "2026-11-28", "date_to": "2026-11-01"})

    assert str(DATE_RANGE_BACKWARDS) in response.text
    assert ids(response) == []
    assert "Export CSV" not in response.text


def test_an_agent_sees_only_their_own_records_whatever_the_url_asks(
    support_client, support_user, team_lead
):
    own = record(support_user, action_id="close")
    record(team_lead, action_id="close")

    response = support_client.get("/audit/", {"agent": "tess", **OPS})

    assert ids(response) == [own.pk]
    assert 'name="agent"' not in response.text
    assert "Tamper evidence" not in response.text


def test_an_agent_sees_how_their_unknown_operation_was_settled(support_client, support_user):
    operation = record(support_user, action_id="close", outcome=RecordOutcome.UNKNOWN)
    settlement = AuditRecord.objects.create(
        kind=Kind.RECONCILE, created_at=timezone.now(), reconciles=operation,
        outcome=RecordOutcome.SUCCEEDED, detail="The upstream's operate-log shows this close.",
    )  # fmt: skip

    assert ids(support_client.get("/audit/", {"kind": "reconcile"})) == [settlement.pk]
    assert ids(support_client.get("/audit/", {"outcome": "unknown"})) == [operation.pk]
    detail = support_client.get(f"/audit/{operation.pk}/")
    assert "Settled by reconciliation: succeeded." in detail.text
    assert "The upstream&#x27;s operate-log shows this close." in detail.text


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("newest", lambda r: (-r.created_at.timestamp(), -r.pk)),
        ("oldest", lambda r: (r.created_at.timestamp(), r.pk)),
        ("case", lambda r: (r.case_id, r.pk)),
        ("agent", lambda r: (r.actor_username, r.pk)),
    ],
)
def test_every_order_pages_through_every_record_once_forwards_and_back(
    lead_client, support_user, team_lead, monkeypatch, sort, key
):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    moment = timezone.now()
    made = [
        record(support_user if n % 3 else team_lead, at=moment - timedelta(minutes=n % 5),
               case_id=f"CS-{n % 4}")
        for n in range(11)
    ]  # fmt: skip
    expected = [item.pk for item in sorted(made, key=key)]

    pages, params = [], {"sort": sort, **OPS}
    while True:
        response = lead_client.get("/audit/", params)
        pages.append(ids(response))
        page = response.context["page"]
        if not page.has_next:
            break
        params = {"sort": sort, "after": page.next_cursor, **OPS}
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [4, 4, 3]

    back = lead_client.get("/audit/", {"sort": sort, "before": page.previous_cursor, **OPS})
    assert ids(back) == pages[1]
    first = lead_client.get(
        "/audit/", {"sort": sort, "before": back.context["page"].previous_cursor, **OPS}
    )
    assert ids(first) == pages[0]
    assert not first.context["page"].has_previous


def test_slowest_first_lists_calls_by_duration(lead_client, support_user):
    quick = record(support_user, duration_ms=80.0)
    slow = record(support_user, duration_ms=5000.0)
    record(support_user, kind=Kind.LOGIN)  # no duration: not a call

    assert ids(lead_client.get("/audit/", {"sort": "slowest"})) == [slow.pk, quick.pk]


def test_a_cursor_that_is_not_one_shows_the_first_page(lead_client, support_user):
    made = record(support_user)

    assert ids(lead_client.get("/audit/", {"after": "not-a-cursor!", **OPS})) == [made.pk]
    assert ids(lead_client.get("/audit/", {"before": "WzEsMl0", **OPS})) == [made.pk]


def test_no_page_view_counts_the_whole_table(lead_client, support_user, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(5):
        record(support_user)

    with CaptureQueriesContext(connection) as queries:
        response = lead_client.get("/audit/", {"outcome": "succeeded"})
        lead_client.get("/audit/", {"after": response.context["page"].next_cursor})

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT 1001" in sql for sql in counts)


def test_more_than_a_thousand_records_are_not_counted_exactly(lead_client, monkeypatch):
    from ticketui.audit import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    for n in range(5):
        audit_event(kind=Kind.SYNC, detail=str(n))

    assert "More than 1,000 records match." in lead_client.get("/audit/").text


def test_team_leads_see_the_chain_head(lead_client, support_user):
    record(support_user)
    head = chain_head()

    response = lead_client.get("/audit/")

    assert "Tamper evidence" in response.text
    assert head.hash in response.text
    assert f'<dd id="head-seq">{head.seq}</dd>' in response.text
