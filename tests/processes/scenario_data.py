"""Shared helpers for the scenario tests: valid form data per form key and a driver that walks a
case through the REAL engine (deployed library, database, inbox, audit log, timers).

Form data comes from the samples the raw diagram tests already use: ``VALID`` of
``tests/unit/test_forms_f1_f2.py`` for F1/F2 and ``base_data`` of
``tests/processes/test_diagrams_f3_f5_raw.py`` for F3–F5 (dates relative to "today", which is
the frozen ``time_machine`` time, kept equal to the engine's ``FixedClock``).

``Scenario.do`` completes a task the way a user would: it finds the open task of the case in the
inbox of an actor holding exactly the task's lane role in the case territory, fills its form
with valid data (plus the step's overrides) and submits it with ``engine.tasks.complete``. The
engine validates the form again, so a payload the forms would refuse fails the test.

Timers: SpiffWorkflow computes due dates with the real ``datetime.now``; ``Scenario.advance``
moves the ``FixedClock`` and the ``time_machine`` traveller together, then runs
``engine.timers.fire_due(actor=SCHEDULER)`` like the scheduler does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import time_machine

from engine import Engine
from engine.clock import FixedClock
from engine.forms import get_form
from engine.model import Actor, CaseEvent, CaseView, Enterprise, EventKind, TaskView
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.processes.test_diagrams_f3_f5_raw import base_data
from tests.support.people import ensure_person
from tests.support.teams import route_to
from tests.unit.test_forms_f1_f2 import VALID

DESIGNER = Actor("progettista", frozenset({"progettista"}))
TERRITORY = "T1"
MESE = 30  # giorni_mese in processes/parametri_f3_f5.json: the monthly F4 cycle
FOLLOW_UP_6M = 183  # giorni_follow_up_6m
FOLLOW_UP_12M = 365  # giorni_follow_up_12m
INTEGRAZIONE = 30  # giorni_integrazione_documenti (F2 missing documents)
# The engine names a task's process after the workflow it runs in: for the monthly cycles that is
# the embedded sub-process, not the called process (see the report on Runner.phase).
EMBEDDED = {"Sub_mese_tirocinio": "attuazione_tirocinio", "Sub_mese_startup": "attuazione_startup"}

# --- F1: answers of the partner referents ---------------------------------------------------------
ADERISCE: dict[str, Any] = {"esito_adesione": "ADERISCE"}
RIFIUTA: dict[str, Any] = {"esito_adesione": "RIFIUTA", "motivo_rifiuto": "Risorse di personale non disponibili"}
PARTNER_CODES = ["COMUNE_ANCONA", "CPI_ANCONA", "COOP_SOLE"]  # the partners of VALID["f1_analisi_contesto"]

# --- F2: facts of the assessment branches ---------------------------------------------------------
DOCUMENTI_MANCANTI: dict[str, Any] = {
    "documentazione_completa": False,
    "documenti_mancanti": ["Verbale di invalidità civile"],
}
NESSUN_REQUISITO: dict[str, Any] = {
    "contratto_6m_ultimi_6_mesi": True,
    "contratto_6m_ultimi_12_mesi": True,
    "contratto_6m_ultimi_24_mesi": True,
}  # no row of DT-1…DT-4 matches

# --- F3: the beneficiary refuses to sign ----------------------------------------------------------
RIFIUTO_PATTO: dict[str, Any] = {
    "decisione_beneficiario": "RIFIUTA",
    "data_firma": None,
    "documenti_firmati": [],
    "motivazione_rifiuto": "Orari incompatibili con gli impegni familiari",
}

# --- F4/F5: a month that goes badly, and the team deciding to redesign ----------------------------
MESE_NEGATIVO: dict[str, Any] = {
    "percentuale_presenza": 40,
    "obiettivi_mese": "NON_RISPETTATI",
    "criticita_rilevate": ["OBIETTIVI_MANCATI"],
}
RIPROGETTARE: dict[str, Any] = {
    "decisione_equipe": "RIPROGETTARE",
    "motivo_decisione": "OBIETTIVI_NON_RAGGIUNTI",
    "prossima_verifica": None,
}


def join_enterprise(engine: Engine, territory: str, case_id: int, ruolo: str = "FONDATORE") -> Enterprise:
    """A path on track B joins an enterprise designed elsewhere (its case starts at the
    incorporation) and the scheduler's sweep hands it the link and the validated design: the
    path is then in implementation, waiting for the enterprise to be incorporated."""
    coordinator = Actor(f"coordinatore@{territory}", frozenset({"coordinatore"}), frozenset({territory}))
    found = engine.enterprises.create(
        territory, "Bottega Aperta Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=coordinator
    )
    engine.enterprises.link(found.id, ruolo, case_id=case_id, actor=coordinator)
    engine.messages.deliver(actor=SCHEDULER)
    return found


def form_data(form_key: str, **overrides: Any) -> dict[str, Any]:
    """A valid submission of ``form_key`` (raw, as a browser would post it) with ``overrides``."""
    data = copy.deepcopy(VALID[form_key]) if form_key.startswith(("f1_", "f2_")) else base_data(form_key)
    return {**data, **overrides}


class Scenario:
    """Drives cases of one territory through the engine, acting as the right role each time."""

    def __init__(
        self, engine: Engine, clock: FixedClock, traveller: time_machine.Traveller, territory: str = TERRITORY
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.traveller = traveller
        self.territory = territory
        self.phases: dict[int, list[str]] = {}  # per case: process of each task completed, in order
        self.lanes: dict[str, str] = {}  # bpmn id → role of the actor who completed it

    # -- actors and setup --

    def actor(self, role: str) -> Actor:
        """A user holding only ``role``, covering only this scenario's territory."""
        return Actor(f"{role}@{self.territory}", frozenset({role}), frozenset({self.territory}))

    @property
    def coordinatore(self) -> Actor:
        return self.actor("coordinatore")

    def open_partnership(self) -> None:
        """Make the territory's partnership active directly (F1 walked elsewhere)."""
        self.engine.registry.set_partnership(self.territory, True, actor=self.coordinatore)

    def start(self, process_id: str, data: dict[str, Any], actor: Actor | None = None) -> int:
        case = self.engine.cases.start(
            process_id, {"territorio": self.territory, **data}, actor=actor or self.coordinatore
        )
        self.phases[case.id] = []
        return case.id

    def start_percorso(self, pseudonimo: str, **extra: Any) -> int:
        return self.start("percorso_beneficiario", {"beneficiario_pseudonimo": pseudonimo, **extra})

    # -- reading --

    def case(self, case_id: int) -> CaseView:
        return self.engine.cases.get(case_id, actor=CLI_OPERATOR)

    def data(self, case_id: int) -> dict[str, Any]:
        return self.case(case_id).data

    def ready(self, case_id: int) -> list[str]:
        """Bpmn ids of the case's open human tasks, sorted."""
        return sorted(t.bpmn_id for t in self.case(case_id).open_tasks)

    def history(self, case_id: int) -> list[CaseEvent]:
        return self.engine.cases.history(case_id, actor=CLI_OPERATOR)

    def completed(self, case_id: int) -> list[str]:
        """Bpmn ids of the task_completed events of the audit log, in order."""
        return [e.bpmn_id or "" for e in self.history(case_id) if e.kind == EventKind.TASK_COMPLETED]

    def kinds(self, case_id: int) -> list[str]:
        return [e.kind for e in self.history(case_id)]

    def stati(self, case_id: int) -> list[str]:
        """The case's state machine as the diagrams recorded it (``storico_stati``)."""
        return [s["stato"] for s in self.data(case_id)["storico_stati"]]

    def visited(self, case_id: int) -> list[str]:
        """The processes (phases) of the completed tasks, consecutive repeats collapsed."""
        seq: list[str] = []
        for process in self.phases[case_id]:
            phase = EMBEDDED.get(process, process)
            if not seq or seq[-1] != phase:
                seq.append(phase)
        return seq

    def in_phase(self, case_id: int, phase: str) -> bool:
        """Whether the engine files the case under ``phase`` (the inbox/case-list filter)."""
        return case_id in {
            c.id for c in self.engine.cases.list(phase=phase, territory=self.territory, actor=CLI_OPERATOR)
        }

    # -- acting --

    def task(self, case_id: int, bpmn_id: str, pick: Callable[[TaskView], bool] | None = None) -> TaskView:
        tasks = [t for t in self.case(case_id).open_tasks if t.bpmn_id == bpmn_id and (pick is None or pick(t))]
        assert len(tasks) == 1, f"{bpmn_id}: {len(tasks)} open; open tasks: {self.ready(case_id)}"
        return tasks[0]

    def do(
        self, case_id: int, bpmn_id: str, pick: Callable[[TaskView], bool] | None = None, **overrides: Any
    ) -> CaseView:
        """Complete the open task ``bpmn_id`` as its lane role, with valid data + ``overrides``."""
        task = self.task(case_id, bpmn_id, pick)
        assert task.role, f"{bpmn_id} has no lane role"
        assert task.form_key, f"{bpmn_id} has no form"
        assert task.territory == self.territory
        who = self.actor(task.role)
        route_to(self.engine, task, who)  # an organisation lane: the coordinator names who acts for it
        if get_form(task.form_key).person_required:
            ensure_person(self.engine, case_id)  # recorded at referral: the assessment's age comes from it
        inbox = {t.id for t in self.engine.tasks.list(case_id=case_id, actor=who)}
        assert task.id in inbox, f"{bpmn_id} is not in the inbox of {who.username}"
        view = self.engine.tasks.complete(task.id, form_data(task.form_key, **overrides), actor=who)
        self.phases.setdefault(case_id, []).append(task.process_id)
        self.lanes[bpmn_id] = task.role
        return view

    def advance(self, days: float = 0, **more: float) -> list[int]:
        """Move both clocks forward and fire the due timers like the scheduler does; returns the
        cases of this scenario in which a timer fired (read from their audit log)."""
        before = {case_id: self.timers_fired(case_id) for case_id in self.phases}
        self.clock.advance(days=days, **more)
        self.traveller.move_to(self.clock.now())
        self.engine.timers.fire_due(actor=SCHEDULER)
        return sorted(case_id for case_id, n in before.items() if self.timers_fired(case_id) > n)

    def timers_fired(self, case_id: int) -> int:
        return self.kinds(case_id).count(EventKind.TIMER_FIRED)

    # -- composite steps of the beneficiary path --

    def valutazione(
        self,
        case_id: int,
        *,
        verifica: dict[str, Any] | None = None,
        analisi: dict[str, Any] | None = None,
        did: dict[str, Any] | None = None,
        sanitaria: dict[str, Any] | None = None,
        giustizia: dict[str, Any] | None = None,
        conferma: dict[str, Any] | None = None,
    ) -> None:
        """F2 from the referral to the communicated outcome (documents complete)."""
        self.intake(case_id, verifica)
        self.assessment(case_id, analisi=analisi, did=did, sanitaria=sanitaria, giustizia=giustizia)
        self.do(case_id, "UT_conferma_esito", **(conferma or {}))
        self.do(case_id, "UT_comunicazione_esito")

    def intake(self, case_id: int, verifica: dict[str, Any] | None = None) -> None:
        self.do(case_id, "UT_segnalazione")
        self.do(case_id, "UT_informativa")
        self.do(case_id, "UT_verifica_documenti", **(verifica or {}))

    def assessment(
        self,
        case_id: int,
        *,
        analisi: dict[str, Any] | None = None,
        did: dict[str, Any] | None = None,
        sanitaria: dict[str, Any] | None = None,
        giustizia: dict[str, Any] | None = None,
    ) -> None:
        """The parallel branches; the certifications only when the document check asked for them."""
        self.do(case_id, "UT_analisi_preliminare", **(analisi or {}))
        self.do(case_id, "UT_did_psp", **(did or {}))
        if sanitaria is not None:
            self.do(case_id, "UT_certificazione_sanitaria", **sanitaria)
        if giustizia is not None:
            self.do(case_id, "UT_attestazione_giustizia", **giustizia)

    def progettazione_a(self, case_id: int, strumento: str = "TIROCINIO_EXTRACURRICOLARE") -> None:
        """F3 track A: personal project, instrument, host matching, the person signs."""
        self.do(case_id, "Task_progetto")
        self.do(case_id, "Task_strumento", strumento=strumento)
        self.do(case_id, "Task_abbinamento")
        self.do(case_id, "Task_adesione")

    def mese(
        self,
        case_id: int,
        registro_task: str = "Sub_mese_tirocinio_task",
        *,
        registro: dict[str, Any] | None = None,
        monitoraggio: dict[str, Any] | None = None,
        revisione: dict[str, Any] | None = None,
    ) -> None:
        """One month of F4: the timer fires, the tutor's register, then F5's monthly round."""
        assert registro_task not in self.ready(case_id), "register open before the month elapsed"
        assert case_id in self.advance(MESE + 1), "the monthly timer did not fire"
        self.do(case_id, registro_task, **(registro or {}))
        if "Task_mensile" in self.ready(case_id):
            self.do(case_id, "Task_mensile", **(monitoraggio or {}))
            if "Task_revisione" in self.ready(case_id):
                self.do(case_id, "Task_revisione", **(revisione or {}))

    def follow_ups(
        self,
        case_id: int,
        uscita: dict[str, Any] | None = None,
        sei_mesi: dict[str, Any] | None = None,
        dodici_mesi: dict[str, Any] | None = None,
    ) -> None:
        """Exit form, then the 6- and 12-month follow-ups, each only once its timer has fired."""
        self.do(case_id, "Task_uscita", **(uscita or {}))
        assert self.ready(case_id) == []
        assert case_id not in self.advance(FOLLOW_UP_6M - 1), "6-month timer fired early"
        assert self.ready(case_id) == []
        assert case_id in self.advance(2)
        assert self.ready(case_id) == ["Task_6m"]
        self.do(case_id, "Task_6m", **(sei_mesi or {}))
        assert case_id not in self.advance(FOLLOW_UP_12M - FOLLOW_UP_6M - 2), "12-month timer fired early"
        assert case_id in self.advance(2)
        assert self.ready(case_id) == ["Task_12m"]
        self.do(case_id, "Task_12m", **(dodici_mesi or {}))


@contextmanager
def scenario(engine: Engine, clock: FixedClock, territory: str = TERRITORY) -> Iterator[Scenario]:
    """The real library deployed, and SpiffWorkflow's time frozen at the engine clock's "now"."""
    with time_machine.travel(clock.now(), tick=False) as traveller:
        engine.design.deploy(actor=DESIGNER, note="scenario")
        yield Scenario(engine, clock, traveller, territory)
