"""Claims under concurrency: several users, several engine instances (as several server processes
are), one database. Of four users claiming one task at once exactly one gets it; a claim and a
completion racing never both succeed; a claim after the completion is refused; claiming again
changes nothing and logs nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Actor, Engine, Settings, build_engine, errors
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.conftest import ROOT
from tests.fixtures.diagrams import linear

WORKERS = [Actor(f"as{i}", frozenset({"assistente_sociale"})) for i in range(4)]
OK = {"conferma": True}
# Cases are started by a coordinator: no case manager yet, so every social worker is offered the task.
INTAKE = Actor("coord", frozenset({"coordinatore"}))


@pytest.fixture
def engines(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Callable[[int], list[Engine]]]:
    """Separate engine instances on the test database: own connections, own caches."""
    made: list[Engine] = []

    def make(n: int) -> list[Engine]:
        settings = Settings(database_url=db_url, processes_dir=ROOT / "processes", instance_dir=tmp_path / "i")
        made.extend(build_engine(settings, clock=clock) for _ in range(n))
        return made[-n:]

    yield make
    for eng in made:
        eng.close()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once on their own threads; each result is a value or the error raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except errors.EngineError as err:
            results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def start(engine: Engine, deploy: Callable[..., None]) -> str:
    deploy(("due_passi.bpmn", linear("due_passi", 2)))
    case = engine.cases.start("due_passi", {}, actor=INTAKE)
    return case.open_tasks[0].id


def kinds(engine: Engine, case_id: int) -> list[str]:
    return [e.kind for e in engine.cases.history(case_id, actor=CLI_OPERATOR)]


def test_of_four_users_claiming_one_task_at_once_exactly_one_gets_it(
    engine: Engine, deploy: Callable[..., None], engines: Callable[[int], list[Engine]]
) -> None:
    deploy(("due_passi.bpmn", linear("due_passi", 2)))
    pool = engines(4)
    for _ in range(10):
        case = engine.cases.start("due_passi", {}, actor=INTAKE)
        task_id = case.open_tasks[0].id
        results = race(
            *(lambda e=e, a=a, t=task_id: e.tasks.claim(t, actor=a) for e, a in zip(pool, WORKERS, strict=True))
        )

        winners = [r for r in results if not isinstance(r, errors.EngineError)]
        assert len(winners) == 1, results
        assert all(isinstance(r, errors.Conflict) for r in results if r not in winners)
        assert engine.tasks.get(task_id, actor=WORKERS[0]).assignee == winners[0].assignee
        assert kinds(engine, case.id).count("task_claimed") == 1


def test_a_claim_racing_a_completion_never_both_succeed(
    engine: Engine, deploy: Callable[..., None], engines: Callable[[int], list[Engine]]
) -> None:
    deploy(("due_passi.bpmn", linear("due_passi", 2)))
    first, second = engines(2)
    for _ in range(10):
        case = engine.cases.start("due_passi", {}, actor=INTAKE)
        task_id = case.open_tasks[0].id
        done, claimed = race(
            lambda t=task_id: first.tasks.complete(t, dict(OK), actor=WORKERS[0]),
            lambda t=task_id: second.tasks.claim(t, actor=WORKERS[1]),
        )

        assert isinstance(done, errors.EngineError) != isinstance(claimed, errors.EngineError), (done, claimed)
        history = kinds(engine, case.id)
        if "task_completed" in history:
            assert "task_claimed" not in history[history.index("task_completed") :]
        if not isinstance(claimed, errors.EngineError):
            assert isinstance(done, errors.Forbidden | errors.Conflict)  # claimed by someone else first


def test_a_claim_after_the_completion_is_refused_as_a_conflict(engine: Engine, deploy: Callable[..., None]) -> None:
    task_id = start(engine, deploy)
    case = engine.tasks.complete(task_id, dict(OK), actor=WORKERS[0])

    with pytest.raises(errors.TaskNotReady):
        engine.tasks.claim(task_id, actor=WORKERS[1])
    assert "task_claimed" not in kinds(engine, case.id)


def test_claiming_again_changes_nothing_and_logs_nothing(engine: Engine, deploy: Callable[..., None]) -> None:
    task_id = start(engine, deploy)
    case_id = engine.tasks.get(task_id, actor=WORKERS[0]).case_id
    version = engine.cases.get(case_id, actor=CLI_OPERATOR).version

    for _ in range(3):
        assert engine.tasks.claim(task_id, actor=WORKERS[0]).assignee == WORKERS[0].username

    assert kinds(engine, case_id).count("task_claimed") == 1
    assert engine.cases.get(case_id, actor=CLI_OPERATOR).version == version + 1
    with pytest.raises(errors.TaskTaken):
        engine.tasks.claim(task_id, actor=WORKERS[1])
