"""Timers on the engine's clock: due rows in the database, fired once, retried, caught up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import Actor, CaseStatus, Engine, TaskStatus
from engine.adapters.senders import FileSender
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures import clock_diagrams as d
from tests.support.teams import act_for_every_organisation

AS = Actor("anna", frozenset({"assistente_sociale"}))
TUTOR = Actor("tino", frozenset({"tutor_aziendale"}))
COORD = Actor("carla", frozenset({"coordinatore"}))


def timer_events(engine: Engine, case_id: int) -> list[str]:
    return [str(e.bpmn_id) for e in engine.cases.history(case_id, actor=CLI_OPERATOR) if e.kind == "timer_fired"]


def test_thirty_day_timer_fires_once_after_thirty_days(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("attesa_documenti.bpmn", d.missing_documents()))
    case = engine.cases.start("attesa_documenti", {}, actor=AS)
    [wait] = case.open_tasks
    assert wait.due_at == clock.now() + dt.timedelta(days=30)  # the boundary timer is the task's deadline

    clock.advance(days=29, hours=23)
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
    clock.advance(hours=2)
    assert engine.timers.fire_due(actor=SCHEDULER) == 1
    assert engine.timers.fire_due(actor=SCHEDULER) == 0

    after = engine.cases.get(case.id, actor=CLI_OPERATOR)
    assert [t.name for t in after.open_tasks] == ["Archiviazione"]
    assert timer_events(engine, case.id) == ["Timer_expired"]
    assert [t.status for t in engine.tasks.list(status=None, case_id=case.id, sort="created", actor=AS)] == [
        TaskStatus.CANCELLED,
        TaskStatus.READY,
    ]


def test_documents_in_time_cancel_the_timer(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> None:
    deploy(("attesa_documenti.bpmn", d.missing_documents()))
    case = engine.cases.start("attesa_documenti", {}, actor=AS)
    clock.advance(days=10)
    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AS)
    assert [t.name for t in case.open_tasks] == ["Verifica documenti"]

    clock.advance(days=60)
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
    assert timer_events(engine, case.id) == []
    with engine._ctx.uow(write=False) as uow:
        assert uow.timers.count("cancelled") == 1 and uow.timers.count("pending") == 0


def test_monthly_cycle_over_twelve_months_creates_twelve_tasks(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("ciclo_mensile.bpmn", d.monthly_cycle()))
    case = engine.cases.start("ciclo_mensile", {}, actor=COORD)
    act_for_every_organisation(engine, case.id, TUTOR)  # the tutor's firm hosts the trainee
    for _month in range(14):
        clock.advance(days=30, minutes=1)
        engine.timers.fire_due(actor=SCHEDULER)

    months = engine.tasks.list(case_id=case.id, limit=100, actor=TUTOR)
    assert sum(t.name == "Monitoraggio mensile" for t in months) == 12
    assert len(timer_events(engine, case.id)) == 12


def test_after_downtime_a_cycle_fires_once_then_realigns(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("ciclo_mensile.bpmn", d.monthly_cycle()))
    case = engine.cases.start("ciclo_mensile", {}, actor=COORD)
    act_for_every_organisation(engine, case.id, TUTOR)  # the tutor's firm hosts the trainee
    clock.advance(days=95)  # three periods missed while the scheduler was down
    assert engine.timers.fire_due(actor=SCHEDULER) == 1
    assert engine.timers.fire_due(actor=SCHEDULER) == 0
    assert sum(t.name == "Monitoraggio mensile" for t in engine.tasks.list(case_id=case.id, actor=TUTOR)) == 1
    clock.advance(days=25, minutes=1)  # the next occurrence is on the original schedule (day 120)
    assert engine.timers.fire_due(actor=SCHEDULER) == 1


def test_catch_up_all_keeps_every_missed_occurrence(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("ciclo_mensile.bpmn", d.monthly_cycle(catch_up="all")))
    case = engine.cases.start("ciclo_mensile", {}, actor=COORD)
    act_for_every_organisation(engine, case.id, TUTOR)  # the tutor's firm hosts the trainee
    clock.advance(days=95)
    fired = sum(engine.timers.fire_due(actor=SCHEDULER) for _ in range(5))
    assert fired == 3
    assert sum(t.name == "Monitoraggio mensile" for t in engine.tasks.list(case_id=case.id, actor=TUTOR)) == 3


def test_overdue_task_escalates_to_the_coordinator_and_is_announced(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, tmp_path: Path
) -> None:
    deploy(("sollecito.bpmn", d.escalation()))
    engine.users.add("anna", "Anna", [("assistente_sociale", "T1")], actor=CLI_OPERATOR)
    engine.users.add("carla", "Carla", [("coordinatore", "")], actor=CLI_OPERATOR)
    case = engine.cases.start("sollecito", {"territorio": "T1"}, actor=COORD)
    outbox = tmp_path / "outbox.jsonl"
    engine._ctx.sender = FileSender(outbox)

    clock.advance(days=6)
    assert [t.id for t in engine.tasks.list(due_before=clock.now(), actor=AS)] == [
        case.open_tasks[0].id
    ]  # flagged overdue
    assert engine.timers.fire_due(actor=SCHEDULER) == 1
    [chase] = engine.tasks.list(case_id=case.id, actor=COORD)
    assert chase.name == "Sollecito analisi in ritardo"
    assert engine.timers.queue_overdue(actor=SCHEDULER) == 1 and engine.timers.queue_overdue(actor=SCHEDULER) == 0
    assert engine.timers.dispatch_notifications(actor=SCHEDULER) == 1
    assert '"to": "anna"' in outbox.read_text() and "Attività scaduta" in outbox.read_text()


def test_failing_timer_is_retried_with_backoff_then_becomes_an_incident(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    deploy(("timer_fallito.bpmn", d.failing_after_timer()))
    engine.users.add("carla", "Carla", [("coordinatore", "")], actor=CLI_OPERATOR)
    case = engine.cases.start("timer_fallito", {"divisore": 0}, actor=COORD)
    clock.advance(days=1, seconds=1)
    attempts = 0
    for _ in range(12):
        engine.timers.fire_due(actor=SCHEDULER)
        clock.advance(hours=1)
        with engine._ctx.uow(write=False) as uow:
            [row] = uow.timers.incidents() or [None]
        if row is not None:
            attempts = row.attempts
            break
    assert attempts == 5
    [incident] = engine.timers.incidents(actor=COORD)
    assert "ZeroDivisionError" in incident.last_error and incident.case_id == case.id
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).status is CaseStatus.RUNNING  # untouched by the failures
    assert [e.kind for e in engine.cases.history(case.id, actor=CLI_OPERATOR)][-1] == "timer_incident"

    engine.timers.retry_incident(incident.id, actor=COORD)  # back in the schedule, counted afresh
    assert engine.timers.incidents(actor=COORD) == []
    with engine._ctx.uow(write=False) as uow:
        assert uow.timers.count("pending") == 1


def test_message_sent_before_the_case_waits_is_delivered_when_it_does(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("attesa_messaggio.bpmn", d.wait_for_message()))
    case = engine.cases.start("attesa_messaggio", {}, actor=AS)
    early = engine.messages.send(case.id, "documenti_pervenuti", {"protocollo": "P-17"}, actor=AS)
    assert [t.name for t in early.open_tasks] == ["Richiesta documenti"]  # kept, not lost

    case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=AS)

    assert [t.name for t in case.open_tasks] == ["Verifica documenti"]
    assert case.data["documenti"] == {"protocollo": "P-17"}
    kinds = [e.kind for e in engine.cases.history(case.id, actor=CLI_OPERATOR)]
    assert kinds.index("message_sent") < kinds.index("message_received")
    assert [m.status for m in engine.messages.of_case(case.id, actor=CLI_OPERATOR)] == ["delivered"]


def test_withdrawal_stops_the_running_traineeship(engine: Engine, deploy: Callable[..., None]) -> None:
    parent, child = d.traineeship_with_withdrawal()
    deploy(("percorso_prova.bpmn", parent), ("tirocinio_prova.bpmn", child))
    case = engine.cases.start("percorso_prova", {}, actor=AS)
    assert [t.name for t in case.open_tasks] == ["Registro presenze mese 1"]

    case = engine.messages.send(case.id, "rinuncia_beneficiario", {"motivo": "trasferimento"}, actor=AS)

    assert [t.name for t in case.open_tasks] == ["Chiusura per rinuncia"]
    assert engine.tasks.list(actor=TUTOR) == []


def test_partnership_change_reaches_the_cases_of_its_territory(engine: Engine, deploy: Callable[..., None]) -> None:
    f1, listener = d.partnership_and_listener()
    deploy(("accordo_partenariato.bpmn", f1), ("ascolto_partenariato.bpmn", listener))
    mine = engine.cases.start("ascolto_partenariato", {"territorio": "T1"}, actor=COORD)
    other = engine.cases.start("ascolto_partenariato", {"territorio": "T2"}, actor=COORD)
    f1_case = engine.cases.start("accordo_partenariato", {"territorio": "T1"}, actor=COORD)

    engine.tasks.complete(f1_case.open_tasks[0].id, {"conferma": False}, actor=COORD)  # the partnership lapses
    assert engine.messages.deliver(actor=SCHEDULER) == 1

    assert "Verifica effetti del partenariato" in [
        t.name for t in engine.cases.get(mine.id, actor=CLI_OPERATOR).open_tasks
    ]
    assert "Verifica effetti del partenariato" not in [
        t.name for t in engine.cases.get(other.id, actor=CLI_OPERATOR).open_tasks
    ]


@pytest.mark.parametrize("step", [dt.timedelta(days=1, seconds=1)])
def test_catch_up_fires_overdue_timers_in_due_order(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, step: dt.timedelta
) -> None:
    deploy(("un_timer.bpmn", d.single_timer()))
    ids = []
    for _ in range(3):
        ids.append(engine.cases.start("un_timer", {}, actor=AS).id)
        clock.advance(hours=1)
    clock.advance(days=3)  # downtime: all three overdue
    assert engine.timers.fire_due(actor=SCHEDULER) == 3
    fired_at = {i: [e.seq for e in engine.cases.history(i, actor=CLI_OPERATOR) if e.kind == "timer_fired"] for i in ids}
    assert all(len(v) == 1 for v in fired_at.values())
    with engine._ctx.uow(write=False) as uow:
        assert uow.timers.count("fired") == 3
