"""Per-task rows of each case's workflow (the incremental state of ``engine/bpmn/state_rows.py``).

A command writes with one statement per kind of change: the rows of the tasks it created or
changed in one batched upsert (executemany: one round trip), the rows of the tasks it removed in
one delete. Statements are built once, at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.engine import Connection

from engine.adapters import tables
from engine.model import StateWrite, TaskRow

_c = tables.case_task.c
_ROWS = select(_c.task_id, _c.workflow, _c.position, _c.payload).where(_c.case_id == bindparam("b_case"))
_DELETE = delete(tables.case_task).where(
    _c.case_id == bindparam("b_case"), _c.task_id.in_(bindparam("b_ids", expanding=True))
)


# Plain SQL that SQLite (3.24+) and PostgreSQL both read: SQLAlchemy's dialect upsert constructs
# cannot be cached, so they would be compiled again on every command.
_UPSERT = text(
    "INSERT INTO case_task (case_id, task_id, workflow, position, payload) "
    "VALUES (:case_id, :task_id, :workflow, :position, :payload) "
    "ON CONFLICT (case_id, task_id) DO UPDATE SET "
    "workflow = excluded.workflow, position = excluded.position, payload = excluded.payload"
)


class SqlCaseStateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, case_id: int) -> list[TaskRow]:
        return [TaskRow(*r) for r in self.conn.execute(_ROWS, {"b_case": case_id})]

    def write(self, case_id: int, change: StateWrite) -> None:
        if change.upserts:
            self.conn.execute(_UPSERT, _values(case_id, change.upserts))
        if change.deletes:
            self.conn.execute(_DELETE, {"b_case": case_id, "b_ids": list(change.deletes)})


def _values(case_id: int, rows: Sequence[TaskRow]) -> list[dict[str, Any]]:
    return [
        {"case_id": case_id, "task_id": r.task_id, "workflow": r.workflow, "position": r.position, "payload": r.payload}
        for r in rows
    ]
