"""Audit fixtures: records made through the real services, and raw SQL helpers."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.audit.services import (
    Origin,
    audit_event,
    audit_operation_finish,
    audit_operation_start,
)
from ticketui.osm.results import CallResult, Outcome, PreparedCall

CASE_ID = "CS2026090100003"


def prepared(action_id: str = "close", case_id: str = CASE_ID, desc: str = "Fixed") -> PreparedCall:
    return PreparedCall(
        method="POST",
        path=f"/v2/servicerequest/cases/{case_id}/action?action_id={action_id}",
        body={"operate_desc": desc},
        headers={"X-Site": "0", "X-Language": "zh-cn", "X-Time-Zone": "GMT+8"},
    )


def start_operation(
    actor, *, action_id: str = "close", case_id: str = CASE_ID, desc: str = "Fixed"
):
    return audit_operation_start(
        actor=actor,
        kind=Kind.OPERATION,
        case_id=case_id,
        action_id=action_id,
        call=prepared(action_id, case_id, desc),
        origin=Origin(ip_address="203.0.113.7", user_agent="Mozilla/5.0 (test)"),
    )


def finish_operation(record, *, outcome: Outcome = Outcome.SUCCEEDED, error_code: str = ""):
    result = CallResult(
        call=prepared(record.action_id, record.case_id),
        outcome=outcome,
        http_status=200,
        error_code=error_code,
        error_msg="Not allowed in current status" if error_code else "",
        raw_body=json.dumps({"error_code": error_code}) if error_code else "{}",
        request_id="req-42",
        duration_ms=120.5,
    )
    return audit_operation_finish(record=record, result=result)


@pytest.fixture
def operation(support_user):
    """A completed close, as operation_submit leaves it."""
    return finish_operation(start_operation(support_user))


@pytest.fixture
def pending(support_user):
    return start_operation(support_user, action_id="cancel")


@pytest.fixture
def login_event(support_user):
    return audit_event(kind=Kind.LOGIN, actor=support_user, origin=Origin(ip_address="::1"))


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def lift_immutability() -> None:
    """What someone with DDL rights can do; the hash chain is there to catch what follows."""
    if connection.vendor == "sqlite":
        raw("DROP TRIGGER audit_record_no_update")
        raw("DROP TRIGGER audit_record_no_delete")
    else:
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred checks
        raw("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_immutable")


# --- Records as the review page sees them ------------------------------------------------


def record(actor, *, days_ago: float = 0, at=None, **fields) -> AuditRecord:
    fields.setdefault("kind", Kind.OPERATION)
    fields.setdefault("outcome", RecordOutcome.SUCCEEDED)
    return AuditRecord.objects.create(
        created_at=at or timezone.now() - timedelta(days=days_ago),
        actor=actor,
        actor_username=actor.username if actor else "",
        **fields,
    )


@pytest.fixture
def failed_closes(support_user, team_lead):
    """What "close, failed, last 7 days, agent sam" must find, among what it must not."""
    wanted = [
        record(support_user, days_ago=2, action_id="close", outcome=RecordOutcome.REJECTED,
               error_code="OSM.01010014"),
        record(support_user, days_ago=6, action_id="close", outcome=RecordOutcome.HTTP_ERROR),
        record(support_user, days_ago=0, action_id="close", outcome=RecordOutcome.NOT_SENT),
    ]  # fmt: skip
    record(support_user, days_ago=1, action_id="close", outcome=RecordOutcome.SUCCEEDED)
    record(support_user, days_ago=9, action_id="close", outcome=RecordOutcome.REJECTED)
    record(support_user, days_ago=1, action_id="press", outcome=RecordOutcome.REJECTED)
    record(team_lead, days_ago=1, action_id="close", outcome=RecordOutcome.REJECTED)
    record(support_user, days_ago=1, kind=Kind.LOGIN)
    return wanted


FAILED_CLOSES = {"action": "close", "outcome": "failed", "period": "7d", "agent": "sam"}


# --- Separate processes on a database of their own ------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, url: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a new process against the database at `url`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage_popen(*args: str, url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _migrated(url: str) -> None:
    migrated = manage("migrate", "--no-input", "-v", "0", url=url, timeout=300)
    assert migrated.returncode == 0, migrated.stderr


@pytest.fixture(scope="session")
def _scratch_sqlite_template(tmp_path_factory) -> Path:
    """One database migrated by manage.py per test process; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("scratch-template") / "migrated.sqlite3"
    _migrated(f"sqlite:///{path}")
    return path


def _pg_admin() -> dict:
    params = connection.get_connection_params()
    return {key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}


def _pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_admin()) as pg:
        pg.execute(sql)


def _pg_url(name: str) -> str:
    admin = _pg_admin()
    password = f":{admin['password']}" if admin.get("password") else ""
    host, port = admin.get("host", "127.0.0.1"), admin.get("port", 5432)
    return f"postgres://{admin['user']}{password}@{host}:{port}/{name}"


@pytest.fixture(scope="session")
def _scratch_pg_template(django_db_setup, django_db_blocker) -> str:
    """One PostgreSQL database migrated by manage.py per test process, the template of each
    test's own."""
    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME']}_scratch_template"
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_execute(f'CREATE DATABASE "{name}"')
        _migrated(_pg_url(name))
    yield name
    with django_db_blocker.unblock():
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_database(request, tmp_path):
    """A migrated database of the vendor under test that other processes can share (the test
    database is in memory on SQLite): a file on SQLite, a database of its own on PostgreSQL.
    Both are copies of one database that manage.py migrated for this test process."""
    if connection.vendor == "sqlite":
        template = request.getfixturevalue("_scratch_sqlite_template")
        path = tmp_path / "scratch.sqlite3"
        with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("_scratch_pg_template")
    name = f"{connection.settings_dict['NAME']}_scratch"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg_url(name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
