"""Names that belong to the sandbox cannot be taken by case data, and diagrams that reach for the
interpreter are refused before they are stored (so a draft that tries is not kept either)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Actor, Engine, errors
from engine.bpmn.loader import SourceFile
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import linear

WORKER = Actor("anna", frozenset({"assistente_sociale"}))
ADMIN = Actor("ada", frozenset({"amministratore", "coordinatore"}))
DESIGNER = Actor("dora", frozenset({"progettista"}))


@pytest.mark.parametrize("name", ["fn_today", "fn_qualcosa", "len", "math", "sum", "None"])
def test_start_data_may_not_use_a_helper_or_builtin_name(
    engine: Engine, deploy: Callable[..., None], name: str
) -> None:
    deploy(("calcolo.bpmn", linear("calcolo", 1, script="x = fn_today()\ny = len([1, 2])")))

    with pytest.raises(errors.InvalidData) as refused:
        engine.cases.start("calcolo", {name: "2020-01-01", "nota": "ok"}, actor=WORKER)

    assert list(refused.value.messages) == [name]
    assert "riservato" in refused.value.messages[name][0]
    assert engine.cases.list(status=None, actor=CLI_OPERATOR) == []


def test_a_case_with_ordinary_start_data_runs_its_scripts(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("calcolo.bpmn", linear("calcolo", 1, script="x = fn_today()\ny = len([1, 2])")))
    case = engine.cases.start("calcolo", {"nota": "ok"}, actor=WORKER)
    done = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=WORKER)
    assert done.data["y"] == 2


def test_a_correction_may_not_introduce_a_helper_name(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("calcolo.bpmn", linear("calcolo", 1)))
    case = engine.cases.start("calcolo", {}, actor=WORKER)
    with pytest.raises(errors.InvalidData) as refused:
        engine.audit.correct_data(case.id, {"fn_param": 1}, actor=ADMIN, reason="prova")
    assert "fn_param" in refused.value.messages


@pytest.mark.parametrize(
    "script",
    ["x = open('/etc/passwd').read()", "x = eval('1 + 1')", "x = globals()", "x = getattr(1, 'real')", "import os"],
)
def test_a_draft_reaching_for_the_interpreter_is_refused_and_not_stored(engine: Engine, script: str) -> None:
    with pytest.raises(errors.InvalidProcess) as refused:
        engine.design.save_draft("fuga.bpmn", linear("fuga", 1, script=script), actor=DESIGNER)

    assert refused.value.problems and refused.value.problems[0].element == "Script_1"
    assert engine.design.drafts(actor=DESIGNER) == []
    with pytest.raises(errors.InvalidProcess):
        engine.design.deploy([SourceFile("fuga.bpmn", linear("fuga", 1, script=script))], actor=DESIGNER)
