"""Migration 0007 (seal format 2) keeps every record written before it verifying, and the
immutability triggers still allow only the one pending → final completion afterwards."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ticketui.audit.chain import GENESIS_HASH, record_content, seal_hash
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.verify import chain_verify

from .conftest import finish_operation, start_operation
from .test_immutability import refused

BEFORE = [("audit", "0006_operation_keys")]
AFTER = [("audit", "0007_seal_identity_and_links")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0006():
    apps = migrate(BEFORE)
    yield apps
    migrate([(key, name) for key, name in MigrationExecutor(connection).loader.graph.leaf_nodes()])


@pytest.mark.django_db(transaction=True)
def test_records_sealed_in_format_1_verify_after_the_migration(at_0006, support_user):
    old_model = at_0006.get_model("audit", "AuditRecord")
    prev = GENESIS_HASH
    for seq, kind in enumerate((Kind.LOGIN, Kind.EXPORT), start=1):
        when = datetime(2026, 11, seq, tzinfo=UTC)
        record = old_model(
            kind=kind, created_at=when, completed_at=when, outcome="succeeded", seq=seq
        )
        record.prev_hash = prev
        record.hash = prev = seal_hash(
            record_content(record, completed_later=False, seal_format=1), seq=seq, prev=prev
        )
        record.save()

    migrate(AFTER)

    assert list(AuditRecord.objects.values_list("seal_format", "prev_record_id")) == [(1, None)] * 2
    operation = finish_operation(start_operation(support_user))
    assert operation.seal_format == 2
    report = chain_verify()
    assert report.intact, report.problem
    assert report.seals == 4
    assert refused("UPDATE audit_auditrecord SET seal_format = 2 WHERE id = %s", [operation.pk])
    assert refused("UPDATE audit_auditrecord SET prev_record_id = 1 WHERE id = %s", [operation.pk])
    assert refused("DELETE FROM audit_auditrecord WHERE id = %s", [operation.pk])
