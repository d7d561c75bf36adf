"""F1 "Accordo di partenariato" walked through the real diagram and the real engine, and its effect
on the territory: beneficiary cases can start only where a partnership is active.

Each partner referent answers its own instance of the multi-instance task; the answer form's
``codice_partner`` is filled from the task's ``context["item"]`` as the UI does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, errors
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind, TaskView
from engine.policy import CLI_OPERATOR
from engine.services.processes import read_directory
from tests.processes.scenario_data import ADERISCE, DESIGNER, PARTNER_CODES, RIFIUTA, Scenario, scenario

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


def approve(s: Scenario, case_id: int, codes: list[str]) -> None:
    """Each adhering partner's referent records its internal approval and who signs for it."""
    tasks = [t for t in s.case(case_id).open_tasks if t.bpmn_id == "UT_approvazione_interna"]
    assert sorted(t.context["item"]["codice"] for t in tasks) == codes
    for code in codes:

        def mine(t: TaskView, code: str = code) -> bool:
            return bool(t.context["item"]["codice"] == code)

        # its legal representative signs for it: a member of the partner in the registry
        signer = f"legale_{code.lower()}"
        with pytest.raises(errors.InvalidData) as exc:
            s.do(case_id, "UT_approvazione_interna", pick=mine, codice_partner=code, firmatario=signer)
        assert exc.value.messages == {
            "firmatario": [f"«{signer}» non è un componente di «{code}» nel registro della rete."]
        }
        s.engine.users.add(signer, f"Legale {code}", [("referente_ente_partner", TERRITORY)], actor=CLI_OPERATOR)
        s.engine.registry.add_member(code, signer, actor=CLI_OPERATOR)
        s.do(case_id, "UT_approvazione_interna", pick=mine, codice_partner=code, firmatario=signer)


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
    answer(s, case_id, {"CPI_JESI": ADERISCE})  # the substitute adheres to the same draft
    approve(s, case_id, ["COMUNE_ANCONA", "COOP_SOLE", "CPI_JESI"])
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
    assert sorted(r["codice_partner"] for r in data["risposte_giro"]) == sorted([*PARTNER_CODES, "CPI_JESI"])
    assert s.completed(case_id) == [
        *PREPARATION,
        "UT_risposta_partner",
        "UT_risposta_partner",
        "UT_risposta_partner",
        "UT_decisione_cabina",
        "UT_risposta_partner",
        "UT_approvazione_interna",
        "UT_approvazione_interna",
        "UT_approvazione_interna",
        "UT_firma_accordo",
        "UT_costituzione_cabina",
    ]
    [changed] = [e for e in s.history(case_id) if e.kind == EventKind.PARTNERSHIP_CHANGED]
    assert changed.data == {"territory": TERRITORY, "active": True}
    # the signed agreement is a signed protocol among the adhering partners, with who signed for each
    [agreement] = [p for p in s.engine.registry.protocols(actor=s.coordinatore) if p.origin_case_id == case_id]
    assert agreement.status == "firmato"
    assert {p.code for p in agreement.parties} == {"COMUNE_ANCONA", "COOP_SOLE", "CPI_JESI"}
    assert sorted((x.organisation_code, x.username) for x in agreement.signatories) == [
        (code, f"legale_{code.lower()}") for code in ("COMUNE_ANCONA", "COOP_SOLE", "CPI_JESI")
    ]
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


FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_an_agreement_started_on_the_earlier_diagram_keeps_it(s: Scenario) -> None:
    """processes/README.md: an F1 case waiting for the partners' answers when the per-partner
    deadlines and internal approvals arrive keeps its version (no approvals, the signature next);
    it cannot be migrated while it waits inside the answers (they moved into a sub-process)."""
    library = [f for f in read_directory(PROCESSES) if f.name != "accordo_partenariato.bpmn"]
    earlier = SourceFile("accordo_partenariato.bpmn", (FIXTURES / "accordo_partenariato_v1.bpmn").read_bytes())
    s.engine.design.deploy([*library, earlier], actor=DESIGNER, note="earlier agreement")
    case_id = prepare_draft(s)
    version = s.case(case_id).process_version
    s.engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="approvals and deadlines")
    latest = max(
        p.version for p in s.engine.design.processes(actor=CLI_OPERATOR) if p.process_id == "accordo_partenariato"
    )
    assert latest > version
    refused = s.engine.cases.migrate(case_id, latest, actor=s.coordinatore, reason="nuove approvazioni")
    assert not refused.migrated
    answer(s, case_id, dict.fromkeys(PARTNER_CODES, ADERISCE))
    assert s.ready(case_id) == ["UT_firma_accordo"]  # the earlier path: no internal approvals
    s.do(case_id, "UT_firma_accordo")
    view = s.do(case_id, "UT_costituzione_cabina")
    assert view.status is CaseStatus.COMPLETED and view.process_version == version
