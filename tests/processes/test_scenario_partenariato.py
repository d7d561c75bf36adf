"""F1 "Accordo di partenariato" walked through the real diagram and the real engine, and its effect
on the territory: beneficiary cases can start only where a partnership is active.

Each partner referent answers its own instance of the multi-instance task; the answer form's
``codice_partner`` is filled from the task's ``context["item"]`` as the UI does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine import Engine, errors
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind, TaskView
from tests.processes.scenario_data import ADERISCE, PARTNER_CODES, RIFIUTA, Scenario, scenario

TERRITORY = "T2"
PREPARATION = [
    "UT_analisi_contesto",
    "UT_contatti_pa",
    "UT_contatti_privati",
    "UT_co_programmazione",
    "UT_bozza_accordo",
]


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, territory=TERRITORY) as sc:
        yield sc


def prepare_draft(s: Scenario) -> int:
    case_id = s.start("accordo_partenariato", {"titolo": "Partenariato T2"})
    s.do(case_id, "UT_analisi_contesto")
    assert s.ready(case_id) == ["UT_contatti_pa", "UT_contatti_privati"], "contacts run in parallel"
    s.do(case_id, "UT_contatti_pa")
    s.do(case_id, "UT_contatti_privati")
    s.do(case_id, "UT_co_programmazione")
    s.do(case_id, "UT_bozza_accordo")
    return case_id


def answer(s: Scenario, case_id: int, answers: dict[str, dict[str, Any]]) -> None:
    """Each partner's referent answers its own instance, identified by the task's item."""
    tasks = [t for t in s.case(case_id).open_tasks if t.bpmn_id == "UT_risposta_partner"]
    assert sorted(t.context["item"]["codice"] for t in tasks) == sorted(answers)
    assert {t.role for t in tasks} == {"referente_ente_partner"}
    for code, change in answers.items():

        def mine(t: TaskView, code: str = code) -> bool:
            return bool(t.context["item"]["codice"] == code)

        s.do(case_id, "UT_risposta_partner", pick=mine, codice_partner=code, **change)


def test_essential_partner_refuses_and_is_replaced_then_cases_can_start(s: Scenario) -> None:
    with pytest.raises(errors.Conflict, match="no active partnership"):
        s.start_percorso("BEN-0201")

    case_id = prepare_draft(s)
    answer(s, case_id, {"COMUNE_ANCONA": ADERISCE, "CPI_ANCONA": RIFIUTA, "COOP_SOLE": ADERISCE})
    assert s.ready(case_id) == ["UT_decisione_cabina"], "an essential partner refused: escalation"
    assert s.task(case_id, "UT_decisione_cabina").role == "cabina_di_regia"
    with pytest.raises(errors.Conflict):
        s.start_percorso("BEN-0201")  # not before the agreement is signed
    s.do(case_id, "UT_decisione_cabina")  # substitutes CPI_ANCONA with CPI_JESI
    assert s.ready(case_id) == ["UT_firma_accordo"]
    s.do(case_id, "UT_firma_accordo")
    view = s.do(case_id, "UT_costituzione_cabina")

    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert data["partenariato_attivo"] is True
    partners = {p["codice"]: p for p in data["partner"]}
    assert sorted(partners) == ["COMUNE_ANCONA", "COOP_SOLE", "CPI_JESI"]
    assert (partners["CPI_JESI"]["essenziale"], partners["CPI_JESI"]["sostituisce"]) == (True, "CPI_ANCONA")
    assert data["lacune_partenariato"] == []
    assert sorted(r["codice_partner"] for r in data["risposte_partner"]) == sorted(PARTNER_CODES)
    assert s.completed(case_id) == [
        *PREPARATION,
        "UT_risposta_partner",
        "UT_risposta_partner",
        "UT_risposta_partner",
        "UT_decisione_cabina",
        "UT_firma_accordo",
        "UT_costituzione_cabina",
    ]
    [changed] = [e for e in s.history(case_id) if e.kind == EventKind.PARTNERSHIP_CHANGED]
    assert changed.data == {"territory": TERRITORY, "active": True}
    answers = [e for e in s.history(case_id) if e.bpmn_id == "UT_risposta_partner"]
    assert {e.actor for e in answers} == {"referente_ente_partner@T2"}

    # The territory is open: a beneficiary case starts and waits at referral intake.
    beneficiary = s.start_percorso("BEN-0201")
    assert s.ready(beneficiary) == ["UT_segnalazione"]
    assert [t.case_id for t in s.engine.tasks.list(process_id="valutazione_bisogno", actor=s.coordinatore)] == [
        beneficiary
    ]
    # …but only there.
    elsewhere = Scenario(s.engine, s.clock, s.traveller, territory="T3")
    with pytest.raises(errors.Conflict, match="no active partnership in territory 'T3'"):
        elsewhere.start_percorso("BEN-0301")


def test_essential_partner_refuses_and_the_territory_stops(s: Scenario) -> None:
    case_id = prepare_draft(s)
    answer(s, case_id, {"COMUNE_ANCONA": RIFIUTA, "CPI_ANCONA": ADERISCE, "COOP_SOLE": ADERISCE})
    view = s.do(
        case_id,
        "UT_decisione_cabina",
        decisione_cabina="INTERROMPI_TERRITORIO",
        sostituti=[],
        motivazione_cabina="Nessun altro Comune dell'Ambito disponibile",
    )

    assert view.status is CaseStatus.COMPLETED
    assert view.data["partenariato_attivo"] is False
    assert view.data["motivo_chiusura"] == "RIFIUTO_PARTNER_ESSENZIALE"
    assert "UT_firma_accordo" not in s.completed(case_id)
    [changed] = [e for e in s.history(case_id) if e.kind == EventKind.PARTNERSHIP_CHANGED]
    assert changed.data == {"territory": TERRITORY, "active": False}
    with pytest.raises(errors.Conflict, match="no active partnership"):
        s.start_percorso("BEN-0202")
