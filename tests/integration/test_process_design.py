"""Process designers: drafts validated in the library, refusal of dangerous input, versions and
their diff, dry runs, export, and migration of running cases (one, refused, bulk) with audit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine import Actor, CaseStatus, Engine, errors
from engine.bpmn.loader import MAX_FILE_BYTES
from engine.model import MigrationBlock
from engine.policy import CLI_OPERATOR
from tests.conftest import DESIGNER
from tests.fixtures.diagrams import linear

AS = Actor("anna", frozenset({"assistente_sociale"}))
AUDITOR = Actor("aldo", frozenset({"auditor"}))
LANES = ("assistente_sociale",)


def test_new_process_from_template_is_valid_and_deploys(engine: Engine) -> None:
    draft = engine.design.new_draft("nuovo_percorso", "Nuovo percorso", actor=DESIGNER)
    assert draft.problems == () and draft.file_name == "nuovo_percorso.bpmn"

    [(version, new)] = engine.design.deploy_draft(draft.id, actor=DESIGNER, note="primo rilascio")

    assert (version.process_id, version.version, new) == ("nuovo_percorso", 1, True)
    case = engine.cases.start("nuovo_percorso", {}, actor=Actor("c", frozenset({"coordinatore"})))
    assert [t.name for t in case.open_tasks] == ["Prima attività"]


def test_draft_with_problems_is_saved_with_located_problems_but_not_deployed(engine: Engine) -> None:
    broken = linear("p", 2, LANES).replace(b'value="generico_conferma"', b'value="modulo_mancante"', 1)
    draft = engine.design.save_draft("p.bpmn", broken, actor=DESIGNER)

    [problem] = draft.problems
    assert (problem.element, problem.file) == ("Task_1", "p.bpmn") and "modulo_mancante" in problem.message
    with pytest.raises(errors.DraftHasProblems):
        engine.design.deploy_draft(draft.id, actor=DESIGNER)
    assert engine.design.processes(actor=CLI_OPERATOR) == []

    fixed = engine.design.save_draft("p.bpmn", linear("p", 2, LANES), actor=DESIGNER, draft_id=draft.id)
    assert fixed.problems == ()
    assert [v.version for v, _ in engine.design.deploy_draft(draft.id, actor=DESIGNER)] == [1]


def test_draft_is_validated_against_the_rest_of_the_library(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    caller = linear("chiamante", 1, LANES).replace(
        b'<bpmn:endEvent id="EndEvent_1"/>',
        b'<bpmn:callActivity id="Call_x" calledElement="inesistente"/><bpmn:endEvent id="EndEvent_1"/>',
    )
    draft = engine.design.save_draft("chiamante.bpmn", caller, actor=DESIGNER)
    assert any(p.element == "Call_x" for p in draft.problems)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><b>&b;</b>', "DOCTYPE"),
        (b"<" + b"x" * (50 * 1024 * 1024) + b"/>", "larger than"),
        (linear("p", 1, LANES, script="import os\nos.system('id')"), "import is not allowed"),
        (linear("p", 1, LANES, script="x = ().__class__.__base__.__subclasses__()"), "__class__"),
    ],
    ids=["xml-bomb", "50MB", "import", "dunder-escape"],
)
def test_malicious_drafts_are_refused_and_never_stored(engine: Engine, content: bytes, expected: str) -> None:
    with pytest.raises(errors.InvalidProcess) as exc:
        engine.design.save_draft("p.bpmn", content, actor=DESIGNER)
    assert expected in str(exc.value.problems[0] if exc.value.problems else exc.value.message)
    assert engine.design.drafts(actor=DESIGNER) == []
    assert len(content) < MAX_FILE_BYTES or expected == "larger than"


def test_only_designers_edit(engine: Engine) -> None:
    for actor in (AS, AUDITOR):
        with pytest.raises(errors.Forbidden):
            engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=actor)


def test_version_history_and_diff(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 3, LANES)))
    v2 = linear("p", 2, LANES, script="nuovo = 1").replace(b'name="Passo 1"', b'name="Primo passo"')
    deploy(("p.bpmn", v2))

    assert [v.version for v in engine.design.versions("p", actor=CLI_OPERATOR)] == [1, 2]
    diff = engine.design.diff("p", 1, 2, actor=CLI_OPERATOR).as_dict()["processes"]["p"]
    assert "Script_1" in diff["added"] and "Task_3" in diff["removed"]
    assert {"id": "Task_1", "aspects": ["attributes"]} in diff["changed"]
    with pytest.raises(errors.NotFound):
        engine.design.diff("p", 1, 9, actor=CLI_OPERATOR)


def test_dry_run_shows_the_path_without_touching_real_cases(engine: Engine, deploy: Callable[..., None]) -> None:
    branching = (Path(__file__).parent.parent / "fixtures" / "branching.bpmn").read_bytes()
    draft = engine.design.save_draft("branching.bpmn", branching, actor=DESIGNER)

    result = engine.design.dry_run(
        draft.id,
        "branching",
        {"partner": ["Comune"]},
        {
            "Task_intake": {"conferma": True, "note": "situazione complessa"},
            "Task_deep": {"conferma": True},
            "Task_partners": {"conferma": True},
        },
        actor=DESIGNER,
    )

    assert result.completed and result.error is None
    assert [step["element"] for step in result.path if step["type"] == "UserTask"] == [
        "Task_intake",
        "Task_deep",
        "Task_partners",
    ]
    assert result.data["punteggio"] == 30
    assert engine.cases.list(actor=CLI_OPERATOR) == [] and engine.design.processes(actor=CLI_OPERATOR) == []

    stopped = engine.design.dry_run(draft.id, "branching", {"partner": []}, {}, actor=DESIGNER)
    assert stopped.stopped_at[0]["element"] == "Task_intake" and not stopped.completed


def test_export_writes_the_library_to_disk(engine: Engine, deploy: Callable[..., None], tmp_path: Path) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)), ("q.bpmn", linear("q", 2, LANES)))
    assert engine.design.export(tmp_path / "out", actor=CLI_OPERATOR) == ["p.bpmn", "q.bpmn"]
    assert (tmp_path / "out" / "q.bpmn").read_bytes() == linear("q", 2, LANES)


def test_migration_dry_run_then_migration_with_audit_and_replay(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 3, LANES)))
    case = engine.cases.start("p", {}, actor=AS)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AS)
    deploy(("p.bpmn", linear("p", 2, LANES, script="versione = 2")))  # v2: Task_3 removed, a script added

    dry = engine.cases.migrate(case.id, 2, actor=DESIGNER, dry_run=True)
    assert dry.can_migrate and not dry.migrated and dry.active == ["Task_2"]
    assert "Task_3" in dry.removed + dry.changed  # SpiffWorkflow may align it with the new script
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).process_version == 1

    done = engine.cases.migrate(case.id, 2, actor=DESIGNER, reason="nuova procedura regionale")
    assert done.migrated and engine.cases.get(case.id, actor=CLI_OPERATOR).process_version == 2
    case = engine.tasks.complete(
        engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks[0].id, {"conferma": True}, actor=AS
    )
    assert case.status is CaseStatus.COMPLETED and case.data["versione"] == 2
    migrated = [e for e in engine.cases.history(case.id, actor=CLI_OPERATOR) if e.kind == "migrated"]
    assert migrated[0].data["reason"] == "nuova procedura regionale" and migrated[0].actor == DESIGNER.username
    assert engine.audit.replay(case.id, actor=AUDITOR).faithful


def test_migration_is_refused_with_reason_and_leaves_the_case_untouched(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 3, LANES)))
    case = engine.cases.start("p", {}, actor=AS)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AS)  # now at Task_2
    deploy(("p.bpmn", linear("p", 1, LANES)))  # v2: only Task_1 is left

    refused = engine.cases.migrate(case.id, 2, actor=DESIGNER, reason="prova")
    assert not refused.can_migrate and not refused.migrated
    assert [(r.code, r.params["element_name"]) for r in refused.reasons] == [(MigrationBlock.AT_REMOVED, "Passo 2")]
    after = engine.cases.get(case.id, actor=CLI_OPERATOR)
    assert (after.process_version, after.version) == (1, case.version)
    assert [e.kind for e in engine.cases.history(case.id, actor=CLI_OPERATOR)].count("migrated") == 0

    mapped = engine.cases.migrate(
        case.id, 2, actor=DESIGNER, reason="mappatura", mapping={"Task_2": "Task_1", "Task_3": "Task_1"}
    )
    assert mapped.migrated, mapped.reasons


def test_bulk_migration_reports_partial_failures(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 3, LANES)))
    early = engine.cases.start("p", {}, actor=AS)  # at Task_1
    late = engine.cases.start("p", {}, actor=AS)
    for _ in range(2):
        late = engine.tasks.complete(late.open_tasks[0].id, {"conferma": True}, actor=AS)  # at Task_3
    deploy(("p.bpmn", linear("p", 2, LANES)))  # v2 removes Task_3

    dry = engine.cases.migrate_process("p", 2, actor=DESIGNER, dry_run=True)
    assert {(r.case_id, r.can_migrate) for r in dry} == {(early.id, True), (late.id, False)}
    results = engine.cases.migrate_process("p", 2, actor=DESIGNER, reason="aggiornamento")

    assert {(r.case_id, r.migrated) for r in results} == {(early.id, True), (late.id, False)}
    assert (
        engine.cases.get(early.id, actor=CLI_OPERATOR).process_version == 2
        and engine.cases.get(late.id, actor=CLI_OPERATOR).process_version == 1
    )
    assert engine.audit.verify(actor=CLI_OPERATOR).ok
    with pytest.raises(errors.Forbidden):
        engine.cases.migrate_process("p", 2, actor=AS)


def test_a_renamed_active_element_needs_a_mapping_and_the_inbox_follows_it(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 2, LANES)))
    case = engine.cases.start("p", {}, actor=AS)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AS)  # at Task_2
    renamed = linear("p", 2, LANES).replace(b"Task_2", b"Task_3").replace(b"Passo 2", b"Passo rinominato")
    deploy(("p.bpmn", renamed))

    refused = engine.cases.migrate(case.id, 2, actor=DESIGNER, dry_run=True)
    assert not refused.can_migrate and any("Task_2" in r.message for r in refused.reasons)

    engine.cases.migrate(case.id, 2, actor=DESIGNER, reason="nuovo nome", mapping={"Task_2": "Task_3"})
    [task] = engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks
    assert (task.bpmn_id, task.name) == ("Task_3", "Passo rinominato")
    assert engine.tasks.complete(task.id, {"conferma": True}, actor=AS).status is CaseStatus.COMPLETED
    assert engine.audit.replay(case.id, actor=AUDITOR).faithful


def test_diff_ignores_restated_defaults(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    deploy(
        (
            "p.bpmn",
            linear("p", 1, LANES).replace(
                b'<bpmn:userTask id="Task_1"', b'<bpmn:userTask id="Task_1" startQuantity="1"'
            ),
        )
    )
    assert engine.design.diff("p", 1, 2, actor=CLI_OPERATOR).as_dict()["processes"] == {}
