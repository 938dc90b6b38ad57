"""Commits that need not wait for the disk, and the one that must (durable_commits).

On PostgreSQL every commit waits until its log record is flushed (a few milliseconds on these
machines, more than all the queries of an operation together). A write that can be lost to a
database crash without harm (its loss is noticed and made good by something else) may commit
without that wait: PostgreSQL writes its log in order, so a crash loses only the newest such
commits, never one in the middle, and never one a later ordinary commit came after."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


def commit_without_waiting_for_disk(using: str = DEFAULT_DB_ALIAS) -> None:
    """Inside a transaction: let its commit return before the log reaches the disk."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@contextmanager
def durable_commits(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Around a transaction whose commit must be on the disk when it returns (an operation's
    pending record, committed before its upstream call).

    PostgreSQL's commits are (synchronous_commit on). SQLite's are not: in WAL mode with
    synchronous=NORMAL (settings.py) a commit is in the log file but not yet flushed to the
    disk, so a power cut can lose it (a crash of the process alone cannot). Here it runs with
    synchronous=FULL, which flushes the log at the commit, and NORMAL again afterwards, for
    this connection only. SQLite refuses to change the setting inside a transaction: nested in
    one (a caller's atomic block), the commit is the caller's and keeps its setting."""
    connection = connections[using]
    full = connection.vendor == "sqlite" and not connection.in_atomic_block
    if full:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        if full:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
