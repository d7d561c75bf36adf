"""A waiting list is a parked state, not an exit: through the real diagrams and engine, a person
for whom no host is found after the matching attempts waits in F3 (case state LISTA_ATTESA) and
every ``giorni_rimatching_lista_attesa`` days (60) matching starts again with fresh attempts; once
a host is found the path continues to the pact and the traineeship, with no redesign consumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR
from engine.services.processes import read_directory
from tests.processes.scenario_data import DESIGNER, Scenario, scenario

RIMATCHING = 60  # giorni_rimatching_lista_attesa in processes/parametri_f3_f5.json
NON_DISPONIBILE = {
    "esito_abbinamento": "NON_DISPONIBILE",
    "motivo_non_disponibilita": "NESSUNA_POSIZIONE",
    "impresa_ospitante": None,
    "tutor_aziendale_nominativo": None,
    "analisi_posto_lavoro": None,
    "accessibilita_verificata": False,
}


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_waiting_list_case_is_matched_again_and_continues(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-ATTESA")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    s.do(case_id, "Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
    for _ in range(3):
        s.do(case_id, "Task_abbinamento", **NON_DISPONIBILE)
    s.do(case_id, "Task_alternativa", scelta_alternativa="LISTA_ATTESA")

    # Parked: running, in design, nothing to do, one timer armed.
    view = s.case(case_id)
    assert view.status is CaseStatus.RUNNING
    assert view.open_tasks == () and view.next_timer_due is not None
    assert s.in_phase(case_id, "progettazione")

    assert case_id not in s.advance(RIMATCHING - 1)
    assert s.ready(case_id) == []
    assert case_id in s.advance(2)
    assert s.ready(case_id) == ["Task_abbinamento"]
    timers = [e.bpmn_id for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED]
    assert timers == ["Timer_lista_attesa"]

    s.do(case_id, "Task_abbinamento")  # a host is available this time
    s.do(case_id, "Task_adesione")
    assert s.ready(case_id) == ["Task_convenzione"]
    data = s.data(case_id)
    assert data["esito_progettazione"] == "PATTO_SOTTOSCRITTO"
    assert data["rimatching_lista_attesa"] == 1
    assert data["n_riprogettazioni"] == 0
    stati = s.stati(case_id)
    assert stati[stati.index("LISTA_ATTESA") :] == [
        "LISTA_ATTESA",
        "IN_PROGETTAZIONE",
        "PATTO_SOTTOSCRITTO",
        "IN_ATTUAZIONE",
    ]
    assert s.in_phase(case_id, "attuazione_tirocinio")


FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
EARLIER = ("percorso_beneficiario.bpmn", "progettazione.bpmn")  # before ADI/SFL, waiting list and ladder


def _deploy_earlier(s: Scenario) -> None:
    library = [f for f in read_directory(PROCESSES) if f.name not in EARLIER]
    earlier = [SourceFile(n, (FIXTURES / n.replace(".bpmn", "_v1.bpmn")).read_bytes()) for n in EARLIER]
    s.engine.design.deploy([*library, *earlier], actor=DESIGNER, note="earlier path")


def _version(s: Scenario, process_id: str) -> int:
    return next(p.version for p in s.engine.design.processes(actor=CLI_OPERATOR) if p.process_id == process_id)


def _to_matching(s: Scenario, case_id: int) -> None:
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    s.do(case_id, "Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
    assert s.ready(case_id) == ["Task_abbinamento"]


def test_cases_of_the_earlier_diagrams_keep_them_or_migrate_with_every_element_mapped_to_itself(s: Scenario) -> None:
    """processes/README.md: a pinned case keeps the earlier behaviour (the waiting list was an
    exit); a migrated one needs no mapping and parks on the waiting list. The conftest replays
    both across the versions."""
    _deploy_earlier(s)
    before = _version(s, "percorso_beneficiario")
    pinned, moved = s.start_percorso("BEN-V1-A"), s.start_percorso("BEN-V1-B")
    _to_matching(s, pinned)
    _to_matching(s, moved)

    s.engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="path handles real life")
    latest = _version(s, "percorso_beneficiario")
    assert latest > before
    migration = s.engine.cases.migrate(moved, latest, actor=s.coordinatore, reason="lista d'attesa")
    assert migration.migrated, migration.reasons

    for case_id in (pinned, moved):
        for _ in range(3):
            s.do(case_id, "Task_abbinamento", **NON_DISPONIBILE)
        s.do(case_id, "Task_alternativa", scelta_alternativa="LISTA_ATTESA")
    assert s.ready(pinned) == ["Task_uscita"]  # the earlier version: the waiting list was an exit
    assert s.ready(moved) == [] and s.case(moved).status is CaseStatus.RUNNING
    assert moved in s.advance(RIMATCHING + 1)
    assert s.ready(moved) == ["Task_abbinamento"]
