"""The upstream misbehaves on purpose (the sandbox's fault injection, over real HTTP): each fault
gets the right outcome, a complete audit record and a clear message, never an error page."""

import socket
import threading

import pytest

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.sandbox.faults import Fault

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def operate(client, ticket, action="close"):
    return client.post(
        f"/tickets/{ticket.pk}/operations", {"action_id": action, "operate_desc": "x"}, headers=HTMX
    )


def operation_record():
    return AuditRecord.objects.get(kind="operation")


def test_latency_within_the_read_timeout_still_succeeds(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="latency", seconds=0.5, path_contains="/action"))

    response = operate(support_client, ticket)

    assert "Done. The upstream accepted the operation." in response.text
    record = operation_record()
    assert record.outcome == RecordOutcome.SUCCEEDED
    assert record.duration_ms >= 500


def test_a_hang_past_the_read_timeout_is_unknown_and_not_retried(
    support_client, sandbox, ticket, settings
):
    settings.OSM_READ_TIMEOUT = 0.5
    sandbox.faults.add(Fault(kind="hang", seconds=1.5, path_contains="/action"))

    response = operate(support_client, ticket)

    assert response.status_code == 200
    assert "The result is unknown" in response.text
    record = operation_record()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.completed_at is not None
    assert len([r for r in sandbox.state.received if r.method == "POST"]) == 1


def test_a_reset_after_the_request_is_unknown_and_not_retried(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="reset", path_contains="/action"))

    response = operate(support_client, ticket)

    assert "The result is unknown" in response.text
    assert operation_record().outcome == RecordOutcome.UNKNOWN
    assert len([r for r in sandbox.state.received if r.method == "POST"]) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_with_an_html_body_is_an_upstream_error(
    support_client, sandbox, ticket, status
):
    sandbox.faults.add(Fault(kind="status", status=status, path_contains="/action"))

    response = operate(support_client, ticket)

    assert response.status_code == 200
    assert (
        "The upstream answered with an error; the operation was not carried out." in response.text
    )
    record = operation_record()
    assert record.outcome == RecordOutcome.HTTP_ERROR
    assert record.http_status == status
    assert "<h1>" in record.response_body


def test_a_200_that_is_not_json_is_unknown(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="not_json", path_contains="/action"))

    response = operate(support_client, ticket)

    assert "The result is unknown" in response.text
    record = operation_record()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.response_body == "<html><body>OK</body></html>"


def test_a_50_mb_answer_is_cut_and_recorded_bounded(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="huge", path_contains="/action"))

    response = operate(support_client, ticket)

    assert response.status_code == 200
    record = operation_record()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.response_truncated is True
    assert len(record.response_body) <= 16 * 1024


def test_a_redirect_is_not_followed_and_never_carries_the_token(support_client, sandbox, ticket):
    elsewhere = socket.socket()
    elsewhere.bind(("127.0.0.1", 0))
    elsewhere.listen()
    elsewhere.settimeout(2)
    arrived = []

    def watch():
        try:
            connection, _ = elsewhere.accept()
            arrived.append(connection.recv(65536))
        except OSError:
            pass

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    location = f"http://127.0.0.1:{elsewhere.getsockname()[1]}/steal"
    sandbox.faults.add(Fault(kind="redirect", location=location, path_contains="/action"))

    response = operate(support_client, ticket)
    watcher.join(timeout=3)
    elsewhere.close()

    assert arrived == []
    assert "The upstream answered with an error" in response.text
    record = operation_record()
    assert record.outcome == RecordOutcome.HTTP_ERROR
    assert record.http_status == 302
    assert "redirect" in record.detail


def test_an_upstream_that_refuses_connections_is_retried_then_reported_not_sent(
    support_client, settings, ticket
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    response = operate(support_client, ticket)

    assert (
        "Not sent: the upstream could not be reached. Nothing changed; you can try again."
        in response.text
    )
    assert operation_record().outcome == RecordOutcome.NOT_SENT


def test_after_repeated_failures_the_breaker_fails_fast_with_nothing_sent(
    support_client, sandbox, settings, ticket
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    settings.OSM_BREAKER_THRESHOLD = 2
    operate(support_client, ticket)
    operate(support_client, ticket)
    settings.OSM_ENDPOINT = sandbox.url  # the upstream is back, but the breaker is still open

    response = operate(support_client, ticket)

    assert "Not sent" in response.text
    last = AuditRecord.objects.filter(kind="operation").order_by("-id").first()
    assert last.outcome == RecordOutcome.NOT_SENT
    assert "Upstream unavailable after repeated failures" in last.detail
    assert not [r for r in sandbox.state.received if r.method == "POST"]
