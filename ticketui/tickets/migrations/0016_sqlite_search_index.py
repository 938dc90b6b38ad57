"""Search indexes on SQLite, as 0006 made them on PostgreSQL: an FTS5 table of summaries split
into trigrams (any script, Chinese included, matched case-insensitively), kept current by triggers
on tickets_ticket, and a case-insensitive index on case ids for prefixes. The list's search still
checks every word with LIKE: the index only narrows the tickets it looks at (selectors.py)."""

from django.db import migrations

SEARCH = "tickets_ticket_search"

FORWARD = [
    f"""CREATE VIRTUAL TABLE {SEARCH} USING fts5(summary, content='tickets_ticket',
        content_rowid='id', tokenize='trigram case_sensitive 0')""",
    f"INSERT INTO {SEARCH} ({SEARCH}) VALUES ('rebuild')",
    f"""CREATE TRIGGER tickets_ticket_search_insert AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO {SEARCH} (rowid, summary) VALUES (NEW.id, NEW.summary); END""",
    f"""CREATE TRIGGER tickets_ticket_search_delete AFTER DELETE ON tickets_ticket BEGIN
        INSERT INTO {SEARCH} ({SEARCH}, rowid, summary) VALUES ('delete', OLD.id, OLD.summary);
        END""",
    f"""CREATE TRIGGER tickets_ticket_search_update AFTER UPDATE OF summary ON tickets_ticket
        WHEN OLD.summary IS NOT NEW.summary BEGIN
        INSERT INTO {SEARCH} ({SEARCH}, rowid, summary) VALUES ('delete', OLD.id, OLD.summary);
        INSERT INTO {SEARCH} (rowid, summary) VALUES (NEW.id, NEW.summary); END""",
    "CREATE INDEX ticket_case_id_nocase ON tickets_ticket (case_id COLLATE NOCASE)",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_ticket_search_insert",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_delete",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_update",
    f"DROP TABLE IF EXISTS {SEARCH}",
    "DROP INDEX IF EXISTS ticket_case_id_nocase",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_ticket_status_counts")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
