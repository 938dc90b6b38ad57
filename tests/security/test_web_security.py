import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ticketui.sessions import LAST_SEEN_KEY, STARTED_KEY

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_five_failed_logins_lock_that_username_from_that_address(client, support_user):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "sam", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "sam", "password": "correct horse battery"}
    )

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_touch_another_user(client, support_user, team_lead):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "sam", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "tess", "password": "correct horse battery"}
    )

    assert response.status_code == 302


def test_an_idle_session_ends(support_client, settings):
    session = support_client.session
    session[LAST_SEEN_KEY] = session.get(STARTED_KEY, 0) or 1
    session[STARTED_KEY] = session[LAST_SEEN_KEY]
    session.save()
    settings.SESSION_IDLE_SECONDS = 60

    response = support_client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert support_client.get("/").status_code == 302


def test_an_htmx_request_in_an_expired_session_is_sent_to_the_login_page(support_client, settings):
    session = support_client.session
    session[LAST_SEEN_KEY] = session[STARTED_KEY] = 1
    session.save()

    response = support_client.get("/", headers={"HX-Request": "true"})

    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_an_active_session_stays(support_client):
    assert support_client.get("/").status_code == 200
    assert support_client.get("/").status_code == 200


def test_the_health_endpoint_answers_without_login(client, sandbox):
    from django.utils import timezone

    from ticketui.worker.heartbeat import beat

    beat("worker-1", started_at=timezone.now())  # a worker is alive

    response = client.get("/healthz")

    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["upstream"]["ok"] is True
    assert body["status"] == "ok"


def test_the_health_endpoint_reports_an_unreachable_upstream_as_degraded(client, settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    response = client.get("/healthz")

    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["upstream"]["ok"] is False


def test_every_response_carries_a_request_id(client):
    response = client.get("/accounts/login/")

    assert len(response["X-Request-Id"]) >= 32


def test_log_lines_cannot_be_forged_with_line_breaks(caplog):
    from ticketui.logs import SingleLineFormatter

    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "case %s", ("A\r\nERROR forged",), None
    )

    line = SingleLineFormatter("%(levelname)s %(message)s").format(record)

    assert line == "WARNING case A\\r\\nERROR forged"


def test_the_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "DEBUG": "false",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "tickets.example.com",
        "OSM_ENDPOINT": "https://osm.cn-south-1.myhuaweicloud.com",
        "OSM_TOKEN": "not-a-real-token",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "not-a-real-token" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OSM_SITE", "2"),
        ("OSM_LANGUAGE", "fr-fr"),
        ("OSM_TIME_ZONE", "UTC+8"),
        ("OSM_READ_TIMEOUT", "soon"),
        ("OSM_ENDPOINT", "http://osm.example.com"),
        ("DATABASE_URL", "nosuchdb://x"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(variable, value):
    env = {**os.environ, "DEBUG": "true", variable: value}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert variable in result.stderr
