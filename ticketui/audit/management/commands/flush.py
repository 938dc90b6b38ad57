"""`manage.py flush` that also works on SQLite with the audit table's immutability triggers.

Flushing empties every table: it is the whole database being wiped, not a record being edited.
PostgreSQL flushes with TRUNCATE, which row triggers do not see; SQLite flushes with DELETE, which
they refuse. So on SQLite this command lifts the audit table's triggers for the flush and puts
back exactly the SQL they had (read from sqlite_master), in the same transaction as the flush.
Nothing else can lift them short of DDL, which on SQLite any client with the file already has;
the hash chain and an exported head hash are what catch that. Django's test framework flushes
with this command after transactional (browser) tests.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

AUDIT_TABLE = "audit_auditrecord"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [AUDIT_TABLE],
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for _name, sql in triggers:
                        cursor.execute(sql)
