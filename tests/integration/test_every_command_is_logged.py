"""No code path changes a case without an event: every public engine method is classified, and every
one that can touch a case is run on a live case, comparing the case's stored footprint (state,
data, status, inbox rows, timers, messages) before and after with the events written."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from engine import Actor
from engine.adapters import orm
from engine.clock import FixedClock
from engine.facade import Engine
from tests.fixtures import clock_diagrams as d

COORD = Actor("carla", frozenset({"coordinatore", "assistente_sociale", "amministratore"}))

# Methods that cannot change a case: reads, library and account management, the outbox.
NOT_CASE_COMMANDS = {
    "close",
    "validate",
    "deploy",
    "list_processes",
    "process_xml",
    "incidents",
    "case_messages",
    "dispatch_notifications",
    "get_case",
    "history",
    "list_cases",
    "case_diagram",
    "access_log",
    "list_tasks",
    "count_tasks",
    "query_tasks",
    "get_task",
    "form_keys",
    "form_schema",
    "get_draft",
    "authenticate",
    "set_password",
    "create_api_token",
    "actor_for_token",
    "list_api_tokens",
    "revoke_api_token",
    "save_filter",
    "list_filters",
    "delete_filter",
    "verify_chains",
    "take_anchor",
    "replay",
    "dossier_bundle",
    "dossier_pdf",
    "export_pseudonymised",
    "add_user",
    "actor",
    "list_users",
    "partnership_active",
    "retry_incident",
    # a draft belongs to the user, not to the case: the workflow never sees it
    "save_draft",
    # announces overdue tasks (outbox rows) without touching the case
    "queue_overdue",
    # process design works on drafts and the library, never on cases
    "save_process_draft",
    "new_process_draft",
    "open_process_draft",
    "process_draft",
    "process_drafts",
    "delete_process_draft",
    "deploy_process_draft",
    "process_draft_diff",
    "dry_run_draft",
    "process_versions",
    "version_diff",
    "library_files",
    "export_library",
    # the registry of interlocutors: organisations, their people, protocols
    "add_organisation",
    "add_member",
    "organisations",
    "add_protocol",
    "protocols",
}


def footprint(engine: Engine, case_id: int) -> tuple[Any, ...]:
    with engine.db.connect() as conn:
        case = conn.execute(
            select(orm.cases.c.state, orm.cases.c.data, orm.cases.c.status, orm.cases.c.version).where(
                orm.cases.c.id == case_id
            )
        ).one()
        tasks = conn.execute(
            select(orm.human_task.c.id, orm.human_task.c.status, orm.human_task.c.assignee)
            .where(orm.human_task.c.case_id == case_id)
            .order_by(orm.human_task.c.id)
        ).all()
        timers = conn.execute(
            select(orm.case_timer.c.id, orm.case_timer.c.status).where(orm.case_timer.c.case_id == case_id)
        ).all()
        messages = conn.execute(
            select(orm.case_message.c.id, orm.case_message.c.status).where(orm.case_message.c.case_id == case_id)
        ).all()
    return (tuple(case), tuple(tasks), tuple(timers), tuple(messages))


def events_of(engine: Engine, case_id: int) -> int:
    return len(engine.history(case_id))


@pytest.fixture
def live(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> dict[str, Any]:
    deploy(("attesa_documenti.bpmn", d.missing_documents()), ("attesa_messaggio.bpmn", d.wait_for_message()))
    engine.add_user("anna", "Anna", [("assistente_sociale", "")])
    timed = engine.start_case("attesa_documenti", {}, actor=COORD)
    waiting = engine.start_case("attesa_messaggio", {}, actor=COORD)
    catching = engine.start_case("attesa_messaggio", {}, actor=COORD)
    engine.complete_task(catching.open_tasks[0].id, {"conferma": True}, actor=COORD)
    with engine.ctx.uow() as uow:  # a message stored for the case while nobody looked at it
        uow.messages.add(catching.id, "documenti_pervenuti", {"x": 1}, clock.now(), "system")
        uow.commit()
    # second versions, for the migrations
    deploy(
        ("attesa_documenti.bpmn", d.missing_documents('"P40D"')),
        ("attesa_messaggio.bpmn", d.wait_for_message().replace(b"Verifica documenti", b"Controllo documenti")),
    )
    return {"timed": timed, "waiting": waiting, "catching": catching, "clock": clock}


def run_commands(engine: Engine, live: dict[str, Any]) -> dict[str, tuple[int, Callable[[], object]]]:
    timed, waiting, clock = live["timed"], live["waiting"], live["clock"]

    def fire() -> object:
        clock.advance(days=31)
        return engine.fire_due_timers()

    return {
        "start_case": (0, lambda: engine.start_case("attesa_messaggio", {}, actor=COORD)),
        "claim_task": (waiting.id, lambda: engine.claim_task(waiting.open_tasks[0].id, actor=COORD)),
        "release_task": (waiting.id, lambda: engine.release_task(waiting.open_tasks[0].id, actor=COORD)),
        "reassign_task": (waiting.id, lambda: engine.reassign_task(waiting.open_tasks[0].id, "anna", actor=COORD)),
        "correct_data": (waiting.id, lambda: engine.correct_data(waiting.id, {"n": 1}, actor=COORD, reason="r")),
        "complete_task": (
            timed.id,
            lambda: engine.complete_task(timed.open_tasks[0].id, {"conferma": True}, actor=COORD),
        ),
        "reset_to_task": (timed.id, lambda: engine.reset_to_task(timed.id, "Task_wait", actor=COORD, reason="r")),
        "fire_due_timers": (timed.id, fire),
        "send_message": (waiting.id, lambda: engine.send_message(waiting.id, "altro_messaggio", {}, actor=COORD)),
        "deliver_messages": (live["catching"].id, engine.deliver_messages),
        "broadcast_to_territory": (waiting.id, lambda: engine.broadcast_to_territory("T9", "x", {}, actor=COORD)),
        "set_partnership": (waiting.id, lambda: engine.set_partnership("T9", True, actor=COORD, case_id=waiting.id)),
        "migrate_case": (waiting.id, lambda: engine.migrate_case(waiting.id, 2, actor=COORD, reason="v2")),
        "migrate_cases": (timed.id, lambda: engine.migrate_cases("attesa_documenti", 2, actor=COORD, reason="v2")),
        "cancel_case": (waiting.id, lambda: engine.cancel_case(waiting.id, actor=COORD, reason="r")),
        "erase_personal_data": (
            waiting.id,
            lambda: engine.erase_personal_data(waiting.id, actor=COORD, reason="r", before_retention=True),
        ),
    }


def test_every_public_engine_method_is_classified(engine: Engine, live: dict[str, Any]) -> None:
    public = {name for name, _ in inspect.getmembers(Engine, inspect.isfunction) if not name.startswith("_")}
    commands = set(run_commands(engine, live))
    assert public - NOT_CASE_COMMANDS - commands == set(), "classify the new engine method here"
    assert commands & NOT_CASE_COMMANDS == set()


def test_every_case_command_writes_an_event_with_its_change(engine: Engine, live: dict[str, Any]) -> None:
    unchanged = set()
    for name, (case_id, command) in run_commands(engine, live).items():
        if case_id == 0:
            before_cases = len(engine.list_cases())
            command()
            [newest] = engine.list_cases(limit=1)
            assert len(engine.list_cases()) == before_cases + 1 and events_of(engine, newest.id) >= 1, name
            continue
        before, count = footprint(engine, case_id), events_of(engine, case_id)
        command()
        after, now = footprint(engine, case_id), events_of(engine, case_id)
        if after != before:
            assert now > count, f"{name} changed case {case_id} without writing an event"
        else:
            unchanged.add(name)
            assert now == count, f"{name} wrote an event without changing case {case_id}"
    assert unchanged == {"broadcast_to_territory"}  # the others really changed their case
    assert engine.verify_chains().ok
