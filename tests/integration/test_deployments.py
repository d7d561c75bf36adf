"""Deployments: versions only for changed processes; running cases keep the version they started on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Actor, CaseStatus, Engine, errors
from engine.bpmn.loader import SourceFile
from engine.policy import CLI_OPERATOR
from tests.conftest import DESIGNER
from tests.fixtures.diagrams import linear

AS = ("assistente_sociale",)


def test_redeploying_unchanged_files_creates_no_version(engine: Engine) -> None:
    files = [SourceFile("a.bpmn", linear("a", 1, AS)), SourceFile("b.bpmn", linear("b", 2, AS))]
    first = engine.design.deploy(files, actor=DESIGNER)
    again = engine.design.deploy(files, actor=DESIGNER)

    assert [(v.process_id, v.version, new) for v, new in first] == [("a", 1, True), ("b", 1, True)]
    assert [(v.process_id, v.version, new) for v, new in again] == [("a", 1, False), ("b", 1, False)]
    assert [v.files for v in engine.design.processes(actor=CLI_OPERATOR)] == [("a.bpmn",), ("b.bpmn",)]


def test_running_case_keeps_its_version_and_new_cases_take_the_new_one(
    engine: Engine, actor: Callable[..., Actor]
) -> None:
    anna = actor(*AS)
    engine.design.deploy([SourceFile("p.bpmn", linear("p", 2, AS))], actor=DESIGNER)
    old = engine.cases.start("p", {}, actor=anna)

    [(v2, new)] = engine.design.deploy(
        [SourceFile("p.bpmn", linear("p", 1, AS, script="nuova = True"))], actor=DESIGNER
    )
    fresh = engine.cases.start("p", {}, actor=anna)

    assert (v2.version, new) == (2, True)
    assert (old.process_version, fresh.process_version) == (1, 2)
    for _ in range(2):
        old = engine.tasks.complete(old.open_tasks[0].id, {"conferma": True}, actor=anna)
    fresh = engine.tasks.complete(fresh.open_tasks[0].id, {"conferma": True}, actor=anna)
    assert old.status is fresh.status is CaseStatus.COMPLETED
    assert "nuova" not in old.data and fresh.data["nuova"] is True


def test_invalid_library_is_not_deployed_at_all(engine: Engine) -> None:
    good = SourceFile("a.bpmn", linear("a", 1, AS))
    bad = SourceFile("b.bpmn", linear("b", 1, AS, script="import os"))
    with pytest.raises(errors.InvalidProcess) as exc:
        engine.design.deploy([good, bad], actor=DESIGNER)
    assert exc.value.problems[0].element == "Script_1"
    assert engine.design.processes(actor=CLI_OPERATOR) == []


def test_only_designers_deploy(engine: Engine, actor: Callable[..., Actor]) -> None:
    with pytest.raises(errors.Forbidden):
        engine.design.deploy([SourceFile("a.bpmn", linear("a", 1, AS))], actor=actor(*AS))


def test_specs_are_parsed_once_per_version(
    engine: Engine, actor: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.bpmn import loader

    engine.design.deploy([SourceFile("p.bpmn", linear("p", 3, AS))], actor=DESIGNER)
    engine._ctx.specs._specs.clear()  # as after a server restart: the process forgets what it parsed
    loader._LIBRARIES.clear()
    parsed = []
    original = loader.Library.__init__

    def counting(self: loader.Library, files: object) -> None:
        parsed.append(1)
        original(self, files)  # type: ignore[arg-type]

    monkeypatch.setattr(loader.Library, "__init__", counting)
    anna = actor(*AS)
    case = engine.cases.start("p", {}, actor=anna)
    for _ in range(3):
        case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=anna)

    assert len(parsed) == 1
