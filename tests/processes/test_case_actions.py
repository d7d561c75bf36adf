"""Case actions through the real diagrams: the person's withdrawal in F2, F3 and F4 (each reaching
the ESF+ exit form), suspension and resumption (no tasks, timers held), closure d'ufficio (data
kept), "what happens next", and the refusals (no reason, a future date, an ended case).

The processes conftest runs each test on one and on two servers and replays every case afterwards:
the new events (suspended, resumed, closed) must rebuild the stored state step by step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from engine import Engine, errors
from engine.clock import FixedClock
from engine.model import CaseAction, CaseStatus, EventKind
from tests.processes.conftest import ADMIN
from tests.processes.scenario_data import MESE, Scenario, join_enterprise, scenario


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def _today(s: Scenario) -> str:
    return s.clock.now().date().isoformat()


def test_withdrawal_during_assessment_leads_to_the_exit_form(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R2")
    s.do(case_id, "UT_segnalazione")
    manager = s.actor("assistente_sociale")
    actions = s.engine.cases.outlook(case_id, actor=s.coordinatore).actions
    assert CaseAction.WITHDRAW in actions
    view = s.engine.cases.withdraw(
        case_id, date=_today(s), reason="Si trasferisce in un'altra regione", actor=s.coordinatore
    )
    assert [t.bpmn_id for t in view.open_tasks] == ["Task_uscita"]
    assert s.ready(case_id) == ["Task_uscita"]
    data = s.data(case_id)
    assert data["stato_caso"] == "RINUNCIA" and data["motivo_chiusura"] == "RINUNCIA"
    assert data["data_rinuncia"] == _today(s)
    assert data["motivo_rinuncia_percorso"] == "Si trasferisce in un'altra regione"
    assert s.in_phase(case_id, "follow_up")
    kinds = s.kinds(case_id)
    assert EventKind.MESSAGE_SENT in kinds and EventKind.MESSAGE_RECEIVED in kinds
    # the exit form is the case manager's, in their inbox
    assert s.task(case_id, "Task_uscita").id in {t.id for t in s.engine.tasks.list(case_id=case_id, actor=manager)}
    # once at the exit nothing waits for a withdrawal any more: refused, not stored for later
    with pytest.raises(errors.ActionNotAvailable):
        s.engine.cases.withdraw(case_id, date=_today(s), reason="di nuovo", actor=s.coordinatore)
    assert CaseAction.WITHDRAW not in s.engine.cases.outlook(case_id, actor=s.coordinatore).actions


def test_withdrawal_during_design_leads_to_the_exit_form(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R3")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    assert s.in_phase(case_id, "progettazione")
    s.engine.cases.withdraw(case_id, date=_today(s), reason="Ha trovato lavoro da sola", actor=s.coordinatore)
    assert s.ready(case_id) == ["Task_uscita"]
    assert s.stati(case_id)[-1] == "RINUNCIA"
    s.do(case_id, "Task_uscita", motivo_uscita="RINUNCIA")
    assert s.data(case_id)["motivo_uscita"] == "RINUNCIA"


def test_withdrawal_during_the_traineeship_is_caught_by_f4(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R4")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id)
    s.do(case_id, "Task_convenzione")
    s.do(case_id, "Task_comunicazione")
    s.engine.cases.withdraw(case_id, date=_today(s), reason="Motivi familiari", actor=s.coordinatore)
    assert s.ready(case_id) == ["Task_rinuncia"]
    assert s.data(case_id)["rinuncia"]["motivo"] == "Motivi familiari"
    s.do(case_id, "Task_rinuncia")
    assert s.ready(case_id) == ["Task_uscita"]
    assert s.data(case_id)["esito_attuazione"] == "ABBANDONO"


def test_withdrawal_input_is_checked_and_nothing_is_stored(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R5")
    before = s.kinds(case_id)
    with pytest.raises(errors.InvalidData) as no_reason:
        s.engine.cases.withdraw(case_id, date=_today(s), reason="  ", actor=s.coordinatore)
    assert no_reason.value.messages == {"reason": ["Indica il motivo."]}
    future = (s.clock.now() + dt.timedelta(days=30)).date().isoformat()
    with pytest.raises(errors.InvalidData) as late:
        s.engine.cases.withdraw(case_id, date=future, reason="x", actor=s.coordinatore)
    assert late.value.messages == {"date": ["Inserisci una data non successiva a oggi."]}
    with pytest.raises(errors.InvalidData) as early:
        s.engine.cases.withdraw(case_id, date="2001-01-01", reason="x", actor=s.coordinatore)
    assert "non precedente" in early.value.messages["date"][0]
    with pytest.raises(errors.InvalidData) as long:
        s.engine.cases.withdraw(case_id, date=_today(s), reason="x" * 10_000, actor=s.coordinatore)
    assert "al massimo 4000 caratteri" in long.value.messages["reason"][0]
    # a tutor may not record it
    with pytest.raises(errors.Forbidden):
        s.engine.cases.withdraw(case_id, date=_today(s), reason="x", actor=s.actor("tutor_aziendale"))
    assert s.kinds(case_id) == before and s.ready(case_id) == ["UT_segnalazione"]


def test_suspension_offers_no_tasks_and_holds_the_timers(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-S1")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id)
    s.do(case_id, "Task_convenzione")
    s.do(case_id, "Task_comunicazione")
    outlook = s.engine.cases.outlook(case_id, actor=s.coordinatore)
    timers = [a for a in outlook.awaited if a.kind == "timer"]
    assert timers and all(a.due_at is not None for a in timers)
    assert any(a.kind == "message" and a.message == "rinuncia_beneficiario" for a in outlook.awaited)
    month_due = min(a.due_at for a in timers if a.due_at is not None)

    view = s.engine.cases.suspend(case_id, reason="Ricovero ospedaliero", actor=s.coordinatore)
    assert view.status is CaseStatus.SUSPENDED and view.open_tasks == () and view.next_timer_due is None
    tutor = s.actor("tutor_aziendale")
    assert s.engine.tasks.list(case_id=case_id, actor=tutor) == []
    assert s.engine.cases.outlook(case_id, actor=s.coordinatore).actions == (CaseAction.RESUME,)
    assert s.advance(MESE + 5) == []  # the monthly timer waits
    with pytest.raises(errors.CaseSuspended):
        s.engine.cases.withdraw(case_id, date=_today(s), reason="x", actor=s.coordinatore)
    with pytest.raises(errors.CaseSuspended):
        s.engine.cases.suspend(case_id, reason="di nuovo", actor=s.coordinatore)
    with pytest.raises(errors.Forbidden):
        s.engine.cases.resume(case_id, reason="x", actor=tutor)

    view = s.engine.cases.resume(case_id, reason="Dimesso", actor=s.coordinatore)
    assert view.status is CaseStatus.RUNNING
    assert view.next_timer_due == month_due  # the original due time, already passed
    assert s.advance(0) == [case_id]  # fires at the next tick
    assert "Sub_mese_tirocinio_task" in s.ready(case_id)
    kinds = s.kinds(case_id)
    assert kinds.index(EventKind.SUSPENDED) < kinds.index(EventKind.RESUMED)
    with pytest.raises(errors.ActionNotAvailable):
        s.engine.cases.resume(case_id, reason="ancora", actor=s.coordinatore)


def test_closure_d_ufficio_ends_the_case_and_keeps_its_data(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-C1")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    entry = {k: v for k, v in s.data(case_id).items() if k not in ("stato_caso", "storico_stati")}
    view = s.engine.cases.close(case_id, reason="Persona irreperibile da sei mesi", actor=s.coordinatore)
    assert view.status is CaseStatus.CLOSED and view.open_tasks == ()
    data = s.data(case_id)
    assert data["chiusura_ufficio"]["motivo"] == "Persona irreperibile da sei mesi"
    assert {k: data.get(k) for k in entry} == entry  # nothing recorded is lost (ESF+ entry answers included)
    # the participant left the operation: the ESF+ exit's date and reason are recorded for the
    # report, the immediate results stay unknown (nobody surveyed them)
    assert (data["data_uscita"], data["motivo_uscita"]) == (_today(s), "CHIUSURA_UFFICIO")
    assert not any(k.startswith("eecr") for k in data)
    [facts] = [f for f in s.engine.reports.read_model(actor=ADMIN) if f.case_id == case_id]
    assert (facts.exit_on, facts.exit_reason, facts.eecr04) == (s.clock.now().date(), "CHIUSURA_UFFICIO", None)
    assert s.engine.tasks.list(case_id=case_id, actor=s.actor("assistente_sociale")) == []
    with pytest.raises(errors.CaseClosed):
        s.engine.cases.close(case_id, reason="ancora", actor=s.coordinatore)
    with pytest.raises(errors.CaseClosed):
        s.engine.cases.cancel(case_id, reason="ancora", actor=s.coordinatore)
    assert s.engine.cases.outlook(case_id, actor=s.coordinatore).actions == ()


def test_closure_keeps_an_exit_form_already_filled_and_records_no_exit_before_the_entry(s: Scenario) -> None:
    referred = s.start_percorso("BEN-C2")
    s.do(referred, "UT_segnalazione")
    s.engine.cases.close(referred, reason="Segnalazione duplicata", actor=s.coordinatore)
    assert "data_uscita" not in s.data(referred) and "motivo_uscita" not in s.data(referred)  # never entered

    left = s.start_percorso("BEN-C3")
    s.valutazione(left)
    s.do(left, "Task_scheda_ingresso")
    s.engine.cases.withdraw(left, date=_today(s), reason="Si trasferisce", actor=s.coordinatore)
    s.do(left, "Task_uscita", motivo_uscita="RINUNCIA")
    surveyed = {k: v for k, v in s.data(left).items() if k in ("data_uscita", "motivo_uscita", "eecr01_in_cerca")}
    s.engine.cases.close(left, reason="Persona irreperibile per i follow-up", actor=s.coordinatore)
    assert {k: s.data(left)[k] for k in surveyed} == surveyed  # the exit form's answers stand


def test_withdrawal_before_the_esf_entry_form_leads_to_the_exit_form(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R6")
    s.valutazione(case_id)
    assert s.ready(case_id) == ["Task_scheda_ingresso"]
    s.engine.cases.withdraw(case_id, date=_today(s), reason="Non si presenta più", actor=s.coordinatore)
    assert s.ready(case_id) == ["Task_uscita"]
    assert s.stati(case_id)[-1] == "RINUNCIA"
    assert "Task_scheda_ingresso" not in s.completed(case_id)


def test_withdrawal_while_the_start_up_waits_for_its_enterprise_leads_to_the_exit(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-R7")
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
    s.do(case_id, "Task_scheda_ingresso", disabilita="SI")
    enterprise = join_enterprise(s.engine, s.territory, case_id)
    s.phases[enterprise.case_id] = []
    assert s.data(case_id)["esito_progettazione"] == "STARTUP_VALIDATA"
    assert s.ready(case_id) == []  # track B waits for its enterprise's incorporation
    outlook = s.engine.cases.outlook(case_id, actor=s.coordinatore)
    assert {a.message for a in outlook.awaited if a.kind == "message"} >= {"rinuncia_beneficiario"}
    s.engine.cases.withdraw(case_id, date=_today(s), reason="Rinuncia all'impresa", actor=s.coordinatore)
    assert s.ready(case_id) == ["Task_rinuncia"]
    s.do(case_id, "Task_rinuncia")
    assert s.ready(case_id) == ["Task_uscita"]
    assert s.data(case_id)["esito_attuazione"] == "ABBANDONO"
