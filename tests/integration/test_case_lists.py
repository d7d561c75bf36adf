"""Case lists are summaries: the query behind them never reads a case's workflow state or data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from engine import Actor, Engine
from tests.fixtures.diagrams import linear

LANES = ("assistente_sociale", "operatore_cpi")


def test_listing_cases_selects_summary_columns_only(
    engine: Engine, deploy: Callable[..., None], actor: Callable[..., Actor]
) -> None:
    deploy(("due_passi.bpmn", linear("due_passi", 2, LANES, script="fatto = True")))
    who = actor("assistente_sociale", "coordinatore")
    started = engine.cases.start("due_passi", {"nota": "riservata"}, actor=who)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        [listed] = engine.cases.list(actor=who)
    finally:
        event.remove(engine.db, "before_cursor_execute", record)

    assert listed.id == started.id and listed.data == {}
    reads = [s for s in statements if "FROM cases" in s]
    assert reads and not any("cases.state" in s or "cases.data" in s for s in reads), reads
