"""Search indexes on PostgreSQL: trigrams for words anywhere in the summary, and a pattern index
for case-id prefixes (both matched case-insensitively, as the list's search does). SQLite scans."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_summary_trgm ON tickets_ticket USING gin (UPPER(summary) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ticket_case_id_prefix ON tickets_ticket (UPPER(case_id) varchar_pattern_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS ticket_summary_trgm", "DROP INDEX IF EXISTS ticket_case_id_prefix"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_list_indexes")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
