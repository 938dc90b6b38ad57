"""Observers hear of every call the client finishes; a ticket's id never reaches a name."""

import pytest
import responses

from ticketui.osm.auth import StaticToken
from ticketui.osm.client import OsmClient
from ticketui.osm.observers import call_observer_add, call_observer_remove, endpoint_template

ENDPOINT = "https://osm.example.test"


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (
            "/v2/servicerequest/cases/CS2026090100003/action?action_id=close",
            "/v2/servicerequest/cases/{case_id}/action",
        ),
        (
            "/v2/servicerequest/cases/CS%202023%2F07/score",
            "/v2/servicerequest/cases/{case_id}/score",
        ),
        ("/v2/servicerequest/cases/CS1", "/v2/servicerequest/cases/{case_id}"),
        ("/v2/servicerequest/cases/CS1/status", "/v2/servicerequest/cases/{case_id}/status"),
        (
            "/v2/servicerequest/cases/CS1/operate-logs?offset=0&limit=100",
            "/v2/servicerequest/cases/{case_id}/operate-logs",
        ),
        ("/v2/servicerequest/cases?offset=0&limit=100", "/v2/servicerequest/cases"),
        ("/v2/servicerequest/cases/count?status=2", "/v2/servicerequest/cases/count"),
        ("/v2/servicerequest/cases/countdown", "/v2/servicerequest/cases/{case_id}"),
        (
            "/v2/servicerequest/config/satisfaction-dimensions",
            "/v2/servicerequest/config/satisfaction-dimensions",
        ),
        ("/v2/servicerequest/cases/CS1/unheard-of", "other"),
        ("/somewhere/else", "other"),
    ],
)
def test_a_path_becomes_its_endpoint_template(path, template):
    assert endpoint_template(path) == template


@pytest.fixture
def heard():
    calls = []

    def observer(result, sent):
        calls.append((result.outcome, sent))

    call_observer_add(observer)
    yield calls
    call_observer_remove(observer)


@responses.activate
def test_an_observer_hears_each_call_with_its_outcome(heard):
    responses.post(f"{ENDPOINT}/v2/servicerequest/cases/CS1/action", json={})
    client = OsmClient(endpoint=ENDPOINT, auth=StaticToken("t"))

    result = client.send(client.prepare_action(case_id="CS1", action_id="close"))

    assert heard == [(result.outcome, True)]


@responses.activate
def test_a_failing_observer_does_not_change_the_calls_outcome(heard, caplog):
    def broken(result, sent):
        raise RuntimeError("observer bug")

    call_observer_add(broken)
    try:
        responses.post(f"{ENDPOINT}/v2/servicerequest/cases/CS1/action", json={})
        client = OsmClient(endpoint=ENDPOINT, auth=StaticToken("t"))
        result = client.send(client.prepare_action(case_id="CS1", action_id="close"))
    finally:
        call_observer_remove(broken)

    assert result.succeeded
    assert heard == [(result.outcome, True)]
    assert "call observer" in caplog.text
