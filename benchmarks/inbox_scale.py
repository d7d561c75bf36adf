"""Inbox scale with team visibility: one inbox page through the engine with 1k, 10k and 100k cases
of about 5 human tasks each (half of them history), on SQLite and PostgreSQL. Each case has a team
(its case manager, its job-centre officer, its host firm), and each task its audience as the
engine routes it: the social worker's and the job centre's tasks to the people the team names,
the tutor's to the host firm's members, the coordinator's to the territory. Rows are
bulk-inserted straight into the tables; p95 over repeated queries is reported for three users:
a job-centre officer named in one case in a thousand (team), a tutor of one firm in a hundred
(organisation) and a coordinator (territory), with the ratio to the 1k figure.

    .venv/bin/python -m benchmarks.inbox_scale [--sizes 1000,10000,100000] [--no-postgres] [--keep]

With ``--keep`` the databases stay between runs (``benchmarks/.data/inbox_scale.db``, the schema
``inbox_scale`` of ``BENCH_POSTGRES_URL``) and a run only adds the cases a size still lacks, so
seeding 100k cases is paid once. On PostgreSQL each line also gives the round trips per page
(libpq's trace: the pool's ping, ``BEGIN``/``ROLLBACK``, every statement), which, unlike the
time, does not depend on how loaded the machine is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid

from sqlalchemy import func, insert, select

from benchmarks.common import case_row, fresh_engine, kept_engine, percentile, round_trips
from engine import Engine
from engine.adapters import tables
from engine.model import Actor

ROLES = ["assistente_sociale", "operatore_cpi", "tutor_aziendale", "equipe_multidisciplinare", "coordinatore"]
TERRITORIES = [f"ATS-{i:02d}" for i in range(20)]
QUERIES = 200
PEOPLE = 1000  # social workers and job-centre officers, each named in one case in PEOPLE (100 at 100k)
FIRMS = 100  # host firms, each hosting one case in FIRMS
# The audience the engine gives each lane's tasks once the case's team names its people and host.
AUDIENCE = {"assistente_sociale": "team", "operatore_cpi": "team", "tutor_aziendale": "organisation"}
PAGE = 20  # one inbox page; every size has at least this many matching rows, so pages are equal


def populate(engine: Engine, cases: int, start_id: int) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rng = random.Random(start_id)
    with engine.db.begin() as conn:
        if start_id == 1:
            conn.execute(
                insert(tables.organisation),
                [
                    {"id": n, "code": f"FIRMA_{n}", "name": f"Impresa {n}", "kind": "impresa_mentor", "created_at": now}
                    for n in range(1, FIRMS + 1)
                ],
            )
            # every firm has its tutor (tutorN of firm N), so a person's organisations are found
            # among many members, as in a real registry
            conn.execute(
                insert(tables.app_user),
                [
                    {"username": f"tutor{n}", "display_name": "Tutor", "password_hash": None, "created_at": now}
                    for n in range(1, FIRMS + 1)
                ],
            )
            conn.execute(
                insert(tables.organisation_member),
                [{"organisation_id": n, "username": f"tutor{n}", "position": ""} for n in range(1, FIRMS + 1)],
            )
            conn.execute(
                insert(tables.process_version).values(
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
                insert(tables.cases),
                [case_row(i, TERRITORIES[i % len(TERRITORIES)], now) for i in ids],
            )
            team = []
            for i in ids:
                for relation, username, firm in (
                    ("responsabile", f"as{i % PEOPLE}", None),
                    ("cpi", f"cpi{i % PEOPLE}", None),
                    ("ospitante", None, 1 + i % FIRMS),
                ):
                    team.append(
                        {
                            "case_id": i,
                            "relation": relation,
                            "username": username,
                            "organisation_id": firm,
                            "added_at": now,
                            "added_by": "bench",
                            "ended_at": None,
                        }
                    )
            conn.execute(insert(tables.case_team), team)
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
                            "audience": AUDIENCE.get(role := ROLES[(i + k) % len(ROLES)], "territory"),
                            "organisation_id": 1 + i % FIRMS if role == "tutor_aziendale" else None,
                        }
                    )
            conn.execute(insert(tables.human_task), tasks)


# (label, the user, the lane whose page they open)
USERS = [
    (
        "team",
        Actor("cpi3", frozenset({"operatore_cpi"}), frozenset({"ATS-03"}), frozenset({("operatore_cpi", "ATS-03")})),
    ),
    (
        "organisation",
        Actor(
            "tutor4", frozenset({"tutor_aziendale"}), frozenset({"ATS-03"}), frozenset({("tutor_aziendale", "ATS-03")})
        ),
    ),
    (
        "territory",
        Actor("coord", frozenset({"coordinatore"}), frozenset({"ATS-03"}), frozenset({("coordinatore", "ATS-03")})),
    ),
]


def measure(engine: Engine, actor: Actor) -> tuple[float, int]:
    """p95 of one inbox page for ``actor`` (and how many tasks the page shows)."""
    times = []
    shown = 0
    for _ in range(QUERIES):
        start = time.perf_counter()
        shown = len(engine.tasks.list(limit=PAGE, actor=actor))
        times.append(time.perf_counter() - start)
    return percentile(times, 95), shown


def trips_per_page(engine: Engine, actor: Actor) -> str:
    """Round trips of one page, on PostgreSQL (see ``benchmarks.common.round_trips``)."""
    if engine.db.dialect.name != "postgresql":
        return ""
    with round_trips(engine) as trips:
        engine.tasks.list(limit=PAGE, actor=actor)
    return f", {trips[0]} round trips"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases between runs (benchmarks/.data)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    for kind in ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]:
        with kept_engine(kind, "inbox_scale") if args.keep else fresh_engine(kind) as engine:
            with engine.db.connect() as conn:
                done, base = int(conn.execute(select(func.count()).select_from(tables.cases)).scalar_one()), {}
            for size in sizes:
                if size < done:
                    raise SystemExit(f"the kept database already holds {done} cases: delete it to measure {size}")
                if size > done:
                    populate(engine, size - done, done + 1)
                    done = size
                    # Fresh statistics, as a running system has (PostgreSQL autovacuum; SQLite's
                    # PRAGMA optimize, which the engine runs when it starts).
                    with engine.db.begin() as conn:
                        conn.exec_driver_sql("ANALYZE")
                for label, actor in USERS:
                    measure(engine, actor)  # warm-up
                    p95, shown = measure(engine, actor)
                    base.setdefault(label, p95)
                    print(
                        f"{kind:10s} {size:>7} cases, {label:12s} ({shown:2d} shown): p95 {p95 * 1000:6.2f} ms"
                        f"  (x{p95 / base[label]:.2f} of the first size){trips_per_page(engine, actor)}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
