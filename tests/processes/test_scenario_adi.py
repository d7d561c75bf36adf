"""ADI/SFL legal deadlines in the beneficiary path (DL 48/2023), through the real diagrams.

A person receiving the Assegno di inclusione or the Supporto per la formazione e il lavoro must
have a first appointment with the social services within 120 days of the referral, then an
update every 90 days. With the person taken in charge the path raises the appointment task; a
boundary timer at the legal deadline raises the coordinator's reminder; each appointment arms the
next update, opened 15 days before it is due, with the coordinator's reminder when it is late. A
person without ADI/SFL gets none of this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.model import EventKind
from tests.processes.scenario_data import Scenario, scenario


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def _taken_in_charge(s: Scenario, pseudonimo: str, adi: bool) -> int:
    """F2 up to the outcome, with the referral dated today and the ADI/SFL flag as given."""
    case_id = s.start_percorso(pseudonimo)
    today = s.clock.now().date().isoformat()
    s.do(case_id, "UT_segnalazione", data_segnalazione=today, beneficiario_adi=adi)
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    s.assessment(case_id)
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    return case_id


def _timers(s: Scenario, case_id: int) -> list[str]:
    return [e.bpmn_id or "" for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED]


def test_adi_case_raises_the_120_day_reminder_when_due_and_a_non_adi_case_does_not(s: Scenario) -> None:
    adi = _taken_in_charge(s, "BEN-ADI-1", adi=True)
    other = _taken_in_charge(s, "BEN-NOADI-1", adi=False)
    assert s.ready(adi) == ["Task_primo_appuntamento_adi", "Task_scheda_ingresso"]
    assert s.ready(other) == ["Task_scheda_ingresso"]
    assert s.task(adi, "Task_primo_appuntamento_adi").role == "assistente_sociale"

    referral = s.clock.now().date()
    s.advance(119 - (s.clock.now().date() - referral).days)  # the day before the deadline
    assert "Task_sollecito_adi" not in s.ready(adi)
    s.advance(1)  # day 120 from the referral, after 06:00
    assert "Task_sollecito_adi" in s.ready(adi)
    assert s.task(adi, "Task_sollecito_adi").role == "coordinatore"
    assert "Timer_primo_appuntamento_adi" in _timers(s, adi)
    # The reminder does not take the appointment away from the social worker.
    assert "Task_primo_appuntamento_adi" in s.ready(adi)
    assert _timers(s, other) == []
    assert s.ready(other) == ["Task_scheda_ingresso"]
    s.do(adi, "Task_sollecito_adi", data_sollecito_adi=s.clock.now().date().isoformat())
    assert "Task_sollecito_adi" not in s.ready(adi)


def test_adi_appointment_on_time_records_pais_psp_and_arms_the_90_day_update(s: Scenario) -> None:
    case_id = _taken_in_charge(s, "BEN-ADI-2", adi=True)
    s.advance(10)
    seen_on = s.clock.now().date()
    s.do(
        case_id,
        "Task_primo_appuntamento_adi",
        data_appuntamento_adi=seen_on.isoformat(),
        riferimento_pais_adi="PAIS-7",
        riferimento_psp_adi="PSP-9",
    )
    assert s.ready(case_id) == ["Task_scheda_ingresso"]
    s.advance(120)  # past the first-appointment deadline: no reminder once the appointment is recorded
    assert "Task_sollecito_adi" not in s.ready(case_id)
    assert "Timer_primo_appuntamento_adi" not in _timers(s, case_id)
    assert "Task_aggiornamento_adi" in s.ready(case_id)  # 90 days after the appointment
    assert "Task_sollecito_aggiornamento_adi" in s.ready(case_id), "the update is late too (due on day 90)"
    s.do(case_id, "Task_sollecito_aggiornamento_adi")
    update_on = seen_on + dt.timedelta(days=130)
    s.do(case_id, "Task_aggiornamento_adi", data_appuntamento_adi=update_on.isoformat(), riferimento_psp_adi="PSP-10")
    assert "Task_aggiornamento_adi" not in s.ready(case_id)
    data = s.data(case_id)
    assert [a["psp"] for a in data["appuntamenti_adi"]] == ["PSP-9", "PSP-10"]
    assert data["appuntamenti_adi"][0]["pais"] == "PAIS-7"
    assert data["prossimo_aggiornamento_adi"] == (update_on + dt.timedelta(days=90)).isoformat()
    # The legal timers run beside the path: the entry form is still where it was.
    assert "Task_scheda_ingresso" in s.ready(case_id)


def _at(s: Scenario, day: dt.date, hour: int = 9) -> list[int]:
    """The clocks to ``day`` at ``hour`` UTC, firing what fell due."""
    target = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    return s.advance(seconds=(target - s.clock.now()).total_seconds())


def test_a_late_90_day_update_raises_the_coordinators_reminder(s: Scenario) -> None:
    case_id = _taken_in_charge(s, "BEN-ADI-4", adi=True)
    seen_on = s.clock.now().date()
    s.do(case_id, "Task_primo_appuntamento_adi", data_appuntamento_adi=seen_on.isoformat())
    _at(s, seen_on + dt.timedelta(days=74))
    assert "Task_aggiornamento_adi" not in s.ready(case_id)
    _at(s, seen_on + dt.timedelta(days=75))
    assert "Task_aggiornamento_adi" in s.ready(case_id), "opened 15 days before it is due"
    _at(s, seen_on + dt.timedelta(days=89))
    assert "Task_sollecito_aggiornamento_adi" not in s.ready(case_id)
    _at(s, seen_on + dt.timedelta(days=90))
    assert "Task_sollecito_aggiornamento_adi" in s.ready(case_id)
    assert s.task(case_id, "Task_sollecito_aggiornamento_adi").role == "coordinatore"
    assert "Task_aggiornamento_adi" in s.ready(case_id), "the update stays with the social worker"
    s.do(
        case_id,
        "Task_sollecito_aggiornamento_adi",
        data_sollecito_aggiornamento_adi=s.clock.now().date().isoformat(),
    )
    s.do(case_id, "Task_aggiornamento_adi", data_appuntamento_adi=s.clock.now().date().isoformat())
    # the next round: on time, no reminder
    _at(s, s.clock.now().date() + dt.timedelta(days=80))
    s.do(case_id, "Task_aggiornamento_adi", data_appuntamento_adi=s.clock.now().date().isoformat())
    _at(s, s.clock.now().date() + dt.timedelta(days=30))
    assert _timers(s, case_id).count("Timer_aggiornamento_adi_scaduto") == 1


def test_the_120_days_count_from_the_referral_not_from_the_taking_in_charge(s: Scenario) -> None:
    """A referral that reached the service 100 days before the person is taken in charge leaves 20
    days to the legal deadline: the reminder follows the referral date, whenever the task opened."""
    case_id = s.start_percorso("BEN-ADI-5")
    referral = s.clock.now().date() - dt.timedelta(days=100)
    s.do(case_id, "UT_segnalazione", data_segnalazione=referral.isoformat(), beneficiario_adi=True)
    s.do(case_id, "UT_informativa")
    s.do(case_id, "UT_verifica_documenti")
    s.assessment(case_id)
    s.do(case_id, "UT_conferma_esito")
    s.do(case_id, "UT_comunicazione_esito")
    # the assessment was late too (60 days from the same referral): its reminder ends F2
    s.do(case_id, "UT_sollecito_esito", data_sollecito_esito=s.clock.now().date().isoformat())
    assert "Task_primo_appuntamento_adi" in s.ready(case_id)
    deadline = dt.datetime.combine(referral + dt.timedelta(days=120), dt.time(6), tzinfo=dt.UTC)
    assert s.task(case_id, "Task_primo_appuntamento_adi").due_at == deadline
    assert s.data(case_id)["scadenza_primo_appuntamento_adi"] == (referral + dt.timedelta(days=120)).isoformat()
    _at(s, referral + dt.timedelta(days=119))
    assert "Task_sollecito_adi" not in s.ready(case_id)
    _at(s, referral + dt.timedelta(days=120))  # 20 days after the task opened, not 120
    assert "Task_sollecito_adi" in s.ready(case_id)
    [fired] = [
        e for e in s.history(case_id) if e.kind == EventKind.TIMER_FIRED and e.bpmn_id == "Timer_primo_appuntamento_adi"
    ]
    assert fired.data["due"] == deadline.isoformat(), "the audit log records the legal deadline"
