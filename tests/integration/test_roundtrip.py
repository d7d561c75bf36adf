"""Saving and reloading a case at every step gives exactly what an uninterrupted in-memory run gives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from engine import Actor, CaseStatus, Engine
from engine.bpmn.loader import Library, SourceFile
from tests.fixtures.diagrams import linear
from tests.support.teams import act_for_every_organisation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ANSWERS: dict[str, dict[str, Any]] = {
    "Task_intake": {"conferma": True, "note": "situazione complessa"},
    "Task_deep": {"conferma": True, "note": "approfondito"},
    "Task_partners": {"conferma": True, "note": "favorevole"},
}


def _in_memory_steps(engine: Engine, source: SourceFile, pid: str, start: dict[str, Any]) -> list[Any]:
    specs = Library([source]).specs(pid)
    wf = engine._ctx.runner.start(specs, dict(start))
    steps = []
    while True:
        ready = sorted(
            wf.get_tasks(state=TaskState.READY, manual=True),
            key=lambda t: (t.task_spec.bpmn_id, str(t.data.get("ente"))),
        )
        # deep copy: in memory, nested data is shared between task snapshots (docs/spiffworkflow.md §10)
        steps.append(([t.task_spec.bpmn_id for t in ready], copy.deepcopy(engine._ctx.runner.data(wf))))
        if not ready:
            return steps
        task = ready[0]
        engine._ctx.runner.complete(
            wf, str(task.id), ANSWERS.get(task.task_spec.bpmn_id, {"conferma": True, "note": ""})
        )


@pytest.mark.parametrize(
    ("name", "pid", "start"),
    [
        ("branching.bpmn", "branching", {"partner": ["Comune", "ASL"]}),
        ("lin.bpmn", "lin", {"n": 1}),
    ],
)
def test_persisted_run_equals_in_memory_run_at_every_step(
    engine: Engine, deploy: Callable[..., None], name: str, pid: str, start: dict[str, Any]
) -> None:
    content = (
        (FIXTURES / name).read_bytes()
        if name == "branching.bpmn"
        else linear("lin", 5, ("assistente_sociale",), script="somma = n + 1", start_data="n")
    )
    source = SourceFile(name, content)
    deploy((name, content))
    everyone = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner", "coordinatore"}))
    expected = _in_memory_steps(engine, source, pid, start)

    case = engine.cases.start(pid, start, actor=everyone)
    act_for_every_organisation(engine, case.id, everyone)
    case = engine.cases.get(case.id, actor=everyone)
    observed = []
    while True:
        ready = sorted(case.open_tasks, key=lambda t: (t.bpmn_id, str(t.context.get("item"))))
        observed.append(([t.bpmn_id for t in ready], case.data))
        if not ready:
            break
        case = engine.tasks.complete(
            ready[0].id, ANSWERS.get(ready[0].bpmn_id, {"conferma": True, "note": ""}), actor=everyone
        )

    assert case.status is CaseStatus.COMPLETED
    assert observed == expected
    assert len(observed) >= 4


def test_branching_takes_the_complex_path_and_computes_script_values(
    engine: Engine, deploy: Callable[..., None], clock: Any
) -> None:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))
    everyone = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner"}))
    case = engine.cases.start("branching", {"partner": []}, actor=everyone)
    [intake] = case.open_tasks
    assert intake.due_at == clock.now().replace(microsecond=0) + __import__("datetime").timedelta(days=10)

    case = engine.tasks.complete(intake.id, ANSWERS["Task_intake"], actor=everyone)

    assert [t.bpmn_id for t in case.open_tasks] == ["Task_deep"]
    assert case.data["punteggio"] == 30
    assert case.data["scadenza"] == "2026-02-04"
