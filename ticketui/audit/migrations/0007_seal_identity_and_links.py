"""Seal format 2 (chain.py): each record keeps the format its seals were computed in (1 for every
record written before) and the id of the record sealed just before each of its seals.

Adding the columns changes no record: on PostgreSQL a column with a default is added without
touching a row (no UPDATE trigger fires), on SQLite the table is rebuilt by copying, which drops
its triggers. The triggers are then installed again so that they still allow only the one
pending → final completion: the new request-side columns are fixed, and the completion may
write completion_prev_record_id along with its seal.
"""

from django.db import migrations, models

MESSAGE = "audit records cannot be changed or deleted; only a pending operation may be completed, once"

FIXED_COLUMNS = (
    "id",
    "kind",
    "created_at",
    "actor_id",
    "actor_username",
    "case_id",
    "action_id",
    "request_method",
    "request_path",
    "request_body",
    "request_headers",
    "ip_address",
    "user_agent",
    "data",
    "reconciles_id",
    "seq",
    "prev_hash",
    "hash",
    "seal_format",
    "prev_record_id",
)
COMPLETION_COLUMNS = (
    "outcome",
    "completed_at",
    "http_status",
    "error_code",
    "error_msg",
    "response_body",
    "response_truncated",
    "request_id",
    "duration_ms",
    "detail",
    "completion_seq",
    "completion_prev_hash",
    "completion_hash",
    "completion_prev_record_id",
)
COMPLETING = (
    "OLD.outcome = 'pending' AND NEW.outcome <> 'pending' AND OLD.completion_seq IS NULL "
    "AND NEW.completion_seq IS NOT NULL AND NEW.completion_hash <> ''"
)


def sqlite_triggers(fixed):
    return [
        "DROP TRIGGER IF EXISTS audit_record_no_update",
        "DROP TRIGGER IF EXISTS audit_record_no_delete",
        f"""CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_auditrecord
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
WHEN NOT ({COMPLETING} AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in fixed)})
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]


def postgresql_guard(completion):
    columns = ", ".join(f"'{c}'" for c in completion)
    return [
        f"""CREATE OR REPLACE FUNCTION audit_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {COMPLETING}
       AND (to_jsonb(NEW) - ARRAY[{columns}]) = (to_jsonb(OLD) - ARRAY[{columns}]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE} (record %)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
END
$$"""
    ]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"Audit immutability is built for SQLite and PostgreSQL, not {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_operation_keys")]

    operations = [
        # Undoing this migration drops the columns (a rebuild on SQLite) before this step puts
        # the earlier triggers back.
        migrations.RunPython(
            migrations.RunPython.noop,
            _run(
                {
                    "sqlite": sqlite_triggers(FIXED_COLUMNS[:-2]),
                    "postgresql": postgresql_guard(COMPLETION_COLUMNS[:-1]),
                }
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="completion_prev_record_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="prev_record_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="seal_format",
            field=models.PositiveSmallIntegerField(db_default=1),
        ),
        migrations.RunPython(
            _run(
                {
                    "sqlite": sqlite_triggers(FIXED_COLUMNS),
                    "postgresql": postgresql_guard(COMPLETION_COLUMNS),
                }
            ),
            # SQLite cannot drop a column a trigger names: the triggers go first.
            _run({"sqlite": sqlite_triggers(())[:2], "postgresql": []}),
        ),
    ]
