"""What keeping the monitoring read model costs a command, in statements sent to the database
(a count the machine's load does not change; benchmarks/monitoring_scale.py times it).

A command moves its case's last activity with the case row it saves anyway: a command that
changes no other fact of the read model sends no statement to ``report_case`` at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from engine import Actor, Engine
from engine.clock import FixedClock
from tests.fixtures.diagrams import linear

WORKER = Actor("as", frozenset({"assistente_sociale"}), frozenset({"T"}))

# At most this many statements per command (SQLite counts its BEGIN), the clock moving a minute
# before each command as in real use. Before the last activity moved with the case row, a
# completion sent 12 on both databases, one of them ``UPDATE report_case SET last_activity_at``;
# a start sends 19 / 18 (the new case's row is inserted). The last completion sent 12 while the
# row kept the case's status (``UPDATE report_case SET status``); now the status and phase are
# read off the case row, and it sends 11: the counters that the end of the case moves.
LIMITS = {
    "sqlite": {"start": 19, "completion": 11, "last completion": 11},
    "postgresql": {"start": 18, "completion": 11, "last completion": 11},
}


@contextmanager
def sent(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.db, "before_cursor_execute", record)


def test_a_command_moves_its_last_activity_without_a_statement_of_its_own(
    engine: Engine, clock: FixedClock, deploy: Callable[..., None]
) -> None:
    deploy(("tre_passi.bpmn", linear("tre_passi", 3, ("assistente_sociale",))))
    for _ in range(3):  # other open cases of the territory: counters do not fall to zero at each step
        engine.cases.start("tre_passi", {"stato_caso": "IN_VALUTAZIONE"}, actor=WORKER, territory="T")
    limits = LIMITS[engine.db.dialect.name]
    counts: dict[str, list[int]] = {"start": [], "completion": [], "last completion": []}
    touching: dict[str, list[str]] = {kind: [] for kind in counts}

    def run(kind: str, command: Callable[[], Any]) -> Any:
        clock.advance(minutes=1)
        with sent(engine) as statements:
            result = command()
        counts[kind].append(len(statements))
        touching[kind] += [s for s in statements if "report_case" in s and not s.lstrip().startswith("SELECT")]
        return result

    case = run(
        "start", lambda: engine.cases.start("tre_passi", {"stato_caso": "IN_VALUTAZIONE"}, actor=WORKER, territory="T")
    )
    task = case.open_tasks[0]
    for step in range(3):
        kind = "last completion" if step == 2 else "completion"
        view = run(kind, lambda t=task: engine.tasks.complete(t.id, {"conferma": True}, actor=WORKER))
        task = view.open_tasks[0] if view.open_tasks else None

    for kind, n in counts.items():
        assert max(n) <= limits[kind], (kind, counts)
    # the middle completions change no fact but the last activity: not one write of report_case;
    # the last one changes the status and phase, which the case row carries
    assert touching["completion"] == [], touching["completion"]
    assert touching["last completion"] == [], touching["last completion"]
    assert touching["start"], "a new case's row is inserted"

    facts = {f.case_id: f for f in engine.reports.read_model(actor=Actor("c", frozenset({"coordinatore"})))}
    assert facts[case.id].last_activity_at == clock.now()
    assert facts[case.id].status == "completed"
