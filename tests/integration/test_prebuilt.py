"""``engine.adapters.prebuilt``: a statement compiled once and sent as the driver's SQL writes and
reads exactly what the same Core statement does (the JSON text, SQLite's datetime text, aware UTC
datetimes back), a JSON value given as text is stored as that JSON, and the connection's events
still see every statement."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, bindparam, event, insert, select, text, update

from engine import Engine
from engine.adapters.prebuilt import Prebuilt
from engine.adapters.tables import JSONType, UTCDateTime

probe = Table(
    "prebuilt_probe",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("doc", JSONType, nullable=False),
    Column("n", Integer, nullable=False),
)
ROME = dt.timezone(dt.timedelta(hours=1))
DOC = {"nome": "Müller", "voci": [1, 2.5, None, {"b": True}], "vuoto": {}}
INSERT = Prebuilt(insert(probe), column_keys=["id", "at", "doc", "n"])
MOVE = Prebuilt(
    update(probe)
    .where(probe.c.id == bindparam("b_id"), probe.c.n == 0)  # a value the statement carries itself
    .values(doc=bindparam("doc"), n=bindparam("n"))
    .returning(probe.c.id, probe.c.at, probe.c.doc)
)


def test_a_prebuilt_statement_writes_and_reads_what_core_does(engine: Engine) -> None:
    probe.create(engine.db)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    try:
        at = dt.datetime(2026, 11, 30, 10, 15, 30, 123456, tzinfo=ROME)
        later = {**DOC, "nuovo": "€"}
        with engine.db.begin() as conn:
            conn.execute(insert(probe), {"id": 1, "at": at, "doc": DOC, "n": 0})
            event.listen(engine.db, "before_cursor_execute", record)
            INSERT.executemany(conn, [{"id": 2, "at": at, "doc": DOC, "n": 0}, {"id": 3, "at": at, "doc": DOC, "n": 0}])
            # a JSON value given as its text (``as_is``); a RETURNING row through its processors
            assert MOVE.rows(conn, {"b_id": 2, "doc": json.dumps(later), "n": 1}, as_is=("doc",)) == [(2, at, later)]
            assert MOVE.rows(conn, {"b_id": 3, "doc": later, "n": 1}) == [(3, at, later)]
            assert MOVE.rows(conn, {"b_id": 3, "doc": later, "n": 2}) == []  # its n is no longer 0
            event.remove(engine.db, "before_cursor_execute", record)

            rows = [tuple(r) for r in conn.execute(select(probe).order_by(probe.c.id))]
            assert rows == [(1, at, DOC, 0), (2, at, later, 1), (3, at, later, 1)]
            assert all(r[1].tzinfo == dt.UTC for r in rows)  # aware UTC back, as written through Core
            if engine.db.dialect.name == "sqlite":  # the very text Core stores (json.dumps's form)
                texts = [r[0] for r in conn.execute(text("SELECT at || doc FROM prebuilt_probe ORDER BY id"))]
                core = conn.execute(update(probe).where(probe.c.id == 1).values(doc=later).returning(probe.c.id))
                assert core.scalar() == 1
                assert (
                    texts[1]
                    == texts[2]
                    == conn.execute(text("SELECT at || doc FROM prebuilt_probe WHERE id = 1")).scalar()
                )
        assert len(seen) == 4  # the insert (one executemany) and the three updates
    finally:
        if event.contains(engine.db, "before_cursor_execute", record):
            event.remove(engine.db, "before_cursor_execute", record)
        probe.drop(engine.db)


def test_prebuilt_rows_come_back_by_name(engine: Engine) -> None:
    probe.create(engine.db)
    try:
        at = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
        read = Prebuilt(select(probe.c.n, probe.c.at.label("quando")).where(probe.c.id == bindparam("b_id")))
        with engine.db.begin() as conn:
            INSERT.executemany(conn, [{"id": 1, "at": at, "doc": {}, "n": 5}])
            assert read.mappings(conn, {"b_id": 1}) == [{"n": 5, "quando": at}]
            assert read.mappings(conn, {"b_id": 2}) == []
    finally:
        probe.drop(engine.db)
