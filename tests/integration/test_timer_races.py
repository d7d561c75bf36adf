"""A person's command racing a due timer, both ways, for a non-interrupting reminder and an
interrupting deadline: the outcome is what BPMN says, and the timer rows and the events agree.

The rule (docs/timers.md): before a command acts on a case, the timers already due at its instant
fire. A reminder due before the answer is created even when the answer comes before the scheduler
got to it; a deadline due before the answer wins and the answer is refused. A timer the engine did
not fire is never recorded as fired: one whose scope ended first is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from engine import Actor, CaseStatus, Engine, errors
from engine.adapters import tables
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures import clock_diagrams as d

AS = Actor("anna", frozenset({"assistente_sociale"}))
COORD = Actor("carla", frozenset({"coordinatore"}))
OK = {"conferma": True}
AUDITOR = Actor("aldo", frozenset({"auditor"}))


def timer_rows(engine: Engine, case_id: int) -> list[tuple[int, str, str]]:
    t = tables.case_timer.c
    with engine.db.connect() as conn:
        rows = conn.execute(select(t.id, t.bpmn_id, t.status).where(t.case_id == case_id).order_by(t.id))
        return [(r.id, r.bpmn_id, r.status) for r in rows]


def assert_rows_agree_with_events(engine: Engine, case_id: int) -> list[str]:
    """Every fired row has exactly one TIMER_FIRED event naming it, and no event names another row."""
    fired_rows = sorted(r[0] for r in timer_rows(engine, case_id) if r[2] == "fired")
    events = [e for e in engine.cases.history(case_id, actor=CLI_OPERATOR) if e.kind == "timer_fired"]
    assert sorted(int(e.data["timer_id"]) for e in events) == fired_rows
    assert engine.audit.replay(case_id, actor=AUDITOR).faithful
    return [e.kind for e in engine.cases.history(case_id, actor=CLI_OPERATOR)]


def open_names(engine: Engine, case_id: int) -> list[str]:
    return sorted(t.name for t in engine.cases.get(case_id, actor=CLI_OPERATOR).open_tasks)


@pytest.fixture
def reminder(engine: Engine, deploy: Callable[..., None]) -> int:
    deploy(("sollecito.bpmn", d.escalation('"P5D"')))
    return engine.cases.start("sollecito", {}, actor=COORD).id


@pytest.fixture
def deadline(engine: Engine, deploy: Callable[..., None]) -> int:
    deploy(("attesa_documenti.bpmn", d.missing_documents('"P30D"')))
    return engine.cases.start("attesa_documenti", {}, actor=AS).id


def test_an_answer_before_the_reminder_is_due_cancels_it(engine: Engine, clock: FixedClock, reminder: int) -> None:
    clock.advance(days=3)
    case = engine.tasks.complete(engine.cases.get(reminder, actor=CLI_OPERATOR).open_tasks[0].id, dict(OK), actor=AS)

    assert case.status is CaseStatus.COMPLETED
    assert [r[2] for r in timer_rows(engine, reminder)] == ["cancelled"]
    clock.advance(days=10)
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
    assert "timer_fired" not in assert_rows_agree_with_events(engine, reminder)


@pytest.mark.parametrize("scheduler_first", [False, True], ids=["answer-first", "scheduler-first"])
def test_a_reminder_due_before_the_answer_is_created_whoever_comes_first(
    engine: Engine, clock: FixedClock, reminder: int, scheduler_first: bool
) -> None:
    work = engine.cases.get(reminder, actor=CLI_OPERATOR).open_tasks[0]
    clock.advance(days=6)  # the reminder fell due a day ago
    if scheduler_first:
        assert engine.timers.fire_due(actor=SCHEDULER) == 1

    case = engine.tasks.complete(work.id, dict(OK), actor=AS)

    assert open_names(engine, reminder) == ["Sollecito analisi in ritardo"]
    assert case.status is CaseStatus.RUNNING
    assert [r[2] for r in timer_rows(engine, reminder)] == ["fired"]
    kinds = assert_rows_agree_with_events(engine, reminder)
    assert kinds.count("timer_fired") == 1 and kinds.count("task_completed") == 1


def test_an_answer_before_the_deadline_cancels_it(engine: Engine, clock: FixedClock, deadline: int) -> None:
    clock.advance(days=10)
    engine.tasks.complete(engine.cases.get(deadline, actor=CLI_OPERATOR).open_tasks[0].id, dict(OK), actor=AS)

    assert open_names(engine, deadline) == ["Verifica documenti"]
    assert [r[2] for r in timer_rows(engine, deadline)] == ["cancelled"]
    clock.advance(days=30)
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
    assert "timer_fired" not in assert_rows_agree_with_events(engine, deadline)


@pytest.mark.parametrize("scheduler_first", [False, True], ids=["answer-first", "scheduler-first"])
def test_a_deadline_due_before_the_answer_wins_whoever_comes_first(
    engine: Engine, clock: FixedClock, deadline: int, scheduler_first: bool
) -> None:
    wait = engine.cases.get(deadline, actor=CLI_OPERATOR).open_tasks[0]
    clock.advance(days=31)
    if scheduler_first:
        assert engine.timers.fire_due(actor=SCHEDULER) == 1

    with pytest.raises(errors.TaskNotReady) as refused:  # a Conflict: 409
        engine.tasks.complete(wait.id, dict(OK), actor=AS)

    assert isinstance(refused.value, errors.DeadlinePassed) != scheduler_first
    assert open_names(engine, deadline) == ["Archiviazione"]
    assert [r[2] for r in timer_rows(engine, deadline)] == ["fired"]
    kinds = assert_rows_agree_with_events(engine, deadline)
    assert kinds.count("timer_fired") == 1 and "task_completed" not in kinds
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
