"""How many SQL statements each kind of command sends, pinned so that a statement added to the hot
path is noticed (benchmarks/README.md §engine_throughput: the per-command cost is mostly round
trips). The counts are of statements the driver executes, ``BEGIN IMMEDIATE`` included on SQLite
(PostgreSQL's ``BEGIN`` and every ``COMMIT`` do not pass through the cursor); on PostgreSQL a
command on a task first takes its case's row lock (one statement more).

A command that needs a statement more than pinned here fails this test: cut it, or raise the
figure with the reason in the commit message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from engine import Actor, Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures import clock_diagrams
from tests.fixtures.diagrams import linear

ANSWER = {"conferma": True, "note": "ok"}
# (SQLite, PostgreSQL): the statements of each command, as listed in the comments
EXPECTED = {
    # process versions; case insert, case update (its sealed head), event, monitoring row, state
    # rows, inbox row, open-task counter
    "start": (9, 8),
    # the social worker also becomes the case manager: team row, the new task re-routed
    "start by a social worker": (11, 10),
    # task with its case; assignment, case, event, counters (moved: upsert, emptied one deleted)
    "claim": (7, 7),
    # task with its case; case, event, state rows, team, inbox row closed, inbox row opened (on
    # PostgreSQL the close and the open are one statement), counters (moved and one emptied)
    "complete": (10, 9),
    # the same on the social worker's own task (the team read for the audience check serves the
    # routing of the next task too)
    "complete by a social worker": (10, 9),
    # due timer, the case's pending timers, case; case, event, state rows, team, inbox row,
    # timer fired, counters
    "timer": (11, 11),
}


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(re.sub(r"\s+", " ", statement)[:120])

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.db, "before_cursor_execute", record)


def expected(engine: Engine, command: str) -> int:
    sqlite, postgresql = EXPECTED[command]
    return sqlite if engine.db.dialect.name == "sqlite" else postgresql


def test_statements_per_command(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor], clock: FixedClock
) -> None:
    deploy(
        ("quattro.bpmn", linear("quattro", 4, ("assistente_sociale", "operatore_cpi"))),
        ("un_timer.bpmn", clock_diagrams.single_timer()),
    )
    # a first case warms the caches (parsed specs), as a server's first request would
    warm = engine.cases.start("quattro", {}, actor=CLI_OPERATOR)
    engine.tasks.complete(warm.open_tasks[0].id, dict(ANSWER), actor=CLI_OPERATOR)
    counted: dict[str, list[str]] = {}

    with statements(engine) as counted["start"]:
        case = engine.cases.start("quattro", {}, actor=CLI_OPERATOR)
    task = case.open_tasks[0].id
    with statements(engine) as counted["claim"]:
        engine.tasks.claim(task, actor=CLI_OPERATOR)
    # after the claim the live workflow is still the server's: no state is read back
    with statements(engine) as counted["complete"]:
        case = engine.tasks.complete(task, dict(ANSWER), actor=CLI_OPERATOR)

    social_worker = actor("assistente_sociale", territory="RM")
    with statements(engine) as counted["start by a social worker"]:
        mine = engine.cases.start("quattro", {"territorio": "RM"}, actor=social_worker)
    with statements(engine) as counted["complete by a social worker"]:
        engine.tasks.complete(mine.open_tasks[0].id, dict(ANSWER), actor=social_worker)

    engine.cases.start("un_timer", {}, actor=CLI_OPERATOR)
    clock.advance(days=2)
    with statements(engine) as counted["timer"]:
        assert engine.timers.fire_due(actor=SCHEDULER, limit=1) == 1

    found = {command: len(seen) for command, seen in counted.items()}
    wanted = {command: expected(engine, command) for command in counted}
    assert found == wanted, "\n".join(f"{c}:\n  " + "\n  ".join(s) for c, s in counted.items())


def test_completing_deletes_drafts_only_when_one_is_kept(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor]
) -> None:
    """The task's drafts are deleted in the completing command only when the task has some (the
    read of the task says so); a kept draft is gone after completion."""
    deploy(("tre.bpmn", linear("tre", 3)))
    social_worker = actor("assistente_sociale", territory="RM")
    case = engine.cases.start("tre", {"territorio": "RM"}, actor=social_worker)
    first = case.open_tasks[0].id
    with statements(engine) as plain:
        case = engine.tasks.complete(first, dict(ANSWER), actor=social_worker)
    assert not any("task_draft" in s and s.startswith("DELETE") for s in plain)

    second = case.open_tasks[0].id
    engine.tasks.save_draft(second, {"note": "a metà"}, actor=social_worker)
    assert engine.tasks.draft(second, actor=social_worker) == {"note": "a metà"}
    with statements(engine) as drafted:
        engine.tasks.complete(second, dict(ANSWER), actor=social_worker)
    assert any("task_draft" in s and s.startswith("DELETE") for s in drafted)
    assert len(drafted) == len(plain) + 1
    with engine._ctx.uow(write=False) as uow:
        assert uow.accounts.draft(second, social_worker.username) is None


def test_a_claim_keeps_the_live_workflow(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor], clock: FixedClock
) -> None:
    """A claim (and a release) changes no workflow state: the next completion finds the live
    workflow under the case's new version, with the claimed row's holder, and reads no state."""
    deploy(("tre.bpmn", linear("tre", 3)))
    social_worker = actor("assistente_sociale", territory="RM")
    case = engine.cases.start("tre", {"territorio": "RM"}, actor=social_worker)
    task = case.open_tasks[0].id
    engine.tasks.claim(task, actor=social_worker)
    engine.tasks.release(task, actor=social_worker)
    engine.tasks.claim(task, actor=social_worker)
    clock.advance(minutes=1)
    with statements(engine) as seen:
        after = engine.tasks.complete(task, dict(ANSWER), actor=social_worker)
    assert not any("FROM case_task" in s for s in seen), seen
    assert [t.name for t in after.open_tasks] == ["Passo 2"] and after.open_tasks[0].assignee is None
    # the inbox rows the live workflow kept agree with the table's
    with engine._ctx.uow(write=False) as uow:
        assert uow.tasks.open_for_case(case.id) == list(after.open_tasks)


def test_an_api_token_names_its_actor_in_one_statement(engine: Engine) -> None:
    """Every API request reads its token's owner and the owner's grants: one statement (with the
    last use recorded at most once a minute, apart); an unknown or revoked token names nobody."""
    engine.users.add("carla", "Carla", [("assistente_sociale", "RM"), ("coordinatore", "RM")], actor=CLI_OPERATOR)
    carla = engine.users.get("carla", actor=CLI_OPERATOR)
    token_id, token = engine.accounts.create_token("prova", actor=carla)
    assert engine.accounts.actor_for_token(token) == carla  # the first use is recorded
    with statements(engine) as seen:
        assert engine.accounts.actor_for_token(token) == carla
    assert len(seen) == 1 and "FROM api_token" in seen[0], seen  # no BEGIN on SQLite either
    assert engine.accounts.actor_for_token(token + "x") is None
    engine.accounts.revoke_token(token_id, actor=carla)
    assert engine.accounts.actor_for_token(token) is None
