"""The README's two PostgreSQL roles, set up with its own statements: the app role writes and
completes audit records, but cannot disable the immutability trigger, drop it or truncate."""

import re
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import audit_event
from ticketui.audit.verify import chain_verify

from .conftest import finish_operation, raw, start_operation

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's roles"),
]


def readme_grants() -> list[str]:
    """The statements of the README block that grants the app role its privileges."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (grants,) = [block for block in blocks if "ALTER DEFAULT PRIVILEGES" in block]
    return [statement.strip() for statement in grants.split(";") if statement.strip()]


def denied(sql: str) -> str:
    """The database's refusal of `sql`, or "" if it was carried out."""
    try:
        with transaction.atomic():
            raw(sql)
    except DatabaseError as exc:
        return str(exc)
    return ""


@pytest.fixture
def app_role():
    """A role like the README's ticketui_app (a unique name: roles are shared by the whole
    server), with the README's grants; the tables' owner is the test's own user."""
    name = f"ticketui_app_{uuid.uuid4().hex[:8]}"
    owner = raw_value("SELECT current_user")
    raw(f'CREATE ROLE "{name}" NOLOGIN')
    for statement in readme_grants():
        raw(statement.replace("ticketui_app", f'"{name}"').replace("ticketui_owner", f'"{owner}"'))
    raw(f'SET ROLE "{name}"')
    yield name
    raw("RESET ROLE")


def raw_value(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_the_app_role_writes_and_completes_records(app_role, support_user):
    assert raw_value("SELECT current_user") == app_role

    audit_event(kind=Kind.LOGIN, actor=support_user)
    operation = finish_operation(start_operation(support_user))

    assert AuditRecord.objects.get(pk=operation.pk).completion_seq is not None
    assert chain_verify().intact


def test_the_app_role_cannot_disable_or_drop_the_trigger(app_role, support_user):
    audit_event(kind=Kind.LOGIN, actor=support_user)

    disable = denied("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_immutable")
    drop = denied("DROP TRIGGER audit_record_immutable ON audit_auditrecord")

    assert "must be owner" in disable
    assert "must be owner" in drop
    assert "cannot be changed" in denied("DELETE FROM audit_auditrecord")


def test_the_app_role_cannot_truncate_the_audit_table(app_role, support_user):
    audit_event(kind=Kind.LOGIN, actor=support_user)

    assert "permission denied" in denied("TRUNCATE audit_auditrecord")
    assert "permission denied" in denied("TRUNCATE audit_auditrecord CASCADE")
    assert AuditRecord.objects.count() == 1


def test_the_owner_could_do_both_which_is_why_the_app_does_not_connect_as_it(support_user):
    audit_event(kind=Kind.LOGIN, actor=support_user)

    with transaction.atomic():
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        assert denied("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_immutable") == ""
        transaction.set_rollback(True)
