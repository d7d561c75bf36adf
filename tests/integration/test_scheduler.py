"""The APScheduler heartbeat: its tick fires due timers, delivers messages and sends notices, and a
started scheduler runs its first tick at once (catch-up after downtime)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from engine import Actor, Engine
from engine.adapters.senders import FileSender
from engine.clock import FixedClock
from engine.model import TickReport
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures.clock_diagrams import escalation, single_timer

AS = Actor("anna", frozenset({"assistente_sociale", "coordinatore"}))


def test_tick_fires_timers_and_sends_notices(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, tmp_path: Path
) -> None:
    deploy(("sollecito.bpmn", escalation()))
    engine.users.add("anna", "Anna", [("assistente_sociale", "")], actor=CLI_OPERATOR)
    engine._ctx.sender = FileSender(tmp_path / "out.jsonl")
    engine.cases.start("sollecito", {}, actor=AS)
    clock.advance(days=6)

    result = engine.tick(actor=SCHEDULER)

    assert result.timers_fired == 1 and result.overdue_announced == 1 and result.notifications_sent == 1
    assert engine.tick(actor=SCHEDULER) == TickReport(
        timers_fired=0, messages_delivered=0, overdue_announced=0, notifications_sent=0
    )


def test_a_started_scheduler_catches_up_at_once(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> None:
    deploy(("un_timer.bpmn", single_timer()))
    case = engine.cases.start("un_timer", {}, actor=AS)
    clock.advance(days=2)  # the timer fell due while nothing ran
    scheduler = engine.scheduler(interval_seconds=3600)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert [t.name for t in engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks] == ["Dopo l'attesa"]
