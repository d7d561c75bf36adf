"""Roles count only where they were granted, and personal data stays withheld wherever it sits in a
case's history (corrections, message payloads, the completed case's data), for reading and erasure."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from engine import Actor, CaseStatus, errors
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.facade import Engine
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
    engine.add_user("maria", "Maria", [("assistente_sociale", "T1"), ("valutatore", "")])
    engine.add_user("paolo", "Paolo", [("assistente_sociale", "T1"), ("referente_sanitario", "T2")])
    in_t2 = engine.start_case("p", {"territorio": "T2", "in_carico_dsm": True, "flag_ex_detenuto": True}, actor=COORD)
    maria, paolo = engine.actor("maria"), engine.actor("paolo")

    with pytest.raises(errors.Forbidden):
        engine.complete_task(in_t2.open_tasks[0].id, {"conferma": True}, actor=maria)
    assert engine.list_tasks(maria) == [] and engine.list_tasks(paolo) == []
    assert set(engine.get_case(in_t2.id, maria).withheld) == {"in_carico_dsm", "flag_ex_detenuto"}
    assert engine.get_case(in_t2.id, paolo).withheld == ("flag_ex_detenuto",)  # health referent there, not justice
    in_t1 = engine.start_case("p", {"territorio": "T1"}, actor=COORD)
    assert [t.id for t in engine.list_tasks(maria)] == [in_t1.open_tasks[0].id]


def test_nested_personal_data_is_withheld_in_history_and_logged_when_shown(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    case = engine.start_case("attesa_messaggio", {"territorio": "T1"}, actor=COORD)
    engine.correct_data(case.id, {"in_carico_dsm": True}, actor=COORD, reason="certificato pervenuto")
    engine.send_message(case.id, "documenti_pervenuti", {"flag_ex_detenuto": True}, actor=COORD)
    cpi = Actor("cpi", frozenset({"operatore_cpi"}), frozenset({"T1"}))

    history = json.dumps([e.data for e in engine.history(case.id, cpi)])
    assert "in_carico_dsm" not in history and "flag_ex_detenuto" not in history
    assert engine.access_log(COORD, case_id=case.id) == []
    full = json.dumps([e.data for e in engine.history(case.id, COORD)])
    assert "in_carico_dsm" in full and "flag_ex_detenuto" in full
    [entry] = engine.access_log(COORD, case_id=case.id)
    assert set(entry["fields"]) == {"in_carico_dsm", "flag_ex_detenuto"}

    bundle = engine.dossier_bundle(case.id, actor=Actor("aldo", frozenset({"auditor"})))
    assert "in_carico_dsm" not in json.dumps([e["data"] for e in bundle["events"]])
    from engine.audit.bundle import verify_bundle

    assert verify_bundle(bundle) == []  # masked entries keep their commitments: still verifiable


def test_erasure_removes_nested_copies_too(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    case = engine.start_case("p", {"in_carico_dsm": "segreto"}, actor=COORD)
    case = engine.complete_task(case.open_tasks[0].id, {"conferma": True}, actor=COORD)
    assert case.status is CaseStatus.COMPLETED
    clock.advance(days=366 * 5)

    engine.erase_personal_data(case.id, actor=COORD, reason="fine conservazione")

    assert "segreto" not in json.dumps([e.data for e in engine.history(case.id)])
    assert engine.verify_chains().ok


def test_a_script_leaving_a_non_data_value_fails_cleanly(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES, script="m = map(str, [1, 2])")))
    case = engine.start_case("p", {}, actor=COORD)
    with pytest.raises(errors.ProcessFailed) as exc:
        engine.complete_task(case.open_tasks[0].id, {"conferma": True}, actor=COORD)
    assert "not data" in exc.value.message
    assert engine.get_case(case.id).open_tasks[0].id == case.open_tasks[0].id  # untouched


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
    engine.add_user("bob", "Bob", [("assistente_sociale", "T2")])
    case = engine.start_case("p", {"territorio": "T2"}, actor=COORD)
    engine.claim_task(case.open_tasks[0].id, actor=engine.actor("bob"))
    deploy(("p.bpmn", linear("p", 1, LANES)))
    local = Actor("t1", frozenset({"coordinatore", "progettista"}), frozenset({"T1"}))

    for attempt in (
        lambda: engine.release_task(case.open_tasks[0].id, actor=local),
        lambda: engine.reassign_task(case.open_tasks[0].id, "bob", actor=local),
        lambda: engine.migrate_case(case.id, 2, actor=local, dry_run=True),
    ):
        with pytest.raises(errors.Forbidden):
            attempt()
