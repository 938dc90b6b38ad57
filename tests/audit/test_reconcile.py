"""Reconciliation settles operations whose result was never recorded, from the upstream's
operate-log and the ticket's status, and never sends an operation again."""

import signal
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.reconcile import (
    MARKED_UNKNOWN,
    audit_reconcile,
    stale_after,
)
from ticketui.audit.services import LATE_ANSWER
from ticketui.audit.tasks import QUEUED_RUN_KEY, audit_reconcile_task
from ticketui.audit.verify import chain_verify
from ticketui.osm.results import Outcome
from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState

from .conftest import CASE_ID, finish_operation, manage, manage_popen, start_operation

pytestmark = pytest.mark.django_db


def later(record):
    """A moment at which the record is older than any live call can take."""
    return record.created_at + stale_after() + timedelta(seconds=1)


def settlement_of(record) -> AuditRecord:
    return AuditRecord.objects.get(kind=Kind.RECONCILE, reconciles=record)


def sent_operations(sandbox) -> list:
    return [request for request in sandbox.state.received if request.method == "POST"]


def test_an_operation_left_pending_is_marked_unknown_and_settled_as_carried_out(
    sandbox, support_user
):
    record = start_operation(support_user, action_id="close")
    # The upstream carried it out; the process died before it could record the answer.
    sandbox.state.apply(CASE_ID, "close", {"operate_desc": "Fixed"})

    report = audit_reconcile(now=later(record))

    record.refresh_from_db()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.detail == MARKED_UNKNOWN
    assert report.marked_unknown == [record]
    settlement = settlement_of(record)
    assert settlement.outcome == RecordOutcome.SUCCEEDED
    assert "operate-log shows this close" in settlement.detail
    assert settlement.data["ticket_status"] == 3
    assert settlement.data["log_entry"]["operate_type"] == 3
    assert sent_operations(sandbox) == []
    assert chain_verify().intact


def test_an_operation_pending_for_less_than_a_live_call_can_take_is_left_alone(
    sandbox, support_user
):
    record = start_operation(support_user)

    report = audit_reconcile(now=later(record) - timedelta(seconds=2))

    record.refresh_from_db()
    assert record.outcome == RecordOutcome.PENDING
    assert report.marked_unknown == []
    assert not AuditRecord.objects.filter(kind=Kind.RECONCILE).exists()


def test_no_trace_in_the_operate_log_settles_it_as_not_carried_out(sandbox, support_user):
    record = start_operation(support_user, action_id="close")

    audit_reconcile(now=later(record))

    settlement = settlement_of(record)
    assert settlement.outcome == RecordOutcome.NOT_APPLIED
    assert "the ticket is still awaiting confirmation" in settlement.detail
    assert "may be sent again" in settlement.detail
    assert sandbox.state.tickets[CASE_ID]["status"] == 2


def test_an_answer_that_timed_out_is_settled_too(sandbox, support_user):
    record = finish_operation(
        start_operation(support_user, action_id="close"), outcome=Outcome.UNKNOWN
    )
    sandbox.state.apply(CASE_ID, "close", {})

    report = audit_reconcile()

    assert [settled.operation for settled in report.settled] == [record]
    assert settlement_of(record).outcome == RecordOutcome.SUCCEEDED


def test_a_status_the_log_does_not_explain_is_left_for_a_person(sandbox, support_user):
    record = start_operation(support_user, action_id="close")
    sandbox.state.tickets[CASE_ID]["status"] = 3  # completed, but no close in the log

    audit_reconcile(now=later(record))

    settlement = settlement_of(record)
    assert settlement.outcome == RecordOutcome.UNKNOWN
    assert "check with the upstream" in settlement.detail


def test_a_log_entry_another_recorded_success_accounts_for_is_not_counted_twice(
    sandbox, support_user, team_lead
):
    case_id = "CS2026090100002"  # processing: may be urged
    first = finish_operation(start_operation(team_lead, action_id="press", case_id=case_id))
    sandbox.state.apply(case_id, "press", {})
    second = start_operation(support_user, action_id="press", case_id=case_id)

    audit_reconcile(now=later(second))

    assert first.outcome == RecordOutcome.SUCCEEDED
    assert settlement_of(second).outcome == RecordOutcome.NOT_APPLIED


def test_an_unreachable_upstream_leaves_it_for_the_next_run(sandbox, support_user, settings):
    record = start_operation(support_user, action_id="close")
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there

    report = audit_reconcile(now=later(record))

    record.refresh_from_db()
    assert record.outcome == RecordOutcome.UNKNOWN
    assert [deferred.operation for deferred in report.deferred] == [record]
    assert not AuditRecord.objects.filter(kind=Kind.RECONCILE).exists()

    settings.OSM_ENDPOINT = sandbox.url
    audit_reconcile(now=later(record))
    assert settlement_of(record).outcome == RecordOutcome.NOT_APPLIED


def test_running_it_again_writes_no_second_settlement(sandbox, support_user):
    record = start_operation(support_user, action_id="close")
    audit_reconcile(now=later(record))

    report = audit_reconcile(now=later(record))

    assert report.settled == []
    assert AuditRecord.objects.filter(kind=Kind.RECONCILE).count() == 1


def test_a_late_answer_after_reconciliation_is_kept_as_a_linked_record(sandbox, support_user):
    record = start_operation(support_user, action_id="cancel")
    audit_reconcile(now=later(record), older_than=timedelta(0))
    record.refresh_from_db()
    settled = AuditRecord.objects.filter(reconciles=record).count()

    finished = finish_operation(record)

    assert finished.outcome == RecordOutcome.UNKNOWN  # the one completion already happened
    late = AuditRecord.objects.filter(reconciles=record).order_by("-id").first()
    assert AuditRecord.objects.filter(reconciles=record).count() == settled + 1
    assert late.outcome == RecordOutcome.SUCCEEDED
    assert late.detail.startswith(LATE_ANSWER)
    assert late.request_id == "req-42"
    assert chain_verify().intact


def test_audit_reconcile_says_what_it_did(sandbox, support_user):
    record = start_operation(support_user, action_id="close")
    sandbox.state.apply(CASE_ID, "close", {})
    out = StringIO()

    call_command("audit_reconcile", "--older-than", "0", stdout=out)

    settlement = settlement_of(record)
    assert f"Record #{record.pk} (close {CASE_ID}): was still pending, now marked unknown." in (
        out.getvalue()
    )
    assert f"settled as succeeded by record #{settlement.pk}" in out.getvalue()
    assert "1 marked unknown, 1 settled, 0 left for the next run." in out.getvalue()


def test_a_pending_write_queues_one_background_run_for_when_it_would_be_stale(
    sandbox, support_user
):
    first = start_operation(support_user)
    start_operation(support_user, action_id="press")

    queued = DBTaskResult.objects.filter(task_path=audit_reconcile_task.module_path)
    assert queued.count() == 1
    assert queued.get().run_after == first.created_at + stale_after()


def queued_run_taken() -> None:
    """As once the queued run is due and the worker has taken it."""
    DBTaskResult.objects.all().delete()
    cache.delete(QUEUED_RUN_KEY)


def test_operations_look_at_the_queue_once_until_the_queued_run_is_due(support_user):
    start_operation(support_user)
    with CaptureQueriesContext(connection) as queries:
        start_operation(support_user)
        start_operation(support_user)

    assert not [q for q in queries.captured_queries if "dbtaskresult" in q["sql"].lower()]
    assert DBTaskResult.objects.filter(task_path=audit_reconcile_task.module_path).count() == 1


def test_the_background_task_settles_and_queues_the_next_run_while_work_remains(
    sandbox, support_user, settings, monkeypatch
):
    record = start_operation(support_user, action_id="close")
    queued_run_taken()
    monkeypatch.setattr(timezone, "now", lambda: later(record))
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    counts = audit_reconcile_task.call()

    assert counts == {"marked_unknown": 1, "settled": 0, "deferred": 1}
    next_run = DBTaskResult.objects.get(task_path=audit_reconcile_task.module_path)
    assert next_run.run_after == later(record) + timedelta(
        seconds=settings.AUDIT_RECONCILE_INTERVAL
    )

    queued_run_taken()
    settings.OSM_ENDPOINT = sandbox.url
    assert audit_reconcile_task.call() == {"marked_unknown": 0, "settled": 1, "deferred": 0}
    assert not DBTaskResult.objects.exists()  # nothing left: the task stops until needed


# --- A process really killed while it waits for the upstream -----------------------------


class HangingUpstream(SandboxServer):
    """The sandbox, except that it carries out an operation and then never answers it."""

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        app = self.httpd.get_app()

        def hanging(environ, start_response):
            response = app(environ, start_response)
            if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/action"):
                time.sleep(30)
            return response

        self.httpd.set_app(hanging)


@pytest.fixture
def hanging_upstream():
    server = HangingUpstream(SandboxState.seeded(12, token="test-token")).start()
    yield server
    server.stop()


def test_a_process_killed_while_waiting_leaves_a_pending_record_that_audit_reconcile_settles(
    scratch_database, hanging_upstream
):
    upstream = {"OSM_ENDPOINT": hanging_upstream.url, "OSM_TOKEN": "test-token"}
    made = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        "User.objects.create_user('sam').groups.add(Group.objects.get(name='Support'))",
        url=scratch_database,
    )
    assert made.returncode == 0, made.stderr
    operate = manage_popen(
        "ticket_operate", CASE_ID, "close", "--as", "sam", "--desc", "Customer confirmed",
        url=scratch_database, OSM_READ_TIMEOUT="120", **upstream,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while hanging_upstream.state.tickets[CASE_ID]["status"] != 3:
        assert operate.poll() is None, operate.communicate()
        assert time.monotonic() < deadline, "the upstream never received the close"
        time.sleep(0.1)
    operate.send_signal(signal.SIGKILL)
    operate.wait(timeout=10)

    reconciled = manage("audit_reconcile", "--older-than", "0", url=scratch_database, **upstream)
    verified = manage("audit_verify", url=scratch_database)

    assert operate.returncode == -signal.SIGKILL
    assert reconciled.returncode == 0, reconciled.stderr
    assert "(close CS2026090100003): was still pending, now marked unknown." in reconciled.stdout
    assert "settled as succeeded by record #" in reconciled.stdout
    assert "The upstream's operate-log shows this close at" in reconciled.stdout
    assert "1 marked unknown, 1 settled, 0 left for the next run." in reconciled.stdout
    assert verified.returncode == 0, verified.stderr
    # The close was sent once, by the process that died; reconciliation only read.
    posts = [r for r in hanging_upstream.state.received if r.method == "POST"]
    assert len(posts) == 1
