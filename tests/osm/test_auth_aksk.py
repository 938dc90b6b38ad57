"""OSM_AUTH=aksk: every request signed with Huawei's signer, verified by the sandbox."""

from datetime import UTC, datetime, timedelta

import pytest

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.osm.client import OsmClient
from ticketui.osm.signing import AkSkSigner
from ticketui.sandbox import identity
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.outcomes import SIGNATURE_REJECTED, outcome_message
from ticketui.tickets.services import ticket_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def aksk_settings(settings, sandbox):
    settings.OSM_AUTH = "aksk"
    settings.OSM_AK = "sandbox-ak"
    settings.OSM_SK = "sandbox-sk"
    settings.OSM_DOMAIN_ID = "sandbox-domain-id"
    return settings


def signer(**options) -> AkSkSigner:
    values = {"ak": "sandbox-ak", "sk": "sandbox-sk", "domain_id": "sandbox-domain-id"} | options
    return AkSkSigner(**values)


def test_every_request_carries_a_signature_the_sandbox_verifies(
    aksk_settings, sandbox, support_user, ticket
):
    ticket_track(actor=support_user, case_id="工单-42")
    record = operation_submit(
        actor=support_user, ticket=ticket, action_id="close", operate_desc="已解决 — thanks"
    )

    assert record.outcome == RecordOutcome.SUCCEEDED
    received = list(sandbox.state.received)
    assert len(received) >= 3  # detail, action, the refresh after it
    assert {request.auth for request in received} == {"aksk"}
    assert all(request.headers["X-Domain-Id"] == "sandbox-domain-id" for request in received)


def test_odd_case_ids_and_query_strings_are_signed_as_sent(sandbox):
    client = OsmClient(endpoint=sandbox.url, auth=signer())

    detail = client.case_detail("CS 2023/07?x=1#f&y")
    page = client.case_list(offset=1, limit=3, query_start_time="2026-09-01T00:00:00Z")

    assert detail.summary == "Ticket imported from the old system"
    assert len(page.cases) == 3


def test_a_wrong_sk_gives_the_agent_signature_rejected_and_an_audit_record(
    aksk_settings, sandbox, support_user, support_client, ticket
):
    aksk_settings.OSM_SK = "not-the-secret"

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "operate_desc": "done"},
        headers={"HX-Request": "true"},
    )

    record = AuditRecord.objects.get(actor=support_user, kind="operation")
    assert record.outcome == RecordOutcome.HTTP_ERROR
    assert record.http_status == 401
    assert record.error_code == "APIGW.0301"
    assert outcome_message(record) == str(SIGNATURE_REJECTED)
    assert "Signature rejected" in response.text
    assert sandbox.state.tickets[ticket.case_id]["status"] == 2  # nothing happened upstream
    assert "not-the-secret" not in str(record.__dict__)
    assert "Authorization" not in record.request_headers


def test_the_signature_covers_the_exact_body_bytes(sandbox):
    body = b'{"operate_desc": "close it"}'
    url = f"{sandbox.url}/v2/servicerequest/cases/CS1/action?action_id=close"
    host = url.split("/")[2]
    base = {"Content-Type": "application/json", "X-Site": "0"}
    signed = signer().headers(method="POST", url=url, headers=base, body=body)
    headers = {k.lower(): v for k, v in {**base, **signed, "Host": host}.items()}

    def verify(payload: bytes):
        return identity.authenticate(
            sandbox.state,
            method="POST",
            raw_path="/v2/servicerequest/cases/CS1/action",
            raw_query="action_id=close",
            headers=headers,
            body=payload,
        )

    assert verify(body) == ("aksk", None)
    kind, rejection = verify(b'{"operate_desc": "delete it"}')
    assert kind == ""
    assert rejection.status == 401
    assert rejection.body["error_code"] == "APIGW.0301"


def test_a_clock_more_than_fifteen_minutes_off_is_rejected(sandbox):
    late = datetime.now(UTC) - timedelta(minutes=16)
    client = OsmClient(endpoint=sandbox.url, auth=signer(clock=lambda: late))

    result = client.send(client.prepare_action(case_id="CS2026090100001", action_id="press"))

    assert result.http_status == 401
    assert result.error_code == "APIGW.0301"
    assert "expired" in result.error_msg


def test_an_unknown_access_key_is_rejected(sandbox):
    client = OsmClient(endpoint=sandbox.url, auth=signer(ak="nobody"))

    result = client.send(client.prepare_action(case_id="CS2026090100001", action_id="press"))

    assert result.error_code == "APIGW.0301"
    assert "ak not exist" in result.error_msg


def test_the_secret_key_is_never_shown(sandbox):
    assert "sandbox-sk" not in repr(signer())
    assert signer().secret_headers == frozenset({"Authorization"})
