"""Queries that every request makes, built by the ORM once and then run as SQL.

Every request reads its session (when the cache has it not) and its user, and the ORM spends
far longer building those queries than the database spends answering them: ~2 ms of Python
to compile the user's query with its annotations against ~0.05 ms to run it. A PreparedQuery
keeps what the ORM compiled (the SQL, its parameters and the converters that turn the
database's values into Python's) and runs it again with one parameter changed, so the answer is
the ORM's own, at the cost of one cursor execute.

The changing parameter is marked by a sentinel value given to the queryset in place of the real
one; the compiled parameters are searched for it. Compiled queries are kept per thread (a
compiler holds its thread's connection) and per database alias, and per `key()` for values
that settings may change (a test overriding a setting gets a query compiled for it)."""

import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class PreparedQuery:
    def __init__(
        self,
        build: Callable[[Any], QuerySet],
        *,
        sentinel: int | str,
        key: Callable[[], Hashable] = lambda: None,
    ) -> None:
        """`build(value)` returns a values_list() queryset filtered by `value`; it is called once
        with `sentinel`, which must reach the SQL as a parameter exactly once, unchanged."""
        self._build, self._sentinel, self._key = build, sentinel, key
        self._compiled = threading.local()

    def _compile(self, using: str) -> tuple:
        queryset = self._build(self._sentinel).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = [index for index, param in enumerate(params) if param == self._sentinel]
        if len(slots) != 1:
            raise ValueError(f"the sentinel must reach the SQL once, it reached it {len(slots)}×")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        return sql, list(params), slots[0], compiler, compiler.get_converters(fields)

    def rows(self, value: Any, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """The rows the queryset built with `value` would give, as tuples of Python values."""
        compiled = self._compiled.__dict__.setdefault("queries", {})
        key = (using, self._key())
        if key not in compiled:
            compiled[key] = self._compile(using)
        sql, params, slot, compiler, converters = compiled[key]
        params = [*params[:slot], value, *params[slot + 1 :]]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows
