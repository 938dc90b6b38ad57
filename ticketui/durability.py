"""Commits that need not wait for the disk.

On PostgreSQL every commit waits until its log record is flushed (a few milliseconds on these
machines, more than all the queries of an operation together). A write that can be lost to a
database crash without harm (its loss is noticed and made good by something else) may commit
without that wait: PostgreSQL writes its log in order, so a crash loses only the newest such
commits, never one in the middle, and never one a later ordinary commit came after."""

from django.db import DEFAULT_DB_ALIAS, connections


def commit_without_waiting_for_disk(using: str = DEFAULT_DB_ALIAS) -> None:
    """Inside a transaction: let its commit return before the log reaches the disk."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
