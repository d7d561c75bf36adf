"""F1's co-progettazione route (DM 72/2021) through the real diagram: after the co-programming
table the coordinator takes the co-design route (public notice, proposals, the commission selecting
bodies from the registry, the minuted table, the final project, the signed convention); the
partnership becomes active and the convention a signed protocol whose parties include the
selected bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import Engine, errors
from engine.demo import OPERATOR, _f1_steps
from engine.policy import CLI_OPERATOR

TERRITORY = "ATS-Cop"


def test_the_co_design_route_completes_and_its_convention_becomes_a_protocol(engine: Engine) -> None:
    engine.design.deploy(actor=OPERATOR, note="library")
    engine.users.add("cora", "Cora", [("coordinatore", TERRITORY)], actor=CLI_OPERATOR)
    coordinator = engine.users.get("cora", actor=CLI_OPERATOR)
    for code, name, kind in (
        ("ATS_DEMO", "Ambito Demo", "servizio_sociale"),
        ("CPI_DEMO", "CPI Demo", "centro_impiego"),
        ("COOP_PONTE", "Coop Il Ponte", "terzo_settore"),
        ("COOP_SCELTA", "Coop Scelta", "terzo_settore"),
    ):
        engine.registry.add_organisation(code, name, kind, TERRITORY, actor=coordinator)
    today = engine.now().date()

    def day(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    steps = _f1_steps(day)
    case = engine.cases.start("accordo_partenariato", {"territorio": TERRITORY}, actor=coordinator)

    def do(bpmn_id: str, data: dict[str, object]) -> None:
        [task] = [t for t in engine.cases.get(case.id, actor=coordinator).open_tasks if t.bpmn_id == bpmn_id]
        engine.tasks.complete(task.id, data, actor=coordinator)

    do("UT_analisi_contesto", steps["UT_analisi_contesto"])
    do("UT_contatti_pa", steps["UT_contatti_pa"])
    do("UT_contatti_privati", steps["UT_contatti_privati"])
    do("UT_co_programmazione", {**steps["UT_co_programmazione"], "percorso": "CO_PROGETTAZIONE"})
    do(
        "UT_avviso_coprogettazione",
        {
            "numero_avviso": "Avviso 3/2026",
            "data_pubblicazione": day(-60),
            "termine_proposte": day(-45),
            "oggetto_coprogettazione": "Servizi di accompagnamento al lavoro e imprese di comunità",
        },
    )
    do("UT_proposte_coprogettazione", {"data_chiusura": day(-45), "numero_proposte": 2})
    selection = {
        "numero_atto_nomina": "Det. 10/2026",
        "data_valutazione": day(-40),
        "enti_selezionati": [{"codice": "COOP_IGNOTA", "nome": "Coop Ignota", "punteggio": 70}],
    }
    with pytest.raises(errors.InvalidData) as exc:  # the selected bodies come from the registry
        do("UT_commissione_coprogettazione", selection)
    assert "enti_selezionati" in exc.value.messages
    do(
        "UT_commissione_coprogettazione",
        {**selection, "enti_selezionati": [{"codice": "COOP_SCELTA", "nome": "Coop Scelta", "punteggio": 82}]},
    )
    do(
        "UT_tavolo_coprogettazione",
        {
            "sessioni_coprogettazione": 3,
            "data_ultima_sessione_coprogettazione": day(-35),
            "protocollo_verbali_coprogettazione": "VERB-COP-1",
        },
    )
    do(
        "UT_progetto_definitivo",
        {"numero_atto_approvazione": "Del. 4/2026", "data_approvazione": day(-32), "durata_progetto_mesi": 24},
    )
    do("UT_convenzione_coprogettazione", {**steps["UT_firma_accordo"], "numero_protocollo": "CONV-COP-1"})
    do("UT_costituzione_cabina", steps["UT_costituzione_cabina"])

    done = engine.cases.get(case.id, actor=coordinator)
    assert done.status.value == "completed" and done.data["partenariato_attivo"] is True
    assert engine.registry.partnership_active(TERRITORY, actor=CLI_OPERATOR)
    [convention] = [p for p in engine.registry.protocols(actor=coordinator) if p.origin_case_id == case.id]
    assert (convention.kind, convention.number, convention.status) == ("convenzione", "CONV-COP-1", "firmato")
    assert {p.code for p in convention.parties} == {"ATS_DEMO", "CPI_DEMO", "COOP_PONTE", "COOP_SCELTA"}
    assert convention.scope == "Servizi di accompagnamento al lavoro e imprese di comunità"
    history = [e.bpmn_id for e in engine.cases.history(case.id, actor=coordinator) if e.bpmn_id]
    assert "UT_bozza_accordo" not in history and "UT_risposta_partner" not in history


def test_each_partner_answers_the_draft_within_its_deadline(engine: Engine) -> None:
    engine.design.deploy(actor=OPERATOR, note="library")
    engine.users.add("cora", "Cora", [("coordinatore", TERRITORY)], actor=CLI_OPERATOR)
    coordinator = engine.users.get("cora", actor=CLI_OPERATOR)
    today = engine.now().date()
    steps = _f1_steps(lambda n: (today + dt.timedelta(days=n)).isoformat())
    case = engine.cases.start("accordo_partenariato", {"territorio": TERRITORY}, actor=coordinator)
    for bpmn_id in (
        "UT_analisi_contesto",
        "UT_contatti_pa",
        "UT_contatti_privati",
        "UT_co_programmazione",
        "UT_bozza_accordo",
    ):
        [task] = [t for t in engine.cases.get(case.id, actor=coordinator).open_tasks if t.bpmn_id == bpmn_id]
        engine.tasks.complete(task.id, steps[bpmn_id], actor=coordinator)
    answers = [t for t in engine.cases.get(case.id, actor=coordinator).open_tasks if t.bpmn_id == "UT_risposta_partner"]
    assert len(answers) == 3
    assert {t.due_at for t in answers} == {engine.now() + dt.timedelta(days=15)}
