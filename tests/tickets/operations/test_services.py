import pytest
import responses
from django.core.exceptions import PermissionDenied, ValidationError

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.osm.catalogue import unknown_action_message
from ticketui.tickets.operations.services import operation_submit

pytestmark = pytest.mark.django_db


def test_it_closes_a_ticket_and_records_the_body_sent_and_the_answer(sandbox, support_user, ticket):
    record = operation_submit(
        actor=support_user, ticket=ticket, action_id="close", operate_desc="Fixed by reboot"
    )

    assert record.outcome == RecordOutcome.SUCCEEDED
    assert record.request_body == {"operate_desc": "Fixed by reboot"}
    assert record.request_path == "/v2/servicerequest/cases/CS2026090100003/action?action_id=close"
    assert record.http_status == 200
    assert record.request_id
    assert record.completed_at is not None
    assert record.actor == support_user
    posted = [request for request in sandbox.state.received if request.method == "POST"]
    assert [request.body for request in posted] == [{"operate_desc": "Fixed by reboot"}]


def test_a_successful_operation_refreshes_the_tickets_status(sandbox, support_user, ticket):
    operation_submit(actor=support_user, ticket=ticket, action_id="close")

    ticket.refresh_from_db()
    assert ticket.status == 3
    assert ticket.refreshed_at is not None


def test_the_record_is_committed_as_pending_before_the_upstream_is_called(
    settings, support_user, ticket
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    seen = []

    def answer(request):
        seen.append(list(AuditRecord.objects.values_list("outcome", "action_id")))
        return (200, {}, "{}")

    with responses.RequestsMock() as mock:
        mock.add_callback(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/action",
            callback=answer,
        )
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003",
            json={"incident_detail_info": {"status": 4}},
        )
        operation_submit(actor=support_user, ticket=ticket, action_id="cancel")

    assert seen == [[("pending", "cancel")]]


def test_a_business_error_is_recorded_with_its_code(sandbox, support_user, ticket):
    record = operation_submit(actor=support_user, ticket=ticket, action_id="delete")

    assert record.outcome == RecordOutcome.REJECTED
    assert record.error_code == "OSM.01010014"
    ticket.refresh_from_db()
    assert ticket.status == 2


def test_a_read_timeout_completes_the_record_as_unknown(settings, support_user, ticket):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    settings.OSM_ENDPOINT = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.OSM_READ_TIMEOUT = 0.3

    record = operation_submit(actor=support_user, ticket=ticket, action_id="close")
    listener.close()

    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.completed_at is not None
    assert "did not answer in time" in record.detail


def test_an_unreachable_upstream_is_recorded_as_not_sent(settings, support_user, ticket):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    record = operation_submit(actor=support_user, ticket=ticket, action_id="press")

    assert record.outcome == RecordOutcome.NOT_SENT


def test_a_user_without_the_operate_permission_is_refused_before_anything_is_sent(
    sandbox, outsider, ticket
):
    with pytest.raises(PermissionDenied):
        operation_submit(actor=outsider, ticket=ticket, action_id="close")

    assert not sandbox.state.received
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("operate_desc", "x" * 401),
        ("comment", "x" * 401),
        ("group_id", "g" * 65),
        ("operate_desc", "a\x00b"),
    ],
)
def test_fields_outside_the_upstreams_limits_are_refused_before_anything_is_sent(
    sandbox, support_user, ticket, field, value
):
    with pytest.raises(ValidationError) as caught:
        operation_submit(actor=support_user, ticket=ticket, action_id="close", **{field: value})

    assert field in caught.value.message_dict
    assert not sandbox.state.received
    assert not AuditRecord.objects.exists()


def test_fields_at_the_upstreams_limits_are_sent(sandbox, support_user, ticket):
    record = operation_submit(
        actor=support_user,
        ticket=ticket,
        action_id="close",
        operate_desc="界" * 400,
        group_id="g" * 64,
    )

    assert record.outcome == RecordOutcome.SUCCEEDED
    assert sandbox.state.received[0].body["operate_desc"] == "界" * 400


def test_an_unknown_action_is_refused(sandbox, support_user, ticket):
    with pytest.raises(ValidationError) as caught:
        operation_submit(actor=support_user, ticket=ticket, action_id="reopen")

    assert caught.value.message_dict["action_id"] == [unknown_action_message()]
