"""The sandbox's IAM side over real HTTP: issuing tokens, their end, and who may sign in."""

import json
from datetime import UTC, datetime

import pytest
import requests

from ticketui.osm.results import parse_time
from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState


@pytest.fixture
def server():
    server = SandboxServer(SandboxState.seeded(4, token_lifetime=120.0)).start()
    yield server
    server.stop()


def sign_in(server, *, password="sandbox-password", scope=None) -> requests.Response:
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {
                "user": {
                    "domain": {"name": "sandbox-account"},
                    "name": "sandbox-agent",
                    "password": password,
                }
            },
        },
        "scope": scope or {"domain": {"name": "sandbox-account"}},
    }
    return requests.post(f"{server.url}/v3/auth/tokens", json={"auth": auth}, timeout=5)


def test_a_sign_in_returns_201_with_the_token_in_x_subject_token(server):
    response = sign_in(server)

    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert token in server.state.issued_tokens
    expires = parse_time(response.json()["token"]["expires_at"])
    assert 110 < (expires - datetime.now(UTC)).total_seconds() <= 120
    assert server.state.token_issues == 1


def test_an_issued_token_opens_the_osm_api(server):
    token = sign_in(server).headers["X-Subject-Token"]

    response = requests.get(
        f"{server.url}/v2/servicerequest/cases/count", headers={"X-Auth-Token": token}, timeout=5
    )

    assert response.status_code == 200
    assert server.state.received[-1].auth == "iam-token"


def test_an_expired_token_is_refused_with_401(server):
    token = sign_in(server).headers["X-Subject-Token"]
    server.state.issued_tokens[token] = 0.0

    response = requests.get(
        f"{server.url}/v2/servicerequest/cases", headers={"X-Auth-Token": token}, timeout=5
    )

    assert response.status_code == 401
    assert response.json()["error_code"] == "OSM.0002"


def test_a_wrong_password_is_refused_with_401(server):
    response = sign_in(server, password="nope")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The username or password is wrong."
    assert "X-Subject-Token" not in response.headers


def test_a_locked_user_is_refused_even_with_the_right_password(server):
    server.state.locked_users.add("sandbox-agent")

    response = sign_in(server)

    assert response.status_code == 401
    assert "locked" in response.json()["error"]["message"]


def test_a_malformed_sign_in_is_a_400(server):
    response = requests.post(f"{server.url}/v3/auth/tokens", data=b"{}", timeout=5)

    assert response.status_code == 400


def test_the_sandbox_never_keeps_the_password_it_was_sent(server):
    sign_in(server, password="sandbox-password")

    assert "sandbox-password" not in json.dumps(server.state.received[-1].body)


def test_a_project_scoped_token_names_its_project(server):
    response = sign_in(server, scope={"project": {"name": "cn-south-1"}})

    assert response.json()["token"]["project"] == {"name": "cn-south-1"}


def test_the_list_window_selects_tickets_by_their_last_update(server):
    state = server.state
    case_ids = list(state.tickets)
    state.tickets[case_ids[0]]["update_time"] = "2026-11-01T10:00:00Z"

    response = requests.get(
        f"{server.url}/v2/servicerequest/cases",
        params={"query_start_time": "2026-11-01T00:00:00Z", "query_end_time": "2026-11-02T00:00Z"},
        headers={"X-Auth-Token": state.token},
        timeout=5,
    )
    refused = requests.get(
        f"{server.url}/v2/servicerequest/cases",
        params={"query_start_time": "yesterday"},
        headers={"X-Auth-Token": state.token},
        timeout=5,
    )

    assert [case["incident_id"] for case in response.json()["incident_info_list"]] == [case_ids[0]]
    assert refused.json()["error_code"] == "OSM.01010001"
