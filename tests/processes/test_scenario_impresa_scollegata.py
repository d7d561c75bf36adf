"""Removing a founder tells their case, through the real diagrams: a link the person's case has
received is answered by ``impresa_scollegata``, which gives the path's coordinator the check of
what follows (the engine carries out a suspension or closure); a link not yet received is
withdrawn and the case keeps waiting for one. The enterprise's follow-up keeps the ESF+ EECO19
mapping (size class of Recommendation 2003/361/EC).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Actor, Engine
from engine.clock import FixedClock
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.processes.scenario_data import Scenario, scenario

T = "T1"
COORD = Actor("coord", frozenset({"coordinatore"}), frozenset({T}))
CHECK = "Task_verifica_impresa_scollegata"


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock, T) as sc:
        sc.open_partnership()
        yield sc


def _track_b(s: Scenario, pseudonimo: str, *, waiting: bool = True) -> int:
    """A founder's path: F2 towards an enterprise, then track B waiting for its enterprise."""
    case_id = s.start_percorso(pseudonimo)
    s.valutazione(case_id, analisi={"orientamento_percorso": "IMPRESA"})
    if waiting:
        s.do(case_id, "Task_scheda_ingresso")
        assert s.ready(case_id) == []
    return case_id


def _enterprise(s: Scenario) -> tuple[int, int]:
    found = s.engine.enterprises.create(
        T, "Bottega Aperta Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=COORD
    )
    s.phases[found.case_id] = []  # the conftest's bookkeeping of the scenario's cases
    return found.id, found.case_id


def _link_of(s: Scenario, enterprise_id: int, case_id: int) -> int:
    return next(lk.id for lk in s.engine.enterprises.get(enterprise_id, actor=COORD).links if lk.case_id == case_id)


def test_removing_a_founder_asks_the_coordinator_and_a_closure_is_carried_out(s: Scenario) -> None:
    founder = _track_b(s, "BEN-SCOLL-1")
    enterprise_id, _case = _enterprise(s)
    s.engine.enterprises.link(enterprise_id, "FONDATORE", case_id=founder, actor=COORD)
    s.engine.messages.deliver(actor=SCHEDULER)
    assert s.data(founder)["impresa_id"] == enterprise_id

    s.engine.enterprises.unlink(enterprise_id, _link_of(s, enterprise_id, founder), actor=COORD)
    [told] = [e for e in s.history(founder) if e.kind == EventKind.MESSAGE_SENT and e.actor == COORD.username][-1:]
    assert told.data["message"] == "impresa_scollegata"
    assert told.data["payload"]["ruolo"] == "FONDATORE"
    s.engine.messages.deliver(actor=SCHEDULER)
    assert CHECK in s.ready(founder)
    assert s.task(founder, CHECK).role == "coordinatore"

    s.do(
        founder,
        CHECK,
        decisione_impresa_scollegata="DA_CHIUDERE",
        motivazione_impresa_scollegata="Ha lasciato la cooperativa e non intende proseguire",
    )
    view = s.case(founder)
    assert view.status is CaseStatus.CLOSED
    assert view.data["chiusura_ufficio"]["motivo"].startswith("Verifica il percorso dopo l'uscita dall'impresa: ")
    assert view.data["impresa_id"] == enterprise_id, "what the path recorded is kept"


def test_removing_a_founder_whose_case_never_got_the_link_withdraws_it(s: Scenario) -> None:
    founder = _track_b(s, "BEN-SCOLL-2", waiting=False)  # still before design: the link waits
    enterprise_id, _case = _enterprise(s)
    s.engine.enterprises.link(enterprise_id, "FONDATORE", case_id=founder, actor=COORD)
    # the link and the design the enterprise (designed elsewhere) has already validated
    assert [m.status for m in s.engine.messages.of_case(founder, actor=CLI_OPERATOR)] == ["pending", "pending"]
    s.engine.enterprises.unlink(enterprise_id, _link_of(s, enterprise_id, founder), actor=COORD)
    assert [(m.name, m.status) for m in s.engine.messages.of_case(founder, actor=CLI_OPERATOR)] == [
        ("impresa_collegata", "superseded"),
        ("impresa_progettata", "superseded"),
    ]
    [told] = [e for e in s.history(founder) if e.kind == EventKind.MESSAGE_SENT][-1:]
    assert told.data == {"message": "impresa_collegata", "withdrawn": True, "impresa_id": enterprise_id}
    assert CHECK not in s.ready(founder)
    assert s.case(founder).status is CaseStatus.RUNNING


def test_a_founder_who_goes_on_keeps_the_path(s: Scenario) -> None:
    founder = _track_b(s, "BEN-SCOLL-3")
    enterprise_id, _case = _enterprise(s)
    s.engine.enterprises.link(enterprise_id, "FONDATORE", case_id=founder, actor=COORD)
    s.engine.messages.deliver(actor=SCHEDULER)
    s.engine.enterprises.unlink(enterprise_id, _link_of(s, enterprise_id, founder), actor=COORD)
    s.engine.messages.deliver(actor=SCHEDULER)
    s.do(founder, CHECK, decisione_impresa_scollegata="PROSEGUE")
    assert s.case(founder).status is CaseStatus.RUNNING
    assert CHECK not in s.ready(founder)
