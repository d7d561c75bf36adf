"""Engine throughput: cases of a 20-user-task diagram through the case service (SQLite file, and
PostgreSQL when reachable) against the same cases in raw in-memory SpiffWorkflow, in one run;
and multi-instance linearity (one case with 20 vs 300 parallel items, through the service).

    .venv/bin/python -m benchmarks.engine_throughput [--cases 200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def raw_cases(n: int) -> float:
    """n cases start → 20 tasks → end in memory; same specs, sandbox and form data as the service."""
    specs = Library([SourceFile("bench20.bpmn", DIAGRAM)]).specs("bench20")
    runner = Runner(build_script_engine(lambda: dt.datetime.now(dt.UTC)))

    def run() -> None:
        for _ in range(n):
            wf = runner.start(specs, {"n": 1})
            while ready := wf.get_tasks(state=TaskState.READY, manual=True):
                runner.complete(wf, str(ready[0].id), dict(ANSWER))
            assert wf.is_completed()

    return timed(run)


@contextmanager
def commits_and_statements(engine: Engine) -> Iterator[list[float]]:
    """``[seconds waited in COMMIT, statements sent]`` while the block runs. On PostgreSQL a
    commit waits for the WAL's flush to disk (``synchronous_commit=on``): that wait is the disk's,
    not the engine's, and moves with the machine's disk load from one run to the next."""
    found = [0.0, 0.0]
    dialect = engine.db.dialect
    plain = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        start = time.perf_counter()
        plain(dbapi_connection)
        found[0] += time.perf_counter() - start

    def counted(*_args: Any) -> None:
        found[1] += 1

    dialect.do_commit = timed_commit  # type: ignore[method-assign]
    event.listen(engine.db, "before_cursor_execute", counted)
    try:
        yield found
    finally:
        event.remove(engine.db, "before_cursor_execute", counted)
        del dialect.do_commit  # the class's own again


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
    raw = raw_cases(n)
    print(f"raw in-memory SpiffWorkflow : {n / raw:8.1f} cases/s ({raw / n * 1000:.2f} ms/case, 21 steps each)")
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
                with commits_and_statements(engine) as found:
                    persisted = service_cases(engine, n)
                waited, sent = found
                print(
                    f"case service on {kind:10s} : {n / persisted:8.1f} cases/s ({persisted / n * 1000:.2f} ms/case)"
                    f"  ratio to raw = {persisted / raw:.2f}x; {sent / n:.0f} statements and"
                    f" {waited / n * 1000:.2f} ms waiting for COMMIT per case"
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
