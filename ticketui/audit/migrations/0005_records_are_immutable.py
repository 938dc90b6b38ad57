"""Audit records cannot be changed or deleted, whatever SQL is sent: triggers refuse every UPDATE
and DELETE except the one completion of a pending operation (outcome 'pending' to a final one,
with its completion seal), during which only the completion columns may change.

On SQLite, a later migration that rebuilds this table (most AlterField operations do) drops its
triggers: such a migration must create them again (tests/audit/test_immutability.py fails if not).
"""

from django.db import migrations

MESSAGE = "audit records cannot be changed or deleted; only a pending operation may be completed, once"

# Every column that keeps its value when a pending operation is completed.
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
)
# What the completion writes; everything else must stay as it was.
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
)
COMPLETING = (
    "OLD.outcome = 'pending' AND NEW.outcome <> 'pending' AND OLD.completion_seq IS NULL "
    "AND NEW.completion_seq IS NOT NULL AND NEW.completion_hash <> ''"
)

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_auditrecord
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
WHEN NOT ({COMPLETING} AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in FIXED_COLUMNS)})
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_record_no_update",
    "DROP TRIGGER IF EXISTS audit_record_no_delete",
]

# On PostgreSQL the row minus the completion columns must stay equal, so a column added later is
# fixed without touching this function. TRUNCATE does not fire row triggers: the production role
# must not hold the TRUNCATE privilege (a truncation is caught against an exported head hash).
POSTGRESQL_INSTALL = [
    f"""CREATE FUNCTION audit_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {COMPLETING}
       AND (to_jsonb(NEW) - ARRAY[{", ".join(f"'{c}'" for c in COMPLETION_COLUMNS)}])
         = (to_jsonb(OLD) - ARRAY[{", ".join(f"'{c}'" for c in COMPLETION_COLUMNS)}]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE} (record %)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
END
$$""",
    """CREATE TRIGGER audit_record_immutable BEFORE UPDATE OR DELETE ON audit_auditrecord
FOR EACH ROW EXECUTE FUNCTION audit_record_guard()""",
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_record_immutable ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS audit_record_guard()",
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
    dependencies = [("audit", "0004_every_record_is_sealed")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRESQL_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRESQL_REMOVE}),
        )
    ]
