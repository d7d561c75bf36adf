"""Team visibility through the real engine: a company tutor of firm A never sees, lists, is offered
or counts anything of firm B's trainee; an ASL or UEPE referent outside the organisation in charge
reads nothing of the case (and no health or judicial field even when the case is theirs only by
another relation); tasks of an organisation lane go to that organisation's members only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from engine import Actor, Engine, errors
from engine.model import TaskFilter
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import linear

T = "T1"


def person(engine: Engine, username: str, role: str, organisation: str | None = None) -> Actor:
    engine.users.add(username, username.title(), [(role, T)], actor=CLI_OPERATOR)
    if organisation is not None:
        engine.registry.add_member(organisation, username, actor=COORD)
    return engine.users.get(username, actor=CLI_OPERATOR)


COORD = Actor("carla", frozenset({"coordinatore"}), frozenset({T}), frozenset({("coordinatore", T)}))


@dataclass
class TwoFirms:
    engine: Engine
    case_a: int
    case_b: int
    tutor_a: Actor
    tutor_b: Actor


@pytest.fixture
def firms(engine: Engine, deploy: Callable[..., None]) -> TwoFirms:
    """Two trainees, each hosted by a different firm of the same territory, each firm a tutor."""
    deploy(("tirocinio.bpmn", linear("tirocinio", 1, ("tutor_aziendale",))))
    for code in ("FIRMA_A", "FIRMA_B"):
        engine.registry.add_organisation(code, f"Impresa {code[-1]}", "impresa_mentor", T, actor=COORD)
    tutor_a = person(engine, "tina", "tutor_aziendale", "FIRMA_A")
    tutor_b = person(engine, "tommaso", "tutor_aziendale", "FIRMA_B")
    cases = []
    for code, title in (("FIRMA_A", "Tirocinante A"), ("FIRMA_B", "Tirocinante B")):
        case = engine.cases.start("tirocinio", {"territorio": T, "titolo": title}, actor=COORD)
        engine.teams.add(case.id, "ospitante", organisation=code, actor=COORD)
        cases.append(case.id)
    return TwoFirms(engine, cases[0], cases[1], tutor_a, tutor_b)


def test_a_tutor_lists_counts_and_is_offered_only_their_firms_trainee(firms: TwoFirms) -> None:
    engine = firms.engine
    for tutor, own in ((firms.tutor_a, firms.case_a), (firms.tutor_b, firms.case_b)):
        assert [t.case_id for t in engine.tasks.list(actor=tutor)] == [own]
        assert engine.tasks.count(TaskFilter(), actor=tutor) == 1
        assert [c.id for c in engine.cases.list(actor=tutor)] == [own]
        assert [c.id for c in engine.cases.list(actor=tutor, title="Tirocinante")] == [own]


def test_a_tutor_cannot_read_or_work_the_other_firms_case(firms: TwoFirms) -> None:
    engine, tina = firms.engine, firms.tutor_a
    [other] = engine.cases.get(firms.case_b, actor=firms.tutor_b).open_tasks
    refused: list[Callable[[], object]] = [
        lambda: engine.cases.get(firms.case_b, actor=tina),
        lambda: engine.cases.history(firms.case_b, actor=tina),
        lambda: engine.cases.diagram(firms.case_b, actor=tina),
        lambda: engine.teams.of_case(firms.case_b, actor=tina),
        lambda: engine.tasks.get(other.id, actor=tina),
        lambda: engine.tasks.claim(other.id, actor=tina),
        lambda: engine.tasks.save_draft(other.id, {"note": "x"}, actor=tina),
        lambda: engine.tasks.complete(other.id, {"conferma": True}, actor=tina),
        lambda: engine.audit.replay(firms.case_b, actor=tina),
        lambda: engine.audit.dossier_pdf(firms.case_b, actor=tina),
        lambda: engine.audit.dossier_bundle(firms.case_b, actor=tina),
        lambda: engine.audit.export_pseudonymised(actor=tina),
        lambda: engine.teams.break_glass(firms.case_b, "Voglio vedere il tirocinante", actor=tina),
    ]
    for attempt in refused:
        with pytest.raises(errors.Forbidden):
            attempt()
    # and their own case they read and work
    assert engine.cases.get(firms.case_a, actor=tina).id == firms.case_a
    [own] = engine.tasks.list(actor=tina)
    engine.tasks.claim(own.id, actor=tina)
    engine.tasks.complete(own.id, {"conferma": True}, actor=tina)


def test_a_tutor_task_follows_the_host_organisation_when_it_changes(firms: TwoFirms) -> None:
    engine = firms.engine
    engine.teams.add(firms.case_a, "ospitante", organisation="FIRMA_B", actor=COORD)
    [member] = [m for m in engine.teams.of_case(firms.case_a, actor=COORD) if m.organisation_code == "FIRMA_A"]
    engine.teams.remove(firms.case_a, member.id, actor=COORD)

    assert engine.tasks.list(actor=firms.tutor_a) == []
    assert sorted(t.case_id for t in engine.tasks.list(actor=firms.tutor_b)) == [firms.case_a, firms.case_b]
    with pytest.raises(errors.Forbidden):
        engine.cases.get(firms.case_a, actor=firms.tutor_a)


def test_an_organisation_task_is_nobodys_until_the_team_names_the_organisation(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("tirocinio.bpmn", linear("tirocinio", 1, ("tutor_aziendale",))))
    engine.registry.add_organisation("FIRMA_A", "Impresa A", "impresa_mentor", T, actor=COORD)
    tina = person(engine, "tina", "tutor_aziendale", "FIRMA_A")
    outsider = person(engine, "ugo", "tutor_aziendale")  # a tutor of no firm
    case = engine.cases.start("tirocinio", {"territorio": T}, actor=COORD)
    [task] = case.open_tasks

    for tutor in (tina, outsider):
        assert engine.tasks.list(actor=tutor) == [] and engine.tasks.count(TaskFilter(), actor=tutor) == 0
        with pytest.raises(errors.Forbidden):
            engine.tasks.claim(task.id, actor=tutor)

    engine.teams.add(case.id, "ospitante", organisation="FIRMA_A", actor=COORD)

    assert [t.id for t in engine.tasks.list(actor=tina)] == [task.id]
    assert engine.tasks.list(actor=outsider) == []
    with pytest.raises(errors.InvalidData):  # nor can a coordinator hand it to a tutor of another firm
        engine.tasks.reassign(task.id, "ugo", actor=COORD)
    assert engine.tasks.reassign(task.id, "tina", actor=COORD).assignee == "tina"


def test_health_and_justice_referents_see_only_the_cases_and_classes_of_their_service(
    engine: Engine, deploy: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"diagnosi": "C2", "misura": "C3"})
    deploy(("valutazione.bpmn", linear("valutazione", 1, ("referente_sanitario",))))
    for code, kind in (("ASL_1", "servizio_sanitario"), ("ASL_2", "servizio_sanitario"), ("UEPE_1", "giustizia")):
        engine.registry.add_organisation(code, code, kind, T, actor=COORD)
    in_charge = person(engine, "sara", "referente_sanitario", "ASL_1")
    other_asl = person(engine, "silvio", "referente_sanitario", "ASL_2")
    uepe = person(engine, "giorgio", "referente_giustizia", "UEPE_1")
    case = engine.cases.start("valutazione", {"territorio": T, "diagnosi": "x", "misura": "y"}, actor=COORD)
    engine.teams.add(case.id, "sanitario", organisation="ASL_1", actor=COORD)
    engine.teams.add(case.id, "giustizia", organisation="UEPE_1", actor=COORD)

    assert engine.cases.get(case.id, actor=in_charge).withheld == ("misura",)
    assert engine.cases.get(case.id, actor=uepe).withheld == ("diagnosi",)
    for attempt in (
        lambda: engine.cases.get(case.id, actor=other_asl),
        lambda: engine.cases.history(case.id, actor=other_asl),
    ):
        with pytest.raises(errors.Forbidden):
            attempt()
    assert engine.cases.list(actor=other_asl) == []
    assert engine.tasks.list(actor=other_asl) == []
    assert [t.case_id for t in engine.tasks.list(actor=in_charge)] == [case.id]
    # the coordinator sees the territory's case, but no health or judicial field
    assert set(engine.cases.get(case.id, actor=COORD).withheld) == {"diagnosi", "misura"}
    history = engine.cases.history(case.id, actor=COORD)
    assert all("diagnosi" not in e.data and "misura" not in e.data for e in history)
