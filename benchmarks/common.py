"""Helpers shared by the benchmarks: a throw-away engine on a fresh database, and timing."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

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


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
