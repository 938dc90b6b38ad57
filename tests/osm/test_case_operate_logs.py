"""The client reads a ticket's operate-log in the documented shape and in the sandbox's."""

from datetime import UTC, datetime

import pytest
import responses

from ticketui.osm.auth import StaticToken
from ticketui.osm.client import OsmClient
from ticketui.osm.results import CaseNotFound

ENDPOINT = "https://osm.example.test"


@pytest.fixture
def client():
    return OsmClient(endpoint=ENDPOINT, auth=StaticToken("token"))


@responses.activate
def test_it_reads_the_documented_operate_log(client):
    responses.get(
        f"{ENDPOINT}/v2/servicerequest/cases/CS%2F1/operate-logs?offset=0&limit=100",
        json={
            "total_count": 1,
            "incident_operate_log_list": [
                {
                    "incident_log_id": "log-1",
                    "operate_type": 3,
                    "operator_name": "Ada",
                    "operate_desc": "Customer confirmed",
                    "create_time": 1795910400000,
                }
            ],
        },
    )

    page = client.case_operate_logs("CS/1")

    assert page.total_count == 1
    entry = page.entries[0]
    assert (entry.operate_type, entry.operator, entry.content) == (3, "Ada", "Customer confirmed")
    assert entry.time == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert entry.raw["incident_log_id"] == "log-1"


@responses.activate
def test_it_raises_case_not_found_for_an_unknown_ticket(client):
    responses.get(
        f"{ENDPOINT}/v2/servicerequest/cases/NOPE/operate-logs?offset=0&limit=100",
        json={"error_code": "OSM.01010015", "error_msg": "The ticket does not exist"},
    )

    with pytest.raises(CaseNotFound):
        client.case_operate_logs("NOPE")


def test_it_reads_the_sandboxs_operate_log_over_http(sandbox):
    from ticketui.osm.configured import get_client

    sandbox.state.apply("CS2026090100003", "close", {"operate_desc": "Fixed"})

    page = get_client().case_operate_logs("CS2026090100003", limit=500)

    assert [entry.operate_type for entry in page.entries] == [0, 3]
    assert page.entries[1].content == "Fixed"
    assert page.entries[1].time is not None
