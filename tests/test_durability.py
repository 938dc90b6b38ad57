"""The one commit that must be on the disk (an operation's pending record) is flushed on SQLite
too, whose ordinary commits (WAL, synchronous=NORMAL) are not."""

import pytest
from django.db import connection, transaction

from ticketui.durability import durable_commits

FULL, NORMAL = 2, 1


def synchronous() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's setting")
def test_the_commit_inside_is_flushed_and_the_connection_back_to_normal_after():
    assert synchronous() == NORMAL
    with durable_commits():
        assert synchronous() == FULL
        with transaction.atomic():
            assert synchronous() == FULL
    assert synchronous() == NORMAL


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's setting")
def test_inside_a_callers_transaction_the_setting_is_left_alone():
    # SQLite refuses to change it there; the commit is the caller's.
    with transaction.atomic(), durable_commits():
        assert synchronous() == NORMAL
    assert synchronous() == NORMAL


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's setting")
def test_back_to_normal_after_a_failure_inside():
    with pytest.raises(RuntimeError), durable_commits(), transaction.atomic():
        raise RuntimeError
    assert synchronous() == NORMAL
