"""Replies go the operations' way: permission, the upstream's limits before anything is sent, a
pending record committed before the call, the form's one-time key, and an unknown outcome that is
said as such and never re-sent."""

import socket
import threading
import uuid

import pytest
import responses
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import audit_operation_start
from ticketui.osm.results import AccessoryLimits, PreparedCall
from ticketui.sandbox.faults import Fault
from ticketui.tickets import sending
from ticketui.tickets.conversation import services
from ticketui.tickets.conversation.attachment_limits import CACHE_KEY, attachment_limits
from ticketui.tickets.conversation.outcomes import (
    REPLY_SENT,
    REPLY_UNKNOWN,
    reply_outcome_message,
)
from ticketui.tickets.conversation.services import (
    FILE_TOO_LARGE,
    REPLY_EMPTY,
    REPLY_IN_PROGRESS,
    TOO_MANY_FILES,
    reply_submit,
)
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.sending import KEY_REUSED

from .conftest import attachment, posts, thread

pytestmark = pytest.mark.django_db


def test_a_reply_is_posted_to_the_thread_and_recorded(quiet_engineer, support_user, ticket):
    before = len(thread(quiet_engineer))

    record = reply_submit(actor=support_user, ticket=ticket, content="Rebooted; still slow.")

    assert record.kind == Kind.REPLY
    assert record.outcome == RecordOutcome.SUCCEEDED
    assert record.request_path == "/v2/servicerequest/cases/CS2026090100003/message"
    assert record.request_body == {"message": {"content": "Rebooted; still slow."}}
    assert record.actor == support_user
    messages = thread(quiet_engineer)
    assert len(messages) == before + 1
    assert messages[-1]["content"] == "Rebooted; still slow."
    assert reply_outcome_message(record) == str(REPLY_SENT)


def test_attachments_are_uploaded_and_audited_before_the_reply_carries_them(
    quiet_engineer, support_user, ticket
):
    record = reply_submit(
        actor=support_user,
        ticket=ticket,
        content="Logs attached.",
        attachments=[attachment("error.log"), attachment("screen.png", b"\x89PNG...")],
    )

    uploads = AuditRecord.objects.filter(kind=Kind.UPLOAD).order_by("id")
    assert [u.outcome for u in uploads] == ["succeeded", "succeeded"]
    assert [u.request_body["file"]["name"] for u in uploads] == ["error.log", "screen.png"]
    assert all(u.id < record.id for u in uploads)
    sent = thread(quiet_engineer)[-1]["accessory_list"]
    assert [a["file_actual_name"] for a in sent] == ["error.log", "screen.png"]
    assert record.request_body["message"]["accessory_ids"] == [a["accessory_id"] for a in sent]


def test_the_record_is_committed_as_pending_before_the_upstream_is_called(
    settings, support_user, ticket
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    seen = []

    def answer(request):
        seen.append(list(AuditRecord.objects.values_list("kind", "outcome")))
        return (200, {}, '{"error_code": "", "error_msg": ""}')

    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/accessorys/limits",
            json={
                "accessory_limit": {"limit_count": "5", "limit_size": "4", "limit_file_type": "txt"}
            },
        )
        mock.add_callback(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/message",
            callback=answer,
        )
        reply_submit(actor=support_user, ticket=ticket, content="Any news?")

    assert seen == [[("reply", "pending")]]


def test_a_form_sent_twice_posts_one_reply_and_uploads_once(quiet_engineer, support_user, ticket):
    key = uuid.uuid4()
    first = reply_submit(
        actor=support_user,
        ticket=ticket,
        content="Once",
        attachments=[attachment()],
        idempotency_key=key,
    )
    again = reply_submit(
        actor=support_user,
        ticket=ticket,
        content="Once",
        attachments=[attachment()],
        idempotency_key=key,
    )

    assert again.pk == first.pk
    assert len(posts(quiet_engineer, "/message")) == 1
    assert len(posts(quiet_engineer, "/accessorys")) == 1
    assert [m["content"] for m in thread(quiet_engineer)].count("Once") == 1


def test_a_key_used_for_another_ticket_or_person_is_refused(
    quiet_engineer, support_user, team_lead, ticket
):
    other = Ticket.objects.create(case_id="CS2026090100002", summary="Slow disk", status=1)
    key = uuid.uuid4()
    reply_submit(actor=support_user, ticket=ticket, content="First", idempotency_key=key)

    for actor, target in ((support_user, other), (team_lead, ticket)):
        with pytest.raises(ValidationError) as caught:
            reply_submit(actor=actor, ticket=target, content="Second", idempotency_key=key)
        assert caught.value.messages == [KEY_REUSED]
    assert len(posts(quiet_engineer, "/message")) == 1


def test_a_key_from_an_operation_form_is_refused_for_a_reply(sandbox, support_user, ticket):
    key = uuid.uuid4()
    operation_submit(actor=support_user, ticket=ticket, action_id="press", idempotency_key=key)

    with pytest.raises(ValidationError):
        reply_submit(actor=support_user, ticket=ticket, content="Hi", idempotency_key=key)
    assert not posts(sandbox, "/message")


def test_a_read_timeout_is_recorded_unknown_and_said_so_without_a_second_send(
    settings, support_user, ticket
):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    port = listener.getsockname()[1]
    settings.OSM_ENDPOINT = f"http://127.0.0.1:{port}"
    settings.OSM_READ_TIMEOUT = 0.3
    cache.set(CACHE_KEY, AccessoryLimits.fallback())

    record = reply_submit(actor=support_user, ticket=ticket, content="Are you there?")
    listener.close()

    assert record.kind == Kind.REPLY
    assert record.outcome == RecordOutcome.UNKNOWN
    assert "did not answer in time" in record.detail
    assert reply_outcome_message(record) == str(REPLY_UNKNOWN)
    assert len(held) == 1  # one connection: a reply is never sent again by itself


@pytest.mark.parametrize(
    ("body", "detail"),
    [("<html>busy</html>", "The upstream's answer was not JSON")],
)
def test_a_200_that_cannot_be_read_is_unknown_and_says_it_answered(
    settings, support_user, ticket, body, detail
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, "http://127.0.0.1:9/v2/servicerequest/accessorys/limits", json={})
        mock.add(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/message",
            body=body,
        )
        record = reply_submit(actor=support_user, ticket=ticket, content="Hello")

    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.detail == detail
    message = reply_outcome_message(record)
    assert "answered (HTTP 200), but its answer could not be read" in message
    assert "did not answer in time" not in message


def test_a_refused_reply_keeps_the_upstreams_code(sandbox, support_user, completed_ticket):
    sandbox.state.tickets[completed_ticket.case_id]["status"] = 4  # cancelled: no more replies

    record = reply_submit(actor=support_user, ticket=completed_ticket, content="Hello?")

    assert record.outcome == RecordOutcome.REJECTED
    assert record.error_code == "OSM.01010014"
    assert "status does not allow it" in reply_outcome_message(record)


def test_a_user_without_the_operate_permission_is_refused_before_anything_is_sent(
    sandbox, outsider, ticket
):
    with pytest.raises(PermissionDenied):
        reply_submit(actor=outsider, ticket=ticket, content="Hi")

    assert not sandbox.state.received
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"content": "x" * 2001}, "content", "at most 2000 characters"),
        ({"content": "a\x00b"}, "content", "control characters"),
        ({"content": "   "}, "content", REPLY_EMPTY),
        ({"content": "hi", "group_id": "g" * 65}, "group_id", "at most 64 characters"),
        (
            {"content": "hi", "attachments": [attachment(f"f{i}.txt") for i in range(6)]},
            "attachments",
            TOO_MANY_FILES % {"count": 5},
        ),
        (
            {"content": "hi", "attachments": [attachment("run.exe")]},
            "attachments",
            "files of this type are not accepted",
        ),
        (
            {"content": "hi", "attachments": [attachment("big.txt", b"x" * 4_000_001)]},
            "attachments",
            FILE_TOO_LARGE % {"name": "big.txt", "size": 4},
        ),
        ({"content": "hi", "attachments": [attachment("empty.txt", b"")]}, "attachments", "empty"),
    ],
)
def test_anything_outside_the_upstreams_limits_is_refused_before_anything_is_sent(
    sandbox, support_user, ticket, fields, field, message
):
    with pytest.raises(ValidationError) as caught:
        reply_submit(actor=support_user, ticket=ticket, **fields)

    assert message in " ".join(caught.value.message_dict[field])
    assert not [r for r in sandbox.state.received if r.method == "POST"]
    assert not AuditRecord.objects.exists()


def test_a_reply_at_the_limits_is_sent(quiet_engineer, support_user, ticket):
    record = reply_submit(
        actor=support_user,
        ticket=ticket,
        content="x" * 2000,
        attachments=[attachment(f"f{i}.txt", b"y" * 4_000_000) for i in range(5)],
        group_id="g" * 64,
    )

    assert record.outcome == RecordOutcome.SUCCEEDED
    assert len(thread(quiet_engineer)[-1]["accessory_list"]) == 5


def test_a_failed_upload_stops_the_reply_and_says_which_file(sandbox, support_user, ticket):
    attachment_limits()  # the limits are read; the upload itself then meets the fault
    sandbox.faults.add(Fault(kind="status", status=503, path_contains="/accessorys", times=1))

    record = reply_submit(
        actor=support_user, ticket=ticket, content="See file", attachments=[attachment("a.txt")]
    )

    assert record.kind == Kind.UPLOAD
    assert record.outcome == RecordOutcome.HTTP_ERROR
    assert "“a.txt” could not be uploaded" in reply_outcome_message(record)
    assert not posts(sandbox, "/message")
    assert not AuditRecord.objects.filter(kind=Kind.REPLY).exists()


def test_a_second_submission_while_the_first_uploads_waits_and_uploads_nothing(
    sandbox, support_user, ticket, settings, monkeypatch
):
    settings.OSM_CONNECT_TIMEOUT, settings.OSM_READ_TIMEOUT = 0.1, 0.1
    # The waits for the first submission's upload and reply, shortened.
    monkeypatch.setattr(sending, "DUPLICATE_WAIT_MARGIN_SECONDS", 0.2)
    monkeypatch.setattr(services, "REPLY_WAIT_MARGIN_SECONDS", 0.2)
    key = uuid.uuid4()
    # The first submission of this form has started uploading its attachment, and is still on it.
    audit_operation_start(
        actor=support_user,
        kind=Kind.UPLOAD,
        case_id=ticket.case_id,
        action_id="",
        call=PreparedCall(method="POST", path="/v2/servicerequest/accessorys", body={}, headers={}),
        idempotency_key=uuid.uuid5(key, "attachment-0"),
    )

    with pytest.raises(ValidationError) as caught:
        reply_submit(
            actor=support_user,
            ticket=ticket,
            content="Twice",
            attachments=[attachment()],
            idempotency_key=key,
        )

    assert caught.value.messages == [REPLY_IN_PROGRESS]
    assert not posts(sandbox, "/accessorys")
    assert not posts(sandbox, "/message")
