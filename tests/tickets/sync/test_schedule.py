"""The scheduled sync: the worker queues it when it starts, each run queues the next, one worker
at a time runs it, and what it brings in is marked as changed for who opened it before."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ticketui.sandbox.faults import Fault
from ticketui.tickets.models import SyncRun, SyncStatus, Ticket
from ticketui.tickets.sync import schedule
from ticketui.tickets.sync.schedule import (
    schedule_lease_release,
    schedule_lease_take,
    scheduled_sync_run,
)
from ticketui.tickets.sync.services import sync_start
from ticketui.tickets.sync.tasks import sync_schedule_ensure, tickets_sync_scheduled_task
from ticketui.tickets.visits.models import TicketVisit

from ...audit.conftest import (  # noqa: F401 - fixtures
    _scratch_pg_template,
    _scratch_sqlite_template,
    manage,
    scratch_database,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def every_five_minutes(settings):
    settings.SYNC_INTERVAL_SECONDS = 300
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_scheduled_syncs():
    return DBTaskResult.objects.filter(
        task_path=tickets_sync_scheduled_task.module_path, status="READY"
    )


@pytest.mark.django_db
def test_the_worker_queues_one_scheduled_sync_and_each_run_queues_the_next(
    sandbox, every_five_minutes
):
    assert sync_schedule_ensure() is True
    assert sync_schedule_ensure() is False  # a second worker starting: still one run
    assert queued_scheduled_syncs().count() == 1
    queued_scheduled_syncs().update(status="RUNNING")  # a worker takes it

    result = tickets_sync_scheduled_task.call()

    assert result["status"] == SyncStatus.SUCCEEDED
    assert SyncRun.objects.get().trigger == "schedule"
    assert Ticket.objects.count() == 14
    waiting = queued_scheduled_syncs().get()
    assert waiting.run_after - timezone.now() > timedelta(seconds=290)


@pytest.mark.django_db
def test_a_failed_scheduled_sync_still_queues_the_next(sandbox, every_five_minutes):
    sandbox.faults.add(Fault(kind="status", status=500, path_contains="/cases", times=10))

    result = tickets_sync_scheduled_task.call()

    assert result["status"] == SyncStatus.FAILED
    assert queued_scheduled_syncs().count() == 1


@pytest.mark.django_db
def test_an_interval_of_0_schedules_nothing(settings):
    settings.SYNC_INTERVAL_SECONDS = 0

    assert sync_schedule_ensure() is False
    assert not queued_scheduled_syncs().exists()


def test_starting_the_worker_runs_the_sync_without_anyone_asking(scratch_database, http_sandbox):  # noqa: F811
    env = {"DEBUG": "true", "OSM_ENDPOINT": http_sandbox.url, "SYNC_INTERVAL_SECONDS": "300"}

    worker = manage("db_worker", "--batch", "--no-startup-delay", url=scratch_database, **env)

    assert worker.returncode == 0, worker.stderr
    counted = manage(
        "shell",
        "-c",
        "from ticketui.tickets.models import SyncRun, Ticket\n"
        "print([(r.trigger, r.status) for r in SyncRun.objects.all()], Ticket.objects.count())",
        url=scratch_database,
        **env,
    )
    assert counted.stdout.strip().splitlines()[-1] == "[('schedule', 'succeeded')] 14", (
        counted.stderr
    )


@pytest.mark.django_db
def test_while_one_worker_holds_the_lease_another_does_not_sync(sandbox, monkeypatch):
    seen_inside = []
    real_sync_run = schedule.sync_run

    def second_worker_asks_meanwhile(*, run):
        seen_inside.append(scheduled_sync_run())
        return real_sync_run(run=run)

    monkeypatch.setattr(schedule, "sync_run", second_worker_asks_meanwhile)

    first = scheduled_sync_run()

    assert first.status == SyncStatus.SUCCEEDED
    assert seen_inside == [None]
    assert SyncRun.objects.count() == 1
    # The lease is given back: the next scheduled run goes ahead.
    monkeypatch.setattr(schedule, "sync_run", real_sync_run)
    assert scheduled_sync_run() is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_asking_at_once_run_one_scheduled_sync(sandbox):
    sandbox.faults.add(Fault(kind="latency", seconds=0.5, path_contains="/cases"))
    start = threading.Barrier(2)
    results = []

    def worker():
        start.wait()
        try:
            results.append(scheduled_sync_run())
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(result is None for result in results) == [False, True]
    assert SyncRun.objects.count() == 1


@pytest.mark.django_db
def test_a_lease_left_by_a_killed_worker_lapses(sandbox):
    assert schedule_lease_take("killed-worker") is True
    assert scheduled_sync_run() is None

    schedule.SyncSchedule.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

    assert scheduled_sync_run().status == SyncStatus.SUCCEEDED
    schedule_lease_release("killed-worker")  # too late: it holds nothing now


@pytest.mark.django_db
def test_a_sync_already_running_is_left_to_finish(sandbox):
    running = sync_start(trigger="dashboard")

    assert scheduled_sync_run() is None
    assert list(SyncRun.objects.all()) == [running]


@pytest.mark.django_db
def test_a_ticket_the_scheduled_sync_changed_is_marked_for_who_opened_it_before(
    sandbox, support_client, support_user, every_five_minutes
):
    tickets_sync_scheduled_task.call()
    ticket = Ticket.objects.get(case_id="CS2026090100003")
    TicketVisit.objects.create(user=support_user, ticket=ticket, viewed_at=timezone.now())
    assert "badge-changed" not in support_client.get("/").text
    later = (timezone.now() + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.state.tickets["CS2026090100003"].update(status=3, update_time=later)

    tickets_sync_scheduled_task.call()

    ticket.refresh_from_db()
    assert ticket.status == 3
    assert ticket.upstream_updated_at > TicketVisit.objects.get().viewed_at
    response = support_client.get("/")
    row = response.text.split("CS2026090100003</a>", 1)[1].split("</td>", 1)[0]
    assert "badge-changed" in row


@pytest.mark.parametrize("value", ["10", "86401", "-5", "soon"])
def test_an_unusable_interval_stops_the_start_naming_the_setting(value):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNC_")}
    result = subprocess.run(
        [sys.executable, "-c", "from ticketui import settings"],
        env={**env, "SECRET_KEY": "k", "DEBUG": "false", "SYNC_INTERVAL_SECONDS": value},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode != 0
    assert "SYNC_INTERVAL_SECONDS" in result.stderr.splitlines()[-1]
