"""Replies and attachments in the audit trail: their own kinds, in the CSV export; a reply left
pending by a dead process is marked unknown by reconciliation and left for a person."""

from datetime import timedelta

import pytest

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.reconcile import audit_reconcile, stale_after, unsettled_operations_exist
from ticketui.audit.services import audit_operation_start
from ticketui.osm.results import PreparedCall
from ticketui.tickets.conversation.services import reply_submit

from .conftest import attachment, posts

pytestmark = pytest.mark.django_db


def test_replies_and_uploads_are_in_the_csv_export_with_their_kind(
    lead_client, quiet_engineer, team_lead, ticket
):
    reply_submit(actor=team_lead, ticket=ticket, content="Exported", attachments=[attachment()])

    response = lead_client.get("/audit/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    rows = [line for line in text.splitlines() if ticket.case_id in line]
    assert any(row.startswith("reply,") or ",reply," in row for row in rows)
    assert any(",upload," in row or row.startswith("upload,") for row in rows)
    assert "Exported" in text


def test_a_reply_left_pending_is_marked_unknown_and_never_sent_again(sandbox, support_user, ticket):
    call = PreparedCall(
        method="POST",
        path=f"/v2/servicerequest/cases/{ticket.case_id}/message",
        body={"message": {"content": "Lost in a crash"}},
        headers={},
    )
    record = audit_operation_start(
        actor=support_user, kind=Kind.REPLY, case_id=ticket.case_id, action_id="", call=call
    )
    assert unsettled_operations_exist()

    report = audit_reconcile(now=record.created_at + stale_after() + timedelta(seconds=1))

    record.refresh_from_db()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert report.marked_unknown == [record]
    assert not AuditRecord.objects.filter(kind=Kind.RECONCILE).exists()  # left for a person
    assert not posts(sandbox, "/message")
    assert not unsettled_operations_exist()
