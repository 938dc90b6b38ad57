"""The instant-message feed: new messages since a cursor, unread counts, marking read."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from ticketui.osm.auth import StaticToken
from ticketui.osm.client import OsmClient
from ticketui.osm.results import (
    CaseImStatus,
    MessageRole,
    Outcome,
    Refusal,
    RequestRefused,
    UnreadCount,
    UpstreamError,
)

ENDPOINT = "https://osm.example.test"
FEED = f"{ENDPOINT}/v2/servicerequest/cases/instant-messages"


@pytest.fixture
def client():
    return OsmClient(endpoint=ENDPOINT, auth=StaticToken("token"))


def query_of(index=0) -> dict[str, list[str]]:
    return parse_qs(urlsplit(responses.calls[index].request.url).query)


@responses.activate
def test_new_messages_are_read_per_ticket_with_the_next_cursor(client):
    responses.get(
        FEED,
        json={
            "imstatus": [{"incident_id": "CS1", "status": 1}, {"incident_id": "CS2", "status": 0}],
            "immsg": [
                {
                    "incident_id": "CS1",
                    "message_list": [
                        {
                            "replier_type": 1,
                            "content": "Answer",
                            "create_time": "2026-09-01T09:00:00Z",
                        }
                    ],
                }
            ],
            "last_message_time_id": "1788",
        },
    )

    feed = client.list_new_instant_messages(["CS1", "CS2"], cursor="1700")

    assert feed.cursor == "1788"
    assert [(c.case_id, [m.role for m in c.messages]) for c in feed.cases] == [
        ("CS1", [MessageRole.ENGINEER])
    ]
    assert feed.statuses == (
        CaseImStatus(case_id="CS1", status=1),
        CaseImStatus(case_id="CS2", status=0),
    )
    assert query_of() == {"case_ids": ["CS1,CS2"], "last_message_time_id": ["1700"]}


@responses.activate
def test_without_a_new_cursor_the_old_one_is_kept(client):
    responses.get(FEED, json={"imstatus": [], "immsg": []})

    assert client.list_new_instant_messages(["CS1"], cursor="42").cursor == "42"


@pytest.mark.parametrize(
    "case_ids",
    [[], ["a,b"], [""], [f"CS{n}" for n in range(101)]],
    ids=["none", "comma", "empty", "101"],
)
def test_bad_case_id_lists_are_refused_before_sending(client, case_ids):
    with pytest.raises(RequestRefused) as refused:
        client.list_new_instant_messages(case_ids)

    assert refused.value.reason is Refusal.BAD_CASE_IDS


def test_a_cursor_past_its_length_is_refused(client):
    with pytest.raises(RequestRefused):
        client.list_new_instant_messages(["CS1"], cursor="9" * 65)


@responses.activate
def test_unread_counts_are_read_per_ticket(client):
    responses.get(
        f"{FEED}/unread",
        json={
            "imunread": [
                {"incident_id": "CS1", "status": 1, "unread_num": 3},
                {"incident_id": "CS2", "unread_num": "oops"},
            ]
        },
    )

    counts = client.list_unread_instant_messages(["CS1", "CS2"], group_id="g")

    assert counts == (
        UnreadCount(case_id="CS1", unread=3, status=1),
        UnreadCount(case_id="CS2", unread=0, status=None),
    )
    assert query_of() == {"case_ids": ["CS1,CS2"], "group_id": ["g"]}


@responses.activate
def test_marking_read_posts_an_empty_body_to_the_tickets_unread_path(client):
    responses.post(
        f"{ENDPOINT}/v2/servicerequest/cases/CS%2F1/instant-messages/unread",
        json={"error_code": "", "error_msg": ""},
    )

    result = client.update_messages_read("CS/1")

    assert result.outcome is Outcome.SUCCEEDED
    assert responses.calls[0].request.body == b"{}"


@responses.activate
def test_marking_read_that_fails_raises(client):
    responses.post(
        f"{ENDPOINT}/v2/servicerequest/cases/CS1/instant-messages/unread",
        json={"error_code": "OSM.01010015", "error_msg": "no such ticket"},
    )

    with pytest.raises(UpstreamError):
        client.update_messages_read("CS1")


def test_marking_read_with_a_group_sends_it(client):
    call = client.prepare_messages_read("CS1", group_id="g1")

    assert call.body == {"group_id": "g1"}
