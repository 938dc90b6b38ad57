"""Who may read /metrics: nobody until it is configured, then only a scraper with the token
and/or from an allowed address; never a secret in what it shows."""

from ipaddress import ip_network

import pytest

from .conftest import METRICS_TOKEN

pytestmark = pytest.mark.django_db

BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def test_it_is_off_until_a_token_or_an_address_list_is_set(client, support_client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = ()

    assert client.get("/metrics").status_code == 404
    assert support_client.get("/metrics").status_code == 404  # a session does not open it
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_it_refuses_a_scrape_without_the_right_token(client, metrics_token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert (
        client.get("/metrics", headers={"Authorization": f"Basic {metrics_token}"}).status_code
        == 403
    )
    assert (
        client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}x"}).status_code
        == 403
    )


def test_with_the_token_it_answers_in_the_prometheus_format_without_a_login(client, metrics_token):
    response = client.get("/metrics", headers=BEARER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE ticketui_upstream_calls_total counter" in response.content.decode()
    assert not response.cookies  # no session is started
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_openmetrics_when_asked(client, metrics_token):
    response = client.get(
        "/metrics", headers={**BEARER, "Accept": "application/openmetrics-text; version=1.0.0"}
    )

    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().endswith("# EOF\n")


def test_it_refuses_an_address_outside_the_allow_list(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = (ip_network("10.0.0.0/24"), ip_network("::1"))

    assert client.get("/metrics", REMOTE_ADDR="10.0.1.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_the_allow_list_refuses_a_request_that_came_through_a_proxy(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = (ip_network("127.0.0.1"),)

    forwarded = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.9"}
    )

    assert forwarded.status_code == 403


def test_with_both_set_a_scrape_needs_the_token_and_the_address(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = (ip_network("10.0.0.5"),)

    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.6", headers=BEARER).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5", headers=BEARER).status_code == 200


def test_it_only_answers_get(client, metrics_token):
    assert client.post("/metrics", headers=BEARER).status_code == 405


def test_no_secret_appears_in_the_metrics(client, settings, metrics_token, sandbox):
    settings.SECRET_KEY = "secret-key-canary-9d8e7f6a5b4c3d2e1f"
    settings.IAM_PASSWORD = "iam-password-canary-1a2b3c"
    settings.OSM_SK = "osm-sk-canary-4d5e6f"
    client.get("/", headers=BEARER)  # some traffic, including an upstream-bound page
    client.post("/accounts/login/", {"username": "sam", "password": "iam-password-canary-1a2b3c"})

    body = client.get("/metrics", headers=BEARER).content.decode()

    for secret in (
        settings.OSM_TOKEN,
        metrics_token,
        settings.SECRET_KEY,
        settings.IAM_PASSWORD,
        settings.OSM_SK,
    ):
        assert secret not in body
    assert "ticketui_login_failures_total" in body
