"""The sandbox upstream, driven over real HTTP as the dashboard's client would."""

import time
from urllib.parse import quote

import pytest
import requests

from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState

TOKEN = "t"
ALL_STATUSES = (0, 1, 2, 3, 4, 5, 12, 13, 17)
# The table in ticketui/sandbox/state.py, restated: action -> {status it is allowed in: status after}.
ALLOWED = {
    "cancel": {0: 4, 1: 4, 2: 4, 5: 4, 17: 4},
    "close": {2: 3, 17: 3},
    "press": {0: 0, 1: 1, 5: 5},
    "delete": {3: 13, 4: 13, 12: 13},
}
ODD_CASE_IDS = ["工单-42", "CS 2023/07?x=1#f&y"]


@pytest.fixture
def sandbox_server():
    server = SandboxServer(SandboxState.seeded(12, token=TOKEN)).start()
    yield server
    server.stop()


def case_url(server: SandboxServer, case_id: str, tail: str = "") -> str:
    return f"{server.url}/v2/servicerequest/cases/{quote(case_id, safe='')}{tail}"


def get(server: SandboxServer, path: str, token: str = TOKEN, **params) -> requests.Response:
    url = path if path.startswith("http") else server.url + path
    return requests.get(url, params=params, headers={"X-Auth-Token": token}, timeout=5)


def act(server: SandboxServer, case_id: str, action_id: str, body=None, token: str = TOKEN):
    return requests.post(
        case_url(server, case_id, "/action"),
        params={"action_id": action_id},
        json={} if body is None else body,
        headers={"X-Auth-Token": token},
        timeout=5,
    )


def score(server: SandboxServer, case_id: str, body) -> requests.Response:
    return requests.post(
        case_url(server, case_id, "/score"), json=body, headers={"X-Auth-Token": TOKEN}, timeout=5
    )


def status_of(server: SandboxServer, case_id: str) -> int:
    return get(server, case_url(server, case_id, "/status")).json()["status"]


def case_in_status(server: SandboxServer, status: int) -> str:
    """A seeded ticket, put in `status`; each status gets a ticket of its own."""
    case_id = sorted(server.state.tickets)[ALL_STATUSES.index(status)]
    server.state.tickets[case_id]["status"] = status
    return case_id


GOOD_SCORE = {
    "judgement": "Solved quickly",
    "incident_satisfaction_list": [
        {"satisfaction_id": 1, "satisfaction_value": 5},
        {"satisfaction_id": 7, "satisfaction_value": 10},
    ],
}


# --- Authentication ----------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "wrong"], ids=["missing", "wrong"])
def test_a_call_without_the_right_token_is_refused_with_osm_0002(sandbox_server, token):
    response = get(sandbox_server, "/v2/servicerequest/cases", token=token)

    assert response.status_code == 401
    assert response.json()["error_code"] == "OSM.0002"


def test_an_action_without_the_right_token_changes_nothing(sandbox_server):
    case_id = case_in_status(sandbox_server, 0)

    response = act(sandbox_server, case_id, "cancel", token="wrong")

    assert response.status_code == 401
    assert sandbox_server.state.tickets[case_id]["status"] == 0


def test_the_token_is_not_kept_with_what_was_received(sandbox_server):
    get(sandbox_server, "/v2/servicerequest/cases")

    assert "X-Auth-Token" not in sandbox_server.state.received[-1].headers
    assert TOKEN not in sandbox_server.state.received[-1].headers.values()


# --- The status machine ------------------------------------------------------------------


@pytest.mark.parametrize("action", ALLOWED)
def test_an_action_succeeds_in_each_status_the_table_allows_and_moves_the_ticket(
    sandbox_server, action
):
    outcomes = {}
    for status in ALLOWED[action]:
        case_id = case_in_status(sandbox_server, status)
        code = act(sandbox_server, case_id, action).json()["error_code"]
        outcomes[status] = (code, status_of(sandbox_server, case_id))

    assert outcomes == {status: ("", after) for status, after in ALLOWED[action].items()}


@pytest.mark.parametrize("action", ALLOWED)
def test_an_action_is_refused_in_every_other_status_and_changes_nothing(sandbox_server, action):
    refused = [status for status in ALL_STATUSES if status not in ALLOWED[action]]
    outcomes = {}
    for status in refused:
        case_id = case_in_status(sandbox_server, status)
        code = act(sandbox_server, case_id, action).json()["error_code"]
        outcomes[status] = (code, status_of(sandbox_server, case_id))

    assert outcomes == {status: ("OSM.01010014", status) for status in refused}


def test_a_successful_action_is_logged_with_its_operate_type_and_description(sandbox_server):
    case_id = case_in_status(sandbox_server, 2)

    act(sandbox_server, case_id, "close", {"operate_desc": "Fixed by reboot"})

    logs = get(sandbox_server, case_url(sandbox_server, case_id, "/operate-logs")).json()
    assert [(log["operate_type"], log["content"]) for log in logs["operate_log_list"]] == [
        (0, ""),
        (3, "Fixed by reboot"),
    ]


def test_pressing_twice_within_the_interval_is_refused_with_osm_01010004(sandbox_server):
    case_id = case_in_status(sandbox_server, 1)
    act(sandbox_server, case_id, "press")

    response = act(sandbox_server, case_id, "press")

    assert response.json()["error_code"] == "OSM.01010004"


def test_pressing_again_after_the_interval_succeeds(sandbox_server):
    sandbox_server.state.press_interval = 0.1
    case_id = case_in_status(sandbox_server, 1)
    act(sandbox_server, case_id, "press")
    time.sleep(0.15)

    response = act(sandbox_server, case_id, "press")

    assert response.json()["error_code"] == ""


def test_pressing_one_ticket_does_not_hold_back_another(sandbox_server):
    act(sandbox_server, case_in_status(sandbox_server, 0), "press")

    response = act(sandbox_server, case_in_status(sandbox_server, 1), "press")

    assert response.json()["error_code"] == ""


def test_an_unknown_action_is_refused_with_osm_01010013(sandbox_server):
    case_id = case_in_status(sandbox_server, 1)

    response = act(sandbox_server, case_id, "reopen")

    assert (response.status_code, response.json()["error_code"]) == (200, "OSM.01010013")
    assert status_of(sandbox_server, case_id) == 1


def test_an_action_on_an_unknown_ticket_is_refused_with_osm_01010015(sandbox_server):
    response = act(sandbox_server, "CS1999", "cancel")

    assert (response.status_code, response.json()["error_code"]) == (200, "OSM.01010015")


# --- Field limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"operate_desc": "x" * 401},
        {"judgement": "x" * 401},
        {"group_id": "g" * 65},
        {"incident_satisfaction_list": [{"satisfaction_id": 10000, "satisfaction_value": 1}]},
        {"incident_satisfaction_list": [{"satisfaction_id": 1, "satisfaction_value": 6}]},
        {"incident_satisfaction_list": [{"satisfaction_id": 1}]},
        {"incident_satisfaction_list": {"satisfaction_id": 1, "satisfaction_value": 5}},
    ],
    ids=[
        "operate_desc-401",
        "judgement-401",
        "group_id-65",
        "satisfaction_id-10000",
        "value-above-dimension",
        "value-missing",
        "list-is-an-object",
    ],
)
def test_a_field_past_its_limit_is_refused_with_osm_01010001(sandbox_server, body):
    case_id = case_in_status(sandbox_server, 2)

    response = act(sandbox_server, case_id, "close", body)

    assert (response.status_code, response.json()["error_code"]) == (200, "OSM.01010001")
    assert status_of(sandbox_server, case_id) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"operate_desc": "x" * 400},
        {"judgement": "x" * 400},
        {"group_id": "g" * 64},
        {"incident_satisfaction_list": [{"satisfaction_id": 7, "satisfaction_value": 10}]},
    ],
    ids=["operate_desc-400", "judgement-400", "group_id-64", "value-at-dimension"],
)
def test_a_field_at_its_limit_is_accepted(sandbox_server, body):
    case_id = case_in_status(sandbox_server, 2)

    response = act(sandbox_server, case_id, "close", body)

    assert response.json()["error_code"] == ""
    assert status_of(sandbox_server, case_id) == 3


def test_a_case_id_of_65_characters_is_refused_with_osm_01010001(sandbox_server):
    response = act(sandbox_server, "C" * 65, "cancel")

    assert response.json()["error_code"] == "OSM.01010001"


def test_a_case_id_of_64_characters_passes_validation(sandbox_server):
    response = act(sandbox_server, "C" * 64, "cancel")

    assert response.json()["error_code"] == "OSM.01010015"


def test_a_body_that_is_not_json_is_a_400(sandbox_server):
    response = requests.post(
        case_url(sandbox_server, case_in_status(sandbox_server, 2), "/action"),
        params={"action_id": "close"},
        data=b"operate_desc=Fixed",
        headers={"X-Auth-Token": TOKEN, "Content-Type": "application/json"},
        timeout=5,
    )

    assert (response.status_code, response.json()["error_code"]) == (400, "OSM.0001")


def test_an_unknown_path_is_a_404(sandbox_server):
    response = get(sandbox_server, "/v2/servicerequest/tickets")

    assert (response.status_code, response.json()["error_code"]) == (404, "APIGW.0101")


# --- Case ids that need encoding ---------------------------------------------------------


@pytest.mark.parametrize("case_id", ODD_CASE_IDS)
def test_an_odd_case_id_arrives_as_one_intact_segment(sandbox_server, case_id):
    get(sandbox_server, case_url(sandbox_server, case_id))

    received = sandbox_server.state.received[-1]
    assert received.path_segments == ["v2", "servicerequest", "cases", case_id]


@pytest.mark.parametrize("case_id", ODD_CASE_IDS)
def test_an_odd_case_id_can_be_read_and_operated(sandbox_server, case_id):
    detail = get(sandbox_server, case_url(sandbox_server, case_id)).json()
    response = act(sandbox_server, case_id, "cancel")

    assert detail["incident_detail_info"]["incident_id"] == case_id
    assert (response.json()["error_code"], status_of(sandbox_server, case_id)) == ("", 4)


def test_the_action_id_arrives_as_a_query_parameter(sandbox_server):
    act(sandbox_server, case_in_status(sandbox_server, 1), "press")

    assert sandbox_server.state.received[-1].query == {"action_id": ["press"]}


# --- Reads -------------------------------------------------------------------------------


def test_the_list_pages_through_every_ticket_once(sandbox_server):
    pages = [
        get(sandbox_server, "/v2/servicerequest/cases", offset=offset, limit=5).json()
        for offset in (0, 5, 10)
    ]

    ids = [case["incident_id"] for page in pages for case in page["incident_info_list"]]
    assert [page["total_count"] for page in pages] == [14, 14, 14]
    assert [len(page["incident_info_list"]) for page in pages] == [5, 5, 4]
    assert sorted(ids) == sorted(sandbox_server.state.tickets)


def test_the_list_filters_by_status(sandbox_server):
    page = get(sandbox_server, "/v2/servicerequest/cases", status=2, limit=100).json()

    expected = sorted(cid for cid, t in sandbox_server.state.tickets.items() if t["status"] == 2)
    assert page["total_count"] == 3
    assert sorted(case["incident_id"] for case in page["incident_info_list"]) == expected


def test_the_list_refuses_a_limit_above_100(sandbox_server):
    response = get(sandbox_server, "/v2/servicerequest/cases", limit=101)

    assert response.json()["error_code"] == "OSM.01010001"


def test_a_listed_case_has_the_documented_fields(sandbox_server):
    page = get(sandbox_server, "/v2/servicerequest/cases", limit=1).json()

    case = page["incident_info_list"][0]
    assert {"incident_id", "simple_description", "status", "create_time", "label_list"} <= set(case)
    assert "message_list" not in case


def test_the_detail_has_the_documented_fields(sandbox_server):
    case_id = case_in_status(sandbox_server, 1)

    detail = get(sandbox_server, case_url(sandbox_server, case_id)).json()["incident_detail_info"]

    assert {
        "incident_id",
        "simple_description",
        "status",
        "judgement",
        "source_name",
        "severity_name",
        "message_list",
        "incident_satisfaction",
        "resolve_time",
        "create_time",
    } <= set(detail)
    assert (detail["incident_id"], detail["status"]) == (case_id, 1)


def test_the_detail_of_an_unknown_ticket_is_osm_01010015(sandbox_server):
    response = get(sandbox_server, case_url(sandbox_server, "CS1999"))

    assert (response.status_code, response.json()["error_code"]) == (200, "OSM.01010015")


def test_the_status_answer_holds_only_the_status(sandbox_server):
    case_id = case_in_status(sandbox_server, 17)

    response = get(sandbox_server, case_url(sandbox_server, case_id, "/status"))

    assert response.json() == {"status": 17}


def test_the_count_gives_the_number_of_tickets_in_each_status(sandbox_server):
    response = get(sandbox_server, "/v2/servicerequest/cases/count")

    assert response.json() == {
        "incident_status_counts": [
            {"status": 0, "count": 2},
            {"status": 1, "count": 3},
            {"status": 2, "count": 3},
            {"status": 3, "count": 1},
            {"status": 4, "count": 1},
            {"status": 5, "count": 1},
            {"status": 12, "count": 1},
            {"status": 13, "count": 1},
            {"status": 17, "count": 1},
        ]
    }


def test_the_operate_logs_start_with_the_creation(sandbox_server):
    case_id = case_in_status(sandbox_server, 0)

    logs = get(sandbox_server, case_url(sandbox_server, case_id, "/operate-logs")).json()

    created = sandbox_server.state.tickets[case_id]["create_time"]
    assert logs == {
        "total_count": 1,
        "operate_log_list": [
            {"operate_type": 0, "operator": "customer", "content": "", "operate_time": created}
        ],
    }


def test_the_satisfaction_dimensions_have_the_documented_shape(sandbox_server):
    answer = get(sandbox_server, "/v2/servicerequest/config/satisfaction-dimensions").json()

    assert answer["total_count"] == 3
    assert [
        (d["satisfaction_id"], d["value"], d["per_value"])
        for d in answer["satisfaction_dimension_list"]
    ] == [
        (1, 5, 1),
        (3, 5, 1),
        (7, 10, 2),
    ]
    assert all(
        set(d)
        == {
            "satisfaction_id",
            "satisfaction_name",
            "satisfaction_desc",
            "value",
            "per_value",
            "sat_category_id",
        }
        for d in answer["satisfaction_dimension_list"]
    )


# --- Scoring -------------------------------------------------------------------------------


def test_a_completed_ticket_can_be_scored(sandbox_server):
    case_id = case_in_status(sandbox_server, 3)

    response = score(sandbox_server, case_id, GOOD_SCORE)

    detail = get(sandbox_server, case_url(sandbox_server, case_id)).json()["incident_detail_info"]
    assert response.json()["error_code"] == ""
    assert detail["judgement"] == "Solved quickly"
    assert detail["incident_satisfaction"] == GOOD_SCORE["incident_satisfaction_list"]


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != 3])
def test_a_ticket_that_is_not_completed_cannot_be_scored(sandbox_server, status):
    response = score(sandbox_server, case_in_status(sandbox_server, status), GOOD_SCORE)

    assert response.json()["error_code"] == "OSM.01010014"


def test_a_ticket_is_scored_only_once(sandbox_server):
    case_id = case_in_status(sandbox_server, 3)
    score(sandbox_server, case_id, GOOD_SCORE)

    response = score(sandbox_server, case_id, {**GOOD_SCORE, "judgement": "Changed my mind"})

    assert response.json()["error_code"] == "OSM.01010014"
    assert sandbox_server.state.tickets[case_id]["judgement"] == "Solved quickly"


def test_a_ticket_scored_without_entries_is_still_scored_only_once(sandbox_server):
    case_id = case_in_status(sandbox_server, 3)
    score(sandbox_server, case_id, {"judgement": "Fine", "incident_satisfaction_list": []})

    response = score(sandbox_server, case_id, GOOD_SCORE)

    assert response.json()["error_code"] == "OSM.01010014"


@pytest.mark.parametrize(
    "body",
    [
        {"incident_satisfaction_list": GOOD_SCORE["incident_satisfaction_list"]},
        {"judgement": "Fine"},
        {
            "judgement": "Fine",
            "incident_satisfaction_list": [{"satisfaction_id": 3, "satisfaction_value": 9}],
        },
    ],
    ids=["no-judgement", "no-list", "value-above-dimension"],
)
def test_a_score_missing_a_required_field_or_past_a_limit_is_osm_01010001(sandbox_server, body):
    response = score(sandbox_server, case_in_status(sandbox_server, 3), body)

    assert response.json()["error_code"] == "OSM.01010001"


# --- Every answer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "token", "data"),
    [
        ("GET", "/v2/servicerequest/cases", TOKEN, None),
        ("GET", "/v2/servicerequest/cases", "wrong", None),
        ("GET", "/v2/servicerequest/nothing-here", TOKEN, None),
        ("GET", "/v2/servicerequest/cases/CS1999", TOKEN, None),
        ("POST", "/v2/servicerequest/cases/CS1999/action?action_id=close", TOKEN, b"{not json"),
    ],
    ids=["ok", "unauthorized", "not-found", "business-error", "bad-request"],
)
def test_every_answer_carries_a_request_id(sandbox_server, method, path, token, data):
    response = requests.request(
        method, sandbox_server.url + path, data=data, headers={"X-Auth-Token": token}, timeout=5
    )

    assert len(response.headers["X-Request-Id"]) == 32


def test_each_answer_has_its_own_request_id(sandbox_server):
    first = get(sandbox_server, "/v2/servicerequest/cases")
    second = get(sandbox_server, "/v2/servicerequest/cases")

    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
