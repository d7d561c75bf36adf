"""The real lifecycle diagrams on the engine's clock and message bus.

Every case runs the deployed library (``processes/``) through the real engine: database, inbox,
audit log, ``case_timer`` schedule and ``case_message`` store. Time moves only with the
``FixedClock`` (``clock.advance`` + ``engine.timers.fire_due(actor=SCHEDULER)``, as the scheduler's tick does);
SpiffWorkflow's timers read the same clock. Each task is completed by a user holding exactly its
lane role in the case territory, with valid form data from ``scenario_data.form_data``.

Behaviour pinned here:
- a withdrawal (``rinuncia_beneficiario``) interrupts the running F4 track; one sent earlier waits
  in ``case_message`` and is delivered the moment F4 starts;
- a partnership change reaches the running beneficiary cases of its territory only, and a lapse
  gives the coordinator a continuity check without touching the path;
- F2's 30-day document deadline fires exactly once; overdue work (assessment outcome, exit form)
  escalates to the coordinator while the late task stays where it is;
- the monthly F4 cycle makes exactly one attendance register per month of the traineeship.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.forms import get_form
from engine.model import Actor, CaseStatus, CaseView, EventKind, TaskStatus, TaskView
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.processes.scenario_data import (
    ADERISCE,
    DOCUMENTI_MANCANTI,
    PARTNER_CODES,
    RIFIUTA,
    form_data,
    join_enterprise,
)
from tests.support.people import ensure_person
from tests.support.teams import route_to

DESIGNER = Actor("progettista", frozenset({"progettista"}))
# The programme parameters (processes/parametri*.json) the expected dates below are computed from.
PARAMS_F2 = {
    "giorni_presa_in_carico": 15,
    "giorni_did_psp": 30,
    "giorni_integrazione_documenti": 30,
    "giorni_esito_valutazione": 60,
}
PARAMS_F3_F5 = {
    "giorni_mese": 30,
    "giorni_comunicazione_cessazione": 5,
    "giorni_scheda_uscita": 28,
    "giorni_follow_up_6m": 183,
    "giorni_follow_up_12m": 365,
}
VERIFICA = "Verifica continuità del percorso"
REGISTRO = "Registro presenze mensile"


class Driver:
    """Acts on the cases of one territory as the role each task's lane names."""

    def __init__(self, engine: Engine, clock: FixedClock, territory: str = "T1") -> None:
        self.engine, self.clock, self.territory = engine, clock, territory

    def actor(self, role: str) -> Actor:
        return Actor(f"{role}@{self.territory}", frozenset({role}), frozenset({self.territory}))

    @property
    def coordinatore(self) -> Actor:
        return self.actor("coordinatore")

    def start(self, pseudonimo: str) -> int:
        data = {"territorio": self.territory, "beneficiario_pseudonimo": pseudonimo}
        return self.engine.cases.start("percorso_beneficiario", data, actor=self.coordinatore).id

    def case(self, case_id: int) -> CaseView:
        return self.engine.cases.get(case_id, actor=CLI_OPERATOR)

    def open(self, case_id: int) -> list[str]:
        return sorted(t.bpmn_id for t in self.case(case_id).open_tasks)

    def task(self, case_id: int, bpmn_id: str) -> TaskView:
        [task] = [t for t in self.case(case_id).open_tasks if t.bpmn_id == bpmn_id]
        return task

    def do(self, case_id: int, bpmn_id: str, **overrides: Any) -> CaseView:
        """Complete the open task ``bpmn_id`` from the inbox of its lane role."""
        task = self.task(case_id, bpmn_id)
        assert task.role and task.form_key
        who = self.actor(task.role)
        route_to(self.engine, task, who)  # an organisation lane: the coordinator names who acts for it
        if get_form(task.form_key).person_required:
            ensure_person(self.engine, case_id)  # recorded at referral: the assessment's age comes from it
        assert task.id in {t.id for t in self.engine.tasks.list(case_id=case_id, actor=who)}, f"{bpmn_id} not in inbox"
        return self.engine.tasks.complete(task.id, form_data(task.form_key, **overrides), actor=who)

    def tick(self, **delta: float) -> int:
        """Move the clock, then fire what is due: the timers that fired."""
        self.clock.advance(**delta)
        return self.engine.timers.fire_due(actor=SCHEDULER)

    def today(self) -> str:
        return self.clock.now().date().isoformat()

    def kinds(self, case_id: int) -> list[str]:
        return [e.kind for e in self.engine.cases.history(case_id, actor=CLI_OPERATOR)]

    def fired(self, case_id: int) -> list[str]:
        return [
            str(e.bpmn_id)
            for e in self.engine.cases.history(case_id, actor=CLI_OPERATOR)
            if e.kind == EventKind.TIMER_FIRED
        ]

    # -- the beneficiary path up to a point --

    def intake(self, case_id: int, **verifica: Any) -> None:
        self.do(case_id, "UT_segnalazione")
        self.do(case_id, "UT_informativa")
        self.do(case_id, "UT_verifica_documenti", **verifica)

    def assessment(self, case_id: int) -> None:
        self.do(case_id, "UT_analisi_preliminare")
        self.do(case_id, "UT_did_psp")

    def to_f3(self, case_id: int) -> None:
        """F2 with complete documents (IDONEO_LAVORO), then the ESF+ entry form: F3 starts."""
        self.intake(case_id)
        self.assessment(case_id)
        self.do(case_id, "UT_conferma_esito")
        self.do(case_id, "UT_comunicazione_esito")
        self.do(case_id, "Task_scheda_ingresso")
        assert self.open(case_id) == ["Task_progetto"]

    def sign_pact(self, case_id: int) -> CaseView:
        self.do(case_id, "Task_progetto")
        self.do(case_id, "Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
        self.do(case_id, "Task_abbinamento")
        return self.do(case_id, "Task_adesione")

    def to_traineeship(self, case_id: int, mesi: int) -> None:
        """Up to the running monthly cycle of an extracurricular traineeship of ``mesi`` months."""
        self.to_f3(case_id)
        self.sign_pact(case_id)
        self.do(case_id, "Task_convenzione", durata_mesi=mesi)
        self.do(case_id, "Task_comunicazione")
        assert self.open(case_id) == []

    def month(self, case_id: int) -> None:
        """One month of F4: the timer fires, the tutor's register, F5's monthly report (and review)."""
        # other cases of the territory may fire their own timers meanwhile (F2's referral deadline)
        assert self.tick(days=PARAMS_F3_F5["giorni_mese"], minutes=1) >= 1
        assert self.open(case_id) == ["Sub_mese_tirocinio_task"]
        self.do(case_id, "Sub_mese_tirocinio_task")
        self.do(case_id, "Task_mensile")
        if "Task_revisione" in self.open(case_id):  # quarterly team review
            self.do(case_id, "Task_revisione")


@pytest.fixture
def d(engine: Engine, clock: FixedClock) -> Driver:
    engine.design.deploy(actor=DESIGNER, note="clock and messages")
    driver = Driver(engine, clock)
    for territory in ("T1", "T2"):
        engine.registry.set_partnership(territory, True, actor=Driver(engine, clock, territory).coordinatore)
    return driver


def test_the_parameters_these_tests_rely_on(engine: Engine) -> None:
    for name, value in {**PARAMS_F2, **PARAMS_F3_F5}.items():
        assert engine._ctx.param(name) == value, name


# --- (a) withdrawal during the traineeship ---------------------------------------------------------


def test_withdrawal_during_the_traineeship_closes_it_then_exit_data_and_follow_ups(d: Driver) -> None:
    case_id = d.start("BEN-A01")
    d.to_traineeship(case_id, mesi=6)
    d.month(case_id)
    assert d.tick(days=30, minutes=1) == 1  # month 2: the tutor's register is open
    [register] = [t for t in d.case(case_id).open_tasks if t.name == REGISTRO]

    view = d.engine.messages.send(
        case_id, "rinuncia_beneficiario", {"motivo": "ALTRO_LAVORO"}, actor=d.actor("assistente_sociale")
    )

    # The traineeship is interrupted: its task leaves the tutor's inbox, its timers are cancelled.
    assert [(t.bpmn_id, t.role) for t in view.open_tasks] == [("Task_rinuncia", "coordinatore")]
    assert d.engine.tasks.list(actor=d.actor("tutor_aziendale")) == []
    [cancelled] = d.engine.tasks.list(case_id=case_id, status=TaskStatus.CANCELLED, actor=d.actor("tutor_aziendale"))
    assert cancelled.id == register.id
    assert view.next_timer_due is None
    assert view.data["rinuncia"] == {"motivo": "ALTRO_LAVORO"}  # spiffworkflow:messageVariable
    kinds = d.kinds(case_id)
    assert kinds.index(EventKind.MESSAGE_SENT) < kinds.index(EventKind.MESSAGE_RECEIVED)
    assert [m.status for m in d.engine.messages.of_case(case_id, actor=CLI_OPERATOR)] == ["delivered"]
    rinuncia = d.task(case_id, "Task_rinuncia")
    assert rinuncia.due_at == rinuncia.created_at + dt.timedelta(days=PARAMS_F3_F5["giorni_comunicazione_cessazione"])

    view = d.do(case_id, "Task_rinuncia", motivo_rinuncia="ALTRO_LAVORO")

    data = view.data
    assert (data["esito_attuazione"], data["stato_caso"], data["motivo_chiusura"]) == ("ABBANDONO",) * 3
    assert data["motivo_abbandono"] == "RINUNCIA_BENEFICIARIO" and data["motivo_rinuncia"] == "ALTRO_LAVORO"
    assert [s["stato"] for s in data["storico_stati"]][-2:] == ["IN_ATTUAZIONE", "ABBANDONO"]
    assert d.open(case_id) == ["Task_uscita"], "like every leaver: exit data, then follow-ups"

    # (e) The exit form is due within 28 days; after that the coordinator is asked to chase it.
    uscita = d.task(case_id, "Task_uscita")
    assert uscita.due_at == uscita.created_at + dt.timedelta(days=PARAMS_F3_F5["giorni_scheda_uscita"])
    assert d.tick(days=27) == 0
    assert d.engine.tasks.list(case_id=case_id, actor=d.coordinatore) == []
    assert d.tick(days=1, minutes=1) == 1
    [chase] = d.engine.tasks.list(case_id=case_id, actor=d.coordinatore)
    assert (chase.bpmn_id, chase.name) == ("Task_sollecito_uscita", "Sollecito: scheda di uscita in ritardo")
    assert [t.bpmn_id for t in d.engine.tasks.list(case_id=case_id, actor=d.actor("assistente_sociale"))] == [
        "Task_uscita"
    ]
    d.do(case_id, "Task_sollecito_uscita", data_sollecito_uscita=d.today())
    d.do(
        case_id,
        "Task_uscita",
        data_uscita=d.today(),
        data_rilevazione=d.today(),
        motivo_uscita="RINUNCIA",
        eecr01_in_cerca=False,
        eecr03_qualifica=False,
        eecr04_occupato=True,
        tipo_contratto="TEMPO_DETERMINATO",
    )
    assert d.tick(days=183, minutes=1) == 1
    d.do(case_id, "Task_6m")
    assert d.tick(days=183) == 1
    view = d.do(case_id, "Task_12m")

    assert view.status is CaseStatus.COMPLETED
    data = view.data
    assert (data["stato_caso"], data["motivo_chiusura"], data["motivo_uscita"]) == ("CHIUSO", "ABBANDONO", "RINUNCIA")
    assert data["azione_sollecito_uscita"] == "SOLLECITO_INVIATO"
    assert [s["stato"] for s in data["storico_stati"]][-4:] == ["ABBANDONO", "FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO"]
    assert d.fired(case_id) == [
        "Sub_mese_tirocinio_timer",
        "Sub_mese_tirocinio_timer",
        "Timer_sollecito_uscita",
        "Timer_6m",
        "Timer_12m",
    ]


def test_withdrawal_also_stops_the_start_up_track(d: Driver) -> None:
    case_id = d.start("BEN-A02")
    d.intake(case_id)
    d.do(case_id, "UT_analisi_preliminare", orientamento_percorso="IMPRESA")
    d.do(case_id, "UT_did_psp")
    d.do(case_id, "UT_conferma_esito")
    d.do(case_id, "UT_comunicazione_esito")
    assert d.case(case_id).data["esito"] == "IDONEO_IMPRESA"
    d.do(case_id, "Task_scheda_ingresso")
    assert d.open(case_id) == []  # track B: waiting for an enterprise to found or join
    join_enterprise(d.engine, d.territory, case_id)
    assert d.open(case_id) == []  # in implementation, waiting for the enterprise's incorporation

    view = d.engine.messages.send(case_id, "rinuncia_beneficiario", {}, actor=d.actor("operatore_cpi"))

    assert [t.bpmn_id for t in view.open_tasks] == ["Task_rinuncia"]
    view = d.do(case_id, "Task_rinuncia")
    assert (view.data["esito_attuazione"], view.data["stato_caso"]) == ("ABBANDONO", "ABBANDONO")
    assert d.open(case_id) == ["Task_uscita"]


# --- (b) withdrawal before the traineeship starts --------------------------------------------------


def test_withdrawal_sent_during_design_interrupts_it_and_leads_to_the_exit(d: Driver) -> None:
    """Documented behaviour (docs/case-actions.md): the beneficiary path catches
    ``rinuncia_beneficiario`` on F2, on the ESF+ entry form and on F3 (F4 catches it inside
    ``attuazione``), so a withdrawal sent during design is delivered in the same command: the
    design stops, nothing of F4 starts, and the path goes to the exit (the ESF+ exit form). (A
    refusal to sign is recorded in F3's "Raccogli l'adesione" as RINUNCIA instead.)"""
    case_id = d.start("BEN-B01")
    d.to_f3(case_id)

    view = d.engine.messages.send(
        case_id, "rinuncia_beneficiario", {"motivo": "TRASFERIMENTO"}, actor=d.actor("assistente_sociale")
    )
    assert [t.bpmn_id for t in view.open_tasks] == ["Task_uscita"], "design stops: the exit form is next"
    assert [m.status for m in d.engine.messages.of_case(case_id, actor=CLI_OPERATOR)] == ["delivered"]
    assert (view.data["stato_caso"], view.data["motivo_chiusura"]) == ("RINUNCIA", "RINUNCIA")
    assert view.data["rinuncia"] == {"motivo": "TRASFERIMENTO"}
    every_task = {t.bpmn_id for t in d.engine.tasks.list(case_id=case_id, status=None, limit=500, actor=d.coordinatore)}
    assert "Task_convenzione" not in every_task, "the traineeship never reached an inbox"
    history = d.engine.cases.history(case_id, actor=CLI_OPERATOR)
    [sent] = [e for e in history if e.kind == EventKind.MESSAGE_SENT]
    [received] = [e for e in history if e.kind == EventKind.MESSAGE_RECEIVED]
    assert received.cmd == sent.cmd and received.data["message"] == "rinuncia_beneficiario"
    assert d.open(case_id) == ["Task_uscita"]


# --- (c) a partnership lapses ----------------------------------------------------------------------


def lapse_partnership(d: Driver) -> int:
    """Walk F1 in the driver's territory to an essential partner's refusal that stops the territory."""
    f1 = d.engine.cases.start(
        "accordo_partenariato", {"territorio": d.territory, "titolo": "Rinnovo"}, actor=d.coordinatore
    ).id
    for step in ("UT_analisi_contesto", "UT_contatti_pa", "UT_contatti_privati", "UT_co_programmazione"):
        d.do(f1, step)
    d.do(f1, "UT_bozza_accordo")
    answers = {code: RIFIUTA if code == "COMUNE_ANCONA" else ADERISCE for code in PARTNER_CODES}
    partner = d.actor("referente_ente_partner")
    answering = [t for t in d.case(f1).open_tasks if t.bpmn_id == "UT_risposta_partner"]
    for task in sorted(answering, key=lambda t: str(t.context["item"]["codice"])):  # the same order every run
        code = task.context["item"]["codice"]
        route_to(d.engine, d.engine.tasks.get(task.id, actor=CLI_OPERATOR), partner)
        d.engine.tasks.complete(task.id, form_data(task.form_key, codice_partner=code, **answers[code]), actor=partner)
    view = d.do(
        f1,
        "UT_decisione_cabina",
        decisione_cabina="INTERROMPI_TERRITORIO",
        sostituti=[],
        motivazione_cabina="Nessun altro Comune dell'Ambito disponibile",
    )
    assert view.status is CaseStatus.COMPLETED and view.data["partenariato_attivo"] is False
    return f1


def test_partnership_lapse_asks_the_coordinator_to_check_each_running_path_of_the_territory(
    d: Driver, engine: Engine, clock: FixedClock
) -> None:
    in_f2 = d.start("BEN-C01")
    in_f4 = d.start("BEN-C02")
    d.to_traineeship(in_f4, mesi=3)
    elsewhere = Driver(engine, clock, territory="T2")
    other = elsewhere.start("BEN-C03")

    lapse_partnership(d)

    [notice] = engine.messages.of_case(in_f2, actor=CLI_OPERATOR)
    assert (notice.name, notice.payload, notice.status) == (
        "partenariato_cambiato",
        {"territorio": "T1", "attivo": False},
        "pending",
    )
    assert engine.messages.of_case(other, actor=CLI_OPERATOR) == []
    assert engine.messages.deliver(actor=SCHEDULER) == 2
    assert engine.messages.deliver(actor=SCHEDULER) == 0

    for case_id in (in_f2, in_f4):
        [check] = [t for t in d.case(case_id).open_tasks if t.name == VERIFICA]
        assert (check.bpmn_id, check.role, check.territory) == ("Task_verifica_continuita", "coordinatore", "T1")
        assert check.id in {t.id for t in engine.tasks.list(case_id=case_id, actor=d.coordinatore)}
        assert EventKind.MESSAGE_RECEIVED in d.kinds(case_id)
    assert VERIFICA not in [t.name for t in elsewhere.case(other).open_tasks]
    assert engine.tasks.list(case_id=other, process_id="percorso_beneficiario", actor=elsewhere.coordinatore) == []
    assert d.open(in_f2) == ["Task_verifica_continuita", "UT_segnalazione"], "non-interrupting: the path goes on"

    view = d.do(in_f2, "Task_verifica_continuita", decisione_continuita="PROSEGUE", data_verifica_continuita=d.today())
    assert view.status is CaseStatus.RUNNING and d.open(in_f2) == ["UT_segnalazione"]
    d.do(in_f4, "Task_verifica_continuita")
    d.month(in_f4)  # the traineeship was never interrupted

    # A renewed partnership is only recorded: no task for anyone.
    renewed = {"territorio": "T1", "attivo": True}
    assert engine.messages.broadcast("T1", "partenariato_cambiato", renewed, actor=d.coordinatore) == 2
    assert engine.messages.deliver(actor=SCHEDULER) == 2
    # (a month went by: the referral, still not registered, got the coordinator's reminder)
    assert d.open(in_f2) == ["UT_segnalazione", "UT_sollecito_presa_in_carico"]
    assert d.kinds(in_f2).count(EventKind.MESSAGE_RECEIVED) == 2


def test_partnership_notices_never_keep_a_closed_path_open(d: Driver) -> None:
    """The event sub-process listens for the whole life of the case, and a continuity check may
    still be open when the path ends: the path's terminate end closes the case anyway (the check
    is withdrawn), and a path that never got a notice completes exactly as before."""
    checked = d.start("BEN-C04")
    lapse = {"territorio": "T1", "attivo": False}
    assert d.engine.messages.broadcast("T1", "partenariato_cambiato", lapse, actor=d.coordinatore) == 1
    assert d.engine.messages.deliver(actor=SCHEDULER) == 1
    quiet = d.start("BEN-C05")  # started after the notice: nothing for it
    for case_id in (quiet, checked):
        d.intake(case_id, **DOCUMENTI_MANCANTI)
        d.do(case_id, "UT_richiesta_integrazione")
    assert d.open(checked) == ["Task_verifica_continuita", "UT_ricezione_integrazione"]
    assert d.tick(days=30, minutes=1) == 2
    for case_id in (quiet, checked):
        view = d.do(case_id, "UT_archiviazione")
        assert view.status is CaseStatus.COMPLETED and view.open_tasks == ()
        assert (view.data["esito"], view.data["stato_caso"]) == ("ARCHIVIATO", "CHIUSO")
    cancelled = d.engine.tasks.list(case_id=checked, status=TaskStatus.CANCELLED, actor=d.coordinatore)
    assert [t.name for t in cancelled if t.bpmn_id == "Task_verifica_continuita"] == [VERIFICA], "withdrawn"

    assert d.engine.messages.broadcast("T1", "partenariato_cambiato", lapse, actor=d.coordinatore) == 0


# --- (d) the 30-day missing-documents timer of F2 ---------------------------------------------------


def test_missing_documents_timer_fires_once_after_thirty_days_and_the_case_moves_on(d: Driver) -> None:
    case_id = d.start("BEN-D01")
    d.intake(case_id, **DOCUMENTI_MANCANTI)
    d.do(case_id, "UT_richiesta_integrazione")
    requested = d.clock.now()
    receipt = d.task(case_id, "UT_ricezione_integrazione")
    assert receipt.due_at == requested + dt.timedelta(days=30)
    assert d.case(case_id).next_timer_due == requested + dt.timedelta(days=30)

    assert d.tick(days=29, hours=23) == 0
    assert d.open(case_id) == ["UT_ricezione_integrazione"]
    assert d.tick(hours=1, minutes=1) == 1
    assert d.engine.timers.fire_due(actor=SCHEDULER) == 0
    assert d.tick(days=20) == 0  # (the outcome's deadline, 60 days from the referral, is not reached)

    assert d.fired(case_id) == ["Timer_termine_integrazione"]
    assert d.open(case_id) == ["UT_archiviazione"]
    [expired] = [
        t
        for t in d.engine.tasks.list(case_id=case_id, status=None, actor=d.coordinatore)
        if t.bpmn_id == "UT_ricezione_integrazione"
    ]
    assert expired.status is TaskStatus.CANCELLED
    view = d.do(case_id, "UT_archiviazione")
    assert view.status is CaseStatus.COMPLETED
    assert (view.data["esito"], view.data["stato_caso"]) == ("ARCHIVIATO", "CHIUSO")


# --- (e) overdue escalation in F2 ------------------------------------------------------------------


def test_overdue_assessment_outcome_escalates_to_the_coordinator(d: Driver) -> None:
    case_id = d.start("BEN-E01")
    started = d.clock.now()
    at_six = dt.time(6, tzinfo=dt.UTC)  # date deadlines fall due at 06:00 UTC of their day
    segnalazione = d.task(case_id, "UT_segnalazione")
    days = dt.timedelta(days=PARAMS_F2["giorni_presa_in_carico"])
    assert segnalazione.due_at == dt.datetime.combine(started.date() + days, at_six)
    d.intake(case_id)  # referred on the day the case opened (the sample's date)
    did = d.task(case_id, "UT_did_psp")
    assert did.due_at == did.created_at + dt.timedelta(days=PARAMS_F2["giorni_did_psp"])
    d.assessment(case_id)
    conferma = d.task(case_id, "UT_conferma_esito")
    outcome_due = dt.datetime.combine(started.date() + dt.timedelta(days=60), at_six)
    assert conferma.due_at == outcome_due, "the outcome is due 60 days after the referral"

    assert d.tick(days=59, hours=20) == 0
    assert d.engine.tasks.list(case_id=case_id, actor=d.coordinatore) == []
    assert d.tick(hours=1, minutes=1) == 1

    [chase] = d.engine.tasks.list(case_id=case_id, actor=d.coordinatore)
    assert (chase.bpmn_id, chase.name, chase.role) == (
        "UT_sollecito_esito",
        "Sollecito: esito della valutazione in ritardo",
        "coordinatore",
    )
    social_worker = d.actor("assistente_sociale")
    assert [t.id for t in d.engine.tasks.list(case_id=case_id, actor=social_worker)] == [conferma.id], "still hers"
    assert [t.id for t in d.engine.tasks.list(due_before=d.clock.now(), actor=social_worker)] == [conferma.id]
    assert d.engine.timers.queue_overdue(actor=SCHEDULER) == 1 and d.engine.timers.queue_overdue(actor=SCHEDULER) == 0
    assert d.fired(case_id) == ["Timer_sollecito_esito"]

    # The late work is done first: F2 then waits for the coordinator's record of the reminder,
    # since a BPMN process ends only when every token has.
    d.do(case_id, "UT_conferma_esito")
    d.do(case_id, "UT_comunicazione_esito")
    assert d.open(case_id) == ["UT_sollecito_esito"]
    view = d.do(case_id, "UT_sollecito_esito", data_sollecito_esito=d.today())

    assert d.open(case_id) == ["Task_scheda_ingresso"]
    data = view.data
    assert (data["esito"], data["stato_caso"]) == ("IDONEO_LAVORO", "IN_PROGETTAZIONE")
    assert data["azione_sollecito_esito"] == "SOLLECITO_INVIATO"
    assert d.tick(days=120) == 0 and d.fired(case_id) == ["Timer_sollecito_esito"]


def test_outcome_confirmed_in_time_never_escalates(d: Driver) -> None:
    case_id = d.start("BEN-E02")
    d.intake(case_id)
    d.assessment(case_id)
    assert d.tick(days=50) == 0
    d.do(case_id, "UT_conferma_esito")
    d.do(case_id, "UT_comunicazione_esito")
    assert d.tick(days=30) == 0
    assert d.fired(case_id) == []
    assert d.open(case_id) == ["Task_scheda_ingresso"]


# --- (f) twelve months of attendance ----------------------------------------------------------------


def test_twelve_months_of_traineeship_make_exactly_twelve_attendance_registers(d: Driver) -> None:
    case_id = d.start("BEN-F01")
    d.to_traineeship(case_id, mesi=12)
    for _ in range(12):
        d.month(case_id)
    assert d.open(case_id) == ["Task_esito"]
    for _ in range(3):
        assert d.tick(days=31) == 0

    tutor = d.actor("tutor_aziendale")
    registers = [
        t for t in d.engine.tasks.list(case_id=case_id, status=None, limit=500, actor=tutor) if t.name == REGISTRO
    ]
    assert len(registers) == 12
    assert {t.status for t in registers} == {TaskStatus.COMPLETED}
    assert d.fired(case_id) == ["Sub_mese_tirocinio_timer"] * 12
    data = d.case(case_id).data
    assert (data["mesi_svolti"], data["durata_prevista_mesi"]) == (12, 12)
