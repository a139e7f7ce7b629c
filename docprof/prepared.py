"""Querysets compiled to SQL once per process, then run with new values.

Django builds and compiles a queryset on every call. For a join with a subquery that is 1–3 ms of
Python (more on a loaded machine), which was most of a cached lecture GET (a handful of small
queries that each run in well under a millisecond). A `Prepared` query is built once with sentinel
values for its parameters; each sentinel must reach the SQL as a parameter unchanged (ids, strings:
checked when it is compiled), and later calls substitute the real values.

    STAMP = Prepared(lambda user_id, section_id: SectionDelivery.objects.filter(...).values_list(...),
                     user_id=0, section_id=0)
    row = STAMP.first(user_id=user.pk, section_id=pk)

Rows are what the database driver returns: use it for `values_list` querysets of plain columns
(ids, text, numbers, booleans, timestamps), not for JSON fields or model instances.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from django.db import connection

_counter = itertools.count(1)
_ALL: list[Prepared] = []  # every prepared query of the process, for compile_all


class Prepared:
    def __init__(self, build: Callable, **kinds):
        """`build(**values)` returns the queryset; `kinds` names each value's type by an example
        (an int or a str), from which a sentinel of the same type is made."""
        self._build = build
        self._kinds = kinds
        self._compiled: tuple[str, list, dict[int, str]] | None = None
        self._lock = threading.Lock()
        _ALL.append(self)

    def _sentinels(self) -> dict[str, object]:
        out = {}
        for name, example in self._kinds.items():
            n = next(_counter)
            out[name] = -(7_300_000_000_000 + n) if isinstance(example, int) else f"\x1fsentinel-{n}\x1f"
        return out

    def compile(self) -> tuple[str, list, dict[int, str]]:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    sentinels = self._sentinels()
                    sql, params = self._build(**sentinels).query.sql_with_params()
                    by_value = {v: k for k, v in sentinels.items()}
                    slots = {i: by_value[p] for i, p in enumerate(params) if _hashable(p) and p in by_value}
                    missing = set(sentinels) - set(slots.values())
                    if missing:
                        raise ValueError(f"prepared query: {sorted(missing)} are not parameters of its SQL")
                    self._compiled = (sql, list(params), slots)
        return self._compiled

    def sql(self, **values) -> tuple[str, list]:
        sql, params, slots = self.compile()
        params = list(params)
        for i, name in slots.items():
            params[i] = values[name]
        return sql, params

    def first(self, **values):
        sql, params = self.sql(**values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def all(self, **values) -> list:
        sql, params = self.sql(**values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def compile_all() -> int:
    """Compile every prepared query defined so far (a web process's warm-up: the first requests
    otherwise compiled them, ~5-10 ms of CPU each with the interpreter lock held)."""
    for prepared in _ALL:
        prepared.compile()
    return len(_ALL)


def run_all() -> int:
    """Run every prepared query once on this thread's connection, with its sentinel values (which
    match no row): the database backend behind the connection then has the tables' and indexes'
    catalog entries loaded and the statements parsed once, which a new backend otherwise does
    during its first requests (a web thread's warm-up, `docprof.warmup.warm_threads`)."""
    with connection.cursor() as cursor:
        for prepared in _ALL:
            sql, params, _slots = prepared.compile()
            cursor.execute(sql, params)
            cursor.fetchall()
    return len(_ALL)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def instance(model, values):
    """A model instance from a prepared row of `attnames(model)`, each field converted as the ORM
    converts it (JSON text to objects)."""
    converted = [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
        for f, v in zip(model._meta.concrete_fields, values, strict=True)
    ]
    return model.from_db(connection.alias, attnames(model), converted)
