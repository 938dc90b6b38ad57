"""Series read at scrape time: the task queue, pending operations, the sync's lag, and failed
sign-ins counted as they happen."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ticketui.audit.services import audit_operation_start
from ticketui.audit.tasks import audit_reconcile_task
from ticketui.osm.results import PreparedCall
from ticketui.tickets.models import SyncRun

pytestmark = pytest.mark.django_db

QUEUE = {"queue": "default"}


def test_the_queue_depth_and_the_oldest_ready_tasks_age_are_read_at_scrape_time(scrape):
    assert scrape.value("ticketui_tasks_ready", **QUEUE) == 0
    assert scrape.value("ticketui_tasks_oldest_ready_age_seconds", **QUEUE) == 0
    for _ in range(3):
        audit_reconcile_task.enqueue()
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.order_by("enqueued_at").first().pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    audit_reconcile_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()  # not yet

    assert scrape.value("ticketui_tasks_ready", **QUEUE) == 3
    assert 600 <= scrape.value("ticketui_tasks_oldest_ready_age_seconds", **QUEUE) < 660


def test_a_task_scheduled_for_later_ages_from_when_it_became_ready(scrape):
    audit_reconcile_task.using(run_after=timezone.now() - timedelta(seconds=90)).enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=5))

    assert 90 <= scrape.value("ticketui_tasks_oldest_ready_age_seconds", **QUEUE) < 150


def test_pending_operations_are_counted_with_the_age_of_the_oldest(scrape, support_user):
    call = PreparedCall(
        method="POST", path="/v2/servicerequest/cases/CS1/action", body={}, headers={}
    )
    for _ in range(2):
        audit_operation_start(
            actor=support_user, kind="operation", case_id="CS1", action_id="press", call=call
        )

    assert scrape.value("ticketui_operations_pending") == 2
    assert 0 <= scrape.value("ticketui_operations_oldest_pending_age_seconds") < 60


def test_the_sync_lag_is_the_time_since_the_last_successful_sync(scrape):
    assert scrape.value("ticketui_sync_lag_seconds") == 0
    assert ("ticketui_sync_lag_seconds", frozenset()) not in scrape()  # never synced: no series
    now = timezone.now()
    SyncRun.objects.create(status="succeeded", finished_at=now - timedelta(minutes=30))
    SyncRun.objects.create(status="failed", finished_at=now - timedelta(minutes=1))

    assert 1800 <= scrape.value("ticketui_sync_lag_seconds") < 1860
    assert scrape.value("ticketui_sync_last_success_timestamp_seconds") == pytest.approx(
        (now - timedelta(minutes=30)).timestamp(), abs=1
    )


def test_failed_sign_ins_are_counted(client, scrape, support_user):
    before = scrape.value("ticketui_login_failures_total")

    client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    assert scrape.value("ticketui_login_failures_total") == before + 2


def test_a_lockout_is_counted(client, scrape, support_user, settings):
    before = scrape.value("ticketui_login_lockouts_total")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "sam", "password": "wrong"})

    assert scrape.value("ticketui_login_lockouts_total") == before + 1


def test_a_database_failure_leaves_its_series_out_and_says_so(scrape, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr("ticketui.metrics.collectors.task_series", broken)

    found = scrape()

    assert found[("ticketui_metrics_source_up", frozenset({("source", "database")}))] == 0
    assert found[("ticketui_metrics_source_up", frozenset({("source", "cache")}))] == 1
    assert ("ticketui_operations_pending", frozenset()) not in found
    assert ("ticketui_upstream_breaker_open", frozenset()) in found
