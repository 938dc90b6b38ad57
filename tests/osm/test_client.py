"""The upstream client over HTTP: `responses` for answers, real local sockets for transport."""

import contextlib
import json
import re
import socketserver
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from ticketui.osm.auth import StaticToken
from ticketui.osm.client import MAX_BODY_BYTES, RECORDED_BODY_CHARS, CallContext, OsmClient
from ticketui.osm.results import (
    CaseNotFound,
    Label,
    Outcome,
    SatisfactionEntry,
    UpstreamError,
    parse_time,
)

ENDPOINT = "https://osm.example.test"
TOKEN = "secret-token-8f3a"
ODD_ID, ODD_ID_ENCODED = "CS 2023/07?x=1#f&y", "CS%202023%2F07%3Fx%3D1%23f%26y"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
SEPT_1_0830 = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)


class RenewingToken:
    """An authenticator whose token changes each time it is invalidated."""

    secret_headers = frozenset({"X-Auth-Token"})

    def __init__(self) -> None:
        self.generation = 1
        self.invalidations = 0

    def headers(self, *, method, url, headers, body) -> dict[str, str]:
        return {"X-Auth-Token": f"token-{self.generation}"}

    def invalidate(self) -> None:
        self.invalidations += 1
        self.generation += 1


def make_client(endpoint: str = ENDPOINT, **options) -> OsmClient:
    options.setdefault("auth", StaticToken(TOKEN))
    return OsmClient(endpoint=endpoint, **options)


def close_call(client: OsmClient, case_id: str = "CS2026090100003", **fields):
    return client.send(client.prepare_action(case_id=case_id, action_id="close", **fields))


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def answer(upstream, json=None, **fields) -> None:
    """The next answer to any GET or POST on the endpoint."""
    for method in (responses.GET, responses.POST):
        upstream.add(method, re.compile(r"https://osm\.example\.test/.*"), json=json, **fields)


def sent(upstream, index: int = 0):
    return upstream.calls[index].request


# --- A bare socket server, for what `responses` cannot fake -------------------------------


class SocketUpstream(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1; each connection is handed to `behaviour(server, socket)`."""

    daemon_threads = True

    def __init__(self, behaviour) -> None:
        super().__init__(("127.0.0.1", 0), _Connection)
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.closing = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def read_request(self, conn) -> None:
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
            head, end, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if end and len(body) >= (int(length.group(1)) if length else 0):
                break
        self.requests.append(data)

    def __exit__(self, *exc_info) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()


class _Connection(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(5)
        try:
            self.server.behaviour(self.server, self.request)
        except OSError:
            pass  # the client went away first


def answer_with(status_line, body=b"{}", headers=(), delay=0.0, length=None):
    def behaviour(server, conn) -> None:
        server.read_request(conn)
        time.sleep(delay)
        head = [status_line, f"Content-Length: {length or len(body)}", "Connection: close"]
        conn.sendall(("\r\n".join([*head, *headers]) + "\r\n\r\n").encode() + body)

    return behaviour


def never_answer(server, conn) -> None:
    server.read_request(conn)
    server.closing.wait(5)


def close_after_reading(server, conn) -> None:
    server.read_request(conn)


@pytest.fixture
def socket_upstream():
    """Starts a SocketUpstream per call; all stop when the test ends."""
    with contextlib.ExitStack() as servers:
        yield lambda behaviour: servers.enter_context(SocketUpstream(behaviour))


@pytest.fixture
def refusing_url():
    """A port that is bound but not listening: connecting to it is refused."""
    with socketserver.TCPServer(("127.0.0.1", 0), None, bind_and_activate=False) as bound:
        bound.server_bind()
        yield f"http://127.0.0.1:{bound.server_address[1]}"


# --- What is sent ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_id", "segment"), [(ODD_ID, ODD_ID_ENCODED), ("工单-42", "%E5%B7%A5%E5%8D%95-42")]
)
def test_it_encodes_the_case_id_as_one_path_segment(upstream, case_id, segment):
    answer(upstream)

    close_call(make_client(), case_id=case_id)

    assert sent(upstream).path_url == f"/v2/servicerequest/cases/{segment}/action?action_id=close"


def test_the_encoded_case_id_reaches_the_wire_unchanged(socket_upstream):
    server = socket_upstream(answer_with("HTTP/1.1 200 OK"))

    close_call(make_client(server.url), case_id=ODD_ID)

    request_line = server.requests[0].split(b"\r\n", 1)[0].decode()
    assert (
        request_line
        == f"POST /v2/servicerequest/cases/{ODD_ID_ENCODED}/action?action_id=close HTTP/1.1"
    )


def test_it_query_encodes_the_action_id(upstream):
    answer(upstream)
    client = make_client()

    client.send(client.prepare_action(case_id="CS1", action_id="close&x=1 y#z"))

    assert sent(upstream).path_url.endswith("/CS1/action?action_id=close%26x%3D1%20y%23z")


def test_it_sends_the_token_site_language_time_zone_and_content_type(upstream):
    answer(upstream)

    close_call(make_client())

    headers = sent(upstream).headers
    assert headers["X-Auth-Token"] == TOKEN
    assert (headers["X-Site"], headers["X-Language"], headers["X-Time-Zone"]) == (
        "0",
        "zh-cn",
        "GMT+8",
    )
    assert headers["Content-Type"] == "application/json"


def test_a_call_context_overrides_the_language_and_time_zone(upstream):
    answer(upstream)
    client = make_client(language="zh-cn", time_zone="GMT+8")
    context = CallContext(language="en-us", time_zone="GMT-5")

    client.send(client.prepare_action(case_id="CS1", action_id="press", context=context))

    assert sent(upstream).headers["X-Language"] == "en-us"
    assert sent(upstream).headers["X-Time-Zone"] == "GMT-5"


def test_a_read_sends_no_body_and_no_content_type(upstream):
    answer(upstream, {"status": 1})

    make_client().case_status("CS1")

    assert sent(upstream).body is None
    assert "Content-Type" not in sent(upstream).headers


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ({}, "{}"),
        (
            {"operate_desc": "Fixed", "group_id": "g-1"},
            '{"operate_desc": "Fixed", "group_id": "g-1"}',
        ),
        ({"judgement": "处理及时"}, '{"judgement": "处理及时"}'),
    ],
    ids=["nothing-set", "some-set", "utf8"],
)
def test_the_body_holds_only_the_keys_that_are_set(upstream, fields, body):
    answer(upstream)

    close_call(make_client(), **fields)

    assert sent(upstream).body == body.encode()


def test_it_sends_satisfaction_entries_as_an_array_without_unset_fields(upstream):
    answer(upstream)
    entries = [
        SatisfactionEntry(satisfaction_id=1, satisfaction_value=5, value=5, per_value=1),
        SatisfactionEntry(satisfaction_id=3, satisfaction_value=4, satisfaction_name="Result"),
    ]

    close_call(make_client(), satisfaction=entries)

    assert json.loads(sent(upstream).body)["incident_satisfaction_list"] == [
        {"satisfaction_id": 1, "satisfaction_value": 5, "value": 5, "per_value": 1},
        {"satisfaction_id": 3, "satisfaction_value": 4, "satisfaction_name": "Result"},
    ]


def test_the_score_call_posts_the_judgement_and_entries_to_the_score_path(upstream):
    answer(upstream)
    client = make_client()
    entry = SatisfactionEntry(satisfaction_id=1, satisfaction_value=5)

    client.send(client.prepare_score(case_id="工单-42", judgement="Good", satisfaction=[entry]))

    assert sent(upstream).path_url == "/v2/servicerequest/cases/%E5%B7%A5%E5%8D%95-42/score"
    assert json.loads(sent(upstream).body) == {
        "judgement": "Good",
        "incident_satisfaction_list": [{"satisfaction_id": 1, "satisfaction_value": 5}],
    }


def test_recorded_headers_never_contain_the_token(upstream):
    answer(upstream)
    client = make_client()
    call = client.prepare_action(case_id="CS1", action_id="close")

    result = client.send(call)

    assert "X-Auth-Token" not in call.headers
    assert "X-Auth-Token" not in result.call.headers
    assert TOKEN not in repr(result)


def test_the_static_token_hides_itself_in_its_repr():
    assert TOKEN not in repr(StaticToken(TOKEN))


# --- What comes back ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["", "{}", '{"error_code": "", "error_msg": ""}'], ids=["empty", "absent", "blank"]
)
def test_a_200_without_an_error_code_is_a_success(upstream, body):
    answer(upstream, body=body)

    assert close_call(make_client()).outcome is Outcome.SUCCEEDED


def test_a_200_with_an_error_code_is_rejected_with_that_code(upstream):
    answer(upstream, {"error_code": "OSM.01010004", "error_msg": "Urged too frequently"})

    result = close_call(make_client())

    assert result.outcome is Outcome.REJECTED
    assert (result.http_status, result.error_code) == (200, "OSM.01010004")
    assert result.error_msg == "Urged too frequently"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error_code": "E.1", "error_msg": "Bad"}),
        (403, {"errorCode": "E.1", "errorMsg": "Bad"}),
        (500, {"code": "E.1", "message": "Bad"}),
        (401, {"error": {"code": "E.1", "message": "Bad"}}),
        (502, {"error": {"error_code": "E.1", "error_msg": "Bad"}}),
    ],
    ids=["error_code", "errorCode", "code", "nested-code", "nested-error_code"],
)
def test_an_http_error_keeps_the_code_and_message_of_each_documented_shape(upstream, status, body):
    answer(upstream, body, status=status)

    result = close_call(make_client())

    assert (result.outcome, result.http_status) == (Outcome.HTTP_ERROR, status)
    assert (result.error_code, result.error_msg) == ("E.1", "Bad")


def test_an_html_error_page_is_an_http_error_that_keeps_the_raw_text(upstream):
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    answer(upstream, status=502, body=page, content_type="text/html")

    result = close_call(make_client())

    assert (result.outcome, result.http_status, result.error_code) == (Outcome.HTTP_ERROR, 502, "")
    assert (result.raw_body, result.data) == (page, None)


def test_a_200_that_is_not_json_is_unknown(upstream):
    answer(upstream, body="<html>maintenance</html>", content_type="text/html")

    result = close_call(make_client())

    assert (result.outcome, result.raw_body) == (Outcome.UNKNOWN, "<html>maintenance</html>")


def test_a_body_larger_than_the_limit_is_cut_and_flagged(upstream):
    answer(upstream, body=b'{"padding": "' + b"x" * MAX_BODY_BYTES + b'"}')

    result = close_call(make_client())

    assert result.body_truncated is True
    assert len(result.raw_body) == RECORDED_BODY_CHARS
    assert (result.outcome, result.data) == (Outcome.UNKNOWN, None)


def test_it_records_the_request_id(upstream):
    answer(upstream, {}, headers={"X-Request-Id": "0b5e9c1d7a"})

    assert close_call(make_client()).request_id == "0b5e9c1d7a"


def test_it_records_how_long_the_call_took(socket_upstream):
    server = socket_upstream(answer_with("HTTP/1.1 200 OK", delay=0.15))

    result = close_call(make_client(server.url))

    assert result.outcome is Outcome.SUCCEEDED
    assert 150 <= result.duration_ms < 5000


# --- Transport failures ------------------------------------------------------------------


def test_a_refused_connection_is_not_sent(refusing_url):
    result = close_call(make_client(refusing_url))

    assert (result.outcome, result.http_status) == (Outcome.NOT_SENT, None)


def test_a_read_timeout_is_unknown_and_not_repeated(socket_upstream):
    server = socket_upstream(never_answer)

    result = close_call(make_client(server.url, read_timeout=0.3))

    assert (result.outcome, result.http_status) == (Outcome.UNKNOWN, None)
    assert len(server.requests) == 1


def test_a_connection_closed_after_the_request_was_read_is_unknown_and_not_repeated(
    socket_upstream,
):
    server = socket_upstream(close_after_reading)

    result = close_call(make_client(server.url))

    assert (result.outcome, result.http_status) == (Outcome.UNKNOWN, None)
    assert len(server.requests) == 1


def test_an_answer_that_breaks_off_is_unknown(socket_upstream):
    server = socket_upstream(answer_with("HTTP/1.1 200 OK", body=b'{"error', length=500))

    result = close_call(make_client(server.url))

    assert (result.outcome, result.http_status) == (Outcome.UNKNOWN, 200)


def test_a_redirect_is_not_followed_and_is_an_http_error(socket_upstream):
    elsewhere = socket_upstream(answer_with("HTTP/1.1 200 OK"))
    location = f"Location: {elsewhere.url}/v2/servicerequest/cases/CS1/action?action_id=close"
    server = socket_upstream(answer_with("HTTP/1.1 302 Found", body=b"", headers=[location]))

    result = close_call(make_client(server.url))

    assert (len(server.requests), elsewhere.requests) == (1, [])
    assert (result.outcome, result.http_status) == (Outcome.HTTP_ERROR, 302)


def test_proxy_environment_variables_are_ignored(socket_upstream, monkeypatch):
    server = socket_upstream(answer_with("HTTP/1.1 200 OK"))
    proxy = socket_upstream(answer_with("HTTP/1.1 200 OK"))
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    result = close_call(make_client(server.url))

    assert result.outcome is Outcome.SUCCEEDED
    assert (len(server.requests), proxy.requests) == (1, [])


# --- Credentials -------------------------------------------------------------------------


def test_a_401_renews_the_credentials_and_repeats_the_call_once(upstream):
    answer(upstream, {"error_code": "OSM.0002", "error_msg": "Token expired"}, status=401)
    answer(upstream, {})
    auth = RenewingToken()

    result = close_call(make_client(auth=auth))

    assert (result.outcome, auth.invalidations) == (Outcome.SUCCEEDED, 1)
    assert [c.request.headers["X-Auth-Token"] for c in upstream.calls] == ["token-1", "token-2"]


def test_a_second_401_is_returned_without_a_third_attempt(upstream):
    answer(upstream, {"error_code": "OSM.0002", "error_msg": "Token expired"}, status=401)
    auth = RenewingToken()

    result = close_call(make_client(auth=auth))

    assert (result.http_status, result.error_code) == (401, "OSM.0002")
    assert (len(upstream.calls), auth.invalidations) == (2, 1)


def test_other_errors_neither_renew_credentials_nor_repeat_the_call(upstream):
    answer(upstream, {"error_code": "OSM.0003", "error_msg": "Forbidden"}, status=403)
    auth = RenewingToken()

    close_call(make_client(auth=auth))

    assert (len(upstream.calls), auth.invalidations) == (1, 0)


# --- Reads -------------------------------------------------------------------------------

DETAIL = {
    "incident_id": "CS2026090100003",
    "simple_description": "RDS replica lag keeps growing",
    "status": 2,
    "create_time": "2026-09-01T08:30:00Z",
    "resolve_time": 1788251400000,
    "judgement": "Quick",
    "severity_name": "Medium",
    "source_name": "Console",
    "label_list": [{"label_id": "L1", "name": "VIP", "color": "#ff0000"}],
    "message_list": [{"replier_name": "Engineer", "content": "Looking", "create_time": None}],
    "incident_satisfaction": [{"satisfaction_id": 1, "satisfaction_value": 5}],
}


def detail_answer(upstream, **changes) -> None:
    answer(upstream, {"incident_detail_info": {**DETAIL, **changes}})


def test_case_detail_parses_the_typed_fields(upstream):
    detail_answer(upstream)

    detail = make_client().case_detail("CS2026090100003")

    assert (detail.case_id, detail.status) == ("CS2026090100003", 2)
    assert detail.summary == "RDS replica lag keeps growing"
    assert (detail.judgement, detail.severity, detail.source) == ("Quick", "Medium", "Console")
    assert (detail.create_time, detail.resolve_time) == (SEPT_1_0830, SEPT_1_0830)
    assert detail.labels == (Label(label_id="L1", name="VIP", color="#ff0000"),)
    assert [(m.author, m.content) for m in detail.messages] == [("Engineer", "Looking")]
    assert detail.satisfaction == ({"satisfaction_id": 1, "satisfaction_value": 5},)


def test_case_detail_keeps_unknown_fields_in_raw(upstream):
    detail_answer(upstream, sla_deadline={"hours": 4})

    assert make_client().case_detail("CS2026090100003").raw["sla_deadline"] == {"hours": 4}


def test_case_detail_keeps_an_unknown_status_code_as_an_int(upstream):
    detail_answer(upstream, status="42")

    assert make_client().case_detail("CS2026090100003").status == 42


def test_case_detail_turns_an_unparseable_date_into_none(upstream):
    detail_answer(upstream, create_time="next Tuesday", resolve_time="2026-13-45")

    detail = make_client().case_detail("CS2026090100003")

    assert (detail.create_time, detail.resolve_time) == (None, None)


def test_case_detail_falls_back_to_the_requested_case_id(upstream):
    detail_answer(upstream, incident_id=None)

    assert make_client().case_detail("工单-42").case_id == "工单-42"


def test_case_detail_raises_case_not_found_for_osm_01010015(upstream):
    answer(upstream, {"error_code": "OSM.01010015", "error_msg": "No such ticket"})

    with pytest.raises(CaseNotFound) as raised:
        make_client().case_detail("CS404")

    assert raised.value.result.error_code == "OSM.01010015"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, '{"error_code": "OSM.01010002", "error_msg": "No permission"}'),
        (500, '{"error_code": "OSM.0004", "error_msg": "Server error"}'),
        (200, "<html>maintenance</html>"),
    ],
    ids=["rejected", "http-error", "not-json"],
)
def test_other_failed_reads_raise_upstream_error(upstream, status, body):
    answer(upstream, status=status, body=body)

    with pytest.raises(UpstreamError) as raised:
        make_client().case_detail("CS1")

    assert type(raised.value) is UpstreamError
    assert raised.value.result.http_status == status


def test_a_read_that_could_not_connect_raises_upstream_error(refusing_url):
    with pytest.raises(UpstreamError) as raised:
        make_client(refusing_url).case_status("CS1")

    assert raised.value.result.outcome is Outcome.NOT_SENT


def test_case_status_returns_the_status_code(upstream):
    answer(upstream, {"status": 17})

    assert make_client().case_status("CS 2023/07") == 17
    assert sent(upstream).path_url == "/v2/servicerequest/cases/CS%202023%2F07/status"


def test_case_list_sends_the_paging_and_status_filter_with_at_most_100_cases(upstream):
    answer(upstream, {"total_count": 0, "incident_info_list": []})

    make_client().case_list(offset=200, limit=500, status=3, query_start_time="2026-09-01T00")

    url = urlsplit(sent(upstream).url)
    assert url.path == "/v2/servicerequest/cases"
    assert parse_qs(url.query) == {
        "offset": ["200"],
        "limit": ["100"],  # the most the upstream accepts
        "status": ["3"],
        "query_start_time": ["2026-09-01T00"],
    }


def test_case_list_parses_the_total_and_the_cases(upstream):
    cases = [
        {"incident_id": "CS1", "simple_description": "First", "status": 0},
        {"incident_id": "CS2", "simple_description": "Second", "status": 99, "extra": True},
        "not a case",
    ]
    answer(upstream, {"total_count": 230, "incident_info_list": cases})

    page = make_client().case_list(offset=100)

    assert page.total_count == 230
    assert [(case.case_id, case.summary, case.status) for case in page.cases] == [
        ("CS1", "First", 0),
        ("CS2", "Second", 99),
    ]
    assert page.cases[1].raw["extra"] is True


def test_satisfaction_dimensions_parses_each_dimension_and_skips_those_without_an_id(upstream):
    dimensions = [
        {
            "satisfaction_id": 7,
            "satisfaction_name": "Overall",
            "satisfaction_desc": "Ten points",
            "value": 10,
            "per_value": 2,
            "sat_category_id": "overall",
        },
        {"satisfaction_name": "No id"},
        {"satisfaction_id": "3", "satisfaction_name": "Result"},
    ]
    answer(upstream, {"total_count": 3, "satisfaction_dimension_list": dimensions})

    parsed = make_client().satisfaction_dimensions()

    assert sent(upstream).path_url == "/v2/servicerequest/config/satisfaction-dimensions"
    assert [
        (d.satisfaction_id, d.name, d.description, d.value, d.per_value, d.category_id)
        for d in parsed
    ] == [(7, "Overall", "Ten points", 10, 2, "overall"), (3, "Result", "", 5, 1, "")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1788251400000, SEPT_1_0830),
        ("1788251400", SEPT_1_0830),
        ("2026-09-01T08:30:00Z", SEPT_1_0830),
        ("2026-09-01 08:30:00", SEPT_1_0830),
        ("2026-09-01T16:30:00+08:00", SEPT_1_0830),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_time_reads_the_upstreams_timestamps(value, expected):
    assert parse_time(value) == expected
