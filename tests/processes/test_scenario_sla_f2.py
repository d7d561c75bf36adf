"""F2's times, through the real diagrams: the referral is taken in charge and the assessment
reaches its outcome within the days the territory's partnership agreement (F1) set, counted from
the referral; one non-interrupting timer watches the whole assessment (sub-process
``Sub_valutazione``), so a slow branch anywhere raises the coordinator's reminder on the due day.
Without agreed times the programme parameters apply. The DID and the service pact are the job
centre's only for a person who has neither and is ready for work.

Cases pinned to the earlier F2 (``fixtures/valutazione_bisogno_v1.bpmn``) and not migrated keep
it: the reminder counted from the start of the assessment on the outcome's task. Their migration
to this version (the called F2 rebuilt on it) is ``test_scenario_f2_migration.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import EventKind
from engine.services.processes import read_directory
from tests.processes.scenario_data import ADERISCE, DESIGNER, Scenario, scenario
from tests.processes.test_scenario_partenariato import answer, approve

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TERRITORY = "T2"  # the partners of the F1 samples serve it (tests.processes.test_scenario_partenariato)


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, territory=TERRITORY) as sc:
        yield sc


def _agreement(s: Scenario, **tempi: Any) -> None:
    """F1 walked to the signed agreement, with the referral times ``tempi``."""
    case_id = s.start("accordo_partenariato", {"titolo": "Partenariato T2"})
    s.do(case_id, "UT_analisi_contesto")
    s.do(case_id, "UT_contatti_pa")
    s.do(case_id, "UT_contatti_privati")
    s.do(case_id, "UT_co_programmazione")
    s.do(case_id, "UT_bozza_accordo", **tempi)
    answer(s, case_id, {"COMUNE_ANCONA": ADERISCE, "CPI_ANCONA": ADERISCE, "COOP_SOLE": ADERISCE})
    approve(s, case_id, ["COMUNE_ANCONA", "COOP_SOLE", "CPI_ANCONA"])
    s.do(case_id, "UT_firma_accordo")
    s.do(case_id, "UT_costituzione_cabina")


def _fired(s: Scenario, case_id: int) -> list[str]:
    return [e.bpmn_id or "" for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED]


def _day(s: Scenario, start: dt.datetime, day: int, hour: int = 9) -> None:
    """Move the clocks to ``day`` days after ``start``, at ``hour`` UTC, firing what fell due."""
    target = dt.datetime.combine(start.date() + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)
    s.advance(seconds=(target - s.clock.now()).total_seconds())


def test_referral_and_outcome_are_due_within_the_times_agreed_in_f1(s: Scenario) -> None:
    _agreement(s, sla_presa_in_carico_giorni=10, sla_esito_valutazione_giorni=45)
    opened = s.clock.now()
    case_id = s.start_percorso("BEN-SLA-1")
    data = s.data(case_id)
    assert (data["giorni_presa_in_carico_concordati"], data["giorni_esito_concordati"]) == (10, 45)
    referral_due = dt.datetime.combine(opened.date() + dt.timedelta(days=10), dt.time(6), tzinfo=dt.UTC)
    assert s.task(case_id, "UT_segnalazione").due_at == referral_due

    _day(s, opened, 9)
    assert s.ready(case_id) == ["UT_segnalazione"]
    _day(s, opened, 10)
    assert s.ready(case_id) == ["UT_segnalazione", "UT_sollecito_presa_in_carico"]
    assert s.task(case_id, "UT_sollecito_presa_in_carico").role == "coordinatore"
    s.do(case_id, "UT_sollecito_presa_in_carico", data_sollecito_presa_in_carico=s.clock.now().date().isoformat())

    # the referral is dated on the day the case opened: the outcome is due 45 days after it
    s.do(case_id, "UT_segnalazione", data_segnalazione=opened.date().isoformat())
    assert s.data(case_id)["scadenza_esito_valutazione"] == (opened.date() + dt.timedelta(days=45)).isoformat()
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    s.do(case_id, "UT_analisi_preliminare")
    # the job centre is slow: the whole assessment is watched, not only the outcome's confirmation
    _day(s, opened, 44)
    assert "UT_sollecito_esito" not in s.ready(case_id)
    _day(s, opened, 45)
    assert s.ready(case_id) == ["UT_did_psp", "UT_sollecito_esito"]
    assert _fired(s, case_id).count("Timer_sollecito_esito") == 1
    s.do(case_id, "UT_sollecito_esito", data_sollecito_esito=s.clock.now().date().isoformat())
    s.do(case_id, "UT_did_psp")
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    assert s.ready(case_id) == ["Task_scheda_ingresso"]
    assert s.data(case_id)["esito"] == "IDONEO_LAVORO"
    _day(s, opened, 200)
    assert _fired(s, case_id).count("Timer_sollecito_esito") == 1, "once"


def test_without_agreed_times_the_programme_parameters_apply(s: Scenario) -> None:
    s.engine.registry.set_partnership(TERRITORY, True, actor=s.coordinatore)  # no F1 case
    opened = s.clock.now()
    case_id = s.start_percorso("BEN-SLA-2")
    data = s.data(case_id)
    assert (data["giorni_presa_in_carico_concordati"], data["giorni_esito_concordati"]) == (None, None)
    assert data["scadenza_presa_in_carico"] == (opened.date() + dt.timedelta(days=15)).isoformat()
    referred = opened.date() - dt.timedelta(days=20)  # the referral reached the service earlier
    s.do(case_id, "UT_segnalazione", data_segnalazione=referred.isoformat())
    assert s.data(case_id)["scadenza_esito_valutazione"] == (referred + dt.timedelta(days=60)).isoformat()
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    _day(s, opened, 39)
    assert "UT_sollecito_esito" not in s.ready(case_id)
    _day(s, opened, 40)  # 60 days from the referral, not from the opening
    assert "UT_sollecito_esito" in s.ready(case_id)


@pytest.mark.parametrize(
    ("situazione", "extra"),
    [
        ("PSP_ATTIVO", {"riferimento_psp_esistente": "SIISL-2025-881", "data_psp_esistente": "2025-11-20"}),
        ("NON_PRONTO_LAVORO", {}),
    ],
)
def test_no_did_step_for_a_person_with_a_pact_or_not_ready_for_work(
    s: Scenario, situazione: str, extra: dict[str, Any]
) -> None:
    s.engine.registry.set_partnership(TERRITORY, True, actor=s.coordinatore)
    case_id = s.start_percorso(f"BEN-DID-{situazione}")
    s.do(case_id, "UT_segnalazione", situazione_did_psp=situazione, **extra)
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    assert s.ready(case_id) == ["UT_analisi_preliminare"], "the job centre gets no DID task"
    s.do(case_id, "UT_analisi_preliminare")
    assert s.ready(case_id) == ["UT_conferma_esito"]
    data = s.data(case_id)
    assert data["data_did"] is None and data["contratto_6m_ultimi_24_mesi"] is None
    assert data["psp_sottoscritto"] is (situazione == "PSP_ATTIVO")
    assert data["data_psp"] == extra.get("data_psp_esistente")
    assert data["esito_proposto"]
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    assert s.data(case_id)["esito"]


def test_cases_on_the_earlier_f2_keep_it(s: Scenario) -> None:
    s.engine.registry.set_partnership(TERRITORY, True, actor=s.coordinatore)
    library = [f for f in read_directory(PROCESSES) if f.name != "valutazione_bisogno.bpmn"]
    earlier = SourceFile("valutazione_bisogno.bpmn", (FIXTURES / "valutazione_bisogno_v1.bpmn").read_bytes())
    s.engine.design.deploy([*library, earlier], actor=DESIGNER, note="earlier F2")
    opened = s.clock.now()
    inside, past = s.start_percorso("BEN-F2-V1"), s.start_percorso("BEN-F2-V2")
    s.valutazione(past)
    assert s.ready(past) == ["Task_scheda_ingresso"]
    s.do(inside, "UT_segnalazione")
    s.do(inside, "UT_informativa")
    s.do(inside, "UT_verifica_documenti")

    s.engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="F2 SLA")
    assert {s.case(c).process_version for c in (inside, past)} == {s.case(inside).process_version}

    # the pinned case: no reminder while the branches run, the earlier timer on the outcome's task
    _day(s, opened, 61)
    assert "UT_sollecito_esito" not in s.ready(inside)
    s.do(inside, "UT_analisi_preliminare")
    s.do(inside, "UT_did_psp")
    assert s.ready(inside) == ["UT_conferma_esito"]
    s.advance(hours=23)
    assert "UT_sollecito_esito" not in s.ready(inside)
    s.advance(hours=1, minutes=1)  # the earlier timer: at least a day after the outcome's task opened
    assert "UT_sollecito_esito" in s.ready(inside)
    s.do(past, "Task_scheda_ingresso")
    assert s.ready(past) == ["Task_progetto"]
