"""Inbox scale: the "open tasks for role R (in my territories)" query with 1k, 10k and 100k cases of
about 5 open human tasks each, on SQLite and PostgreSQL. Rows are bulk-inserted straight into the
tables (the query only reads ``human_task``); p95 over repeated queries is reported with the ratio
to the 1k figure.

    .venv/bin/python -m benchmarks.inbox_scale [--sizes 1000,10000,100000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid

from sqlalchemy import insert

from benchmarks.common import fresh_engine, percentile
from engine import Engine
from engine.adapters import orm
from engine.model import Actor

ROLES = ["assistente_sociale", "operatore_cpi", "tutor_aziendale", "equipe_multidisciplinare", "coordinatore"]
TERRITORIES = [f"ATS-{i:02d}" for i in range(20)]
QUERIES = 200
PAGE = 20  # one inbox page; every size has at least this many matching rows, so pages are equal


def populate(engine: Engine, cases: int, start_id: int) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rng = random.Random(start_id)
    with engine.db.begin() as conn:
        if start_id == 1:
            conn.execute(
                insert(orm.process_version).values(
                    id=1,
                    process_id="bench",
                    version=1,
                    name="bench",
                    sha256="0" * 64,
                    deployed_at=now,
                    deployed_by="bench",
                    note="",
                )
            )
        for chunk in range(start_id, start_id + cases, 2000):
            ids = range(chunk, min(chunk + 2000, start_id + cases))
            conn.execute(
                insert(orm.cases),
                [
                    {
                        "id": i,
                        "process_id": "bench",
                        "process_version_id": 1,
                        "status": "running",
                        "state": "{}",
                        "data": {},
                        "territory": TERRITORIES[i % len(TERRITORIES)],
                        "title": f"caso {i}",
                        "version": 1,
                        "event_seq": 1,
                        "created_at": now,
                        "updated_at": now,
                        "started_by": "bench",
                        "phase": "bench",
                    }
                    for i in ids
                ],
            )
            tasks = []
            for i in ids:
                for k in range(5):
                    done = rng.random() < 0.5  # half the rows are history, as in a live system
                    tasks.append(
                        {
                            "id": str(uuid.UUID(int=i * 10 + k)),
                            "case_id": i,
                            "process_id": "bench",
                            "bpmn_id": f"Task_{k}",
                            "name": f"Passo {k}",
                            "role": ROLES[(i + k) % len(ROLES)],
                            "form_key": "generico_conferma",
                            "territory": TERRITORIES[i % len(TERRITORIES)],
                            "status": "completed" if done else "ready",
                            "assignee": None,
                            "priority": 0,
                            "created_at": now,
                            "due_at": (due := now + dt.timedelta(days=rng.randint(1, 60))),
                            "due_sort": due,
                            "completed_at": None,
                            "completed_by": None,
                            "context": {"case_title": f"caso {i}"},
                        }
                    )
            conn.execute(insert(orm.human_task), tasks)


def measure(engine: Engine) -> float:
    actor = Actor("operatrice", frozenset({"operatore_cpi"}), frozenset({"ATS-03"}))
    times = []
    for _ in range(QUERIES):
        start = time.perf_counter()
        engine.tasks.list(role="operatore_cpi", limit=PAGE, actor=actor)
        times.append(time.perf_counter() - start)
    return percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    for kind in ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]:
        with fresh_engine(kind) as engine:
            done, base = 0, None
            for size in sizes:
                populate(engine, size - done, done + 1)
                done = size
                # Fresh statistics, as a running system has (PostgreSQL autovacuum; SQLite's
                # PRAGMA optimize, which the engine runs when it starts).
                with engine.db.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
                measure(engine)  # warm-up
                p95 = measure(engine)
                base = base or p95
                print(f"{kind:10s} {size:>7} cases: p95 {p95 * 1000:6.2f} ms  (x{p95 / base:.2f} of the first size)")


if __name__ == "__main__":
    main()
