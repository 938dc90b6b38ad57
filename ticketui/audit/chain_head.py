"""The head of the audit chain (its newest seal) and the ids reserved for new records, both read
under the chain lock that chain.py takes (see chain.py's docstring for why ids are reserved)."""

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, kw_only=True)
class ChainHead:
    """The newest seal: keep `seq` and `hash` outside the database to detect a rewrite."""

    seq: int
    hash: str
    record_id: int | None

    @property
    def anchor(self) -> str:
        return f"{self.seq}:{self.hash}"


EMPTY_HEAD = ChainHead(seq=0, hash=GENESIS_HASH, record_id=None)


def _head_sql(table: str) -> str:
    """The newer of the highest record seal and the highest completion seal: two index look-ups
    in one query (seq, hash, id; no row for an empty chain)."""
    return (
        f"SELECT seq, hash, id FROM ("  # noqa: S608 - the table name is the model's own
        f"SELECT * FROM (SELECT seq, hash, id FROM {table} ORDER BY seq DESC LIMIT 1) AS r "
        f"UNION ALL SELECT * FROM (SELECT completion_seq, completion_hash, id FROM {table} "
        f"WHERE completion_seq IS NOT NULL ORDER BY completion_seq DESC LIMIT 1) AS c"
        f") AS heads ORDER BY seq DESC LIMIT 1"
    )


def _head(row: tuple | None) -> ChainHead:
    if row is None or row[0] is None:
        return EMPTY_HEAD
    seq, digest, record_id = row
    return ChainHead(seq=seq, hash=digest, record_id=record_id)


def head_of(model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> ChainHead:
    """The chain's newest seal."""
    table = connections[using].ops.quote_name(model._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(_head_sql(table))
        return _head(cursor.fetchone())


def _reserve_sql(model: type[models.Model], *, using: str) -> tuple[str, list]:
    """SQL for the first id free (PostgreSQL: each evaluation a new one), with its parameters."""
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "postgresql":
        sequence = "nextval(pg_get_serial_sequence(%s, %s))"
        return sequence, [connection.ops.quote_name(table), column]
    highest = (
        "MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - the model's names
        f"COALESCE((SELECT MAX({connection.ops.quote_name(column)}) FROM "
        f"{connection.ops.quote_name(table)}), 0)) + 1"
    )
    return highest, [table]


def _reserve_ids(model: type[models.Model], count: int, *, using: str) -> list[int]:
    """`count` ids no row has or will be given, in ascending order; under the chain lock."""
    reserve, params = _reserve_sql(model, using=using)
    with connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            series = f"SELECT {reserve} FROM generate_series(1, %s)"  # noqa: S608 - as above
            cursor.execute(series, [*params, count])
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT {reserve}", params)
        first = cursor.fetchone()[0]
    return list(range(first, first + count))


def _reserve_id_and_head(model: type[models.Model], *, using: str) -> tuple[int, ChainHead]:
    """One id (as _reserve_ids) and the chain's head, in one query; under the chain lock, taken
    by an earlier statement, so that the head read is the one the lock guards."""
    connection = connections[using]
    reserve, params = _reserve_sql(model, using=using)
    head = _head_sql(connection.ops.quote_name(model._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reserve}, heads.seq, heads.hash, heads.id FROM (SELECT 1 AS one) AS one "  # noqa: S608
            f"LEFT JOIN ({head}) AS heads ON 1 = 1",
            params,
        )
        pk, *head_row = cursor.fetchone()
    return pk, _head(tuple(head_row))
