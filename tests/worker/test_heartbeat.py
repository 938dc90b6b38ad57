"""A worker's heartbeat: tasks whose worker stopped beating are marked failed (abandoned) rather
than "running" for ever, and `kill -9` of a real db_worker mid-task is noticed by the next one."""

import re
import time
from datetime import timedelta

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ticketui.worker.heartbeat import (
    ABANDONED_CLASS,
    Heartbeat,
    abandoned_tasks_mark,
    beat,
    task_result_dead,
    workers_alive,
)
from ticketui.worker.models import WorkerHeartbeat

from ..audit.conftest import (  # noqa: F401 - fixtures
    _scratch_pg_template,
    _scratch_sqlite_template,
    manage,
    manage_popen,
    scratch_database,
)

pytestmark = pytest.mark.django_db


def running_task(*, worker: str, started_ago: float) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path="tests.worker.tasks.sleep_task",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=[worker],
    )


def silent(worker: str, *, seconds: float) -> None:
    beat(worker, started_at=timezone.now())
    WorkerHeartbeat.objects.filter(worker_id=worker).update(
        beat_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_task_whose_worker_stopped_beating_is_marked_abandoned(settings):
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    silent("dead-worker", seconds=120)
    beat("live-worker", started_at=timezone.now())
    orphan = running_task(worker="dead-worker", started_ago=300)
    busy = running_task(worker="live-worker", started_ago=300)
    assert task_result_dead(orphan)
    assert not task_result_dead(busy)

    marked = abandoned_tasks_mark()

    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert marked == [str(orphan.pk)]
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.finished_at is not None
    assert orphan.exception_class_path == ABANDONED_CLASS
    assert "dead-worker" in orphan.traceback
    assert "stopped without finishing" in orphan.traceback
    assert orphan.task_result.errors[0].exception_class_path == ABANDONED_CLASS
    assert task_result_dead(orphan)
    assert busy.status == TaskResultStatus.RUNNING


def test_a_task_claimed_moments_ago_is_not_taken_for_dead(settings):
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    fresh = running_task(worker="not-beaten-yet", started_ago=5)

    assert abandoned_tasks_mark() == []
    assert not task_result_dead(fresh)


def test_a_task_that_finished_or_failed_by_itself_is_not_dead(settings):
    failed = running_task(worker="w", started_ago=300)
    failed.set_failed(ValueError("bad input"))

    assert not task_result_dead(failed)


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_beats_until_stopped_and_then_leaves(settings):
    heartbeat = Heartbeat("worker-1", interval=0.05)
    heartbeat.start()
    first = WorkerHeartbeat.objects.get(worker_id="worker-1").beat_at
    deadline = time.monotonic() + 5
    while WorkerHeartbeat.objects.get(worker_id="worker-1").beat_at == first:
        assert time.monotonic() < deadline, "no second beat"
        time.sleep(0.05)
    assert workers_alive() == {"worker-1"}

    heartbeat.stop()

    assert not WorkerHeartbeat.objects.exists()


SCRIPT_ENQUEUE = """
import time
from tests.worker.tasks import sleep_task
from django_tasks_db.models import DBTaskResult
result = sleep_task.enqueue(60)
for _ in range(300):
    if DBTaskResult.objects.get(pk=result.id).status == "RUNNING":
        break
    time.sleep(0.1)
print("TASK", result.id, DBTaskResult.objects.get(pk=result.id).status)
"""
SCRIPT_WAIT_FAILED = """
import time
from django_tasks_db.models import DBTaskResult
for _ in range(300):
    row = DBTaskResult.objects.get(pk="{id}")
    if row.status != "RUNNING":
        break
    time.sleep(0.1)
print("TASK", row.status, row.exception_class_path)
print(row.traceback)
"""


@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_mid_task_is_noticed_by_the_next_worker(scratch_database):  # noqa: F811
    env = {"WORKER_HEARTBEAT_INTERVAL": "1", "WORKER_HEARTBEAT_TIMEOUT": "3", "DEBUG": "true"}
    args = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")
    first = manage_popen(*args, url=scratch_database, **env)
    try:
        queued = manage("shell", "-c", SCRIPT_ENQUEUE, url=scratch_database, **env)
        line = next(line for line in queued.stdout.splitlines() if line.startswith("TASK "))
        _, task_id, status = line.split()
        assert status == "RUNNING", queued.stderr
    finally:
        first.kill()  # SIGKILL: no clean-up runs
        first.wait(timeout=30)
    second = manage_popen(*args, url=scratch_database, **env)
    try:
        time.sleep(4)  # past the timeout: the first worker is silent for good
        settled = manage(
            "shell", "-c", SCRIPT_WAIT_FAILED.format(id=task_id), url=scratch_database, **env
        )
    finally:
        second.terminate()
        second.wait(timeout=30)

    assert f"TASK FAILED {ABANDONED_CLASS}" in settled.stdout, settled.stdout + settled.stderr
    assert "stopped without finishing" in settled.stdout


def test_manage_py_db_worker_is_the_one_with_the_heartbeat():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "ticketui.worker"


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_keeps_the_audit_head_in_the_file(scratch_database, tmp_path):  # noqa: F811
    head_file = tmp_path / "audit-head.log"
    env = {"AUDIT_HEAD_FILE": str(head_file), "DEBUG": "true"}
    written = manage(
        "shell",
        "-c",
        "from ticketui.audit.services import audit_event\n"
        "from ticketui.audit.models import Kind\n"
        "audit_event(kind=Kind.SYNC)\n",
        url=scratch_database,
        **env,
    )
    assert written.returncode == 0, written.stderr

    worker = manage("db_worker", "--batch", "--no-startup-delay", url=scratch_database, **env)

    assert worker.returncode == 0, worker.stderr
    assert re.fullmatch(r"\S+Z 1:[0-9a-f]{64}\n", head_file.read_text())
    verified = manage("audit_verify", url=scratch_database, **env)
    assert "Compared with the head kept in" in verified.stdout, verified.stderr
