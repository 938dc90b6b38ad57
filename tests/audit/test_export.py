"""The CSV export: exactly the filtered records, streamed in constant memory, safe to open in a
spreadsheet, and itself recorded."""

import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from ticketui.audit.export import csv_cell
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
