"""An enterprise's own process through the real diagram (``impresa``), the clock moved month by
month: four beneficiary founders and two community members, the roster sent by the engine's
commands, quarterly quota checks with engine/quota.py (the 1/3 cap on lett. a workers; a lett. a
hire dropping out of Q-112's count at the 24th anniversary of the hiring), corrective plan and
alert to the cabina di regia each time the quota is missed (also at once on a roster change),
mentoring hours summed, quarterly business KPIs, and the survival/employment follow-ups 12 and 24
months after the accompaniment. The conftest replays every case at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Actor, Engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.errors import InvalidData
from engine.model import CaseStatus
from engine.policy import CLI_OPERATOR, SCHEDULER
from engine.quota import add_months
from engine.services.processes import read_directory
from tests.processes.scenario_data import DESIGNER, Scenario, form_data, scenario

T = "T1"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
COORD = Actor("coord", frozenset({"coordinatore"}), frozenset({T}))


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, T) as sc:
        sc.open_partnership()
        yield sc


def answers(s: Scenario, form_key: str) -> dict[str, Any]:
    today = s.clock.now().date().isoformat()
    own: dict[str, dict[str, Any]] = {
        "imp_costituzione": {"data_atto": today, "notaio": "Notaio Rossi"},
        "imp_iscrizioni": {"data_iscrizione_registro_imprese": today},
        "imp_avvio_attivita": {"data_inizio_attivita": today, "comunicazioni_obbligatorie": True},
        "imp_mentoring": {"data_sessione": today, "ore_mentoring": 6, "temi": ["GOVERNANCE"]},
        "imp_kpi": {
            "fatturato_trimestre_euro": 40000,
            "fatturato_previsto_euro": 45000,
            "assunzioni_trimestre": 0,
            "assunzioni_previste": 1,
        },
        "imp_relazione_finale": {"impresa_attiva": True, "sintesi": "Impresa avviata, organico stabile"},
        "imp_follow_up": {
            "impresa_attiva": True,
            "lavoratori": 10,
            "lavoratori_svantaggiati": 3,
            "fonte": "COMUNICAZIONI_OBBLIGATORIE",
            "classe_dimensionale": "PICCOLA",
        },
    }
    return own[form_key] if form_key in own else form_data(form_key)


def do(s: Scenario, case_id: int, bpmn_id: str, **over: Any) -> None:
    tasks = [t for t in s.case(case_id).open_tasks if t.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"{bpmn_id}: open tasks {s.ready(case_id)}"
    task = tasks[0]
    assert task.form_key and task.role
    s.engine.tasks.complete(task.id, {**answers(s, task.form_key), **over}, actor=s.actor(task.role))


def to_month(s: Scenario, start: dt.date, month: int) -> None:
    """Move both clocks to the ``month``-th monthly date after the start of activity, and fire."""
    target = dt.datetime.combine(add_months(start, month), dt.time(10, 0), tzinfo=dt.UTC)
    s.advance(days=(target - s.clock.now()).total_seconds() / 86400)


def founded(
    s: Scenario, forma: str = "IMPRESA_SOCIALE_SRL", name: str = "Borgo Vivo Impresa Sociale S.r.l."
) -> tuple[int, int]:
    found = s.engine.enterprises.create(T, name, forma, "Marche", "Arcevia", actor=COORD)
    s.phases[found.case_id] = []  # the conftest's bookkeeping of the scenario's cases
    return found.id, found.case_id


def checks(s: Scenario, case_id: int) -> list[tuple[int, str, bool]]:
    return [(v["mese"], v["motivo"], v["rispettata"]) for v in s.data(case_id)["verifiche_quota"]]


def test_four_founders_two_community_members_quarterly_quota_and_follow_up(s: Scenario) -> None:
    engine = s.engine
    enterprise_id, case_id = founded(s)
    today = s.clock.now().date()
    day = today.isoformat()
    ben = [s.start_percorso(f"BEN-{i}") for i in range(1, 5)]
    engine.registry.add_organisation("MENTOR_SRL", "Mentor S.r.l.", "impresa_mentor", T, actor=COORD)
    # the mentoring is reported by the mentor firm's tutor: the scenario's tutor acts for it
    tutor = s.actor("tutor_aziendale")
    engine.users.add(tutor.username, "Tutor", [("tutor_aziendale", T)], actor=CLI_OPERATOR)
    engine.registry.add_member("MENTOR_SRL", tutor.username, actor=COORD)
    engine.enterprises.link(enterprise_id, "IMPRESA_MENTOR", organisation="MENTOR_SRL", actor=COORD)
    worker = {"data_assunzione": day, "evidenza_pa": True, "actor": COORD}
    link = engine.enterprises.link
    link(enterprise_id, "SOCIO_LAVORATORE", case_id=ben[0], categorie=["IS_B_SVANTAGGIATO_DISABILE"], **worker)
    link(enterprise_id, "SOCIO_LAVORATORE", case_id=ben[1], categorie=["IS_B_SENZA_DIMORA"], **worker)
    link(enterprise_id, "SOCIO_LAVORATORE", case_id=ben[2], categorie=["IS_A_MOLTO_SVANTAGGIATO"], **worker)
    link(enterprise_id, "FONDATORE", case_id=ben[3], actor=COORD)
    link(enterprise_id, "SOCIO_COMUNITA", nominativo="Pro Loco di Arcevia", actor=COORD)
    link(enterprise_id, "SOCIO_COMUNITA", nominativo="Associazione Borgo Antico", actor=COORD)
    for i in range(6):
        link(enterprise_id, "LAVORATORE", nominativo=f"Lavoratore {i}", data_assunzione=day, actor=COORD)
    assert [lk.ruolo for lk in engine.enterprises.get(enterprise_id, actor=COORD).links].count("SOCIO_COMUNITA") == 2

    do(s, case_id, "Task_costituzione")
    do(s, case_id, "Task_iscrizioni")
    do(s, case_id, "Task_avvio")
    # the hires made while the enterprise was being incorporated: the latest roster is checked
    data = s.data(case_id)
    assert len(data["organico"]) == 9
    assert [m for _, m, _ in checks(s, case_id)] == ["AVVIO", "VARIAZIONE_ORGANICO"]
    assert all(ok for _, _, ok in checks(s, case_id))
    # 6 ordinary workers: Q = 1.8; two lett. b heads and one lett. a capped at Q/3 = 0.6
    assert {k: data["esito_quota"][k] for k in ("base", "quota", "lett_a_nei_24_mesi", "lett_a_conteggiati")} == {
        "base": 6,
        "quota": 1.8,
        "lett_a_nei_24_mesi": 1,
        "lett_a_conteggiati": 0.6,
    }
    assert s.ready(case_id) == []

    hours = 0.0
    for month in range(1, 37):
        assert s.ready(case_id) == [], f"month {month}: open {s.ready(case_id)}"
        to_month(s, today, month)
        if month <= 12:
            do(s, case_id, "Task_mentoring", ore_mentoring=month + 0.5)
            hours += month + 0.5
        if month == 12:
            do(s, case_id, "Task_relazione")
        if month == 24:
            do(s, case_id, "Task_follow_12")
        if month == 36:
            do(s, case_id, "Task_follow_24")
        if month % 3 == 0 and month <= 12:
            do(s, case_id, "Task_kpi")
        if month == 21:
            assert s.data(case_id)["esito_quota"]["lett_a_nei_24_mesi"] == 1
        if month == 24:
            # the lett. a worker's 24 months end today: an ordinary worker now, in the base
            esito = s.data(case_id)["esito_quota"]
            assert (esito["rispettata"], esito["base"], esito["lett_a_nei_24_mesi"], esito["mancanti"]) == (
                False,
                7,
                0,
                1,
            )
            assert s.ready(case_id) == ["Task_piano"]
            do(s, case_id, "Task_piano")
            assert s.ready(case_id) == ["Task_allerta"]
            do(s, case_id, "Task_allerta")
            # a new lett. b hire: checked at once, met again
            link(
                enterprise_id,
                "LAVORATORE",
                nominativo="Nuovo",
                categorie=["IS_B_PROTEZIONE_INTERNAZIONALE"],
                **worker | {"data_assunzione": s.clock.now().date().isoformat()},
            )
            assert checks(s, case_id)[-1] == (24, "VARIAZIONE_ORGANICO", True)

    data = s.data(case_id)
    assert s.case(case_id).status is CaseStatus.COMPLETED
    quarterly = [(m, ok) for m, why, ok in checks(s, case_id) if why == "TRIMESTRALE"]
    assert quarterly == [(m, m != 24) for m in range(3, 37, 3)]
    assert (data["piani_correttivi"], data["allerte_quota"]) == (1, 1)
    assert data["ore_mentoring_totali"] == hours and len(data["diario_mentoring"]) == 12
    assert [k["mese"] for k in data["monitoraggi_kpi"]] == [3, 6, 9, 12]
    assert {k["scostamento_pct"] for k in data["monitoraggi_kpi"]} == {-11.1}  # 40 000 against 45 000
    assert data["data_fine_accompagnamento"] == add_months(today, 12).isoformat()
    assert data["follow_up_12m"]["giorno"] == add_months(today, 24).isoformat()
    assert data["follow_up_24m"]["giorno"] == add_months(today, 36).isoformat()
    assert data["stato_impresa"] == "CHIUSO"


def test_a_worker_leaving_below_quota_raises_the_plan_at_once_each_time(s: Scenario) -> None:
    engine = s.engine
    enterprise_id, case_id = founded(s, "COOP_SOCIALE_B", "Orti Solidali Cooperativa Sociale")
    day = s.clock.now().date().isoformat()
    link = engine.enterprises.link
    for i in range(2):
        link(
            enterprise_id,
            "LAVORATORE",
            nominativo=f"S{i}",
            categorie=["ALCOLISTA"],
            evidenza_pa=True,
            data_assunzione=day,
            actor=COORD,
        )
    for i in range(5):
        link(enterprise_id, "LAVORATORE", nominativo=f"W{i}", data_assunzione=day, actor=COORD)
    for bpmn_id in ("Task_costituzione", "Task_iscrizioni", "Task_avvio"):
        do(s, case_id, bpmn_id)
    assert s.data(case_id)["esito_quota"]["rispettata"]  # 2 ≥ 30 % × 5
    assert s.ready(case_id) == []

    leaver = engine.enterprises.get(enterprise_id, actor=COORD).links[0]
    engine.enterprises.end_employment(enterprise_id, leaver.id, day, actor=COORD)
    assert checks(s, case_id)[-1] == (0, "VARIAZIONE_ORGANICO", False)
    assert s.ready(case_id) == ["Task_piano"]
    do(s, case_id, "Task_piano")
    do(s, case_id, "Task_allerta")
    # without PA evidence a disadvantaged hire does not count under L. 381: still below, alert again
    link(enterprise_id, "LAVORATORE", nominativo="S9", categorie=["ALCOLISTA"], data_assunzione=day, actor=COORD)
    assert checks(s, case_id)[-1] == (0, "VARIAZIONE_ORGANICO", False)
    do(s, case_id, "Task_piano")
    # two changes while the plan is being written: only the latest roster is checked afterwards
    link(
        enterprise_id,
        "LAVORATORE",
        nominativo="S10",
        categorie=["ALCOLISTA"],
        evidenza_pa=True,
        data_assunzione=day,
        actor=COORD,
    )
    ordinary = next(lk for lk in engine.enterprises.get(enterprise_id, actor=COORD).links if lk.nominativo == "W0")
    engine.enterprises.end_employment(enterprise_id, ordinary.id, day, actor=COORD)
    do(s, case_id, "Task_allerta")
    assert (s.data(case_id)["piani_correttivi"], s.data(case_id)["allerte_quota"]) == (2, 2)
    # S1 and S10 with PA evidence against 5 others (4 ordinary, S9 without evidence): 2 ≥ 1.5
    assert checks(s, case_id)[-1] == (0, "VARIAZIONE_ORGANICO", True)
    # the hires before the start of activity, the leaver, S9, the latest of the two: one check each
    assert len([c for c in checks(s, case_id) if c[1] == "VARIAZIONE_ORGANICO"]) == 4
    statuses = [m.status for m in engine.messages.of_case(case_id, actor=CLI_OPERATOR) if m.name == "organico_variato"]
    assert statuses.count("superseded") == 6 + 1 and "pending" not in statuses  # 6 of the first 7 hires, 1 of 2


def test_the_business_plan_is_checked_with_the_quota_engine_before_validation(s: Scenario) -> None:
    founder = s.start_percorso("BEN-BP")
    s.valutazione(founder, analisi={"orientamento_percorso": "IMPRESA"})
    assert s.data(founder)["esito"] == "IDONEO_IMPRESA"
    s.do(founder, "Task_scheda_ingresso")
    # the design is the enterprise's, founded from the person's path
    found = s.engine.enterprises.create(
        T,
        "Orti Solidali Cooperativa Sociale",
        "COOP_SOCIALE_B",
        "Marche",
        "Ancona",
        actor=COORD,
        founder_case_id=founder,
    )
    s.phases[found.case_id] = []
    case_id = found.case_id
    for step in ("Task_idea", "Task_fattibilita"):
        s.do(case_id, step)
    s.do(case_id, "Task_forma", forma_giuridica="COOP_SOCIALE_B")
    s.do(case_id, "Task_business_plan", n_svantaggiati_previsti=3, n_non_svantaggiati_previsti=12)
    quota = s.data(case_id)["quota_prevista"]
    assert (quota["rispettata"], quota["quota"], quota["mancanti"]) == (False, 3.6, 1)  # 12 others need 4
    with pytest.raises(InvalidData) as err:
        s.do(case_id, "Task_validazione", esito_validazione="SOSTENIBILE")
    assert err.value.messages == {
        "esito_validazione": [
            "Il piano non rispetta la quota di lavoratori svantaggiati (ne mancano 1): va rivisto prima di "
            "dichiararlo sostenibile."
        ]
    }
    s.do(case_id, "Task_validazione", esito_validazione="DA_RIVEDERE", richieste_revisione="Un lavoratore in più")
    s.do(case_id, "Task_business_plan", n_svantaggiati_previsti=4, n_non_svantaggiati_previsti=12)
    assert s.data(case_id)["quota_prevista"]["rispettata"]
    s.do(case_id, "Task_validazione", esito_validazione="SOSTENIBILE")
    assert s.ready(case_id) == ["Task_statuto"]


FIXTURES = Path(__file__).parent / "fixtures"
# The person's own design on the earlier diagram: history the current one no longer has (docs/enterprises.md).
DESIGN_DONE_ELSEWHERE = {
    "Task_idea": "Catch_progettata",
    "Task_fattibilita": "Catch_progettata",
    "Task_forma": "Catch_progettata",
    "Gateway_bp_entrata": "Catch_progettata",
    "Task_business_plan": "Catch_progettata",
    "Script_quota_prevista": "Catch_progettata",
    "Task_validazione": "Catch_progettata",
    "Gateway_validazione": "Script_impresa_progettata",
    "Task_statuto": "Gateway_impresa_sostenibile",
}


def test_a_case_pinned_to_the_earlier_start_up_migrates_with_the_documented_mapping(s: Scenario) -> None:
    """A founder's case started when track B still incorporated its own start-up moves to the
    current diagram with the mapping of docs/enterprises.md, then joins the enterprise; the
    conftest replays it across the migration."""
    engine = s.engine
    library = [f for f in read_directory(PROCESSES) if f.name not in {"attuazione_startup.bpmn", "progettazione.bpmn"}]
    earlier = [
        SourceFile("attuazione_startup.bpmn", (FIXTURES / "attuazione_startup_v1.bpmn").read_bytes()),
        SourceFile("progettazione.bpmn", (FIXTURES / "progettazione_v2.bpmn").read_bytes()),
    ]
    engine.design.deploy([*library, *earlier], actor=DESIGNER, note="earlier track B")
    pinned = engine.design.processes(actor=CLI_OPERATOR)
    version_before = next(p.version for p in pinned if p.process_id == "percorso_beneficiario")

    case_id = s.start_percorso("BEN-MIG")
    s.valutazione(case_id, analisi={"orientamento_percorso": "IMPRESA"})
    s.do(case_id, "Task_scheda_ingresso")
    for step in ("Task_idea", "Task_fattibilita", "Task_forma", "Task_business_plan", "Task_validazione"):
        s.do(case_id, step)
    s.do(case_id, "Task_statuto")
    assert s.ready(case_id) == ["Task_costituzione"]  # the earlier diagram: the person's own start-up

    engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="enterprises as cases")
    latest = next(
        p.version for p in engine.design.processes(actor=CLI_OPERATOR) if p.process_id == "percorso_beneficiario"
    )
    assert latest > version_before
    # without the mapping the case cannot move: the task it is at no longer exists
    dry = engine.cases.migrate(case_id, latest, actor=s.coordinatore, reason="imprese come casi", dry_run=True)
    assert not dry.can_migrate and "Task_costituzione" in dry.removed
    moved = engine.cases.migrate(
        case_id,
        latest,
        actor=s.coordinatore,
        reason="imprese come casi",
        mapping={"Task_costituzione": "Catch_impresa", **DESIGN_DONE_ELSEWHERE},
    )
    assert moved.migrated, moved.reasons
    assert s.ready(case_id) == []

    enterprise = engine.enterprises.create(
        T, "Bottega Aperta Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=COORD
    )
    s.phases[enterprise.case_id] = []
    engine.enterprises.link(enterprise.id, "FONDATORE", case_id=case_id, actor=COORD)
    assert engine.messages.deliver(actor=SCHEDULER) == 1
    assert s.data(case_id)["impresa_id"] == enterprise.id
    do(s, enterprise.case_id, "Task_costituzione")  # the current diagram waits for the incorporation
    assert engine.messages.deliver(actor=SCHEDULER) == 1
    assert case_id in s.advance(31)  # the person's monthly accompaniment runs
    assert s.ready(case_id) == ["Sub_mese_startup_task"]
