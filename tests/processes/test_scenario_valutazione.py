"""Beneficiary cases that end (or pause) in F2 "Valutazione del bisogno", walked through the real
diagrams and the real engine: not eligible (closed with a referral), missing documents archived
by the 30-day timer, and missing documents received in time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind, TaskStatus
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import (
    DOCUMENTI_MANCANTI,
    INTEGRAZIONE,
    NESSUN_REQUISITO,
    Scenario,
    scenario,
)
from tests.support.people import ensure_person

INTAKE = ["UT_segnalazione", "UT_informativa", "UT_verifica_documenti"]


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_not_eligible_is_closed_with_a_referral(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0101")
    s.intake(case_id)
    s.assessment(case_id, did=NESSUN_REQUISITO)  # no row of DT-1…DT-4 matches
    data = s.data(case_id)
    assert data["esito_proposto"] == "NON_IDONEO_REQUISITI"
    assert data["categorie_svantaggio"] == [] and data["ha_requisiti"] is False
    s.do(case_id, "UT_conferma_esito")  # the operator confirms the proposal (GDPR art. 22)
    s.do(case_id, "UT_comunicazione_esito")
    assert s.ready(case_id) == ["UT_invio_altri_servizi"]
    view = s.do(case_id, "UT_invio_altri_servizi", servizio_destinatario="CSM_DSM")

    assert view.status is CaseStatus.COMPLETED and view.open_tasks == ()
    data = view.data
    assert data["esito"] == "NON_IDONEO_REQUISITI"
    assert (data["stato_caso"], data["motivo_chiusura"]) == ("CHIUSO", "NON_IDONEO_REQUISITI")
    assert data["servizio_destinatario"] == "CSM_DSM" and data["comunicazione_motivata"] is True
    assert s.stati(case_id) == ["SEGNALATO", "IN_VALUTAZIONE", "CHIUSO"]
    assert s.completed(case_id) == [
        *INTAKE,
        "UT_analisi_preliminare",
        "UT_did_psp",
        "UT_conferma_esito",
        "UT_comunicazione_esito",
        "UT_invio_altri_servizi",
    ]
    assert s.lanes["UT_invio_altri_servizi"] == "assistente_sociale"
    assert s.lanes["UT_did_psp"] == "operatore_cpi"
    assert s.kinds(case_id)[-1] == EventKind.COMPLETED
    assert (
        s.engine.cases.list(status=CaseStatus.COMPLETED, process_id="percorso_beneficiario", actor=CLI_OPERATOR)[0].id
        == case_id
    )


def test_missing_documents_are_archived_when_the_30_days_pass(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0102")
    s.intake(case_id, DOCUMENTI_MANCANTI)
    assert s.ready(case_id) == ["UT_richiesta_integrazione"]
    requested = s.clock.now()
    s.do(case_id, "UT_richiesta_integrazione")
    assert s.ready(case_id) == ["UT_ricezione_integrazione"]
    waiting = s.case(case_id)
    assert waiting.next_timer_due == requested + dt.timedelta(days=INTEGRAZIONE)

    assert s.advance(INTEGRAZIONE - 1) == [], "nothing is due after 29 days"
    assert s.ready(case_id) == ["UT_ricezione_integrazione"]
    assert s.advance(1, minutes=1) == [case_id], "the deadline passed: the timer fires"
    assert s.ready(case_id) == ["UT_archiviazione"]
    [expired] = s.engine.tasks.list(case_id=case_id, status=TaskStatus.CANCELLED, actor=s.coordinatore)
    assert expired.bpmn_id == "UT_ricezione_integrazione", "the pending receipt left the inbox"
    view = s.do(case_id, "UT_archiviazione")

    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert data["esito"] == "ARCHIVIATO"
    assert (data["stato_caso"], data["motivo_chiusura"]) == ("CHIUSO", "ARCHIVIATO")
    assert data["notifica_inviante"] is True
    assert s.completed(case_id) == [*INTAKE, "UT_richiesta_integrazione", "UT_archiviazione"]
    fired = [e for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED]
    assert [(e.bpmn_id, e.actor) for e in fired] == [("Timer_termine_integrazione", "system")]
    assert fired[0].data["due"] == (requested + dt.timedelta(days=INTEGRAZIONE)).isoformat()
    assert "UT_analisi_preliminare" not in s.completed(case_id)


def test_missing_documents_received_in_time(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0103")
    s.intake(case_id, DOCUMENTI_MANCANTI)
    s.do(case_id, "UT_richiesta_integrazione")
    assert s.advance(10) == []
    view = s.do(case_id, "UT_ricezione_integrazione")
    assert sorted(t.bpmn_id for t in view.open_tasks) == ["UT_analisi_preliminare", "UT_did_psp"]
    # the documents' deadline is cancelled with the receipt; the outcome's deadline stays
    assert view.next_timer_due == dt.datetime(2026, 3, 6, 6, 0, tzinfo=dt.UTC), "60 days from the referral"
    assert s.advance(INTEGRAZIONE + 5) == [], "a cancelled deadline never archives the case"
    assert "UT_archiviazione" not in s.ready(case_id)

    s.assessment(case_id)
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    assert s.ready(case_id) == ["Task_scheda_ingresso"], "the path goes on to the ESF+ entry form"
    data = s.data(case_id)
    assert data["esito"] == "IDONEO_LAVORO" and data["stato_caso"] == "IN_PROGETTAZIONE"
    assert data["documentazione_ora_completa"] is True
    assert EventKind.TIMER_FIRED not in s.kinds(case_id)
    assert s.completed(case_id)[:5] == [*INTAKE, "UT_richiesta_integrazione", "UT_ricezione_integrazione"]


@pytest.mark.parametrize(
    ("born", "age", "young"),
    [("2001-01-06", 24, True), ("2001-01-05", 25, False)],
    ids=["24 on the completion day", "25 on the completion day"],
)
def test_the_decision_tables_read_the_age_computed_from_the_person_record(
    s: Scenario, born: str, age: int, young: bool
) -> None:
    # the person record's birth date, not a typed age: on the completion day (05/01/2026) the
    # person is 24 (DT-2: under 25, Reg. UE 651/2014 art. 2 n. 4 lett. b) or has just turned 25
    case_id = s.start_percorso("BEN-0110")
    ensure_person(s.engine, case_id, born=born)
    s.intake(case_id)
    s.assessment(case_id, did=NESSUN_REQUISITO)  # no job-market fact: only the age can qualify

    data = s.data(case_id)
    assert data["eta"] == age
    assert ("SVANT_651" in data["cat_651"]) is young
    assert data["esito_proposto"] == ("IDONEO_LAVORO" if young else "NON_IDONEO_REQUISITI")
    [answer] = [e.data for e in s.history(case_id) if e.bpmn_id == "UT_analisi_preliminare"]
    assert answer["eta"] == age
    assert born not in json.dumps([e.data for e in s.history(case_id)])  # never in an event
