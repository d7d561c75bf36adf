"""Helpers shared by the benchmarks: a throw-away engine on a fresh database, and timing."""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text

from engine import Actor, Engine, Settings, build_engine
from engine.adapters.tables import metadata
from engine.adapters.unit_of_work import make_db_engine
from engine.bpmn.loader import SourceFile
from engine.clock import Clock
from engine.roles import ROLES

ROOT = Path(__file__).resolve().parent.parent
EVERYONE = Actor("bench", frozenset(ROLES))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def kept_engine(kind: str, name: str) -> Iterator[Engine]:
    """An engine on a database kept between runs: ``benchmarks/.data/<name>.db`` (SQLite) or the
    schema ``<name>`` of ``BENCH_POSTGRES_URL``; created when missing, its tables and indexes
    brought up to the code's (``create_all``, then the indexes added and dropped since), never
    dropped itself."""
    if kind == "sqlite":
        folder = ROOT / "benchmarks" / ".data"
        folder.mkdir(exist_ok=True)
        url = f"sqlite:///{folder}/{name}.db"
    else:
        admin = make_db_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
        admin.dispose()
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{name}"
    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes"))
    metadata.create_all(engine.db)
    with engine.db.begin() as conn:
        for table in metadata.sorted_tables:
            present = {tuple(ix["column_names"]): ix["name"] for ix in inspect(conn).get_indexes(table.name)}
            declared = {tuple(c.name for c in index.columns): index for index in table.indexes}
            for columns, index in declared.items():
                if columns not in present:
                    index.create(conn)
            for columns, name in present.items():  # an index a migration has since replaced
                if columns not in declared and name and name.startswith("ix_"):
                    conn.execute(text(f'DROP INDEX "{name}"'))
    try:
        yield engine
    finally:
        engine.close()


@contextmanager
def fresh_engine(kind: str = "sqlite", clock: Clock | None = None) -> Iterator[Engine]:
    """An engine on a new empty database: a SQLite file, or a private PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes"), clock=clock)
            metadata.create_all(engine.db)
            yield engine
            engine.close()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes"), clock=clock)
    metadata.create_all(engine.db)
    try:
        yield engine
    finally:
        engine.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def deploy(engine: Engine, *files: tuple[str, bytes]) -> None:
    engine.design.deploy([SourceFile(n, c) for n, c in files], actor=EVERYONE)


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def median_of(runs: int, func: Callable[[], object]) -> float:
    return statistics.median(timed(func) for _ in range(runs))


@contextmanager
def round_trips(engine: Engine) -> Iterator[list[int]]:
    """Count the client's round trips to PostgreSQL while the block runs (``[n]`` once it ends).

    libpq's own trace of the wire protocol, so nothing is missed: the pool's ping, ``BEGIN``,
    ``ROLLBACK`` and every statement. A round trip is a message the client then waits on: a
    simple ``Query``, or the ``Sync`` that ends an extended-protocol statement. Only connections
    checked out inside the block are traced (SQLAlchemy's ``pool_pre_ping``, which runs before
    any checkout listener, would not be seen; the engine pings in a listener instead).
    """
    traced: list[Any] = []
    found = [0]
    with tempfile.TemporaryFile("w+") as trace:

        def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            dbapi_connection.pgconn.trace(trace.fileno())
            traced.append(dbapi_connection)

        def checkin(dbapi_connection: Any, _record: Any) -> None:
            if dbapi_connection in traced:
                dbapi_connection.pgconn.untrace()  # flushes libpq's buffer into the file
                traced.remove(dbapi_connection)

        # first among the checkout listeners, so the engine's own ping of an idle connection is seen
        event.listen(engine.db, "checkout", checkout, insert=True)
        event.listen(engine.db, "checkin", checkin)
        try:
            yield found
        finally:
            event.remove(engine.db, "checkout", checkout)
            event.remove(engine.db, "checkin", checkin)
            for dbapi_connection in traced:
                dbapi_connection.pgconn.untrace()
            trace.seek(0)
            found[0] = sum(1 for line in trace if re.search(r"(^|\t)F\t\d+\t(Query|Sync)\b", line))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def case_row(case_id: int, territory: str, now: Any, **extra: Any) -> dict[str, Any]:
    """A bulk-inserted ``cases`` row of a benchmark's seed: a running case of the ``bench``
    process with no workflow state (the benchmarks that read lists never load it)."""
    return {
        "id": case_id,
        "process_id": "bench",
        "process_version_id": 1,
        "status": "running",
        "state": "{}",
        "data": {},
        "territory": territory,
        "title": f"caso {case_id}",
        "version": 1,
        "event_seq": 1,
        "created_at": now,
        "updated_at": now,
        "started_by": "bench",
        "phase": "bench",
        **extra,
    }
