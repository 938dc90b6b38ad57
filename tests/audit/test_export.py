"""The CSV export: exactly the filtered records, streamed in constant memory, safe to open in a
spreadsheet, and itself recorded."""

import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ticketui.accounts.models import Profile
from ticketui.audit.export import (
    FORMULA_STARTS,
    HEADER,
    audit_csv,
    audit_csv_copy,
    audit_csv_rows,
    csv_cell,
    csv_quoted,
)
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome

from .conftest import FAILED_CLOSES, record

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_a_team_lead_exports_exactly_the_failed_closes_they_filtered_to(
    lead_client, failed_closes, team_lead
):
    response = lead_client.get("/audit/export.csv", FAILED_CLOSES)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    exported = rows(response)
    newest_first = sorted(failed_closes, key=lambda r: r.created_at, reverse=True)
    assert [int(row["id"]) for row in exported] == [r.pk for r in newest_first]
    assert {row["agent"] for row in exported} == {"sam"}
    assert {row["action"] for row in exported} == {"close"}
    assert {row["outcome"] for row in exported} == {"rejected", "http_error", "not_sent"}


def test_the_export_is_recorded_with_who_and_which_filter(lead_client, failed_closes, team_lead):
    lead_client.get(
        "/audit/export.csv", FAILED_CLOSES, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox"
    )

    export = AuditRecord.objects.get(kind=Kind.EXPORT)
    assert export.actor == team_lead
    assert export.ip_address == "198.51.100.4"
    assert export.user_agent == "Firefox"
    assert export.data["export"] == "records"
    shown = export.data["filter"]
    assert {key: shown[key] for key in FAILED_CLOSES} == FAILED_CLOSES
    assert shown["time_zone"] == "Asia/Shanghai"
    assert shown["since"].endswith("+08:00")


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(lead_client, support_user):
    record(
        support_user,
        action_id="close",
        case_id='=HYPERLINK("http://evil")',
        error_code="+cmd|' /C calc'!A0",
        error_msg="-2+3",
        detail="@SUM(A1:A2)",
        user_agent="\tTabbed",
        request_id="\rReturn",
        data={"note": "=1+1"},
    )

    (row,) = [r for r in rows(lead_client.get("/audit/export.csv", {"kind": "operation"}))]

    assert row["case_id"] == '\'=HYPERLINK("http://evil")'
    assert row["error_code"] == "'+cmd|' /C calc'!A0"
    assert row["error_msg"] == "'-2+3"
    assert row["detail"] == "'@SUM(A1:A2)"
    assert row["user_agent"] == "'\tTabbed"
    assert row["request_id"] == "'\rReturn"
    assert row["data"] == '{"note": "=1+1"}'  # starts with a brace: nothing to run


@given(st.lists(st.text(), min_size=2, max_size=6))
def test_cells_are_quoted_exactly_as_the_csv_module_quotes_them(cells):
    """Spreadsheets and scripts read the Python path's hand-quoted lines as csv.writer's."""
    written = io.StringIO()
    csv.writer(written).writerow(cells)

    assert ",".join(csv_quoted(cell) for cell in cells) + "\r\n" == written.getvalue()


def test_json_shows_chinese_as_chinese(lead_client, support_user):
    record(support_user, request_body={"operate_desc": "客户已确认，关闭"})

    (row,) = rows(lead_client.get("/audit/export.csv", {"kind": "operation"}))

    assert json.loads(row["request_body"]) == {"operate_desc": "客户已确认，关闭"}
    assert "客户已确认，关闭" in row["request_body"]


def test_an_export_of_nothing_is_the_header_alone():
    exported = b"".join(audit_csv(AuditRecord.objects.none(), zone=UTC)).decode("utf-8")

    assert exported.rstrip("\r\n") == "\ufeff" + ",".join(HEADER)


def test_cell_values_keep_their_meaning():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "yes"
    assert csv_cell(404) == 404
    assert csv_cell(12.5) == 12.5
    assert csv_cell("plain") == "plain"


def test_an_agent_exports_only_their_own_records(support_client, support_user, team_lead):
    own = record(support_user, action_id="close")
    record(team_lead, action_id="close")

    exported = rows(support_client.get("/audit/export.csv", {"agent": "tess", "kind": "operation"}))

    assert [int(row["id"]) for row in exported] == [own.pk]


def test_an_invalid_filter_exports_nothing_and_records_nothing(lead_client):
    response = lead_client.get(
        "/audit/export.csv", {"date_from": "2026-11-28", "date_to": "2026-11-01"}
    )

    assert response.status_code == 400
    assert not AuditRecord.objects.filter(kind=Kind.EXPORT).exists()


def test_the_export_streams_in_constant_memory(lead_client, team_lead):
    """10,000 rows (some 50 MB held as model instances): streaming them peaks at one chunk."""
    now = timezone.now()
    AuditRecord.objects.bulk_create(
        (
            AuditRecord(
                kind=Kind.OPERATION,
                created_at=now - timedelta(seconds=n),
                actor=team_lead,
                actor_username="tess",
                action_id="close",
                case_id=f"CS{n:013d}",
                outcome=RecordOutcome.SUCCEEDED,
                request_body={"operate_desc": "x" * 200},
                response_body="y" * 400,
            )
            for n in range(10_000)
        ),
        batch_size=2000,
    )
    response = lead_client.get("/audit/export.csv", {"kind": "operation"})

    tracemalloc.start()
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert lines == 10_001
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_times_are_in_the_readers_own_time_zone(lead_client, team_lead):
    """The profile's zone is active while the view runs, not while the file streams."""
    Profile.objects.create(user=team_lead, utc_offset_minutes=-300)
    record(team_lead, at=datetime(2025, 1, 1, 3, 0, 0, 120000, tzinfo=UTC), action_id="close")

    (row,) = rows(lead_client.get("/audit/export.csv", {"kind": "operation"}))

    assert row["created_at"] == "2024-12-31T22:00:00.120000-05:00"


def test_without_a_zone_of_their_own_a_reader_sees_the_sites(lead_client, team_lead):
    record(team_lead, at=datetime(2025, 1, 1, 3, 0, tzinfo=UTC), action_id="close")

    (row,) = rows(lead_client.get("/audit/export.csv", {"kind": "operation"}))

    assert row["created_at"] == "2025-01-01T11:00:00.000000+08:00"  # Asia/Shanghai


def test_the_export_is_recorded_before_the_file_streams(lead_client):
    response = lead_client.get("/audit/export.csv", {"kind": "operation"})

    assert AuditRecord.objects.filter(kind=Kind.EXPORT).count() == 1
    assert b"".join(response.streaming_content).startswith("\ufeffid,".encode())


@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_halfway_leaves_the_connection_usable(lead_client, team_lead):
    now = timezone.now()
    AuditRecord.objects.bulk_create(
        AuditRecord(
            kind=Kind.OPERATION,
            created_at=now - timedelta(seconds=n),
            actor_username="tess",
            response_body="y" * 400,
        )
        for n in range(3_000)
    )
    response = lead_client.get("/audit/export.csv", {"kind": "operation"})
    blocks = iter(response.streaming_content)
    next(blocks), next(blocks)  # the header, then the first records

    response.close()  # the browser went away

    assert AuditRecord.objects.filter(kind=Kind.OPERATION).count() == 3_000


# --- PostgreSQL writes the same file as Python --------------------------------------------

ZONES = [
    dt_timezone(timedelta(hours=5, minutes=30), "GMT+5:30"),
    dt_timezone(timedelta(hours=-5), "GMT-5"),
    ZoneInfo("America/St_Johns"),  # a named zone: -03:30 in winter, -02:30 in summer
    ZoneInfo("Asia/Shanghai"),
]


def tricky_records(actor) -> None:
    """A cell of every sort the two ways of writing the file must agree on."""
    winter = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    summer = datetime(2025, 7, 1, 12, 30, 45, 120000, tzinfo=UTC)
    first = record(
        actor,
        at=winter,
        detail="云服务器 无法登录 😀 “quoted” ‘single’",
        user_agent='Mozilla "quoted", with, commas',
        response_body="line one\r\nline two\nline three\r",
        error_code="",
        request_body=None,
        response_truncated=True,
        data={"note": "=1+1", "中文": ["一", 2.5, None, True], "nested": {"z": 1, "a": -0.5}},
    )
    record(
        actor,
        at=summer,
        completed_at=summer + timedelta(milliseconds=120),
        http_status=200,
        duration_ms=120.0,
        ip_address="2001:db8::1",
        request_body={"operate_desc": "=cmd|' /C calc'!A0"},
        request_headers={"X-Language": "zh-cn", "X-Site": "0"},
        data=-5,
        reconciles=first,
    )
    record(actor, at=summer, duration_ms=0.1, ip_address="203.0.113.7", detail="")
    record(actor, at=summer, duration_ms=120.5, data="")
    for start in FORMULA_STARTS:
        record(
            actor,
            at=winter,
            case_id=f"{start}CS1",
            error_msg=f"{start}SUM(A1:A2)",
            detail=start,
            request_body={"operate_desc": start},
        )
    # Either side of St John's change to summer time, and far outside the usual span.
    record(actor, at=datetime(2025, 3, 9, 5, 29, 59, 999999, tzinfo=UTC))
    record(actor, at=datetime(2025, 3, 9, 5, 30, tzinfo=UTC))
    record(
        actor,
        at=datetime(1990, 7, 1, 12, tzinfo=UTC),
        completed_at=datetime(2100, 7, 1, 12, tzinfo=UTC),
    )


def parsed(blocks) -> list[list[str]]:
    text = b"".join(blocks).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def as_seen(row: list[str]) -> list:
    """A row as a reader takes it in; JSON by its value, since PostgreSQL orders the keys of
    an object its own way (shortest first)."""
    json_columns = {"request_headers", "request_body", "data"}
    return [
        (cell.startswith("'"), json.loads(cell.removeprefix("'")))
        if name in json_columns and cell
        else cell
        for name, cell in zip(HEADER, row, strict=True)
    ]


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_postgresql_writes_the_file_python_writes(support_user, zone):
    """Byte for byte the files differ in two ways only, neither visible in a spreadsheet:
    COPY ends records with LF where csv.writer writes CRLF, and jsonb writes an object's keys
    shortest first where the Python path keeps the stored order."""
    tricky_records(support_user)
    records = AuditRecord.objects.order_by("id")

    by_copy = parsed(audit_csv_copy(records, zone=zone))
    by_python = parsed(audit_csv_rows(records, zone=zone))

    assert by_copy[0] == by_python[0] == HEADER
    assert len(by_copy) == len(by_python) == 1 + 4 + len(FORMULA_STARTS) + 3
    for copied, formatted in zip(by_copy[1:], by_python[1:], strict=True):
        assert as_seen(copied) == as_seen(formatted)
    cells = [dict(zip(HEADER, row, strict=True)) for row in by_copy[1:]]
    assert cells[0]["detail"] == "云服务器 无法登录 😀 “quoted” ‘single’"
    assert cells[0]["response_body"] == "line one\r\nline two\nline three\r"
    assert cells[0]["response_truncated"] == "yes"
    assert cells[1]["response_truncated"] == "no"
    assert cells[0]["completed_at"] == cells[0]["http_status"] == cells[0]["request_body"] == ""
    assert [cell["duration_ms"] for cell in cells[1:4]] == ["120.0", "0.1", "120.5"]
    assert cells[1]["data"] == "'-5"
    assert cells[1]["ip_address"] == "2001:db8::1"
    assert cells[1]["reconciles"] == cells[0]["id"]
    assert [cell["error_msg"] for cell in cells[4:-3]] == [
        f"'{start}SUM(A1:A2)" for start in FORMULA_STARTS
    ]
    shown = [
        cells[0]["created_at"],
        cells[1]["created_at"],
        cells[-3]["created_at"],
        cells[-2]["created_at"],
        cells[-1]["created_at"],
        cells[-1]["completed_at"],
    ]
    assert shown == EXPECTED_TIMES[str(zone)]


EXPECTED_TIMES = {
    "GMT+5:30": [
        "2025-01-01T05:30:00.000000+05:30",
        "2025-07-01T18:00:45.120000+05:30",
        "2025-03-09T10:59:59.999999+05:30",
        "2025-03-09T11:00:00.000000+05:30",
        "1990-07-01T17:30:00.000000+05:30",
        "2100-07-01T17:30:00.000000+05:30",
    ],
    "GMT-5": [
        "2024-12-31T19:00:00.000000-05:00",
        "2025-07-01T07:30:45.120000-05:00",
        "2025-03-09T00:29:59.999999-05:00",
        "2025-03-09T00:30:00.000000-05:00",
        "1990-07-01T07:00:00.000000-05:00",
        "2100-07-01T07:00:00.000000-05:00",
    ],
    "America/St_Johns": [
        "2024-12-31T20:30:00.000000-03:30",
        "2025-07-01T10:00:45.120000-02:30",
        "2025-03-09T01:59:59.999999-03:30",
        "2025-03-09T03:00:00.000000-02:30",
        "1990-07-01T09:30:00.000000-02:30",
        "2100-07-01T09:30:00.000000-02:30",
    ],
    "Asia/Shanghai": [
        "2025-01-01T08:00:00.000000+08:00",
        "2025-07-01T20:30:45.120000+08:00",
        "2025-03-09T13:29:59.999999+08:00",
        "2025-03-09T13:30:00.000000+08:00",
        "1990-07-01T21:00:00.000000+09:00",  # China kept summer time from 1986 to 1991
        "2100-07-01T20:00:00.000000+08:00",
    ],
}
