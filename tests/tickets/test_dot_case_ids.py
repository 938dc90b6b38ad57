"""A case id that is a dot segment (`.`, `..`) would go out as another call than the one recorded
(the HTTP stack removes it from the path): it is refused wherever it could be sent."""

from datetime import timedelta

import pytest

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.reconcile import SETTLED_UNASKABLE, audit_reconcile, stale_after
from ticketui.tickets.models import Ticket
from ticketui.tickets.services import ticket_refresh
from ticketui.tickets.validation import CASE_ID_DOTS

from ..audit.conftest import start_operation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case_id", [".", "..", " . "])
def test_tracking_a_dot_case_id_is_refused_without_calling_the_upstream(
    support_client, sandbox, case_id
):
    response = support_client.post(
        "/tickets/track", {"case_id": case_id}, headers={"HX-Request": "true"}
    )

    assert CASE_ID_DOTS in response.text
    assert not Ticket.objects.exists()
    assert not sandbox.state.received


@pytest.mark.parametrize("case_id", [".", ".."])
def test_an_operation_on_a_kept_dot_ticket_is_refused_with_nothing_sent(
    support_client, sandbox, case_id
):
    ticket = Ticket.objects.create(case_id=case_id, status=1)

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": "cancel"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert CASE_ID_DOTS in response.text
    assert not AuditRecord.objects.filter(kind=Kind.OPERATION).exists()
    assert not sandbox.state.received


def test_refreshing_a_kept_dot_ticket_keeps_the_copy_and_reads_nothing(sandbox):
    ticket = Ticket.objects.create(case_id=".", status=1, summary="kept")

    assert ticket_refresh(ticket=ticket).summary == "kept"
    assert not sandbox.state.received


def test_reconciling_an_old_dot_operation_settles_it_unknown_without_asking(sandbox, support_user):
    record = start_operation(support_user, case_id=".")

    audit_reconcile(now=record.created_at + stale_after() + timedelta(seconds=1))

    settlement = AuditRecord.objects.get(kind=Kind.RECONCILE, reconciles=record)
    assert settlement.outcome == RecordOutcome.UNKNOWN
    assert settlement.detail == SETTLED_UNASKABLE
    assert not sandbox.state.received
