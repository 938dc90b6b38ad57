"""What the client puts on the wire is what it records: a case id is never sent as a path that the
HTTP stack rewrites on the way out."""

import re

import pytest
import responses

from ticketui.osm.auth import StaticToken
from ticketui.osm.client import OsmClient
from ticketui.osm.results import Refusal, RequestRefused

ENDPOINT = "https://osm.example.test"


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def client() -> OsmClient:
    return OsmClient(endpoint=ENDPOINT, auth=StaticToken("token"))


@pytest.mark.parametrize("case_id", [".", "..", ""])
def test_a_case_id_that_is_a_dot_segment_is_refused_before_an_action_is_sent(upstream, case_id):
    with pytest.raises(RequestRefused) as refused:
        client().prepare_action(case_id=case_id, action_id="cancel")

    assert refused.value.reason is Refusal.BAD_CASE_ID
    assert not upstream.calls


@pytest.mark.parametrize("case_id", [".", ".."])
def test_reading_a_dot_segment_case_id_is_refused_instead_of_reading_the_list(upstream, case_id):
    upstream.add(responses.GET, f"{ENDPOINT}/v2/servicerequest/cases", json={"incidents": []})

    with pytest.raises(RequestRefused):
        client().case_detail(case_id)

    assert not upstream.calls


@pytest.mark.parametrize("case_id", ["a.b", "...", ".x", "%2e", "%2E%2E", "~", "a%20b", "工单/1"])
def test_the_recorded_path_is_the_path_on_the_wire(upstream, case_id):
    upstream.add(responses.POST, re.compile(rf"{ENDPOINT}/.*"), json={})
    osm = client()
    call = osm.prepare_action(case_id=case_id, action_id="close")

    osm.send(call)

    assert upstream.calls[0].request.path_url == call.path


def test_any_path_the_http_stack_would_rewrite_is_refused(upstream):
    with pytest.raises(RequestRefused) as refused:
        client()._prepare("POST", "/v2/servicerequest/cases/x/../y", {}, None)

    assert refused.value.reason is Refusal.PATH_CHANGED
