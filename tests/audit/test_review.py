"""The review page: filters in the URL, the viewer's time zone, sorting, keyset paging, and what
each role may see."""

import base64
import json
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


def test_slowest_first_lists_calls_by_duration_then_the_records_without_one(
    lead_client, support_user
):
    quick = record(support_user, duration_ms=80.0)
    slow = record(support_user, duration_ms=5000.0)
    event = record(support_user, kind=Kind.LOGIN)  # no duration: not a call, listed after them
    later_event = record(support_user, kind=Kind.LOGIN)

    response = lead_client.get("/audit/", {"sort": "slowest", "agent": "sam"})

    assert ids(response) == [slow.pk, quick.pk, later_event.pk, event.pk]
    assert "4 records match." in response.text


def test_slowest_first_pages_through_every_record_once_forwards_and_back(
    lead_client, support_user, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    made = [
        record(support_user, duration_ms=None if n % 3 == 0 else float(n % 4 * 100))
        for n in range(16)
    ]
    expected = [
        item.pk
        for item in sorted(
            made, key=lambda r: (r.duration_ms is None, -(r.duration_ms or 0), -r.pk)
        )
    ]

    pages, params = [], {"sort": "slowest", **OPS}
    while True:
        response = lead_client.get("/audit/", params)
        pages.append(ids(response))
        page = response.context["page"]
        if not page.has_next:
            break
        params = {"sort": "slowest", "after": page.next_cursor, **OPS}
    assert [pk for page in pages for pk in page] == expected
    assert len(expected) == 16

    back = []
    while page.has_previous and page.previous_cursor:
        params = {"sort": "slowest", "before": page.previous_cursor, **OPS}
        page = lead_client.get("/audit/", params).context["page"]
        back.append([item.pk for item in page.object_list])
    assert back == pages[-2::-1]


def test_the_export_in_slowest_order_keeps_the_records_without_a_duration(
    lead_client, support_user
):
    timed = record(support_user, duration_ms=80.0, case_id="CS-TIMED")
    untimed = record(support_user, case_id="CS-UNTIMED")

    response = lead_client.get("/audit/export.csv", {"sort": "slowest", **OPS})
    text = b"".join(response.streaming_content).decode()

    assert text.index(timed.case_id) < text.index(untimed.case_id)


INVALID_LINK = "This page link is not valid: it may have been cut short or edited."


def cursor(value, pk) -> str:
    raw = json.dumps([value, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "link"),
    [
        ("newest", "not-a-cursor!"),
        ("newest", "WzEsMl0"),
        ("newest", "é"),
        ("case", cursor("CS\x00", 1)),
        ("case", cursor("\ud800", 1)),
        ("case", cursor("x" * 5000, 1)),
        ("case", cursor(["CS"], 1)),
        ("case", cursor("CS", 2**63)),
        ("case", cursor("CS", 99999999999999999999999)),
        ("case", cursor("CS", -1)),
        ("case", cursor("CS", True)),
        ("case", cursor("CS", 1.5)),
        ("case", cursor(None, 1)),
        ("slowest", cursor(1e400, 1)),
        ("slowest", "WyJJbmZpbml0eSIsMV0"),
        ("slowest", cursor("NaN", 1)),
        ("slowest", cursor(True, 1)),
        ("newest", cursor("0001-01-01T00:00:00+08:00", 1)),
        ("newest", cursor("9999-12-31T23:59:59-08:00", 1)),
        ("newest", cursor("2026-11-01T00:00:00", 1)),  # no time zone
        ("newest", cursor("2026-13-01T00:00:00+00:00", 1)),
        ("newest", cursor(17, 1)),
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_page_link_that_is_not_one_says_so_with_a_way_back(
    lead_client, support_user, sort, link, direction
):
    record(support_user)

    response = lead_client.get("/audit/", {"sort": sort, direction: link})

    assert response.status_code == 400
    assert INVALID_LINK in response.text
    assert ids(response) == []
    assert "records match" not in response.text  # nothing was counted
    assert f'href="?sort={sort}">Go to the first page</a>' in response.text


def test_an_htmx_request_with_a_bad_link_gets_the_explanation_swapped_in(lead_client, support_user):
    response = lead_client.get("/audit/", {"after": "WzEsMl0"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert INVALID_LINK in response.text


def test_a_page_past_the_last_record_says_it_does_not_exist(lead_client, support_user):
    made = record(support_user, **OPS)

    response = lead_client.get(
        "/audit/", {"after": cursor(made.created_at.isoformat(), made.pk), **OPS}
    )

    assert response.status_code == 404
    assert "This page does not exist: no record comes after the previous page." in response.text
    assert "Go to the first page</a>" in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_to": "0001-01-01"},
    ],
)
@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "UTC", "America/Los_Angeles", "Pacific/Kiritimati"]
)
@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
def test_dates_at_the_ends_of_the_calendar_filter_as_far_as_time_goes(
    lead_client, support_user, settings, query, zone, path
):
    settings.TIME_ZONE = zone
    made = record(support_user)
    everything = (
        query.get("date_from", "0001-01-01") == "0001-01-01"
        and query.get("date_to", "9999-12-31") == "9999-12-31"
    )

    response = lead_client.get(path, {**query, **OPS})

    assert response.status_code == 200
    if path == "/audit/":
        assert ids(response) == ([made.pk] if everything else [])
    else:
        text = b"".join(response.streaming_content).decode()
        assert (made.case_id or str(made.pk)) in text or not everything


def test_a_date_that_is_not_one_shows_the_error_and_no_count(lead_client, support_user):
    record(support_user)

    response = lead_client.get("/audit/", {"date_from": "notadate"})

    assert response.status_code == 400
    assert "Enter a valid date." in response.text
    assert "Fix the filter above to see records." in response.text
    assert "records match" not in response.text
    assert "0 records" not in response.text


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
