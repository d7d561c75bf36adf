"""Roles count only where they were granted, and personal data stays withheld wherever it sits in a
case's history (corrections, message payloads, the completed case's data), for reading and erasure."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from engine import Actor, CaseStatus, Engine, errors
from engine.adapters import tables
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from engine.services.processes import validate
from tests.fixtures import clock_diagrams as d
from tests.fixtures.diagrams import linear

COORD = Actor("carla", frozenset({"coordinatore", "assistente_sociale", "amministratore"}))
LANES = ("assistente_sociale",)


@pytest.fixture(autouse=True)
def classified(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"in_carico_dsm": "C2", "flag_ex_detenuto": "C3"})


def test_a_role_counts_only_in_the_territory_it_was_granted(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    engine.users.add("maria", "Maria", [("assistente_sociale", "T1"), ("valutatore", "")], actor=CLI_OPERATOR)
    engine.users.add(
        "paolo", "Paolo", [("assistente_sociale", "T1"), ("referente_sanitario", "T2")], actor=CLI_OPERATOR
    )
    in_t2 = engine.cases.start("p", {"territorio": "T2", "in_carico_dsm": True, "flag_ex_detenuto": True}, actor=COORD)
    maria, paolo = engine.users.get("maria", actor=CLI_OPERATOR), engine.users.get("paolo", actor=CLI_OPERATOR)

    with pytest.raises(errors.Forbidden):
        engine.tasks.complete(in_t2.open_tasks[0].id, {"conferma": True}, actor=maria)
    assert engine.tasks.list(actor=maria) == [] and engine.tasks.list(actor=paolo) == []
    with pytest.raises(errors.Forbidden):  # an evaluator reads the pseudonymised export, not cases
        engine.cases.get(in_t2.id, actor=maria)
    with pytest.raises(errors.Forbidden):  # a health referent whose ASL is not in charge of the case
        engine.cases.get(in_t2.id, actor=paolo)
    engine.registry.add_organisation("ASL_T2", "ASL T2", "servizio_sanitario", "T2", actor=COORD)
    engine.registry.add_member("ASL_T2", "paolo", actor=COORD)
    engine.teams.add(in_t2.id, "sanitario", organisation="ASL_T2", actor=COORD)
    # health referent of the ASL in charge there, not justice
    assert engine.cases.get(in_t2.id, actor=paolo).withheld == ("flag_ex_detenuto",)
    # started by a coordinator: no case manager yet, the task is the T1 social workers' intake
    in_t1 = engine.cases.start("p", {"territorio": "T1"}, actor=Actor("c", frozenset({"coordinatore"})))
    assert [t.id for t in engine.tasks.list(actor=maria)] == [in_t1.open_tasks[0].id]


def test_nested_personal_data_is_withheld_in_history_and_logged_when_shown(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    case = engine.cases.start("attesa_messaggio", {"territorio": "T1"}, actor=COORD)
    engine.audit.correct_data(case.id, {"in_carico_dsm": True}, actor=COORD, reason="certificato pervenuto")
    engine.messages.send(case.id, "documenti_pervenuti", {"flag_ex_detenuto": True}, actor=COORD)
    cpi = Actor("cpi", frozenset({"operatore_cpi"}), frozenset({"T1"}))
    engine.users.add("cpi", "Operatore CPI", [("operatore_cpi", "T1")], actor=CLI_OPERATOR)
    engine.teams.add(case.id, "cpi", username="cpi", actor=COORD)

    history = json.dumps([e.data for e in engine.cases.history(case.id, actor=cpi)])
    assert "in_carico_dsm" not in history and "flag_ex_detenuto" not in history
    assert engine.audit.access_log(case_id=case.id, actor=COORD) == []
    full = json.dumps([e.data for e in engine.cases.history(case.id, actor=COORD)])
    assert "in_carico_dsm" in full and "flag_ex_detenuto" in full
    [entry] = engine.audit.access_log(case_id=case.id, actor=COORD)
    assert set(entry.fields) == {"in_carico_dsm", "flag_ex_detenuto"}

    bundle = engine.audit.dossier_bundle(case.id, actor=Actor("aldo", frozenset({"auditor"})))
    assert "in_carico_dsm" not in json.dumps([e["data"] for e in bundle["events"]])
    from engine.audit.bundle import verify_bundle

    assert verify_bundle(bundle) == []  # masked entries keep their commitments: still verifiable


def test_erasure_removes_nested_copies_too(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    case = engine.cases.start("p", {"in_carico_dsm": "segreto"}, actor=COORD)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=COORD)
    assert case.status is CaseStatus.COMPLETED
    clock.advance(days=366 * 5)

    engine.audit.erase_personal_data(case.id, actor=COORD, reason="fine conservazione")

    assert "segreto" not in json.dumps([e.data for e in engine.cases.history(case.id, actor=CLI_OPERATOR)])
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_erasure_leaves_no_copy_in_the_stored_state_rows(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    """The workflow state is a header plus one row per task (each with its data): every stored
    copy goes, not only the header, and the case still opens afterwards."""
    deploy(("p.bpmn", linear("p", 2, LANES)))
    case = engine.cases.start("p", {"in_carico_dsm": "segreto"}, actor=COORD)
    for _ in range(2):
        case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=COORD)
    assert case.status is CaseStatus.COMPLETED
    with engine.db.connect() as conn:
        rows = conn.execute(select(tables.case_task.c.payload).where(tables.case_task.c.case_id == case.id)).all()
    assert any("segreto" in r.payload for r in rows)  # the rows do hold the value before erasure
    clock.advance(days=366 * 5)

    engine.audit.erase_personal_data(case.id, actor=COORD, reason="fine conservazione")

    with engine.db.connect() as conn:
        stored = [
            *(r.payload for r in conn.execute(select(tables.case_task.c.payload))),
            *(r.state + json.dumps(r.data) for r in conn.execute(select(tables.cases.c.state, tables.cases.c.data))),
        ]
    assert stored and not any("segreto" in text for text in stored)
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).status is CaseStatus.COMPLETED
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_a_script_leaving_a_non_data_value_fails_cleanly(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES, script="m = map(str, [1, 2])")))
    case = engine.cases.start("p", {}, actor=COORD)
    with pytest.raises(errors.ProcessFailed) as exc:
        engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=COORD)
    assert "not data" in exc.value.message
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks[0].id == case.open_tasks[0].id  # untouched


@pytest.mark.parametrize("value", ["²", "--1", "tre"])
def test_odd_numbers_in_task_properties_are_lint_problems(value: str) -> None:
    xml = linear("p", 1, LANES).replace(
        b'<spiffworkflow:property name="formKey"',
        f'<spiffworkflow:property name="dueInDays" value="{value}"/><spiffworkflow:property name="formKey"'.encode(),
    )
    [problem] = validate([SourceFile("p.bpmn", xml)])
    assert problem.element == "Task_1" and "dueInDays" in problem.message


def test_a_coordinator_of_one_territory_cannot_move_another_territorys_work(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 2, LANES)))
    engine.users.add("bob", "Bob", [("assistente_sociale", "T2")], actor=CLI_OPERATOR)
    case = engine.cases.start("p", {"territorio": "T2"}, actor=Actor("c", frozenset({"coordinatore"})))
    engine.tasks.claim(case.open_tasks[0].id, actor=engine.users.get("bob", actor=CLI_OPERATOR))
    deploy(("p.bpmn", linear("p", 1, LANES)))
    local = Actor("t1", frozenset({"coordinatore", "progettista"}), frozenset({"T1"}))

    for attempt in (
        lambda: engine.tasks.release(case.open_tasks[0].id, actor=local),
        lambda: engine.tasks.reassign(case.open_tasks[0].id, "bob", actor=local),
        lambda: engine.cases.migrate(case.id, 2, actor=local, dry_run=True),
    ):
        with pytest.raises(errors.Forbidden):
            attempt()


def test_the_pseudonymised_export_covers_only_the_evaluators_territories(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    for territory in ("T1", "T2", "T3"):
        engine.cases.start("p", {"territorio": territory}, actor=COORD)
    engine.users.add("vera", "Vera", [("valutatore", "T1"), ("assistente_sociale", "T2")], actor=CLI_OPERATOR)
    engine.users.add("regionale", "Valutatrice regionale", [("valutatore", "")], actor=CLI_OPERATOR)
    exported = engine.audit.export_pseudonymised(actor=engine.users.get("vera", actor=CLI_OPERATOR))
    assert [row["territorio"] for row in exported] == ["T1"]  # a social worker in T2 evaluates nothing there
    everywhere = engine.audit.export_pseudonymised(actor=engine.users.get("regionale", actor=CLI_OPERATOR))
    assert sorted(row["territorio"] for row in everywhere) == ["T1", "T2", "T3"]


def test_migration_lists_and_bulk_migration_cover_only_the_actors_territories(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    started = {t: engine.cases.start("p", {"territorio": t}, actor=COORD).id for t in ("T1", "T2")}
    deploy(("p.bpmn", linear("p", 2, LANES)))
    engine.users.add("dario", "Dario", [("progettista", "T1")], actor=CLI_OPERATOR)
    dario = engine.users.get("dario", actor=CLI_OPERATOR)
    assert [c.id for c in engine.cases.migratable("p", actor=dario)] == [started["T1"]]
    planned = engine.cases.migrate_process("p", 2, actor=dario, dry_run=True)
    assert [m.case_id for m in planned] == [started["T1"]]
    with pytest.raises(errors.Forbidden):
        engine.cases.migrate(started["T2"], 2, actor=dario, dry_run=True)
