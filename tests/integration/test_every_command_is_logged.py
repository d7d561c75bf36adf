"""No code path changes a case without an event: every public engine method is classified, and every
one that can touch a case is run on a live case, comparing the case's stored footprint (state,
data, status, inbox rows, timers, messages) before and after with the events written."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from engine import Actor, Engine
from engine.adapters import tables
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures import clock_diagrams as d

COORD = Actor("carla", frozenset({"coordinatore", "assistente_sociale", "amministratore"}))

# Methods that cannot change a case: reads, library and account management, the outbox.
NOT_CASE_COMMANDS = {
    # the engine's own methods: the tick composes area commands classified here one by one
    "close",
    "check_ready",
    "now",
    "scheduler",
    "tick",
    "design.validate",
    "design.deploy",
    "design.processes",
    "design.xml",
    "timers.incidents",
    "messages.of_case",
    "timers.dispatch_notifications",
    "cases.get",
    "cases.history",
    "cases.list",
    "cases.diagram",
    "cases.outlook",
    "cases.startable",
    "audit.access_log",
    "tasks.list",
    "tasks.count",
    "tasks.query",
    "tasks.get",
    "tasks.instructions",
    "cases.migratable",
    "tasks.form_keys",
    "tasks.form_schema",
    "tasks.draft",
    "accounts.authenticate",
    "accounts.set_password",
    "accounts.create_token",
    "accounts.actor_for_token",
    "accounts.signed_in",
    # a signed-in session: opened at login, revoked at logout (a row of the user's, no case touched)
    "accounts.open_session",
    "accounts.close_session",
    "accounts.tokens",
    "accounts.revoke_token",
    "accounts.save_filter",
    "accounts.filters",
    "accounts.delete_filter",
    "audit.verify",
    "audit.anchor",
    # the scheduler's anchor: a row of the anchor chain, no case touched
    "audit.anchor_on_schedule",
    # counts for the metrics page (no case data)
    "operations",
    "audit.replay",
    "audit.dossier_bundle",
    "audit.dossier_pdf",
    "audit.export_pseudonymised",
    "users.add",
    "users.get",
    "users.all",
    "registry.partnership_active",
    "timers.retry_incident",
    # the monitoring read model: reads, the access-log entries of exports, and its rebuild (which
    # rewrites only the read model's own rows from the events)
    "reports.report",
    # renders an approved report's PDF again from the case data (an access-log entry, no change)
    "reports.semester_report_pdf",
    "reports.participants",
    "reports.case_list",
    "reports.log_export",
    "reports.export",
    "reports.current_period",
    "reports.periods",
    "reports.period",
    "reports.bottlenecks",
    "reports.may_read",
    "reports.may_operate",
    "reports.may_export_participants",
    "reports.may_read_documents",
    "reports.documents",
    "reports.rebuild",
    "reports.read_model",
    "reports.summary",
    "reports.task_counters",
    "reports.rebuilt",
    # the data keyring: a startup check and a re-seal of the person table (the events are untouched)
    "people.verify_keys",
    "people.rotate_keys",
    # reads of the identity, the team and the break-glass log
    "people.of_case",
    "people.repeats",
    "people.sheet",
    "people.access_copy",  # the art. 15 copy: a read, written to the access log
    "people.erasure_plan",  # which of the person's cases may be erased: a read
    # erases finished cases past retention only, each through the step audit.erase_personal_data
    # takes (run below); tests/web/test_erasure_pages.py checks each case's data_erased event
    "people.erase",
    "teams.of_case",
    "teams.glass_log",
    "teams.review_glass",
    # events of the case that change no workflow state: tests/integration/test_people_and_teams.py
    # checks that each writes its event (person_recorded, team_changed, break_glass)
    "people.record",
    "teams.add",
    "teams.remove",
    "teams.break_glass",
    # a draft belongs to the user, not to the case: the workflow never sees it
    "tasks.save_draft",
    # announces overdue tasks (outbox rows) without touching the case
    "timers.queue_overdue",
    # process design works on drafts and the library, never on cases
    "design.save_draft",
    "design.new_draft",
    "design.open_draft",
    "design.draft",
    "design.drafts",
    "design.delete_draft",
    "design.deploy_draft",
    "design.draft_diff",
    "design.dry_run",
    "design.versions",
    "design.diff",
    "design.library_files",
    "design.edit_draft",
    "design.release_draft",
    "design.break_draft_lock",
    "design.draft_events",
    "design.draft_rule_diff",
    "design.rule_diff",
    "design.draft_decision_tests",
    "design.decision_suites",
    "design.check_decision_test",
    "design.save_decision_test",
    "design.delete_decision_test",
    "design.decision_tables",
    "design.dry_run_tasks",
    "design.save_scenario",
    "design.scenarios",
    "design.delete_scenario",
    "tasks.check_form",
    "design.export",
    # the registry of interlocutors: organisations, their people, protocols
    "registry.add_organisation",
    "registry.add_member",
    "registry.organisations",
    "registry.add_protocol",
    "registry.protocols",
    "registry.update_organisation",
    "registry.organisation",
    "registry.update_protocol",
    "registry.sign_protocol",
    "registry.activate_protocol",
    "registry.watch_unwatched",  # as an activation: the lifecycle case it starts logs its own start
    "registry.add_document",
    "registry.document",
    "registry.protocol",
    "registry.organisation_history",
    "registry.protocol_history",
    # enterprise reads
    "enterprises.get",
    "enterprises.of_case",
    "enterprises.of_beneficiary",
    "enterprises.list",
    # enterprise commands: each writes enterprise_changed on the enterprise's own case (and the
    # roster message when the roster changes): tests/integration/test_enterprises.py checks them
    "enterprises.create",
    "enterprises.update_details",
    "enterprises.add_registration",
    "enterprises.link",
    "enterprises.end_employment",
    "enterprises.hire_founder",
    "enterprises.unlink",
    "registry.add_protocol_terms",
    "registry.dependent_cases",
    "registry.my_organisations",
    # the notice goes to the protocol's lifecycle case as a message, with its message_sent event
    # (tests/integration/test_protocol_lifecycle.py follows it to the effect date)
    "registry.withdraw_protocol",
}


def footprint(engine: Engine, case_id: int) -> tuple[Any, ...]:
    with engine.db.connect() as conn:
        case = conn.execute(
            select(tables.cases.c.state, tables.cases.c.data, tables.cases.c.status, tables.cases.c.version).where(
                tables.cases.c.id == case_id
            )
        ).one()
        tasks = conn.execute(
            select(tables.human_task.c.id, tables.human_task.c.status, tables.human_task.c.assignee)
            .where(tables.human_task.c.case_id == case_id)
            .order_by(tables.human_task.c.id)
        ).all()
        timers = conn.execute(
            select(tables.case_timer.c.id, tables.case_timer.c.status).where(tables.case_timer.c.case_id == case_id)
        ).all()
        messages = conn.execute(
            select(tables.case_message.c.id, tables.case_message.c.status).where(
                tables.case_message.c.case_id == case_id
            )
        ).all()
    return (tuple(case), tuple(tasks), tuple(timers), tuple(messages))


def events_of(engine: Engine, case_id: int) -> int:
    return len(engine.cases.history(case_id, actor=CLI_OPERATOR))


@pytest.fixture
def live(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> dict[str, Any]:
    withdrawal = d.wait_for_message().replace(b"documenti_pervenuti", b"rinuncia_beneficiario")
    alert = d.wait_for_message().replace(b"documenti_pervenuti", b"allerta_sanitaria")
    deploy(
        ("attesa_documenti.bpmn", d.missing_documents()),
        ("attesa_messaggio.bpmn", d.wait_for_message()),
        ("attesa_rinuncia.bpmn", withdrawal.replace(b"attesa_messaggio", b"attesa_rinuncia")),
        ("attesa_allerta.bpmn", alert.replace(b"attesa_messaggio", b"attesa_allerta")),
    )
    engine.users.add("anna", "Anna", [("assistente_sociale", "")], actor=CLI_OPERATOR)
    # started as coordinator only: no case manager, so the tasks are every social worker's (anna's too)
    intake = Actor(COORD.username, frozenset({"coordinatore"}))
    timed = engine.cases.start("attesa_documenti", {}, actor=intake)
    waiting = engine.cases.start("attesa_messaggio", {}, actor=intake)
    catching = engine.cases.start("attesa_messaggio", {}, actor=intake)
    engine.tasks.complete(catching.open_tasks[0].id, {"conferma": True}, actor=COORD)
    withdrawing = engine.cases.start("attesa_rinuncia", {}, actor=COORD)
    engine.tasks.complete(withdrawing.open_tasks[0].id, {"conferma": True}, actor=COORD)
    alerting = engine.cases.start("attesa_allerta", {"territorio": "T1"}, actor=COORD)
    engine.tasks.complete(alerting.open_tasks[0].id, {"conferma": True}, actor=COORD)
    engine.users.add("sara", "Sara", [("referente_sanitario", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_organisation("ASL_X", "ASL X", "servizio_sanitario", "T1", actor=CLI_OPERATOR)
    engine.registry.add_member("ASL_X", "sara", actor=CLI_OPERATOR)
    engine.teams.add(alerting.id, "sanitario", organisation="ASL_X", actor=CLI_OPERATOR)
    with engine._ctx.uow() as uow:  # a message stored for the case while nobody looked at it
        uow.messages.add(catching.id, "documenti_pervenuti", {"x": 1}, clock.now(), "system")
        uow.commit()
    # second versions, for the migrations
    deploy(
        ("attesa_documenti.bpmn", d.missing_documents('"P40D"')),
        ("attesa_messaggio.bpmn", d.wait_for_message().replace(b"Verifica documenti", b"Controllo documenti")),
    )
    return {
        "timed": timed,
        "waiting": waiting,
        "catching": catching,
        "withdrawing": withdrawing,
        "alerting": alerting,
        "clock": clock,
    }


def run_commands(engine: Engine, live: dict[str, Any]) -> dict[str, tuple[int, Callable[[], object]]]:
    timed, waiting, clock = live["timed"], live["waiting"], live["clock"]

    def fire() -> object:
        clock.advance(days=31)
        return engine.timers.fire_due(actor=SCHEDULER)

    return {
        "cases.start": (0, lambda: engine.cases.start("attesa_messaggio", {}, actor=COORD)),
        "tasks.claim": (waiting.id, lambda: engine.tasks.claim(waiting.open_tasks[0].id, actor=COORD)),
        "tasks.release": (waiting.id, lambda: engine.tasks.release(waiting.open_tasks[0].id, actor=COORD)),
        "tasks.reassign": (waiting.id, lambda: engine.tasks.reassign(waiting.open_tasks[0].id, "anna", actor=COORD)),
        "audit.correct_data": (
            waiting.id,
            lambda: engine.audit.correct_data(waiting.id, {"n": 1}, actor=COORD, reason="r"),
        ),
        "tasks.complete": (
            timed.id,
            lambda: engine.tasks.complete(timed.open_tasks[0].id, {"conferma": True}, actor=COORD),
        ),
        "audit.reset_to_task": (
            timed.id,
            lambda: engine.audit.reset_to_task(timed.id, "Task_wait", actor=COORD, reason="r"),
        ),
        "timers.fire_due": (timed.id, fire),
        "messages.send": (waiting.id, lambda: engine.messages.send(waiting.id, "altro_messaggio", {}, actor=COORD)),
        "messages.deliver": (live["catching"].id, lambda: engine.messages.deliver(actor=SCHEDULER)),
        "messages.broadcast": (waiting.id, lambda: engine.messages.broadcast("T9", "x", {}, actor=COORD)),
        "registry.set_partnership": (
            waiting.id,
            lambda: engine.registry.set_partnership("T9", True, actor=COORD, case_id=waiting.id),
        ),
        "cases.migrate": (waiting.id, lambda: engine.cases.migrate(waiting.id, 2, actor=COORD, reason="v2")),
        "cases.migrate_many": (
            live["catching"].id,
            lambda: engine.cases.migrate_many([live["catching"].id], 2, actor=COORD, reason="v2"),
        ),
        "cases.migrate_process": (
            timed.id,
            lambda: engine.cases.migrate_process("attesa_documenti", 2, actor=COORD, reason="v2"),
        ),
        "cases.cancel": (waiting.id, lambda: engine.cases.cancel(waiting.id, actor=COORD, reason="r")),
        "cases.withdraw": (
            live["withdrawing"].id,
            lambda: engine.cases.withdraw(
                live["withdrawing"].id, date=clock.now().date().isoformat(), reason="r", actor=COORD
            ),
        ),
        "cases.health_alert": (
            live["alerting"].id,
            lambda: engine.cases.health_alert(
                live["alerting"].id,
                kind="RICADUTA",
                description="Ricaduta segnalata dal servizio",
                date=clock.now().date().isoformat(),
                actor=engine.users.get("sara", actor=CLI_OPERATOR),
            ),
        ),
        "cases.suspend": (timed.id, lambda: engine.cases.suspend(timed.id, actor=COORD, reason="r")),
        "cases.resume": (timed.id, lambda: engine.cases.resume(timed.id, actor=COORD, reason="r")),
        "cases.close": (timed.id, lambda: engine.cases.close(timed.id, actor=COORD, reason="r")),
        "audit.erase_personal_data": (
            waiting.id,
            lambda: engine.audit.erase_personal_data(waiting.id, actor=COORD, reason="r", before_retention=True),
        ),
    }


def test_every_public_engine_method_is_classified(engine: Engine, live: dict[str, Any]) -> None:
    public = {name for name, _ in inspect.getmembers(Engine, inspect.isfunction) if not name.startswith("_")}
    for area_name, area in vars(engine).items():
        if not area_name.startswith("_") and area is not engine.db:
            public |= {f"{area_name}.{name}" for name in dir(type(area)) if not name.startswith("_")}
    commands = set(run_commands(engine, live))
    assert public - NOT_CASE_COMMANDS - commands == set(), "classify the new engine method here"
    assert commands & NOT_CASE_COMMANDS == set()


def test_every_case_command_writes_an_event_with_its_change(engine: Engine, live: dict[str, Any]) -> None:
    unchanged = set()
    for name, (case_id, command) in run_commands(engine, live).items():
        if case_id == 0:
            before_cases = len(engine.cases.list(actor=CLI_OPERATOR))
            command()
            [newest] = engine.cases.list(limit=1, actor=CLI_OPERATOR)
            assert (
                len(engine.cases.list(actor=CLI_OPERATOR)) == before_cases + 1 and events_of(engine, newest.id) >= 1
            ), name
            continue
        before, count = footprint(engine, case_id), events_of(engine, case_id)
        command()
        after, now = footprint(engine, case_id), events_of(engine, case_id)
        if after != before:
            assert now > count, f"{name} changed case {case_id} without writing an event"
        else:
            unchanged.add(name)
            assert now == count, f"{name} wrote an event without changing case {case_id}"
    assert unchanged == {"messages.broadcast"}  # the others really changed their case
    assert engine.audit.verify(actor=CLI_OPERATOR).ok
