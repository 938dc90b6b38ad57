"""The chain's head kept outside the database: the worker's task appends it to AUDIT_HEAD_FILE
(and POSTs it to AUDIT_HEAD_WEBHOOK), and audit_verify compares with the newest kept head, so
records cut off the end, or an emptied table with a new chain, are reported."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from ticketui.audit.kept_head import HEAD_NOT_HELD, HeadNotKept, head_keep, newest_kept_head
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import audit_event
from ticketui.audit.tasks import audit_head_keep_task, head_keep_schedule
from ticketui.audit.verify import ANCHOR_CHANGED, ANCHOR_MISSING, chain_head

from .conftest import lift_immutability, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_file(tmp_path, settings):
    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit-head.log")
    settings.AUDIT_HEAD_WEBHOOK = ""
    return tmp_path / "audit-head.log"


def events(count: int) -> list[AuditRecord]:
    return [audit_event(kind=Kind.SYNC, detail=str(n)) for n in range(count)]


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_the_head_is_appended_as_a_time_and_an_anchor_when_it_changed(head_file):
    events(3)
    head_keep()
    head_keep()  # unchanged: nothing more
    events(1)
    head_keep()

    lines = head_file.read_text().splitlines()
    assert len(lines) == 2
    at, anchor = lines[-1].split(" ")
    assert anchor == chain_head().anchor
    assert at.endswith("Z")
    assert newest_kept_head().anchor == anchor


def test_an_empty_chain_or_no_setting_keeps_nothing(head_file, settings):
    assert head_keep() is None
    assert not head_file.exists()
    settings.AUDIT_HEAD_FILE = ""
    events(1)
    assert head_keep() is None


def test_audit_verify_compares_with_the_newest_kept_head(head_file):
    events(3)
    head_keep()

    output = verify()

    assert "Compared with the head kept in" in output
    assert "seal 3." in output


def test_audit_verify_reports_records_cut_off_the_end_against_the_kept_head(head_file):
    events(5)
    head_keep()
    lift_immutability()
    raw("DELETE FROM audit_auditrecord WHERE seq >= 4")

    with pytest.raises(CommandError) as failure:
        verify()

    assert ANCHOR_MISSING.format(seq=5) in str(failure.value)
    assert verify("--no-kept-head")  # the chain alone still holds


def empty_the_table() -> None:
    lift_immutability()
    if connection.vendor == "postgresql":
        raw("TRUNCATE audit_auditrecord CASCADE")
    else:
        raw("DELETE FROM audit_operationkey")
        raw("DELETE FROM audit_auditrecord")


def test_an_emptied_table_with_a_longer_new_chain_is_reported(head_file):
    events(3)
    head_keep()
    empty_the_table()
    events(5)

    with pytest.raises(CommandError) as failure:
        verify()

    assert ANCHOR_CHANGED.format(seq=3) in str(failure.value)


def test_an_emptied_table_with_a_shorter_new_chain_is_reported(head_file):
    events(4)
    head_keep()
    empty_the_table()
    events(2)

    with pytest.raises(CommandError) as failure:
        verify()

    assert ANCHOR_MISSING.format(seq=4) in str(failure.value)


def test_the_keeper_does_not_record_a_restarted_chain_as_the_truth(head_file):
    events(3)
    head_keep()
    empty_the_table()
    events(5)

    with pytest.raises(HeadNotKept, match="no longer holds"):
        head_keep()

    assert len(head_file.read_text().splitlines()) == 1
    assert HEAD_NOT_HELD.format(seq=3).startswith("The audit chain no longer holds")


def queued_head_runs() -> int:
    return DBTaskResult.objects.filter(
        task_path=audit_head_keep_task.module_path, status="READY"
    ).count()


def test_the_worker_queues_one_run_and_each_run_queues_the_next(head_file, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert head_keep_schedule() is True
    assert head_keep_schedule() is False  # a second worker starting: still one run
    assert queued_head_runs() == 1
    events(2)

    audit_head_keep_task.call()

    assert queued_head_runs() == 1
    assert newest_kept_head().seq == 2


def test_a_run_that_fails_still_queues_the_next(head_file):
    events(3)
    head_keep()
    empty_the_table()
    events(1)
    DBTaskResult.objects.all().delete()

    with pytest.raises(HeadNotKept):
        audit_head_keep_task.call()

    assert queued_head_runs() == 1


def test_nothing_is_queued_when_no_place_is_set(settings):
    settings.AUDIT_HEAD_FILE = settings.AUDIT_HEAD_WEBHOOK = ""
    assert head_keep_schedule() is False
    assert queued_head_runs() == 0


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received = []
    settings.AUDIT_HEAD_FILE = ""
    settings.AUDIT_HEAD_WEBHOOK = f"http://127.0.0.1:{server.server_port}/heads?token=s3cret"
    yield Receiver.received
    server.shutdown()


def test_the_head_is_posted_as_json_to_the_webhook(webhook):
    events(2)

    head_keep()
    head_keep()  # unchanged: not sent again

    assert len(webhook) == 1
    assert webhook[0]["anchor"] == chain_head().anchor
    assert (webhook[0]["seq"], webhook[0]["hash"]) == (2, chain_head().hash)


def test_a_webhook_that_does_not_answer_is_reported_without_its_url(settings):
    settings.AUDIT_HEAD_FILE = ""
    settings.AUDIT_HEAD_WEBHOOK = "http://127.0.0.1:9/heads?token=s3cret"
    events(1)

    with pytest.raises(HeadNotKept) as failure:
        head_keep()

    assert "s3cret" not in str(failure.value)


def test_the_newest_head_is_read_from_the_end_of_a_long_file(head_file):
    events(2)
    old = "2026-01-01T00:00:00Z 1:" + "a" * 64 + "\n"
    newest = f"2026-12-01T00:00:00Z {chain_head().anchor}\n"
    head_file.write_text(old * 5000 + "not a head line\n" + newest)

    kept = newest_kept_head()

    assert kept.anchor == chain_head().anchor
    assert kept.at == "2026-12-01T00:00:00Z"


def test_an_unreadable_head_file_is_a_clear_error(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = str(tmp_path)  # a directory: cannot be read as a file
    events(1)

    with pytest.raises(CommandError, match="Cannot read the kept heads in"):
        verify()
