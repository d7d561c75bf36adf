"""Hot-path statements compiled once per database and sent as the driver's own SQL.

A Core statement executed through ``Connection.execute`` is looked up in SQLAlchemy's compiled
cache, gets an execution context, has its parameters rebuilt through the compiled form and its
result set up, at every execution: on the statements every command sends (save the case, append
its events, move its inbox rows, write its state rows) that machinery cost more than the
database's own work (benchmarks/README.md, "engine_throughput"). ``Prebuilt`` compiles the
statement once per dialect and then only converts the values with the statement's own bind
processors (the same stored format: JSON text, SQLite's datetime text, psycopg's JSON wrapper)
and hands SQL and values to ``Connection.exec_driver_sql``, which still runs the connection's
events (the statement counts of tests/integration/test_statement_counts.py see every one) and
SQLAlchemy's error translation. Result rows, when the statement has some, go through the
columns' own result processors.

Only statements whose SQL does not depend on the values fit: no expanding ``IN`` lists. The
compiled form is read through SQLAlchemy 2.0's compiled-statement attributes (``positiontup``,
``bind_names``, ``_bind_processors``, ``_result_columns``), the ones its own execution reads;
tests/integration/test_prebuilt.py checks the outcome against Core's on both databases, so an
upgrade that changes them fails there first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Form:
    """The statement as one dialect runs it."""

    sql: str
    positional: bool
    binds: tuple[tuple[str, Processor], ...]  # in the driver's order when positional
    fixed: dict[str, Any]  # the values the statement carries itself (``status == 'ready'``)
    results: tuple[Processor, ...]  # one per result column
    keys: tuple[str, ...]  # the result columns' names


class Prebuilt:
    """``statement`` compiled once per dialect (``column_keys``: the columns an ``insert()``
    without values writes, in any order); see the module docstring."""

    __slots__ = ("_column_keys", "_forms", "statement")

    _forms: dict[tuple[str, tuple[str, ...]], _Form]

    def __init__(self, statement: ClauseElement, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._forms = {}

    def _form(self, dialect: Dialect, as_is: tuple[str, ...] = ()) -> _Form:
        form = self._forms.get((dialect.name, as_is))
        if form is None:
            compiled: Any = self.statement.compile(dialect=dialect, column_keys=self._column_keys)
            if compiled.literal_execute_params or compiled.post_compile_params:
                raise ValueError("a statement whose SQL depends on its values cannot be prebuilt")
            processors = compiled._bind_processors  # the processors SQLAlchemy itself applies
            names = compiled.positiontup if compiled.positional else list(compiled.bind_names.values())
            fixed = {name: bind.effective_value for bind, name in compiled.bind_names.items() if not bind.required}
            results = tuple(
                entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns or ()
            )
            form = self._forms[(dialect.name, as_is)] = _Form(
                sql=compiled.string,
                positional=bool(compiled.positional),
                binds=tuple((name, None if name in as_is else processors.get(name)) for name in names),
                fixed=fixed,
                results=results,
                keys=tuple(entry.keyname for entry in compiled._result_columns or ()),
            )
        return form

    def _values(self, form: _Form, params: Mapping[str, Any]) -> Any:
        if form.fixed:
            params = {**form.fixed, **params}
        if form.positional:
            return tuple(p(params[name]) if p is not None else params[name] for name, p in form.binds)
        return {name: p(params[name]) if p is not None else params[name] for name, p in form.binds}

    def execute(self, conn: Connection, params: Mapping[str, Any], *, as_is: tuple[str, ...] = ()) -> CursorResult[Any]:
        """Run once with ``params`` (every bound name), for a statement that answers no rows
        (``rows`` runs the others). ``as_is``: names whose values are given in the driver's form
        already (a JSON column's text), sent without their processor."""
        form = self._form(conn.dialect, as_is)
        return conn.exec_driver_sql(form.sql, self._values(form, params))

    def executemany(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run once per mapping in ``params`` (one call to the driver; a single one runs as ``execute``)."""
        if not params:
            return
        form = self._form(conn.dialect)
        if len(params) == 1:
            conn.exec_driver_sql(form.sql, self._values(form, params[0]))
        else:
            conn.exec_driver_sql(form.sql, [self._values(form, p) for p in params])

    def rows(
        self, conn: Connection, params: Mapping[str, Any], *, as_is: tuple[str, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """Run once and answer the result rows, each value through its column's result processor
        (a statement with RETURNING runs through here: SQLite carries it out as its rows are read)."""
        form = self._form(conn.dialect, as_is)
        result = conn.exec_driver_sql(form.sql, self._values(form, params))
        processors = form.results
        if not any(p is not None for p in processors):
            return [tuple(row) for row in result]
        return [tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True)) for row in result]

    def mappings(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``rows``, each as a dict by result column name."""
        keys = self._form(conn.dialect).keys
        return [dict(zip(keys, row, strict=True)) for row in self.rows(conn, params)]
