import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets import services
from ticketui.tickets.models import Ticket
from ticketui.tickets.services import ticket_mark_stale, ticket_track

pytestmark = pytest.mark.django_db


def test_tracking_a_ticket_copies_its_upstream_details_and_records_it(sandbox, support_user):
    ticket = ticket_track(actor=support_user, case_id="工单-42")

    assert ticket.summary == "控制台无法打开工单附件"
    assert ticket.status == 1
    assert ticket.tracked_by == support_user
    assert AuditRecord.objects.filter(kind=Kind.TRACK, case_id="工单-42").count() == 1


def test_tracking_an_unknown_ticket_says_so(sandbox, support_user):
    with pytest.raises(ValidationError) as caught:
        ticket_track(actor=support_user, case_id="CS-NOPE")

    assert caught.value.message_dict["case_id"] == [
        services.TICKET_NOT_FOUND % {"case_id": "CS-NOPE"}
    ]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("case_id", ["", "   ", "x" * 65])
def test_a_case_id_outside_1_to_64_characters_is_refused(sandbox, support_user, case_id):
    with pytest.raises(ValidationError):
        ticket_track(actor=support_user, case_id=case_id)

    assert not sandbox.state.received


def test_marking_a_ticket_stale_makes_the_next_read_refresh_it_without_waiting_for_the_disk(
    ticket,
):
    Ticket.objects.filter(pk=ticket.pk).update(refreshed_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        ticket_mark_stale(ticket=ticket)

    assert Ticket.objects.get(pk=ticket.pk).refreshed_at is None
    assert ticket.refreshed_at is None
    if connection.vendor == "postgresql":
        statements = [query["sql"] for query in queries.captured_queries]
        assert "SET LOCAL synchronous_commit TO OFF" in statements
