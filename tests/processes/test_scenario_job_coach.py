"""The ETS job coach at work after F1, through the real diagrams and engine: a plan that names a
job coach gives the lane ``job_coach`` a task after the pact (F3, and its report before the
final outcome in F4, covered by the raw diagram test); the task goes to the members of the
third-sector body the case's team names in the relation ``job_coach`` — nobody else's job coach
sees or completes it (engine.teams.route, the policy's ORGANISATION relation). When that body
withdraws from its protocol, on the effect date its task moves to the substitute
(``scadenza_protocollo`` and the beneficiary path, both real, both replayed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine, errors
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import Scenario, scenario

PLAN = {"ore_settimanali_affiancamento": 6, "obiettivi_affiancamento": "Orientarsi in magazzino e nei turni"}


def to_job_coach_plan(s: Scenario, pseudonym: str) -> int:
    case_id = s.start_percorso(pseudonym)
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto", job_coach_previsto=True)
    s.do(case_id, "Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
    s.do(case_id, "Task_abbinamento")
    s.do(case_id, "Task_adesione")
    return case_id


def register_bodies(engine: Engine) -> None:
    for code, user in (("COOP_JC", "giulia"), ("COOP_ALTRA", "marta")):
        engine.users.add(user, user, [("job_coach", "T1")], actor=CLI_OPERATOR)
        engine.registry.add_organisation(code, code, "terzo_settore", "T1", actor=CLI_OPERATOR)
        engine.registry.add_member(code, user, actor=CLI_OPERATOR)


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_the_job_coach_of_the_ets_in_the_team_plans_the_support(s: Scenario) -> None:
    engine = s.engine
    register_bodies(engine)
    giulia, marta = engine.users.get("giulia", actor=CLI_OPERATOR), engine.users.get("marta", actor=CLI_OPERATOR)
    case_id = to_job_coach_plan(s, "BEN-JC")
    task = s.task(case_id, "Task_piano_job_coach")
    assert (task.role, task.audience) == ("job_coach", "supervisor")  # no ETS named yet: the coordinator routes it
    assert engine.tasks.list(case_id=case_id, actor=giulia) == []

    engine.teams.add(case_id, "job_coach", organisation="COOP_JC", actor=s.coordinatore)
    task = s.task(case_id, "Task_piano_job_coach")
    assert task.audience == "organisation"
    assert task.organisation_id == engine.registry.organisation("COOP_JC", actor=CLI_OPERATOR).id
    assert [t.id for t in engine.tasks.list(case_id=case_id, actor=giulia)] == [task.id]
    assert engine.tasks.list(case_id=case_id, actor=marta) == []  # another body's job coach
    today = s.clock.now().date().isoformat()
    with pytest.raises(errors.Forbidden):
        engine.tasks.complete(task.id, {**PLAN, "data_piano_job_coach": today}, actor=marta)
    engine.tasks.complete(task.id, {**PLAN, "data_piano_job_coach": today}, actor=giulia)
    assert s.ready(case_id) == ["Task_convenzione"]
    assert s.data(case_id)["ore_settimanali_affiancamento"] == 6


def test_a_partner_withdraws_and_its_task_moves_to_the_substitute(s: Scenario) -> None:
    engine = s.engine
    register_bodies(engine)
    today = s.clock.now().date()
    protocol_id = engine.registry.add_protocol(
        "COOP_JC",
        "convenzione",
        "Affiancamento al lavoro",
        today.isoformat(),
        actor=s.coordinatore,
        expires_on=today.replace(year=today.year + 1).isoformat(),
        withdrawal_notice_days=10,
    )
    engine.registry.sign_protocol(
        protocol_id, "Conv. JC/1", today.isoformat(), [("COOP_JC", "giulia")], actor=s.coordinatore
    )
    assert engine.registry.activate_protocol(protocol_id, actor=s.coordinatore).lifecycle_case_id is not None
    case_id = to_job_coach_plan(s, "BEN-JC2")
    engine.teams.add(case_id, "job_coach", organisation="COOP_JC", actor=s.coordinatore)
    task = s.task(case_id, "Task_piano_job_coach")
    coop_jc, coop_altra = (engine.registry.organisation(c, actor=CLI_OPERATOR).id for c in ("COOP_JC", "COOP_ALTRA"))
    assert task.organisation_id == coop_jc

    effect = today.toordinal() + 12
    engine.registry.withdraw_protocol(
        protocol_id,
        "COOP_JC",
        type(today).fromordinal(effect).isoformat(),
        actor=s.coordinatore,
        substitute="COOP_ALTRA",
    )
    s.advance(11)  # before the effect date nothing moves
    assert s.task(case_id, "Task_piano_job_coach").organisation_id == coop_jc
    s.advance(2)
    assert engine.registry.protocol(protocol_id, actor=CLI_OPERATOR).status == "receduto"
    moved = s.task(case_id, "Task_piano_job_coach")
    assert (moved.id, moved.organisation_id) == (task.id, coop_altra)  # the same task, the substitute's now
    marta = engine.users.get("marta", actor=CLI_OPERATOR)
    assert [t.id for t in engine.tasks.list(case_id=case_id, actor=marta)] == [task.id]
    assert engine.tasks.list(case_id=case_id, actor=engine.users.get("giulia", actor=CLI_OPERATOR)) == []
    engine.tasks.complete(task.id, {**PLAN, "data_piano_job_coach": s.clock.now().date().isoformat()}, actor=marta)
    assert s.ready(case_id) == ["Task_convenzione"]
