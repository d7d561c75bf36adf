"""Monitoring scale: the cockpit's reports (funnel, times, ESF+ indicators, open work) at 10k and
100k cases on SQLite and PostgreSQL, and what keeping the read model adds to a command.

Read side: rows are bulk-inserted into ``cases``, ``report_case`` and ``human_task`` (the reports
read only the read model and the inbox rows), over 20 territories and 18 months of referrals, and
the summary counters are computed from them as ``impresa report rebuild`` does;
p95 over repeated reports for one territory's coordinator and for a coordinator of every
territory, on the half-year 2026-H1.

Write side: the same commands (start a case, complete its three tasks) with the read model kept
(the case's row and counters, the open-task counters) and with those writes switched off,
alternating in one run, so both see the same machine.

    .venv/bin/python -m benchmarks.monitoring_scale [--sizes 10000,100000] [--no-postgres] [--commands 400]
        [--write-only] [--moving-clock]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert

from benchmarks.common import EVERYONE, case_row, deploy, fresh_engine, percentile
from engine import Engine
from engine.adapters import case_repository, tables, task_repository
from engine.adapters.report_repository import SqlReportRepository
from engine.clock import FixedClock
from engine.model import Actor
from engine.services import case_sync
from tests.fixtures.diagrams import linear

TERRITORIES = [f"ATS-{i:02d}" for i in range(20)]
ROLES = ["assistente_sociale", "operatore_cpi", "tutor_aziendale", "equipe_multidisciplinare", "coordinatore"]
OUTCOMES = ["IDONEO_LAVORO"] * 5 + ["IDONEO_IMPRESA", "IDONEO_PREVIA_INCLUSIONE", "NON_IDONEO_REQUISITI", "NON_PRONTO"]
INSTRUMENTS = ["TIS", "TIROCINIO_EXTRACURRICOLARE", "ASSUNZIONE_COOP_B", "STARTUP"]
NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
QUERIES = 25


def populate(engine: Engine, cases: int, start_id: int) -> None:
    rng = random.Random(start_id)
    day0 = dt.date(2025, 7, 1)
    with engine.db.begin() as conn:
        if start_id == 1:
            conn.execute(
                insert(tables.process_version).values(
                    id=1,
                    process_id="bench",
                    version=1,
                    name="bench",
                    sha256="0" * 64,
                    deployed_at=NOW,
                    deployed_by="bench",
                    note="",
                )
            )
        for chunk in range(start_id, start_id + cases, 2000):
            ids = range(chunk, min(chunk + 2000, start_id + cases))
            facts, tasks, quiet = [], [], {}
            for i in ids:
                referral = day0 + dt.timedelta(days=rng.randint(0, 540))
                assessed = rng.random() < 0.85
                pact = assessed and rng.random() < 0.6
                started = pact and rng.random() < 0.85
                left = started and rng.random() < 0.6
                facts.append(
                    {
                        "case_id": i,
                        "process_id": "bench",
                        "territory": TERRITORIES[i % len(TERRITORIES)],
                        "stato_caso": "IN_ATTUAZIONE" if started else "IN_VALUTAZIONE",
                        "referral_on": referral,
                        "taken_in_charge_on": referral + dt.timedelta(days=rng.randint(1, 30)),
                        "outcome": rng.choice(OUTCOMES) if assessed else None,
                        "outcome_on": referral + dt.timedelta(days=rng.randint(20, 90)) if assessed else None,
                        "instrument": rng.choice(INSTRUMENTS) if pact else None,
                        "pact_on": referral + dt.timedelta(days=100) if pact else None,
                        "started_on": referral + dt.timedelta(days=120) if started else None,
                        "implementation_outcome": rng.choice(["ASSUNTO", "ABBANDONO"]) if left else None,
                        "redesigns": 0,
                        "adi": rng.random() < 0.2,
                        "entry_on": referral + dt.timedelta(days=110) if pact else None,
                        "gender": rng.choice(["F", "M", "M", "F", "NON_DICHIARATO"]) if pact else None,
                        "age_band": rng.choice(["18-29", "30-54", "30-54", "55+"]) if pact else None,
                        "labour_status": rng.choice(["DISOCCUPATO", "DISOCCUPATO_LUNGA_DURATA", "INATTIVO"]),
                        "isced": rng.choice(["ISCED_0_2", "ISCED_3_4", "ISCED_5_8"]),
                        "disability": rng.choice(["SI", "NO", "NO", "NO"]),
                        "citizenship": rng.choice(["ITALIANA", "ITALIANA", "EXTRA_UE"]),
                        "housing": "NESSUNA",
                        "exit_on": referral + dt.timedelta(days=300) if left else None,
                        "eecr04": rng.random() < 0.5 if left else None,
                    }
                )
                quiet[i] = NOW - dt.timedelta(days=rng.randint(0, 90))  # the case's last activity
                for k in range(2):
                    created = NOW - dt.timedelta(days=rng.randint(0, 60))
                    due = created + dt.timedelta(days=rng.randint(5, 45))
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
                            "status": "ready",
                            "assignee": None,
                            "priority": 0,
                            "created_at": created,
                            "due_at": due,
                            "due_sort": due,
                            "context": {"case_title": f"caso {i}"},
                        }
                    )
            conn.execute(
                insert(tables.cases),
                [case_row(i, TERRITORIES[i % len(TERRITORIES)], NOW, last_activity_at=quiet[i]) for i in ids],
            )
            conn.execute(insert(tables.report_case), facts)
            conn.execute(insert(tables.human_task), tasks)
        SqlReportRepository(conn).rebuild_summary()  # the counters, as `impresa report rebuild` makes them


def measure(engine: Engine, kind: str, actor: Actor, territory: str | None) -> tuple[float, float]:
    """Median and p95 of ``QUERIES`` reports (the median is steadier on a shared machine)."""
    times = []
    for _ in range(QUERIES):
        start = time.perf_counter()
        engine.reports.report(kind, actor=actor, period="2026-H1", territory=territory)
        times.append(time.perf_counter() - start)
    return percentile(times, 50), percentile(times, 95)


def read_side(kind: str, sizes: list[int]) -> None:
    """p95 and median of each report at each size; on SQLite also the work the database did for one
    report, in virtual-machine steps (hundreds of them, counted by a progress handler): a figure the
    machine's load does not change, so its growth from 10k to 100k is the queries' own."""
    one = Actor("coordinatrice", frozenset({"coordinatore"}), frozenset({"ATS-03"}))
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0  # go on

    with fresh_engine(kind, FixedClock(NOW)) as engine:
        if kind == "sqlite":
            engine.db.dispose()  # every connection from now on counts its steps

            @event.listens_for(engine.db, "connect")
            def count_steps(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.set_progress_handler(tick, 100)

        done = 0
        base: dict[str, float] = {}
        for size in sizes:
            populate(engine, size - done, done + 1)
            done = size
            with engine.db.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            for report in ("funnel", "sla", "esf", "wip"):
                for label, actor, territory in (("one territory", one, "ATS-03"), ("all 20", EVERYONE, None)):
                    measure(engine, report, actor, territory)  # warm-up
                    steps[0] = 0
                    engine.reports.report(report, actor=actor, period="2026-H1", territory=territory)
                    work = steps[0]
                    p50, p95 = measure(engine, report, actor, territory)
                    key = f"{report}/{label}"
                    base.setdefault(key, p95)
                    base.setdefault(f"{key}/steps", work or 1)
                    vm = f", {work} hundred VM steps (x{work / base[f'{key}/steps']:.2f})" if kind == "sqlite" else ""
                    print(
                        f"{kind:10s} {size:>7} cases {report:6s} {label:13s}: p95 {p95 * 1000:7.2f} ms"
                        f"  (x{p95 / base[key]:.2f} of {sizes[0]}), median {p50 * 1000:7.2f} ms{vm}"
                    )


def write_side(kind: str, commands: int, *, moving: bool = False) -> None:
    """Median command time with and without the read-model write, interleaved; and the statements
    each command sends with and without it (a count the machine's load does not change).

    ``moving``: the clock moves a minute between commands, so each command also moves its case's
    last activity (saved with the case row, in the statement the command sends anyway; "without"
    leaves it where it was)."""
    clock = FixedClock(NOW)
    with fresh_engine(kind, clock) as engine:
        deploy(engine, ("tre_passi.bpmn", linear("tre_passi", 3, ("assistente_sociale",))))
        actor = Actor("as", frozenset({"assistente_sociale"}))
        timings: dict[bool, list[float]] = {True: [], False: []}
        statements: dict[bool, list[int]] = {True: [], False: []}
        # this process's CPU time per command (SQLite's work included, PostgreSQL's server not):
        # a figure a loaded machine inflates much less than the wall clock
        cpu_spent: dict[bool, list[float]] = {True: [], False: []}
        sent = [0]

        @event.listens_for(engine.db, "before_cursor_execute")
        def count(*_: Any) -> None:
            sent[0] += 1

        def one(command: Callable[[], Any], spent: list[float], sent_by: list[int], cpu_by: list[float]) -> Any:
            if moving:
                clock.advance(minutes=1)
            sent[0] = 0
            start, cpu = time.perf_counter(), time.process_time()
            result = command()
            spent.append(time.perf_counter() - start)
            cpu_by.append(time.process_time() - cpu)
            sent_by.append(sent[0])
            return result

        def one_case(sent_by: list[int], cpu_by: list[float]) -> list[float]:
            spent: list[float] = []
            case = one(
                lambda: engine.cases.start("tre_passi", {"stato_caso": "IN_VALUTAZIONE"}, actor=actor, territory="T"),
                spent,
                sent_by,
                cpu_by,
            )
            for task in case.open_tasks[:1]:
                current = task
                for _ in range(3):
                    view = one(
                        lambda t=current: engine.tasks.complete(t.id, {"conferma": True}, actor=actor),
                        spent,
                        sent_by,
                        cpu_by,
                    )
                    if not view.open_tasks:
                        break
                    current = view.open_tasks[0]
            return spent

        # the read model's writes: the case's row and counters, the open-task counters and the read of
        # the inbox rows they move from; "without" swaps each for a no-op (open_rows: nothing to move)
        kept = {
            (case_sync, "project"): case_sync.project,
            (task_repository, "count_open_tasks"): task_repository.count_open_tasks,
            (task_repository, "open_rows"): task_repository.open_rows,
            # the case's row read with the case: "without" loads the case alone
            (case_repository, "facts_beside"): case_repository.facts_beside,
            (case_repository, "_GET_CASE_AND_FACTS"): case_repository._GET_CASE_AND_FACTS,
        }
        inside: list[float] = []

        def timed(original: Callable[..., Any]) -> Callable[..., Any]:
            def run(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    inside.append(time.perf_counter() - start)

            return run

        def switched_off(name: str) -> Any:
            if name == "_GET_CASE_AND_FACTS":
                return case_repository._GET_CASE
            return (lambda *args, **kwargs: []) if name == "open_rows" else (lambda *args, **kwargs: None)

        def switched_on(name: str, original: Any) -> Any:
            return original if name in ("_GET_CASE_AND_FACTS", "facts_beside") else timed(original)

        for _ in range(10):
            one_case([], [])  # warm-up: specs parsed, caches filled
        for _ in range(20):
            # other cases of the territory, open at their first step, as in any programme: the counters
            # the measured cases move do not fall back to zero at each one's end
            engine.cases.start("tre_passi", {"stato_caso": "IN_VALUTAZIONE"}, actor=actor, territory="T")
        for i in range(commands // 4):
            with_model = i % 2 == 0
            for (module, name), original in kept.items():
                setattr(module, name, switched_on(name, original) if with_model else switched_off(name))
            try:
                timings[with_model] += one_case(statements[with_model], cpu_spent[with_model])
            finally:
                for (module, name), original in kept.items():
                    setattr(module, name, original)
        on, off = percentile(timings[True], 50), percentile(timings[False], 50)
        on95, off95 = percentile(timings[True], 95), percentile(timings[False], 95)
        print(
            f"{kind:10s} command median {off * 1000:6.2f} ms without the read model, {on * 1000:6.2f} ms with it "
            f"(+{(on / off - 1) * 100:4.1f} %); p95 {off95 * 1000:6.2f} → {on95 * 1000:6.2f} ms "
            f"({len(timings[True])} + {len(timings[False])} commands)"
        )
        on_cpu, off_cpu = percentile(cpu_spent[True], 50), percentile(cpu_spent[False], 50)
        print(
            f"{kind:10s} command CPU median {off_cpu * 1000:6.2f} ms without the read model, {on_cpu * 1000:6.2f} ms "
            f"with it (+{(on_cpu / off_cpu - 1) * 100:4.1f} %; this process only)"
        )
        per = {k: sum(v) / len(v) for k, v in statements.items()}
        print(
            f"{kind:10s} statements per command: {per[False]:5.2f} without the read model, {per[True]:5.2f} with it "
            f"(+{per[True] - per[False]:4.2f}; clock {'moving' if moving else 'fixed'})"
        )
        write = sum(inside) / len(timings[True])
        print(
            f"{kind:10s} the read-model writes themselves: {write * 1000:5.2f} ms per command on average, "
            f"{write / on * 100:4.1f} % of the median command"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write-only", action="store_true")
    parser.add_argument("--moving-clock", action="store_true", help="a minute between commands")
    args = parser.parse_args()
    for kind in ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]:
        write_side(kind, args.commands, moving=args.moving_clock)
        if not args.write_only:
            read_side(kind, [int(x) for x in args.sizes.split(",")])


if __name__ == "__main__":
    main()
