"""Upstream calls counted by endpoint template and outcome, their latency, and the breaker."""

import re

import pytest
import requests
import responses
from django.core.management import call_command

from ticketui.osm.configured import get_client

pytestmark = pytest.mark.django_db

ENDPOINT = "https://osm.example.test"
CASE = "CS2026090100003"
ACTION = "/v2/servicerequest/cases/{case_id}/action"
CALLS = "ticketui_upstream_calls_total"
DURATIONS = "ticketui_upstream_call_duration_seconds_count"


@pytest.fixture
def upstream(settings):
    settings.OSM_ENDPOINT = ENDPOINT
    settings.OSM_RETRY_ATTEMPTS = 1
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_an_operation_moves_the_call_counter_and_the_latency_histogram(
    upstream, scrape, support_user, ticket
):
    upstream.post(re.compile(rf"{ENDPOINT}/v2/servicerequest/cases/{CASE}/action"), json={})
    upstream.get(re.compile(rf"{ENDPOINT}/v2/servicerequest/cases/{CASE}.*"), json={})
    before = scrape.value(CALLS, method="POST", endpoint=ACTION, outcome="succeeded")
    timed_before = scrape.value(DURATIONS, method="POST", endpoint=ACTION)

    call_command("ticket_operate", CASE, "close", "--as", "sam")

    assert scrape.value(CALLS, method="POST", endpoint=ACTION, outcome="succeeded") == before + 1
    assert scrape.value(DURATIONS, method="POST", endpoint=ACTION) == timed_before + 1
    assert CASE not in scrape.text  # the ticket's id is never part of a series


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ({"json": {"error_code": "OSM.01010015", "error_msg": "no such case"}}, "rejected"),
        ({"status": 502, "body": "bad gateway"}, "http_error"),
        ({"body": requests.exceptions.ConnectTimeout()}, "not_sent"),
        ({"body": requests.exceptions.ReadTimeout()}, "unknown"),
    ],
    ids=["rejected", "http_error", "not_sent", "unknown"],
)
def test_each_outcome_is_counted_under_its_own_name(upstream, scrape, answer, outcome):
    upstream.post(re.compile(rf"{ENDPOINT}/.*"), **answer)
    before = scrape.value(CALLS, method="POST", endpoint=ACTION, outcome=outcome)
    client = get_client()

    client.send(client.prepare_action(case_id="CS-ANY-1", action_id="press"))

    assert scrape.value(CALLS, method="POST", endpoint=ACTION, outcome=outcome) == before + 1


def test_reads_are_counted_by_their_own_endpoint(upstream, scrape):
    upstream.get(re.compile(rf"{ENDPOINT}/v2/servicerequest/cases/count.*"), json={})
    upstream.get(re.compile(rf"{ENDPOINT}/v2/servicerequest/cases/CS-X/status"), json={})
    count = {"method": "GET", "endpoint": "/v2/servicerequest/cases/count", "outcome": "succeeded"}
    status = {
        "method": "GET",
        "endpoint": "/v2/servicerequest/cases/{case_id}/status",
        "outcome": "succeeded",
    }
    before = (scrape.value(CALLS, **count), scrape.value(CALLS, **status))

    get_client().case_counts()
    get_client().case_status("CS-X")

    assert (scrape.value(CALLS, **count), scrape.value(CALLS, **status)) == (
        before[0] + 1,
        before[1] + 1,
    )


def test_the_open_breaker_is_shown_and_what_it_holds_back_counts_as_not_sent(
    upstream, scrape, settings
):
    settings.OSM_BREAKER_THRESHOLD = 1
    upstream.post(re.compile(rf"{ENDPOINT}/.*"), body=requests.exceptions.ConnectTimeout())
    client = get_client()
    assert scrape.value("ticketui_upstream_breaker_open") == 0
    client.send(client.prepare_action(case_id="CS-ANY-2", action_id="press"))  # opens it
    before = scrape.value(CALLS, method="POST", endpoint=ACTION, outcome="not_sent")
    timed_before = scrape.value(DURATIONS, method="POST", endpoint=ACTION)

    held = client.send(client.prepare_action(case_id="CS-ANY-2", action_id="press"))

    assert held.outcome == "not_sent"
    assert len(upstream.calls) == 1  # the second one never went out
    assert scrape.value(CALLS, method="POST", endpoint=ACTION, outcome="not_sent") == before + 1
    assert scrape.value(DURATIONS, method="POST", endpoint=ACTION) == timed_before
    assert scrape.value("ticketui_upstream_breaker_open") == 1
    assert (
        0 < scrape.value("ticketui_upstream_breaker_open_seconds") <= settings.OSM_BREAKER_COOLDOWN
    )
