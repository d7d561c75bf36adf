"""A partnership that lapses asks the coordinator to check each running path of the territory;
a decision "va sospeso" / "va chiuso" is carried out by the engine, through the real diagram, in
the same transaction as the answer: the case is suspended (no tasks, timers held) or closed
d'ufficio (the data kept), recorded as the coordinator's action with the task and the decision.

The processes conftest replays every case afterwards: the suspension or closure that follows the
answer is its own command, rebuilt as the actions from "Azioni" are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Engine, errors
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR, SCHEDULER
from engine.services.processes import read_directory
from tests.processes.scenario_data import DESIGNER, Scenario, scenario

LAPSE = {"territorio": "T1", "attivo": False}
VERIFICA = "Task_verifica_continuita"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def _lapse(s: Scenario) -> None:
    s.engine.messages.broadcast("T1", "partenariato_cambiato", LAPSE, actor=s.coordinatore)
    s.engine.messages.deliver(actor=SCHEDULER)


def _decide(s: Scenario, case_id: int, decisione: str, motivo: str) -> None:
    s.do(
        case_id,
        VERIFICA,
        decisione_continuita=decisione,
        motivazione_continuita=motivo,
        data_verifica_continuita=s.clock.now().date().isoformat(),
    )


def _in_traineeship(s: Scenario, pseudonimo: str) -> int:
    case_id = s.start_percorso(pseudonimo)
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id)
    s.do(case_id, "Task_convenzione")
    s.do(case_id, "Task_comunicazione")
    return case_id


def test_decision_to_suspend_suspends_the_case_and_resumption_brings_the_path_back(s: Scenario) -> None:
    case_id = _in_traineeship(s, "BEN-CONT-S")
    month_due = s.case(case_id).next_timer_due
    assert month_due is not None
    _lapse(s)
    assert VERIFICA in s.ready(case_id)
    path_tasks = [t for t in s.ready(case_id) if t != VERIFICA]

    _decide(s, case_id, "DA_SOSPENDERE", "Nessun ente può garantire il tutoraggio")
    view = s.case(case_id)
    assert view.status is CaseStatus.SUSPENDED
    assert view.open_tasks == () and view.next_timer_due is None
    [suspended] = [e for e in s.history(case_id) if e.kind == EventKind.SUSPENDED]
    assert suspended.actor == s.coordinatore.username
    assert suspended.data["reason"] == "Verifica continuità del percorso: Nessun ente può garantire il tutoraggio"
    assert suspended.data["decision"] == {"task": VERIFICA, "field": "decisione_continuita", "value": "DA_SOSPENDERE"}
    completed = next(e for e in s.history(case_id) if e.kind == EventKind.TASK_COMPLETED and e.bpmn_id == VERIFICA)
    assert completed.cmd < suspended.cmd, "the answer first, then the suspension as its own command"
    assert s.engine.tasks.list(case_id=case_id, actor=s.coordinatore) == []
    assert s.advance(40) == [], "a suspended case's timers wait"

    s.engine.cases.resume(case_id, reason="Nuovo partenariato firmato", actor=s.coordinatore)
    assert s.case(case_id).status is CaseStatus.RUNNING
    assert s.case(case_id).next_timer_due == month_due  # kept, not extended
    assert case_id in s.advance(minutes=1), "the month that fell due meanwhile fires at the next tick"
    assert set(path_tasks) <= set(s.ready(case_id))


def test_decision_to_close_closes_the_case_keeping_the_assessment(s: Scenario) -> None:
    case_id = _in_traineeship(s, "BEN-CONT-C")
    esito = s.data(case_id)["esito"]
    _lapse(s)
    _decide(s, case_id, "DA_CHIUDERE", "Il servizio non è più erogato sul territorio")
    view = s.case(case_id)
    assert view.status is CaseStatus.CLOSED and view.open_tasks == () and view.next_timer_due is None
    data = view.data
    assert data["esito"] == esito, "the assessment is kept"
    assert data["chiusura_ufficio"] == {
        "data": s.clock.now().date().isoformat(),
        "motivo": "Verifica continuità del percorso: Il servizio non è più erogato sul territorio",
        "da": s.coordinatore.username,
    }
    [closed] = [e for e in s.history(case_id) if e.kind == EventKind.CLOSED]
    assert closed.data["decision"]["value"] == "DA_CHIUDERE"
    assert s.advance(40) == []
    with pytest.raises(errors.CaseClosed):
        s.engine.cases.resume(case_id, reason="x", actor=s.coordinatore)


def test_decision_to_go_on_changes_nothing_and_only_the_coordinator_decides(s: Scenario) -> None:
    going_on = s.start_percorso("BEN-CONT-P")
    _lapse(s)
    _decide(s, going_on, "PROSEGUE", "I servizi restano garantiti dal Comune")
    assert s.case(going_on).status is CaseStatus.RUNNING
    assert s.ready(going_on) == ["UT_segnalazione"]
    assert EventKind.SUSPENDED not in s.kinds(going_on) and EventKind.CLOSED not in s.kinds(going_on)
    # the check is the coordinator's (its lane): nobody else may complete it, so nobody else decides
    checked = s.start_percorso("BEN-CONT-Q")
    _lapse(s)
    task = s.task(checked, VERIFICA)
    with pytest.raises(errors.Forbidden):
        s.engine.tasks.complete(task.id, {"decisione_continuita": "DA_CHIUDERE"}, actor=s.actor("assistente_sociale"))
    assert s.case(checked).status is CaseStatus.RUNNING


def test_a_case_pinned_to_the_earlier_diagram_keeps_its_behaviour(s: Scenario) -> None:
    """processes/README.md: the earlier version's check records the decision and nothing more;
    migrated (every element maps to itself) the decision is carried out."""
    library = [f for f in read_directory(PROCESSES) if f.name != "percorso_beneficiario.bpmn"]
    earlier = SourceFile("percorso_beneficiario.bpmn", (FIXTURES / "percorso_beneficiario_v1.bpmn").read_bytes())
    s.engine.design.deploy([*library, earlier], actor=DESIGNER, note="earlier path")
    pinned, moved = s.start_percorso("BEN-CONT-V1"), s.start_percorso("BEN-CONT-V2")
    s.engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="continuity carried out")
    latest = max(
        p.version for p in s.engine.design.processes(actor=CLI_OPERATOR) if p.process_id == "percorso_beneficiario"
    )
    assert s.engine.cases.migrate(moved, latest, actor=s.coordinatore, reason="continuità").migrated
    _lapse(s)
    for case_id in (pinned, moved):
        _decide(s, case_id, "DA_CHIUDERE", "Partenariato sciolto")
    assert s.case(pinned).status is CaseStatus.RUNNING and s.ready(pinned) == ["UT_segnalazione"]
    assert s.case(moved).status is CaseStatus.CLOSED
