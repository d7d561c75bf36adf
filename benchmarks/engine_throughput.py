"""Engine throughput: cases of a 20-user-task diagram through the case service (SQLite file, and
PostgreSQL when reachable) against the same cases in raw in-memory SpiffWorkflow, in one run;
and multi-instance linearity (one case with 20 vs 300 parallel items, through the service).
Beside each database's figure: the statements per case, the time spent in the database driver
itself (its floor: what no change to the engine's Python can remove) and the process CPU.

    .venv/bin/python -m benchmarks.engine_throughput [--cases 200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event

from benchmarks.common import EVERYONE, deploy, fresh_engine, median_of, timed
from engine import Engine
from engine.bpmn.loader import Library, SourceFile
from engine.bpmn.runner import Runner
from engine.bpmn.scripting import build_script_engine
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import linear, multi_instance

LANES = ("assistente_sociale", "operatore_cpi", "tutor_aziendale", "equipe_multidisciplinare")
DIAGRAM = linear("bench20", 20, LANES, script="fatto = True")
ANSWER = {"conferma": True, "note": "ok"}


def stock_cases(n: int) -> float:
    """n cases start → 20 tasks → end in stock SpiffWorkflow in memory (its own calls: the
    workflow, ``do_engine_steps`` and ``run``, none of the runner's shortcuts): raw SpiffWorkflow
    itself, the targets' denominator; same specs, sandbox and form data as the service."""
    specs = Library([SourceFile("bench20.bpmn", DIAGRAM)]).specs("bench20")
    script_engine = build_script_engine(lambda: dt.datetime.now(dt.UTC))

    def run() -> None:
        for _ in range(n):
            wf = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
            wf.get_next_task(spec_name="Start").data.update({"n": 1})
            wf.do_engine_steps()
            while ready := wf.get_tasks(state=TaskState.READY, manual=True):
                ready[0].set_data(**ANSWER)
                ready[0].run()
                wf.do_engine_steps()
            assert wf.is_completed()

    return timed(run)


def raw_cases(n: int) -> float:
    """n cases start → 20 tasks → end in memory through the engine's runner (its shortcuts: no
    engine steps when nothing is ready, no walk for waiting tasks when none waits), no database;
    same specs, sandbox and form data as the service."""
    specs = Library([SourceFile("bench20.bpmn", DIAGRAM)]).specs("bench20")
    runner = Runner(build_script_engine(lambda: dt.datetime.now(dt.UTC)))

    def run() -> None:
        for _ in range(n):
            wf = runner.start(specs, {"n": 1})
            while ready := wf.get_tasks(state=TaskState.READY, manual=True):
                runner.complete(wf, str(ready[0].id), dict(ANSWER))
            assert wf.is_completed()

    return timed(run)


@dataclass
class DriverTime:
    """What a block of commands spent in the database driver itself.

    ``driver``: seconds inside the DBAPI's own calls (the cursor's execute/executemany, commit,
    rollback): the driver's C code and, on PostgreSQL, the round trips' waits on the server.
    That is the floor no change to the engine's Python can remove while it sends these
    statements; everything above it is SQLAlchemy, the engine and SpiffWorkflow. Reading the
    rows of a result is not in it (SQLite steps a query's further rows at fetch; the engine's
    results are a few rows). ``commit``: the part of it spent in ``COMMIT`` (on PostgreSQL, the
    WAL's flush to disk with ``synchronous_commit=on``: the disk's, moving with the machine's
    disk load from one run to the next). ``statements``: statements sent.
    """

    driver: float = 0.0
    commit: float = 0.0
    statements: int = 0


@contextmanager
def driver_time(engine: Engine) -> Iterator[DriverTime]:
    """Time the dialect's calls into the DBAPI while the block runs (instance attributes shadow
    the dialect's methods, which SQLAlchemy looks up at every call; removed at the end)."""
    found = DriverTime()
    dialect = engine.db.dialect
    clock = time.perf_counter

    def timing(name: str, commit: bool = False) -> Callable[..., Any]:
        plain = getattr(dialect, name)

        def timed_call(*args: Any) -> Any:
            start = clock()
            try:
                return plain(*args)
            finally:
                spent = clock() - start
                found.driver += spent
                if commit:
                    found.commit += spent

        return timed_call

    def counted(*_args: Any) -> None:
        found.statements += 1

    names = ("do_execute", "do_execute_no_params", "do_executemany", "do_rollback")
    for name in names:
        setattr(dialect, name, timing(name))
    dialect.do_commit = timing("do_commit", commit=True)  # type: ignore[method-assign]
    event.listen(engine.db, "before_cursor_execute", counted)
    try:
        yield found
    finally:
        event.remove(engine.db, "before_cursor_execute", counted)
        for name in (*names, "do_commit"):
            delattr(dialect, name)  # the class's own again


def service_cases(engine: Engine, n: int) -> float:
    def run() -> None:
        for _ in range(n):
            # the console acts for every lane: the benchmark measures the engine, not the routing
            case = engine.cases.start("bench20", {"n": 1}, actor=CLI_OPERATOR)
            while case.open_tasks:
                case = engine.tasks.complete(case.open_tasks[0].id, dict(ANSWER), actor=CLI_OPERATOR)
            assert case.status.value == "completed"

    return timed(run)


def multi_instance_case(engine: Engine, items: int) -> float:
    def run() -> None:
        case = engine.cases.start("mi", {"items": [f"ente {i}" for i in range(items)]}, actor=EVERYONE)
        # the partners' answers: no partner organisation is in the case's team, so the console answers
        for task in engine.tasks.list(case_id=case.id, limit=items, actor=CLI_OPERATOR):
            case = engine.tasks.complete(task.id, dict(ANSWER), actor=CLI_OPERATOR)
        assert case.status.value == "completed" and len(case.data["answers"]) == items

    return timed(run)


def raw_multi_instance(items: int) -> float:
    """The same multi-instance case in raw in-memory SpiffWorkflow (its own calls, none of the
    runner's shortcuts), for the side-by-side ratio."""
    specs = Library([SourceFile("mi.bpmn", multi_instance("mi"))]).specs("mi")
    script_engine = build_script_engine(lambda: dt.datetime.now(dt.UTC))

    def run() -> None:
        wf = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
        wf.get_next_task(spec_name="Start").data.update({"items": [f"ente {i}" for i in range(items)]})
        wf.do_engine_steps()
        for task in wf.get_tasks(state=TaskState.READY, manual=True):
            task.set_data(answer=dict(ANSWER), **ANSWER)  # the output item, as the runner sets it
            task.run()
            wf.do_engine_steps()
        assert wf.is_completed()

    return timed(run)


def runner_multi_instance(items: int) -> float:
    """The same case through the engine's runner in memory (its shortcuts, no database)."""
    specs = Library([SourceFile("mi.bpmn", multi_instance("mi"))]).specs("mi")
    runner = Runner(build_script_engine(lambda: dt.datetime.now(dt.UTC)))

    def run() -> None:
        wf = runner.start(specs, {"items": [f"ente {i}" for i in range(items)]})
        for task in wf.get_tasks(state=TaskState.READY, manual=True):
            runner.complete(wf, str(task.id), dict(ANSWER))
        assert wf.is_completed()

    return timed(run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    n = args.cases

    raw_cases(5)  # warm-up (imports, caches)
    stock_cases(5)
    cpu = time.process_time()
    raw = raw_cases(n)
    raw_cpu = time.process_time() - cpu
    stock = stock_cases(n)
    print(
        f"stock SpiffWorkflow in mem : {n / stock:8.1f} cases/s ({stock / n * 1000:.2f} ms/case, 21 steps each)"
        " = raw SpiffWorkflow itself, the targets' denominator"
    )
    print(
        f"engine's runner in memory  : {n / raw:8.1f} cases/s ({raw / n * 1000:.2f} ms/case, 21 steps each;"
        f" process CPU {raw_cpu / n * 1000:.2f} ms/case) = {stock / raw:.2f}x faster than stock;"
        " the ratios below are to it (the stricter denominator) and to stock"
    )
    r20 = median_of(3, lambda: raw_multi_instance(20))
    r300 = median_of(3, lambda: raw_multi_instance(300))
    print(
        f"multi-instance raw in memory: 20 items {r20 * 1000:.0f} ms, 300 items {r300 * 1000:.0f} ms"
        f"  ratio = {r300 / r20:.1f}x (linear = 15x)"
    )
    m20 = median_of(3, lambda: runner_multi_instance(20))
    m300 = median_of(3, lambda: runner_multi_instance(300))
    print(
        f"multi-instance runner in mem: 20 items {m20 * 1000:.0f} ms, 300 items {m300 * 1000:.0f} ms"
        f"  ratio = {m300 / m20:.1f}x"
    )
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    for kind in kinds:
        try:
            with fresh_engine(kind) as engine:
                deploy(engine, ("bench20.bpmn", DIAGRAM), ("mi.bpmn", multi_instance("mi")))
                service_cases(engine, 5)
                cpu = time.process_time()
                with driver_time(engine) as found:
                    persisted = service_cases(engine, n)
                cpu = time.process_time() - cpu
                print(
                    f"case service on {kind:10s} : {n / persisted:8.1f} cases/s ({persisted / n * 1000:.2f} ms/case)"
                    f"  ratio to the runner = {persisted / raw:.2f}x, to stock SpiffWorkflow = {persisted / stock:.2f}x;"
                    f" {found.statements / n:.0f} statements and"
                    f" {found.commit / n * 1000:.2f} ms waiting for COMMIT per case"
                )
                print(
                    f"  driver floor on {kind:10s}: {found.driver / n * 1000:.2f} ms/case in the DBAPI driver"
                    f" (execute, commit) = {found.driver / raw:.2f}x the runner; the rest,"
                    f" {(persisted - found.driver) / n * 1000:.2f} ms/case = {(persisted - found.driver) / raw:.2f}x the runner,"
                    " is above the driver (SQLAlchemy, the engine, SpiffWorkflow)"
                )
                print(
                    f"  process CPU on {kind:10s} : {cpu / n * 1000:.2f} ms/case = {cpu / raw_cpu:.2f}x the runner's CPU"
                    " (this process only: PostgreSQL's own work is in its backend)"
                )
                t20 = median_of(3, lambda e=engine: multi_instance_case(e, 20))
                t300 = median_of(3, lambda e=engine: multi_instance_case(e, 300))
                print(
                    f"multi-instance on {kind:10s}: 20 items {t20 * 1000:.0f} ms, 300 items {t300 * 1000:.0f} ms"
                    f"  ratio = {t300 / t20:.1f}x (linear = 15x; {t300 / t20 / (r300 / r20):.2f} of raw's own)"
                )
        except Exception as err:  # noqa: BLE001 - a missing PostgreSQL must not hide the SQLite figures
            print(f"{kind}: skipped ({type(err).__name__}: {str(err).splitlines()[0]})")


if __name__ == "__main__":
    main()
