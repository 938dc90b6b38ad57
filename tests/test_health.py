"""`/healthz` reports the worker by its heartbeat and the upstream by an authenticated read kept
for 30 s (a refused credential is not "ok"); `/livez` touches nothing outside the process."""

import json
from datetime import timedelta

import pytest
import responses
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ticketui.osm.reachability import PROBE_SECONDS
from ticketui.worker.heartbeat import beat
from ticketui.worker.models import WorkerHeartbeat

COUNT_PATH = "/v2/servicerequest/cases/count"


def health(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def upstream(settings):
    settings.OSM_ENDPOINT = "https://osm.example.test"
    settings.OSM_RETRY_ATTEMPTS = 1
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.django_db
def test_a_worker_without_a_heartbeat_is_reported_even_with_an_empty_queue(client, upstream):
    upstream.get(f"https://osm.example.test{COUNT_PATH}", json={"incident_status_counts": []})

    body = health(client)

    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "no worker has a heartbeat (is `manage.py db_worker` running?)",
    }
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_a_worker_that_stopped_beating_is_reported_with_its_silence(client, upstream, settings):
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    beat("w1", started_at=timezone.now())
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=300))

    worker = health(client)["checks"]["worker"]

    assert worker["ok"] is False
    assert worker["detail"].startswith("no worker alive: the last heartbeat was 30")


@pytest.mark.django_db
def test_a_beating_worker_and_an_answering_upstream_are_ok(client, upstream):
    upstream.get(f"https://osm.example.test{COUNT_PATH}", json={"incident_status_counts": []})
    beat("w1", started_at=timezone.now())

    body = health(client)

    assert body["checks"]["worker"] == {"ok": True, "detail": "1 worker alive"}
    assert body["checks"]["upstream"]["ok"] is True
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_an_upstream_refusing_the_credentials_is_not_ok(client, upstream):
    upstream.get(
        f"https://osm.example.test{COUNT_PATH}",
        status=401,
        json={"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"},
    )

    check = health(client)["checks"]["upstream"]

    assert check["ok"] is False
    assert check["detail"].startswith("HTTP 401")


@pytest.mark.django_db
def test_the_upstream_probe_is_kept_for_thirty_seconds(client, upstream):
    answer = upstream.get(
        f"https://osm.example.test{COUNT_PATH}", json={"incident_status_counts": []}
    )

    for _ in range(5):
        health(client)

    assert answer.call_count == 1
    assert PROBE_SECONDS == 30


def test_livez_answers_without_the_database_or_the_cache(monkeypatch):
    """No django_db mark: any database access fails the test; the cache raises if used."""

    def refuse(*args, **kwargs):
        raise AssertionError("the cache was used")

    for name in ("get", "set", "add", "delete", "incr"):
        monkeypatch.setattr(cache, name, refuse)

    response = Client().get("/livez")

    assert response.status_code == 200
    assert response.content == b"alive\n"
