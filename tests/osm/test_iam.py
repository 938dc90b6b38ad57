"""The IAM token provider against the sandbox's IAM over real HTTP."""

import logging
import threading
import time

import pytest
from django.core.cache.backends.locmem import LocMemCache

from ticketui.osm.auth import AuthenticationError, AuthFailure
from ticketui.osm.client import OsmClient
from ticketui.osm.iam import IAM_LOCKED, IAM_REJECTED, IamTokenProvider
from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState

PASSWORD = "s3cret-Passw0rd!"


@pytest.fixture
def iam_sandbox():
    state = SandboxState.seeded(4, token="static-token", press_interval=0.0)
    state.iam_users = {("acme", "robot"): PASSWORD}
    server = SandboxServer(state).start()
    yield server
    server.stop()


def make_provider(server, *, cache=None, password=PASSWORD, **options) -> IamTokenProvider:
    return IamTokenProvider(
        endpoint=server.url,
        domain="acme",
        user="robot",
        password=password,
        cache=cache if cache is not None else LocMemCache(f"iam-{time.monotonic_ns()}", {}),
        **options,
    )


def press_calls(client: OsmClient, case_id: str, count: int) -> list:
    return [
        client.send(client.prepare_action(case_id=case_id, action_id="press")) for _ in range(count)
    ]


def test_it_takes_the_token_from_the_subject_token_header(iam_sandbox):
    provider = make_provider(iam_sandbox)

    token = provider.token()

    assert token in iam_sandbox.state.issued_tokens
    assert provider.headers(method="GET", url="x", headers={}, body=b"") == {"X-Auth-Token": token}


def test_a_thousand_calls_in_a_row_cause_one_token_fetch(iam_sandbox):
    client = OsmClient(endpoint=iam_sandbox.url, auth=make_provider(iam_sandbox))
    case_id = next(iter(iam_sandbox.state.tickets))
    iam_sandbox.state.tickets[case_id]["status"] = 1

    results = press_calls(client, case_id, 1000)

    assert all(result.succeeded for result in results)
    assert iam_sandbox.state.token_issues == 1


def test_a_call_just_after_the_token_ends_succeeds_with_exactly_one_renewal(iam_sandbox):
    iam_sandbox.state.token_lifetime = 1.0
    client = OsmClient(endpoint=iam_sandbox.url, auth=make_provider(iam_sandbox))
    case_id = next(iter(iam_sandbox.state.tickets))
    iam_sandbox.state.tickets[case_id]["status"] = 1
    assert press_calls(client, case_id, 1)[0].succeeded
    time.sleep(1.05)

    result = press_calls(client, case_id, 1)[0]

    assert result.succeeded
    assert iam_sandbox.state.token_issues == 2
    assert [r.auth for r in iam_sandbox.state.received if r.path_segments[0] == "v2"] == [
        "iam-token",
        "iam-token",
    ]


def test_it_renews_ahead_of_the_end(iam_sandbox):
    iam_sandbox.state.token_lifetime = 40.0
    now = [time.time()]
    provider = make_provider(iam_sandbox, renew_before=3600, clock=lambda: now[0])
    first = provider.token()

    now[0] += 31  # past three quarters of the lifetime, before its end
    second = provider.token()

    assert second != first
    assert iam_sandbox.state.token_issues == 2


def test_a_refused_token_is_renewed_once_and_the_call_repeated_once(iam_sandbox):
    client = OsmClient(endpoint=iam_sandbox.url, auth=make_provider(iam_sandbox))
    case_id = next(iter(iam_sandbox.state.tickets))
    iam_sandbox.state.tickets[case_id]["status"] = 1
    client.auth.token()
    iam_sandbox.state.issued_tokens.clear()  # revoked upstream (e.g. the password changed)

    result = press_calls(client, case_id, 1)[0]

    assert result.succeeded
    assert iam_sandbox.state.token_issues == 2
    actions = [r.auth for r in iam_sandbox.state.received if r.path_segments[-1] == "action"]
    assert actions == ["", "iam-token"]  # refused once (not executed), then carried out
    assert len(iam_sandbox.state.logs[case_id]) == 2  # created, pressed once


def test_processes_sharing_a_cache_fetch_one_token_between_them(iam_sandbox):
    shared = LocMemCache("iam-shared", {})
    shared.clear()
    providers = [make_provider(iam_sandbox, cache=shared) for _ in range(8)]
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda p=p: tokens.append(p.token())) for p in providers]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(tokens)) == 1
    assert iam_sandbox.state.token_issues == 1


def test_a_wrong_password_is_a_clear_rejection_and_iam_is_not_asked_again_at_once(iam_sandbox):
    provider = make_provider(iam_sandbox, password="not-the-password")

    with pytest.raises(AuthenticationError) as first:
        provider.token()
    with pytest.raises(AuthenticationError):
        provider.token()

    assert first.value.failure is AuthFailure.REJECTED
    assert first.value.message == IAM_REJECTED
    assert "The username or password is wrong." in first.value.result.error_msg
    sign_ins = [r for r in iam_sandbox.state.received if r.path_segments[0] == "v3"]
    assert len(sign_ins) == 1  # the failure is remembered briefly: no lockout by retries


def test_a_locked_user_is_reported_as_locked(iam_sandbox):
    iam_sandbox.state.locked_users.add("robot")

    with pytest.raises(AuthenticationError) as error:
        make_provider(iam_sandbox).token()

    assert error.value.failure is AuthFailure.LOCKED
    assert error.value.message == IAM_LOCKED


def test_an_unreachable_iam_is_reported_as_unreachable():
    provider = IamTokenProvider(
        endpoint="http://127.0.0.1:9",
        domain="acme",
        user="robot",
        password=PASSWORD,
        cache=LocMemCache("iam-unreachable", {}),
        connect_timeout=0.5,
    )

    with pytest.raises(AuthenticationError) as error:
        provider.token()

    assert error.value.failure is AuthFailure.UNREACHABLE
    assert "could not reach Huawei Cloud IAM" in error.value.message
    assert error.value.result.outcome == "not_sent"


def test_a_project_scope_is_asked_for_when_configured(iam_sandbox):
    make_provider(iam_sandbox, project="cn-south-1").token()

    sign_in = next(r for r in iam_sandbox.state.received if r.path_segments[0] == "v3")
    assert sign_in.body["auth"]["scope"] == {"project": {"name": "cn-south-1"}}


def test_neither_the_password_nor_the_token_reaches_the_logs(iam_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    provider = make_provider(iam_sandbox)
    client = OsmClient(endpoint=iam_sandbox.url, auth=provider)
    client.case_list()
    token = provider.token()
    with pytest.raises(AuthenticationError):
        make_provider(iam_sandbox, password="Wr0ng-" + PASSWORD).token()

    assert "IAM token fetched for user robot" in caplog.text
    assert PASSWORD not in caplog.text
    assert token not in caplog.text
    assert PASSWORD not in repr(provider)


def test_a_corrected_password_is_tried_at_once_after_a_refusal(iam_sandbox):
    cache = LocMemCache(f"iam-{time.monotonic_ns()}", {})  # shared, as Redis is between processes
    with pytest.raises(AuthenticationError):
        make_provider(iam_sandbox, cache=cache, password="not-the-password").token()

    token = make_provider(iam_sandbox, cache=cache).token()  # restarted with the right one

    assert token in iam_sandbox.state.issued_tokens


def test_the_same_wrong_password_stays_refused_without_asking_iam_again(iam_sandbox):
    cache = LocMemCache(f"iam-{time.monotonic_ns()}", {})
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            make_provider(iam_sandbox, cache=cache, password="not-the-password").token()

    sign_ins = [r for r in iam_sandbox.state.received if r.path_segments[0] == "v3"]
    assert len(sign_ins) == 1
