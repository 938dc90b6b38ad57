"""Behind PgBouncer in transaction mode: with DISABLE_SERVER_SIDE_CURSORS the code that reads
with .iterator() (the audit CSV export's Python path, the bulk results CSV) declares no
server-side cursor, which the pooler could not keep from one fetch to the next, and still writes
every row."""

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ticketui.audit import export
from ticketui.audit.models import AuditRecord

from ..audit.conftest import finish_operation, start_operation

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors"),
]


def open_cursors() -> int:
    """Server-side cursors this connection holds now (what a pooler would lose)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)


@pytest.fixture
def operations(support_user, monkeypatch):
    monkeypatch.setattr(export, "FETCH_ROWS", 2)  # several fetches for five records
    for number in range(5):
        finish_operation(start_operation(support_user, case_id=f"CS20260901000{number:02d}"))
    return AuditRecord.objects.order_by("id")


def read_audit_export(records) -> tuple[list[bytes], int]:
    blocks = export.audit_csv_rows(records, zone=timezone.get_current_timezone())
    read = [next(blocks), next(blocks)]  # the header, then the first rows: mid-read
    cursors_mid_read = open_cursors()
    return read + list(blocks), cursors_mid_read


def test_with_server_side_cursors_disabled_the_audit_export_opens_no_cursor_and_writes_every_record(
    pooled, operations
):
    blocks, cursors_mid_read = read_audit_export(operations)

    assert cursors_mid_read == 0
    text = b"".join(blocks).decode()
    assert [f"CS20260901000{number:02d}" in text for number in range(5)] == [True] * 5
    assert text.count("\r\n") == 1 + operations.count()


def test_by_default_the_audit_export_reads_through_a_server_side_cursor(operations):
    # What the check above would see without the setting (and what PgBouncer would break).
    _, cursors_mid_read = read_audit_export(operations)

    assert cursors_mid_read == 1


BULK_ITEMS = 1001


@pytest.fixture
def bulk(support_user):
    # More items than one chunk of the export holds, so that a read can stop in the middle.
    bulk_operation = apps.get_model("tickets", "BulkOperation").objects.create(
        actor=support_user, action_id="press", total=BULK_ITEMS
    )
    bulk_item = apps.get_model("tickets", "BulkItem")
    bulk_item.objects.bulk_create(
        bulk_item(bulk=bulk_operation, case_id=f"CS20260901{position:05d}", position=position)
        for position in range(BULK_ITEMS)
    )
    return bulk_operation


def read_bulk_export(client, bulk) -> tuple[str, int]:
    response = client.get(reverse("tickets:bulk-export", args=[bulk.pk]))
    lines = iter(response.streaming_content)
    read = [next(lines), next(lines)]  # the header, then the first chunk of items: mid-read
    cursors_mid_read = open_cursors()
    return b"".join([*read, *lines]).decode(), cursors_mid_read


def test_with_server_side_cursors_disabled_the_bulk_results_csv_opens_no_cursor(
    pooled, support_client, bulk
):
    text, cursors_mid_read = read_bulk_export(support_client, bulk)

    assert cursors_mid_read == 0
    case_ids = [line.split(",")[1] for line in text.splitlines()[1:]]
    assert case_ids == [f"CS20260901{position:05d}" for position in range(BULK_ITEMS)]


def test_with_server_side_cursors_disabled_the_audit_export_page_downloads_every_record(
    pooled, lead_client, operations
):
    response = lead_client.get(reverse("audit:export"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert [f"CS20260901000{number:02d}" in text for number in range(5)] == [True] * 5
