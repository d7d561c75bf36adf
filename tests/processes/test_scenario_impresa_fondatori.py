"""Four founders, one design: an enterprise founded from one beneficiary's path runs the track-B
design (idea, feasibility, legal form, business plan checked by the quota engine, validation,
statute) once in its own case; three more founders join; every founder's path waits at its catch
event and moves on when the enterprise's case tells it the design is validated and, later, that
the enterprise is incorporated. Through the real diagrams; the conftest replays every case (the
enterprise's and the four paths) and runs each test on one and on two engine instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Actor, Engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.errors import InvalidData
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR, SCHEDULER
from engine.services.processes import read_directory
from tests.processes.scenario_data import DESIGNER, Scenario, scenario
from tests.processes.test_scenario_impresa import do as on_enterprise

T = "T1"
COORD = Actor("coord", frozenset({"coordinatore"}), frozenset({T}))
DESIGN = ("Task_idea", "Task_fattibilita", "Task_forma", "Task_business_plan", "Task_validazione", "Task_statuto")


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, T) as sc:
        sc.open_partnership()
        yield sc


def on_track_b(s: Scenario, name: str) -> int:
    """A path assessed for track B, past the ESF+ entry form: waiting for its enterprise."""
    case_id = s.start_percorso(name)
    s.valutazione(case_id, analisi={"orientamento_percorso": "IMPRESA"})
    s.do(case_id, "Task_scheda_ingresso")
    assert s.ready(case_id) == [], "track B has no design task of its own"
    assert "impresa_progettata" in awaits(s, case_id)
    return case_id


def awaits(s: Scenario, case_id: int) -> set[str]:
    """The messages the case waits for now (its catch events and listening event sub-processes)."""
    return {a.message or "" for a in s.engine.cases.outlook(case_id, actor=CLI_OPERATOR).awaited if a.kind == "message"}


def founders_forms(s: Scenario, case_ids: list[int]) -> set[str]:
    return {e.bpmn_id or "" for c in case_ids for e in s.history(c) if e.kind == EventKind.TASK_COMPLETED} & set(DESIGN)


def test_four_founders_design_once_in_the_enterprise_and_move_on_at_its_milestones(s: Scenario) -> None:
    engine = s.engine
    founders = [on_track_b(s, f"FOND-{i}") for i in range(1, 5)]
    enterprise = engine.enterprises.create(
        T, "Borgo Vivo Impresa Sociale S.r.l.", "IMPRESA_SOCIALE_SRL", "Marche", "Arcevia",
        actor=COORD, founder_case_id=founders[0],
    )  # fmt: skip
    s.phases[enterprise.case_id] = []
    for other in founders[1:]:
        engine.enterprises.link(enterprise.id, "FONDATORE", case_id=other, actor=COORD)
    assert [(lk.ruolo, lk.case_id) for lk in engine.enterprises.get(enterprise.id, actor=COORD).links] == [
        ("FONDATORE", c) for c in founders
    ]
    # the design runs once, in the enterprise's case; the paths wait
    assert s.ready(enterprise.case_id) == ["Task_idea"]
    for step in ("Task_idea", "Task_fattibilita"):
        s.do(enterprise.case_id, step)
    with pytest.raises(InvalidData) as err:  # the legal form is the one the enterprise was founded with
        s.do(enterprise.case_id, "Task_forma", forma_giuridica="COOP_SOCIALE_B")
    assert list(err.value.messages) == ["forma_giuridica"]
    s.do(enterprise.case_id, "Task_forma", forma_giuridica="IMPRESA_SOCIALE_SRL")
    # the projected roster is checked by the quota engine before validation: 10 others need 3
    s.do(enterprise.case_id, "Task_business_plan", n_svantaggiati_previsti=2, n_non_svantaggiati_previsti=10)
    assert s.data(enterprise.case_id)["quota_prevista"]["mancanti"] == 1
    with pytest.raises(InvalidData):
        s.do(enterprise.case_id, "Task_validazione", esito_validazione="SOSTENIBILE")
    s.do(enterprise.case_id, "Task_validazione", esito_validazione="DA_RIVEDERE", richieste_revisione="Un socio in più")
    s.do(enterprise.case_id, "Task_business_plan", n_svantaggiati_previsti=4, n_non_svantaggiati_previsti=10)
    assert s.data(enterprise.case_id)["quota_prevista"]["rispettata"]
    s.do(enterprise.case_id, "Task_validazione", esito_validazione="SOSTENIBILE")
    for case_id in founders:
        assert s.ready(case_id) == [] and "impresa_progettata" in awaits(s, case_id)
    s.do(enterprise.case_id, "Task_statuto")
    assert s.ready(enterprise.case_id) == ["Task_costituzione"]

    # the enterprise told every founder in the command that validated it; the sweep delivers
    sent = [e for e in s.history(enterprise.case_id) if e.kind == EventKind.MESSAGE_SENT]
    assert [(e.data["message"], e.data["destinatari"]) for e in sent] == [("impresa_progettata", founders)]
    assert engine.messages.deliver(actor=SCHEDULER) >= 4
    for case_id in founders:
        data = s.data(case_id)
        assert (data["esito_progettazione"], data["impresa_id"], data["strumento"]) == (
            "STARTUP_VALIDATA",
            enterprise.id,
            "STARTUP",
        )
        assert data["impresa_caso_id"] == enterprise.case_id and data["ruolo_impresa"] == "FONDATORE"
        # in implementation, waiting for the incorporation: no accompaniment yet
        assert s.ready(case_id) == [] and "impresa_costituita" in awaits(s, case_id)
    s.advance(31)
    assert all(s.ready(c) == [] for c in founders), "no accompaniment before the incorporation"

    on_enterprise(s, enterprise.case_id, "Task_costituzione")
    assert engine.messages.deliver(actor=SCHEDULER) == 4
    for case_id in founders:
        assert s.data(case_id)["data_costituzione_impresa"] == s.data(enterprise.case_id)["data_atto"]
    s.advance(31)  # the first month of every founder's accompaniment
    assert {c: s.ready(c) for c in founders} == {c: ["Sub_mese_startup_task"] for c in founders}

    # one business plan, one statute, one quota check: only the enterprise's case did the design
    assert founders_forms(s, founders) == set()
    done = [e.bpmn_id for e in s.history(enterprise.case_id) if e.kind == EventKind.TASK_COMPLETED]
    assert (done.count("Task_business_plan"), done.count("Task_statuto"), done.count("Task_validazione")) == (2, 1, 2)
    # both sides keep the messages on their chains
    for case_id in founders:
        told = [e.data["message"] for e in s.history(case_id) if e.kind == EventKind.MESSAGE_SENT]
        taken = [e.data["message"] for e in s.history(case_id) if e.kind == EventKind.MESSAGE_RECEIVED]
        assert told == ["impresa_collegata", "impresa_progettata", "impresa_costituita"]
        assert sorted(taken) == sorted(told)


def test_a_worker_joining_after_the_incorporation_catches_up_at_once(s: Scenario) -> None:
    engine = s.engine
    founder = on_track_b(s, "FOND-A")
    enterprise = engine.enterprises.create(
        T, "Orti Solidali Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona",
        actor=COORD, founder_case_id=founder,
    )  # fmt: skip
    s.phases[enterprise.case_id] = []
    for step in DESIGN[:3]:
        s.do(enterprise.case_id, step, **({"forma_giuridica": "COOP_SOCIALE_B"} if step == "Task_forma" else {}))
    s.do(enterprise.case_id, "Task_business_plan", n_svantaggiati_previsti=4, n_non_svantaggiati_previsti=10)
    s.do(enterprise.case_id, "Task_validazione", esito_validazione="SOSTENIBILE")
    s.do(enterprise.case_id, "Task_statuto")
    on_enterprise(s, enterprise.case_id, "Task_costituzione")

    late = on_track_b(s, "LAV-B")
    day = s.clock.now().date().isoformat()
    engine.enterprises.link(
        enterprise.id, "LAVORATORE", case_id=late, data_assunzione=day, categorie=["ALCOLISTA"], evidenza_pa=True,
        actor=COORD,
    )  # fmt: skip
    told = [e.data["message"] for e in s.history(late) if e.kind == EventKind.MESSAGE_SENT]
    assert told == ["impresa_collegata", "impresa_progettata", "impresa_costituita"]
    engine.messages.deliver(actor=SCHEDULER)
    for case_id in (founder, late):
        assert "data_costituzione_impresa" in s.data(case_id) and "impresa_costituita" not in awaits(s, case_id)
    assert s.data(late)["ruolo_impresa"] == "LAVORATORE"


def test_a_plan_found_not_sustainable_sends_every_founder_back_to_track_a(s: Scenario) -> None:
    engine = s.engine
    founders = [on_track_b(s, f"NS-{i}") for i in (1, 2)]
    enterprise = engine.enterprises.create(
        T, "Terra Nuova Impresa Sociale S.r.l.", "IMPRESA_SOCIALE_SRL", "Marche", "Jesi",
        actor=COORD, founder_case_id=founders[0],
    )  # fmt: skip
    s.phases[enterprise.case_id] = []
    engine.enterprises.link(enterprise.id, "FONDATORE", case_id=founders[1], actor=COORD)
    for step in DESIGN[:4]:
        s.do(enterprise.case_id, step, **({"forma_giuridica": "IMPRESA_SOCIALE_SRL"} if step == "Task_forma" else {}))
    s.do(
        enterprise.case_id,
        "Task_validazione",
        esito_validazione="NON_SOSTENIBILE",
        richieste_revisione="Mercato assente",
    )
    assert s.case(enterprise.case_id).status is CaseStatus.COMPLETED
    assert s.data(enterprise.case_id)["stato_impresa"] == "NON_SOSTENIBILE"
    engine.messages.deliver(actor=SCHEDULER)
    for case_id in founders:
        assert s.data(case_id)["traccia"] == "A"
        assert s.ready(case_id) == ["Task_progetto"]  # individual placement from here


PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FIXTURES = Path(__file__).parent / "fixtures"


def test_an_enterprise_pinned_to_the_earlier_diagram_keeps_it_and_still_tells_its_paths(s: Scenario) -> None:
    """An enterprise's case started before the design moved keeps its version (no design, no
    COSTITUITA state): a path linked to it is told the design is validated at once, and the
    incorporation when the enterprise starts its activity."""
    engine = s.engine
    library = [f for f in read_directory(PROCESSES) if f.name != "impresa.bpmn"]
    earlier = SourceFile("impresa.bpmn", (FIXTURES / "impresa_v1.bpmn").read_bytes())
    engine.design.deploy([*library, earlier], actor=DESIGNER, note="enterprise before the design moved")
    enterprise = engine.enterprises.create(
        T, "Orti Solidali Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=COORD
    )
    s.phases[enterprise.case_id] = []
    engine.design.deploy(read_directory(PROCESSES), actor=DESIGNER, note="the design in the enterprise's case")
    pinned = s.case(enterprise.case_id).process_version
    assert pinned < max(p.version for p in engine.design.processes(actor=CLI_OPERATOR) if p.process_id == "impresa")

    worker = on_track_b(s, "LAV-V1")
    day = s.clock.now().date().isoformat()
    engine.enterprises.link(enterprise.id, "LAVORATORE", case_id=worker, data_assunzione=day, actor=COORD)
    engine.messages.deliver(actor=SCHEDULER)
    assert s.data(worker)["esito_progettazione"] == "STARTUP_VALIDATA"
    assert "impresa_costituita" in awaits(s, worker)
    on_enterprise(s, enterprise.case_id, "Task_costituzione")
    on_enterprise(s, enterprise.case_id, "Task_iscrizioni")
    assert engine.messages.deliver(actor=SCHEDULER) == 0  # the earlier diagram has no COSTITUITA state
    on_enterprise(s, enterprise.case_id, "Task_avvio")
    assert engine.messages.deliver(actor=SCHEDULER) == 1
    assert s.data(worker)["data_costituzione_impresa"] == s.data(enterprise.case_id)["data_atto"]
    assert s.case(enterprise.case_id).process_version == pinned


def test_the_enterprise_hiring_its_founder_is_a_milestone_on_both_cases(s: Scenario) -> None:
    """``hire_founder``: the founder becomes a founding member who works in the enterprise, joins
    the roster (the quota is checked on it), and the hire is recorded on the enterprise's case and
    on the person's own chain; bad input is a field message and changes nothing."""
    engine = s.engine
    founder = on_track_b(s, "FOND-ASSUNTA")
    enterprise = engine.enterprises.create(
        T, "Orti Solidali Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona",
        actor=COORD, founder_case_id=founder,
    )  # fmt: skip
    s.phases[enterprise.case_id] = []
    [link] = engine.enterprises.get(enterprise.id, actor=COORD).links
    today = s.clock.now().date()
    day, before = today.isoformat(), (today - dt.timedelta(days=1)).isoformat()
    hire = {"actor": COORD, "categorie": ["TOSSICODIPENDENTE"], "evidenza_pa": True}
    for args, field in (
        ((day, "TEMPO_INDETERMINATO", day), "data_comunicazione"),  # the UniLav notice the same day: late
        (((today + dt.timedelta(days=1)).isoformat(), "TEMPO_INDETERMINATO", day), "data_assunzione"),
        ((day, "A_CHIAMATA", before), "tipo_contratto"),
    ):
        with pytest.raises(InvalidData) as err:
            engine.enterprises.hire_founder(enterprise.id, link.id, *args, **hire)
        assert list(err.value.messages) == [field]
    with pytest.raises(InvalidData) as err:  # a founder is hired as such, not linked again as a worker
        engine.enterprises.link(enterprise.id, "LAVORATORE", case_id=founder, data_assunzione=day, actor=COORD)
    assert list(err.value.messages) == ["ruolo"]
    assert engine.enterprises.get(enterprise.id, actor=COORD).founders_hired == (1, 0)

    engine.enterprises.hire_founder(enterprise.id, link.id, day, "TEMPO_INDETERMINATO", before, **hire)
    found = engine.enterprises.get(enterprise.id, actor=COORD)
    [hired] = found.links
    assert (hired.ruolo, hired.data_assunzione, hired.categorie, hired.evidenza_pa) == (
        "SOCIO_LAVORATORE",
        day,
        ("TOSSICODIPENDENTE",),
        True,
    )
    assert found.founders_hired == (1, 1)
    milestone = [e for e in s.history(enterprise.case_id) if e.data.get("fondatore_assunto")]
    assert [(e.kind, e.data["caso"], e.data["tipo_contratto"], e.data["data_comunicazione"]) for e in milestone] == [
        (EventKind.ENTERPRISE_CHANGED, founder, "TEMPO_INDETERMINATO", before)
    ]
    roster = [
        m for m in engine.messages.of_case(enterprise.case_id, actor=CLI_OPERATOR) if m.name == "organico_variato"
    ]
    assert [(m.payload["motivo"], [p["persona"] for p in m.payload["organico"]]) for m in roster] == [
        ("ASSUNZIONE", [f"C{founder}"])
    ]
    told = [e for e in s.history(founder) if e.kind == EventKind.ENTERPRISE_CHANGED]
    assert [(e.data["impresa_id"], e.data["data_assunzione"], e.data["tipo_contratto"]) for e in told] == [
        (enterprise.id, day, "TEMPO_INDETERMINATO")
    ]
    with pytest.raises(InvalidData) as err:  # hired once: the link is no longer a founder's alone
        engine.enterprises.hire_founder(enterprise.id, link.id, day, "TEMPO_INDETERMINATO", before, **hire)
    assert list(err.value.messages) == ["legame"]
