"""Audit records cannot be changed or deleted, by the ORM or by raw SQL, on either database."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from ticketui.audit.models import RECORD_IMMUTABLE, AuditRecord, RecordImmutable, RecordOutcome
from ticketui.audit.verify import chain_verify
from ticketui.osm.results import Outcome

from .conftest import finish_operation, raw, start_operation

pytestmark = pytest.mark.django_db

# A value of the right type for each column that must never change, different from the fixture's.
FIXED_COLUMN_VALUES = {
    "id": 987654,
    "kind": "login",
    "created_at": "2001-01-01 00:00:00+00:00",
    "actor_id": None,
    "actor_username": "mallory",
    "case_id": "CS-OTHER",
    "action_id": "delete",
    "request_method": "GET",
    "request_path": "/elsewhere",
    "request_body": '{"operate_desc": "forged"}',
    "request_headers": "{}",
    "ip_address": "198.51.100.1",
    "user_agent": "curl",
    "data": '{"forged": true}',
    "reconciles_id": "self",  # the record itself: a valid reference it did not have
    "seq": 987654,
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
    "seal_format": 7,
    "prev_record_id": 987654,
}


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic():
            raw(sql, params)
    except IntegrityError:
        return True
    return False


def test_raw_sql_cannot_update_a_completed_record(operation):
    assert refused(
        "UPDATE audit_auditrecord SET outcome = 'rejected' WHERE id = %s", [operation.pk]
    )
    assert refused(
        'UPDATE audit_auditrecord SET request_body = \'{"operate_desc": "x"}\' WHERE id = %s',
        [operation.pk],
    )
    operation.refresh_from_db()
    assert operation.outcome == RecordOutcome.SUCCEEDED
    assert operation.request_body == {"operate_desc": "Fixed"}


def test_raw_sql_cannot_delete_a_completed_record(operation):
    assert refused("DELETE FROM audit_auditrecord WHERE id = %s", [operation.pk])
    assert refused("DELETE FROM audit_auditrecord")
    assert AuditRecord.objects.filter(pk=operation.pk).exists()


def test_raw_sql_cannot_delete_or_rewrite_a_pending_record(pending):
    assert refused("DELETE FROM audit_auditrecord WHERE id = %s", [pending.pk])
    assert refused("UPDATE audit_auditrecord SET case_id = 'CS-OTHER' WHERE id = %s", [pending.pk])


def test_an_event_record_cannot_be_changed_either(login_event):
    assert refused(
        "UPDATE audit_auditrecord SET actor_username = 'mallory' WHERE id = %s", [login_event.pk]
    )


def test_a_pending_operation_is_completed_once_and_then_fixed(pending):
    record = finish_operation(pending, outcome=Outcome.REJECTED, error_code="OSM.01010014")

    assert record.outcome == RecordOutcome.REJECTED
    assert record.completion_seq is not None
    assert refused("UPDATE audit_auditrecord SET outcome = 'succeeded' WHERE id = %s", [record.pk])
    # A second completion through the service changes nothing either.
    again = finish_operation(record)
    assert again.outcome == RecordOutcome.REJECTED


def completing(column: str) -> str:
    return (
        "UPDATE audit_auditrecord SET outcome = 'succeeded', completion_seq = 99999, "
        f"completion_prev_hash = '{'a' * 64}', completion_hash = '{'b' * 64}'"
        + (f", {column} = %s" if column else "")
        + " WHERE id = %s"
    )


def test_completing_a_pending_record_by_hand_may_change_only_the_completion_columns(pending):
    # The control: the completion alone is allowed (so the refusals below are about the column).
    with transaction.atomic():
        assert raw(completing(""), [pending.pk]) == 1
        transaction.set_rollback(True)


@pytest.mark.parametrize("column", sorted(FIXED_COLUMN_VALUES))
def test_completing_a_pending_record_cannot_change_its_request_side(pending, column):
    value = pending.pk if FIXED_COLUMN_VALUES[column] == "self" else FIXED_COLUMN_VALUES[column]
    assert refused(completing(column), [value, pending.pk])


def test_every_column_is_either_fixed_or_part_of_the_completion():
    from ticketui.audit.chain import COMPLETION_FIELDS, COMPLETION_SEAL_FIELDS

    columns = {field.column for field in AuditRecord._meta.concrete_fields}
    assert columns == set(FIXED_COLUMN_VALUES) | set(COMPLETION_FIELDS) | set(
        COMPLETION_SEAL_FIELDS
    )


def test_the_orm_refuses_to_save_or_delete_a_record(operation):
    operation.detail = "edited"
    with pytest.raises(RecordImmutable, match=RECORD_IMMUTABLE):
        operation.save()
    with pytest.raises(RecordImmutable):
        operation.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(pk=operation.pk).update(detail="edited")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.all().delete()


def test_deleting_a_user_leaves_their_records_alone(operation, support_user):
    with pytest.raises(ProtectedError), transaction.atomic():
        support_user.delete()
    assert AuditRecord.objects.get(pk=operation.pk).actor_username == "sam"


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_keeps_the_triggers(operation, support_user):
    call_command("flush", interactive=False, verbosity=0)

    assert not AuditRecord.objects.exists()
    record = finish_operation(start_operation(None))
    assert refused("DELETE FROM audit_auditrecord WHERE id = %s", [record.pk])
    assert chain_verify().intact
