"""The per-task state format on a real database: a case stored whole (the older format) loads
and is converted on its next command, the migration converts every stored case, and either way
the case ends exactly like one that never changed format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import delete, select, update

from engine import Actor, CaseStatus, Settings, build_engine
from engine.adapters import tables
from engine.adapters.migrate import alembic_config, upgrade
from engine.application import Engine
from engine.bpmn.loader import SourceFile
from engine.bpmn.state_rows import is_row_header
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.conftest import DESIGNER, ROOT
from tests.fixtures.diagrams import multi_instance
from tests.support.two_servers import outcome

COORD = Actor("coord", frozenset({"coordinatore"}))
# The partners' answers are given at the console: these cases name no partner organisation in their
# team, so no partner referent is offered them (the storage, not the routing, is under test here).
PARTNER = CLI_OPERATOR
ITEMS = {"items": ["Comune", "ASL", "CPI", "Scuola"]}


def answer_one(engine: Engine, case_id: int) -> None:
    task = min(engine.cases.get(case_id, actor=COORD).open_tasks, key=lambda t: str(t.context["item"]))
    engine.tasks.complete(task.id, {"conferma": True, "note": str(task.context["item"])}, actor=PARTNER)


def store_whole(engine: Engine, case_id: int) -> None:
    """Rewrite a case as the older format stored it: one document, no task rows."""
    with engine._ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        specs, wf = engine._ctx.workflow_for(uow, record)
    with engine.db.begin() as conn:
        conn.execute(update(tables.cases).where(tables.cases.c.id == case_id).values(state=engine._ctx.runner.dump(wf)))
        conn.execute(delete(tables.case_task).where(tables.case_task.c.case_id == case_id))
    engine._ctx.workflows.clear()


def stored(engine: Engine, case_id: int) -> tuple[str, int]:
    with engine.db.connect() as conn:
        state = conn.execute(select(tables.cases.c.state).where(tables.cases.c.id == case_id)).scalar_one()
        count = len(conn.execute(select(tables.case_task.c.task_id).where(tables.case_task.c.case_id == case_id)).all())
    return state, count


def run(engine: Engine, case_id: int, *, whole_after: int | None = None) -> None:
    for step in range(len(ITEMS["items"])):
        if step == whole_after:
            store_whole(engine, case_id)
            assert stored(engine, case_id)[1] == 0
        answer_one(engine, case_id)
        state, rows = stored(engine, case_id)
        assert is_row_header(state) and rows > 0


def test_a_case_stored_whole_loads_and_is_converted_on_its_next_command(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("mi.bpmn", multi_instance("mi")))
    reference = engine.cases.start("mi", ITEMS, actor=COORD).id
    run(engine, reference)
    converted = engine.cases.start("mi", ITEMS, actor=COORD).id
    run(engine, converted, whole_after=2)

    assert engine.cases.get(converted, actor=COORD).status is CaseStatus.COMPLETED
    assert outcome(engine, [converted]) == outcome(engine, [reference])


def test_the_migration_converts_every_case_stored_whole(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    settings = Settings(database_url=url, processes_dir=ROOT / "processes", instance_dir=tmp_path)
    engine = build_engine(settings, clock=FixedClock())
    engine.design.deploy([SourceFile("mi.bpmn", multi_instance("mi"))], actor=DESIGNER)
    reference, old = (engine.cases.start("mi", ITEMS, actor=COORD).id for _ in range(2))
    answer_one(engine, reference)
    answer_one(engine, old)
    store_whole(engine, old)
    engine.close()
    command.downgrade(alembic_config(url), "0006")  # the schema before per-task rows

    upgrade(url)

    engine = build_engine(settings, clock=FixedClock())
    state, rows = stored(engine, old)
    assert is_row_header(state) and rows == stored(engine, reference)[1] == 10  # root, start … end, 4 children
    for case_id in (reference, old):
        for _ in range(len(ITEMS["items"]) - 1):
            answer_one(engine, case_id)
    assert outcome(engine, [old]) == outcome(engine, [reference])
    assert engine.audit.replay(old, actor=Actor("revisore", frozenset({"auditor"}))).faithful
    engine.close()
