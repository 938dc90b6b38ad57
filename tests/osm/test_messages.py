"""The client reads a ticket's thread, its detail's messages and labels, and prepares replies."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from ticketui.osm import limits
from ticketui.osm.auth import StaticToken
from ticketui.osm.client import CallContext, OsmClient
from ticketui.osm.results import (
    AccessoryRef,
    CaseNotFound,
    Label,
    MessageRole,
    Outcome,
    Refusal,
    RequestRefused,
    UpstreamError,
)

ENDPOINT = "https://osm.example.test"
CASES = f"{ENDPOINT}/v2/servicerequest/cases"


@pytest.fixture
def client():
    return OsmClient(endpoint=ENDPOINT, auth=StaticToken("token"), request_id=lambda: "req-42")


def listed(content, *, replier_type=0, when="2026-09-01T08:00:00Z", **extra):
    return {
        "type": 1 if replier_type == 1 else 0,
        "replier_type": replier_type,
        "replier": "u1",
        "replier_name": "Ada",
        "content": content,
        "create_time": when,
        "is_first_message": 0,
        "iam_user_type": 0,
        "accessory_list": [],
        **extra,
    }


def query_of(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


@responses.activate
def test_a_page_of_messages_is_parsed_into_typed_messages(client):
    responses.get(
        f"{CASES}/CS%2F1/messages",
        json={
            "count": 2,
            "message_list": [
                listed(
                    "First",
                    is_first_message=1,
                    accessory_list=[{"accessory_id": "a1", "file_actual_name": "日志.txt"}],
                ),
                listed("Engineer here", replier_type=1, when="2026-09-01T09:00:00Z"),
            ],
        },
    )

    page = client.list_messages("CS/1", offset=0, limit=20)

    assert page.count == 2
    first, second = page.messages
    assert (first.role, first.author, first.content, first.is_first_message) == (
        MessageRole.CUSTOMER,
        "Ada",
        "First",
        True,
    )
    assert first.accessories == (AccessoryRef(accessory_id="a1", file_name="日志.txt"),)
    assert first.time == datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    assert (second.role, second.replier_type, second.is_first_message) == (
        MessageRole.ENGINEER,
        1,
        False,
    )
    assert query_of(responses.calls[0]) == {"offset": ["0"], "limit": ["20"]}


@responses.activate
def test_messages_come_back_oldest_first_whatever_order_the_upstream_sends(client):
    responses.get(
        f"{CASES}/CS1/messages",
        json={
            "count": 3,
            "message_list": [
                listed("late", when="2026-09-01T10:00:00Z"),
                listed("early", when="2026-09-01T08:00:00Z"),
                listed("middle", when="2026-09-01T09:00:00Z"),
            ],
        },
    )

    page = client.list_messages("CS1")

    assert [m.content for m in page.messages] == ["early", "middle", "late"]


@responses.activate
def test_the_role_falls_back_to_type_and_third_parties_are_told_apart(client):
    engineer_by_type = {"type": 1, "content": "by type", "create_time": None}
    third = listed("third party", replier_type=2)
    responses.get(
        f"{CASES}/CS1/messages", json={"count": 2, "message_list": [engineer_by_type, third]}
    )

    roles = [m.role for m in client.list_messages("CS1").messages]

    assert roles == [MessageRole.ENGINEER, MessageRole.THIRD_PARTY]


@responses.activate
def test_the_latest_messages_of_a_long_thread_take_a_second_call_at_the_right_offset(client):
    responses.get(
        f"{CASES}/CS1/messages",
        json={"count": 45, "message_list": [listed("m0")]},
        match=[responses.matchers.query_param_matcher({"offset": "0", "limit": "20"})],
    )
    responses.get(
        f"{CASES}/CS1/messages",
        json={"count": 45, "message_list": [listed(f"m{n}") for n in range(25, 45)]},
        match=[responses.matchers.query_param_matcher({"offset": "25", "limit": "20"})],
    )

    page = client.list_latest_messages("CS1", limit=20)

    assert (page.count, page.offset, len(page.messages)) == (45, 25, 20)
    assert page.messages[0].content == "m25"


@responses.activate
def test_an_older_page_is_one_call_ending_where_the_page_shown_begins(client):
    responses.get(
        f"{CASES}/CS1/messages",
        json={"count": 47, "message_list": [listed(f"m{n}") for n in range(5, 25)]},
        match=[responses.matchers.query_param_matcher({"offset": "5", "limit": "20"})],
    )
    responses.get(
        f"{CASES}/CS1/messages",
        json={"count": 47, "message_list": [listed(f"m{n}") for n in range(0, 5)]},
        match=[responses.matchers.query_param_matcher({"offset": "0", "limit": "5"})],
    )

    older = client.list_messages_before("CS1", before=25, limit=20)
    oldest = client.list_messages_before("CS1", before=5, limit=20)

    assert (older.offset, older.messages[0].content, older.messages[-1].content) == (5, "m5", "m24")
    assert (oldest.offset, [m.content for m in oldest.messages]) == (0, [f"m{n}" for n in range(5)])
    assert len(responses.calls) == 2


@responses.activate
def test_the_latest_messages_of_a_short_thread_take_one_call(client):
    responses.get(
        f"{CASES}/CS1/messages", json={"count": 2, "message_list": [listed("a"), listed("b")]}
    )

    page = client.list_latest_messages("CS1", limit=20)

    assert [m.content for m in page.messages] == ["a", "b"]
    assert len(responses.calls) == 1


@responses.activate
def test_the_thread_of_an_unknown_ticket_raises_case_not_found(client):
    responses.get(
        f"{CASES}/NOPE/messages",
        json={"error_code": "OSM.01010015", "error_msg": "The ticket does not exist"},
    )

    with pytest.raises(CaseNotFound):
        client.list_messages("NOPE")


def test_a_page_past_the_upstreams_offset_is_refused_before_sending(client):
    with pytest.raises(RequestRefused) as refused:
        client.list_messages("CS1", offset=limits.OFFSET_MAX + 1)

    assert refused.value.reason is Refusal.BAD_PAGE


@responses.activate
def test_the_detail_parses_every_message_field_severity_and_labels(client):
    responses.get(
        f"{CASES}/CS1",
        json={
            "incident_detail_info": {
                "incident_id": "CS1",
                "simple_description": "Broken",
                "status": 1,
                "severity_name": "High",
                "label_list": [{"label_id": 7, "name": "VIP", "color": "#ff0000"}],
                "message_list": [
                    {
                        "message_id": "M2",
                        "type": 1,
                        "replier": "e1",
                        "replier_name": "Engineer",
                        "content": "On it",
                        "create_time": "2026-09-01T09:00:00Z",
                        "is_first_message": 0,
                        "accessory_list": [{"accessory_id": "x", "file_actual_name": "a.png"}],
                    },
                    {
                        "message_id": "M1",
                        "type": 0,
                        "replier_name": "Customer",
                        "content": "Broken",
                        "create_time": "2026-09-01T08:00:00Z",
                        "is_first_message": 1,
                    },
                ],
            }
        },
    )

    detail = client.case_detail("CS1")

    assert detail.severity == "High"
    assert detail.labels == (Label(label_id="7", name="VIP", color="#ff0000"),)
    assert [(m.message_id, m.role, m.is_first_message) for m in detail.messages] == [
        ("M1", MessageRole.CUSTOMER, True),
        ("M2", MessageRole.ENGINEER, False),
    ]
    assert detail.messages[1].accessories == (AccessoryRef(accessory_id="x", file_name="a.png"),)


def test_a_reply_is_prepared_with_the_documented_body_and_headers(client):
    call = client.prepare_message(
        case_id="CS 1/2",
        content="Please check again",
        accessory_ids=["a1", "a2"],
        group_id="g1",
        context=CallContext(language="en-us", time_zone="GMT+1"),
    )

    assert (call.method, call.path) == ("POST", "/v2/servicerequest/cases/CS%201%2F2/message")
    assert call.body == {
        "message": {"content": "Please check again", "accessory_ids": ["a1", "a2"]},
        "group_id": "g1",
    }
    assert call.headers["X-Language"] == "en-us"
    assert call.headers["X-Request-Id"] == "req-42"
    assert call.headers["Content-Type"] == "application/json"


def test_a_reply_without_attachments_has_no_accessory_ids_key(client):
    call = client.prepare_message(case_id="CS1", content="Hello")

    assert call.body == {"message": {"content": "Hello"}}


@pytest.mark.parametrize(
    ("content", "ids", "reason"),
    [
        ("x" * (limits.REPLY_MAX + 1), [], Refusal.REPLY_TOO_LONG),
        ("   ", [], Refusal.REPLY_EMPTY),
        (
            "hi",
            [f"a{n}" for n in range(limits.MESSAGE_ACCESSORIES_MAX + 1)],
            Refusal.TOO_MANY_ATTACHMENTS,
        ),
        ("hi", ["x" * (limits.ACCESSORY_ID_MAX + 1)], Refusal.BAD_ACCESSORY_ID),
        ("hi", [""], Refusal.BAD_ACCESSORY_ID),
    ],
    ids=["too long", "blank", "too many attachments", "long id", "empty id"],
)
def test_a_reply_past_a_limit_is_refused_before_sending(client, content, ids, reason):
    with pytest.raises(RequestRefused) as refused:
        client.prepare_message(case_id="CS1", content=content, accessory_ids=ids)

    assert refused.value.reason is reason


def test_a_reply_of_exactly_the_limit_with_five_attachments_is_accepted(client):
    call = client.prepare_message(
        case_id="CS1", content="x" * limits.REPLY_MAX, accessory_ids=[f"a{n}" for n in range(5)]
    )

    assert len(call.body["message"]["content"]) == 2000


def test_an_attachment_only_reply_is_accepted(client):
    call = client.prepare_message(case_id="CS1", content="", accessory_ids=["a1"])

    assert call.body["message"] == {"content": "", "accessory_ids": ["a1"]}


@responses.activate
def test_a_sent_reply_that_the_upstream_refuses_is_rejected_with_its_code(client):
    responses.post(
        f"{CASES}/CS1/message", json={"error_code": "OSM.01010014", "error_msg": "closed"}
    )

    result = client.send(client.prepare_message(case_id="CS1", content="Hi"))

    assert (result.outcome, result.error_code) == (Outcome.REJECTED, "OSM.01010014")
    assert json.loads(responses.calls[0].request.body) == {"message": {"content": "Hi"}}


@responses.activate
def test_a_reply_whose_answer_times_out_is_unknown_and_not_sent_again(client):
    import requests

    responses.post(f"{CASES}/CS1/message", body=requests.exceptions.ReadTimeout("slow"))

    result = client.send(client.prepare_message(case_id="CS1", content="Hi"))

    assert result.outcome is Outcome.UNKNOWN
    assert len(responses.calls) == 1


@responses.activate
def test_the_operate_log_entry_keeps_the_documented_fields(client):
    responses.get(
        f"{CASES}/CS1/operate-logs",
        json={
            "total_count": 1,
            "incident_operate_log_list": [
                {
                    "incident_log_id": "L9",
                    "incident_id": "CS1",
                    "operate_type": 2,
                    "operator_type": 1,
                    "operator_id": "op-1",
                    "operator_name": "Ada",
                    "operate_desc": "Urged",
                    "operate_time": "2026-09-01 08:00:00",
                    "timestamp_operate_time": "2026-09-01T08:00:00Z",
                }
            ],
        },
    )

    entry = client.case_operate_logs("CS1").entries[0]

    assert (entry.log_id, entry.operator_type, entry.operator_id, entry.operator) == (
        "L9",
        1,
        "op-1",
        "Ada",
    )
    assert entry.time == datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@responses.activate
def test_labels_are_listed_with_their_paging_and_filters(client):
    responses.get(
        f"{ENDPOINT}/v2/servicerequest/labels",
        json={"total_count": 3, "label_list": [{"label_id": 1, "name": "VIP", "color": "#000000"}]},
    )

    page = client.list_labels(offset=2, limit=1, name="vi", label_id=1)

    assert page.total_count == 3
    assert page.labels == (Label(label_id="1", name="VIP", color="#000000"),)
    assert query_of(responses.calls[0]) == {
        "offset": ["2"],
        "limit": ["1"],
        "name": ["vi"],
        "label_id": ["1"],
    }


@responses.activate
def test_a_tickets_labels_are_read_from_case_label_list(client):
    responses.get(
        f"{CASES}/CS1/labels",
        json={"case_label_list": [{"label_id": 2, "name": "Prod", "color": "#00ff00"}, "junk"]},
    )

    assert client.list_case_labels("CS1") == (Label(label_id="2", name="Prod", color="#00ff00"),)


@responses.activate
def test_a_failed_label_read_raises_upstream_error(client):
    responses.get(f"{ENDPOINT}/v2/servicerequest/labels", status=500, body="<html>")

    with pytest.raises(UpstreamError) as failed:
        client.list_labels()

    assert failed.value.result.outcome is Outcome.HTTP_ERROR
