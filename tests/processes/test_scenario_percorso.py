"""Whole beneficiary cases (``percorso_beneficiario``: F2 → ESF+ entry → F3 → F4 with F5 → follow-up)
walked through the real diagrams and the real engine, with persistence, inbox and timers.

Every step is taken by a user holding only the task's lane role in the case territory (see
``scenario_data.Scenario``); timers fire through ``engine.timers.fire_due(actor=SCHEDULER)`` after moving the
engine clock and SpiffWorkflow's clock together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind
from engine.policy import SCHEDULER
from tests.processes.scenario_data import (
    MESE_NEGATIVO,
    RIFIUTO_PATTO,
    RIPROGETTARE,
    Scenario,
    scenario,
)

F2_LAVORO = [
    "UT_segnalazione",
    "UT_informativa",
    "UT_verifica_documenti",
    "UT_analisi_preliminare",
    "UT_did_psp",
    "UT_conferma_esito",
    "UT_comunicazione_esito",
]
F3_A = ["Task_progetto", "Task_strumento", "Task_abbinamento", "Task_adesione"]
MESE = ["Sub_mese_tirocinio_task", "Task_mensile"]
USCITA = ["Task_uscita", "Task_6m", "Task_12m"]


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_happy_path_to_employment_with_follow_ups(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0001")
    assert s.ready(case_id) == ["UT_segnalazione"]
    assert s.in_phase(case_id, "valutazione_bisogno")

    s.valutazione(case_id)  # 8 months without regular work: SVANT_651, track LAVORO
    data = s.data(case_id)
    assert (data["esito_proposto"], data["esito"]) == ("IDONEO_LAVORO", "IDONEO_LAVORO")
    assert data["cat_651"] == ["SVANT_651"]
    assert s.ready(case_id) == ["Task_scheda_ingresso"]

    s.do(case_id, "Task_scheda_ingresso")
    assert s.in_phase(case_id, "progettazione")
    s.progettazione_a(case_id)
    assert s.data(case_id)["esito_progettazione"] == "PATTO_SOTTOSCRITTO"
    assert s.ready(case_id) == ["Task_convenzione"]

    assert s.in_phase(case_id, "attuazione_tirocinio")
    s.do(case_id, "Task_convenzione")  # a 3-month traineeship
    s.do(case_id, "Task_comunicazione")
    for _ in range(3):
        s.mese(case_id)
    assert s.ready(case_id) == ["Task_esito"]
    s.do(case_id, "Task_esito")  # ASSUNTO
    s.follow_ups(case_id)

    view = s.case(case_id)
    assert view.status is CaseStatus.COMPLETED
    assert view.open_tasks == () and view.next_timer_due is None
    data = view.data
    assert data["stato_caso"] == "CHIUSO"
    assert data["esito_attuazione"] == "ASSUNTO" and data["motivo_chiusura"] == "ASSUNTO"
    assert data["mesi_svolti"] == 3
    assert (data["condizione_6m"], data["condizione_12m"]) == ("OCCUPATO", "OCCUPATO")
    assert s.stati(case_id) == [
        "SEGNALATO",
        "IN_VALUTAZIONE",
        "IN_PROGETTAZIONE",
        "PATTO_SOTTOSCRITTO",
        "IN_ATTUAZIONE",
        "CONCLUSO_CON_ESITO",
        "FOLLOW_UP_6M",
        "FOLLOW_UP_12M",
        "CHIUSO",
    ]
    assert s.completed(case_id) == [
        *F2_LAVORO,
        "Task_scheda_ingresso",
        *F3_A,
        "Task_convenzione",
        "Task_comunicazione",
        *MESE,
        *MESE,
        *MESE,
        "Task_revisione",  # the quarterly team review at month 3
        "Task_esito",
        *USCITA,
    ]
    assert s.visited(case_id) == [
        "valutazione_bisogno",
        "percorso_beneficiario",
        "progettazione",
        "attuazione_tirocinio",
        "monitoraggio",
        "attuazione_tirocinio",
        "monitoraggio",
        "attuazione_tirocinio",
        "monitoraggio",
        "attuazione_tirocinio",
        "follow_up",
    ]
    kinds = s.kinds(case_id)
    assert kinds[0] == EventKind.STARTED and kinds[-1] == EventKind.COMPLETED
    timers = [e.bpmn_id for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED]
    assert timers == [*["Sub_mese_tirocinio_timer"] * 3, "Timer_6m", "Timer_12m"]  # 3 months, then follow-ups
    assert s.lanes["Sub_mese_tirocinio_task"] == "tutor_aziendale"
    assert s.lanes["Task_6m"] == s.lanes["Task_12m"] == "operatore_cpi"


def test_enterprise_start_up_track_b(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0002")
    # A person with a recognised civil invalidity (60 %) who wants to found a social enterprise.
    s.valutazione(
        case_id,
        verifica={"certificazione_sanitaria_necessaria": True},
        analisi={"orientamento_percorso": "IMPRESA"},
        did={
            "contratto_6m_ultimi_6_mesi": True,
            "contratto_6m_ultimi_12_mesi": True,
            "contratto_6m_ultimi_24_mesi": True,
        },
        sanitaria={},
    )
    assert s.lanes["UT_certificazione_sanitaria"] == "referente_sanitario"
    data = s.data(case_id)
    assert data["esito"] == "IDONEO_IMPRESA"
    assert data["cat_381"] == ["INV_FIS_PSI_SENS"] and data["cat_l68"] == ["L68_A"]

    s.do(case_id, "Task_scheda_ingresso", disabilita="SI")
    # track B: no design of the person's own; the person joins an enterprise designed elsewhere
    assert s.ready(case_id) == []
    coordinator = s.coordinatore
    enterprise = s.engine.enterprises.create(
        s.territory, "Bottega Aperta Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=coordinator
    )
    s.phases[enterprise.case_id] = []
    today = s.clock.now().date().isoformat()
    s.engine.enterprises.link(
        enterprise.id,
        "SOCIO_LAVORATORE",
        case_id=case_id,
        categorie=["INV_FIS_PSI_SENS"],
        evidenza_pa=True,
        data_assunzione=today,
        actor=coordinator,
    )
    # the link and the design already validated by the enterprise; its incorporation is awaited
    assert s.engine.messages.deliver(actor=SCHEDULER) == 2  # the scheduler's sweep
    assert s.data(case_id)["esito_progettazione"] == "STARTUP_VALIDATA"
    assert s.ready(case_id) == []
    s.engine.tasks.complete(
        s.task(enterprise.case_id, "Task_costituzione").id,
        {"data_atto": today, "notaio": "Notaio Rossi"},
        actor=coordinator,
    )
    assert s.engine.messages.deliver(actor=SCHEDULER) == 1  # impresa_costituita
    linked = s.data(case_id)
    assert (linked["impresa_id"], linked["impresa_caso_id"]) == (enterprise.id, enterprise.case_id)
    assert linked["ruolo_impresa"] == "SOCIO_LAVORATORE"
    for _ in range(12):
        s.mese(case_id, "Sub_mese_startup_task")
    assert s.ready(case_id) == ["Task_relazione"]
    s.do(case_id, "Task_relazione")
    s.follow_ups(case_id, uscita={"tipo_contratto": "SOCIO_LAVORATORE"})

    view = s.case(case_id)
    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert (data["traccia"], data["strumento"]) == ("B", "STARTUP")
    assert data["esito_progettazione_impresa"] == "VALIDATA" and data["data_costituzione_impresa"] == today
    assert data["mesi_svolti"] == 12
    assert data["esito_attuazione"] == "ASSUNTO" and data["stato_caso"] == "CHIUSO"
    done = s.completed(case_id)
    assert done.count("Sub_mese_startup_task") == 12 and "Task_business_plan" not in done
    assert not {"Task_progetto", "Task_convenzione", "Task_allerta"} & set(done)
    assert s.lanes["Sub_mese_startup_task"] == "tutor_aziendale"
    # no task of the person's own in design (F3): the enterprise's case did it
    assert s.visited(case_id)[:3] == ["valutazione_bisogno", "percorso_beneficiario", "attuazione_startup"]
    # The health certification is withheld from the job centre and shown to the case manager.
    assert "evidenze_sanitarie" in s.engine.cases.get(case_id, actor=s.actor("operatore_cpi")).withheld
    assert "evidenze_sanitarie" in s.engine.cases.get(case_id, actor=s.actor("assistente_sociale")).data


def test_beneficiary_withdraws_after_one_renegotiation(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0003")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    s.do(case_id, "Task_strumento")
    s.do(case_id, "Task_abbinamento")
    s.do(case_id, "Task_adesione", **RIFIUTO_PATTO)
    assert s.ready(case_id) == ["Task_rinegoziazione"]
    s.do(case_id, "Task_rinegoziazione")
    assert s.lanes["Task_rinegoziazione"] == "equipe_multidisciplinare"
    s.do(case_id, "Task_adesione", **RIFIUTO_PATTO)  # still no: only one renegotiation round
    assert s.ready(case_id) == ["Task_uscita"]
    data = s.data(case_id)
    assert (data["esito_progettazione"], data["stato_caso"], data["motivo_chiusura"]) == ("RINUNCIA",) * 3
    assert s.in_phase(case_id, "follow_up")

    s.follow_ups(
        case_id,
        uscita={
            "motivo_uscita": "RINUNCIA",
            "eecr01_in_cerca": True,
            "eecr03_qualifica": False,
            "eecr04_occupato": False,
            "tipo_contratto": None,
        },
        sei_mesi={
            "condizione_6m": "NON_RILEVATA",
            "motivo_mancata_rilevazione_6m": "IRREPERIBILE",
            "tipo_contratto_6m": None,
            "situazione_migliorata_6m": "NON_RILEVABILE",
        },
        dodici_mesi={"condizione_12m": "IN_CERCA", "tipo_contratto_12m": None, "situazione_migliorata_12m": "NO"},
    )
    view = s.case(case_id)
    assert view.status is CaseStatus.COMPLETED
    assert view.data["motivo_uscita"] == "RINUNCIA" and view.data["condizione_6m"] == "NON_RILEVATA"
    done = s.completed(case_id)
    assert done.count("Task_adesione") == 2 and done.count("Task_rinegoziazione") == 1
    assert not {"Task_convenzione", "Task_contratto", "Task_mensile"} & set(done), "nothing was implemented"
    assert s.stati(case_id) == [
        "SEGNALATO",
        "IN_VALUTAZIONE",
        "IN_PROGETTAZIONE",
        "RINUNCIA",
        "RINUNCIA",
        "FOLLOW_UP_6M",
        "FOLLOW_UP_12M",
        "CHIUSO",
    ]
    assert s.visited(case_id) == ["valutazione_bisogno", "percorso_beneficiario", "progettazione", "follow_up"]


def test_negative_monitoring_leads_to_redesign_then_success(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-0004")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id)
    s.do(case_id, "Task_convenzione")
    s.do(case_id, "Task_comunicazione")
    # Month 1 goes badly: the team reviews the case at once (not only quarterly) and redesigns.
    s.mese(case_id, monitoraggio=MESE_NEGATIVO, revisione=RIPROGETTARE)
    assert s.lanes["Task_revisione"] == "equipe_multidisciplinare"
    assert s.ready(case_id) == ["Task_progetto"], "redesign goes back to F3"
    view = s.case(case_id)
    assert view.next_timer_due is None, "the monthly timer of the abandoned traineeship is gone"
    assert view.data["n_riprogettazioni"] == 1
    assert view.data["motivo_riprogettazione"] == "OBIETTIVI_NON_RAGGIUNTI"
    assert s.in_phase(case_id, "progettazione")

    s.progettazione_a(case_id, strumento="TIROCINIO_EXTRACURRICOLARE")
    s.do(case_id, "Task_convenzione", soggetto_ospitante="Cooperativa Beta", numero_convenzione="CONV-2026-02")
    s.do(case_id, "Task_comunicazione")
    for _ in range(3):
        s.mese(case_id)
    s.do(case_id, "Task_esito")
    s.follow_ups(case_id)

    view = s.case(case_id)
    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert data["n_riprogettazioni"] == 1
    assert data["esito_attuazione"] == "ASSUNTO" and data["motivo_chiusura"] == "ASSUNTO"
    assert data["mesi_svolti"] == 3, "months of the first traineeship do not count for the second"
    stati = s.stati(case_id)
    assert stati[:6] == [
        "SEGNALATO",
        "IN_VALUTAZIONE",
        "IN_PROGETTAZIONE",
        "PATTO_SOTTOSCRITTO",
        "IN_ATTUAZIONE",
        "IN_PROGETTAZIONE",
    ]
    assert stati[-4:] == ["CONCLUSO_CON_ESITO", "FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO"]
    done = s.completed(case_id)
    assert done.count("Task_progetto") == 2 and done.count("Task_convenzione") == 2
    assert done.count("Sub_mese_tirocinio_task") == 4 and done.count("Task_revisione") == 2
    phases = s.visited(case_id)
    assert phases[:6] == [
        "valutazione_bisogno",
        "percorso_beneficiario",
        "progettazione",
        "attuazione_tirocinio",
        "monitoraggio",
        "progettazione",
    ]


def test_follow_ups_record_eecr05_at_six_months(s: Scenario) -> None:
    """A direct hiring in a type-B cooperative with two months of support; the 6-month answer
    (EECR05: employed 6 months after leaving) survives the 12-month one."""
    case_id = s.start_percorso("BEN-0005")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id, strumento="ASSUNZIONE_COOP_B")
    assert s.ready(case_id) == ["Task_contratto"], "a hiring has a contract, not a traineeship agreement"
    s.do(case_id, "Task_contratto")  # two months of accompaniment
    s.do(case_id, "Task_comunicazione")
    s.mese(case_id)
    s.mese(case_id)
    s.do(case_id, "Task_esito", tipo_contratto="TEMPO_INDETERMINATO", datore_lavoro="Coop Beta")

    exit_day = s.clock.now()
    s.do(case_id, "Task_uscita", tipo_contratto="TEMPO_INDETERMINATO")
    view = s.case(case_id)
    assert view.next_timer_due is not None
    assert (view.next_timer_due - exit_day).days == 183, "6 months after the exit date"
    [uscita] = [
        t
        for t in s.engine.tasks.list(case_id=case_id, status=None, actor=s.actor("assistente_sociale"))
        if t.bpmn_id == "Task_uscita"
    ]
    assert uscita.bpmn_id == "Task_uscita" and uscita.due_at is not None
    assert (uscita.due_at - uscita.created_at).days == 28, "ESF+ exit data within 28 days"

    assert case_id not in s.advance(182)
    assert s.ready(case_id) == [] and s.in_phase(case_id, "follow_up")
    assert case_id in s.advance(2)
    task = s.task(case_id, "Task_6m")
    assert task.role == "operatore_cpi"
    assert [t.id for t in s.engine.tasks.list(actor=s.actor("operatore_cpi"))] == [task.id]
    assert s.engine.tasks.list(actor=s.actor("tutor_aziendale")) == []
    s.do(
        case_id,
        "Task_6m",
        condizione_6m="OCCUPATO",
        tipo_contratto_6m="TEMPO_INDETERMINATO",
        fonte_dato_6m="COMUNICAZIONE_OBBLIGATORIA",
    )
    assert s.data(case_id)["stato_caso"] == "FOLLOW_UP_6M"
    assert case_id in s.advance(183)
    s.do(
        case_id,
        "Task_12m",
        condizione_12m="IN_CERCA",
        tipo_contratto_12m=None,
        situazione_migliorata_12m="NO",
        fonte_dato_12m="INTERVISTA_TELEFONICA",
    )

    view = s.case(case_id)
    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert data["strumento"] == "ASSUNZIONE_COOP_B" and data["esito_attuazione"] == "ASSUNTO"
    assert data["eecr04_occupato"] is True
    assert data["condizione_6m"] in ("OCCUPATO", "AUTONOMO"), "EECR05: employed 6 months after leaving"
    assert data["tipo_contratto_6m"] == "TEMPO_INDETERMINATO"
    assert data["fonte_dato_6m"] == "COMUNICAZIONE_OBBLIGATORIA"
    assert data["data_rilevazione_6m"] == (exit_day.date() + dt.timedelta(days=184)).isoformat()
    assert (data["condizione_12m"], data["fonte_dato_12m"]) == ("IN_CERCA", "INTERVISTA_TELEFONICA")
    recorded = [e for e in s.history(case_id) if e.bpmn_id == "Task_6m"]
    assert len(recorded) == 1 and recorded[0].data["condizione_6m"] == "OCCUPATO"
    assert recorded[0].actor == "operatore_cpi@T1"
    assert s.stati(case_id)[-3:] == ["FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO"]
