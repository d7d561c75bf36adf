"""Per-task rows of each case's workflow (the incremental state of ``engine/bpmn/state_rows.py``).

A command writes with one statement per kind of change: the rows of the tasks it created or
changed in one batched upsert, the rows of the tasks it removed in one delete. Statements are
built once per dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine.adapters import orm
from engine.model import StateWrite, TaskRow

_c = orm.case_task.c
_ROWS = select(_c.task_id, _c.workflow, _c.position, _c.payload).where(_c.case_id == bindparam("b_case"))
_DELETE = delete(orm.case_task).where(
    _c.case_id == bindparam("b_case"), _c.task_id.in_(bindparam("b_ids", expanding=True))
)


@cache
def _upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(orm.case_task)
    return statement.on_conflict_do_update(
        index_elements=[_c.case_id, _c.task_id],
        set_={
            "workflow": statement.excluded.workflow,
            "position": statement.excluded.position,
            "payload": statement.excluded.payload,
        },
    )


class SqlCaseStateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, case_id: int) -> list[TaskRow]:
        return [TaskRow(*r) for r in self.conn.execute(_ROWS, {"b_case": case_id})]

    def write(self, case_id: int, change: StateWrite) -> None:
        if change.upserts:
            self.conn.execute(_upsert(self.conn.dialect.name), _values(case_id, change.upserts))
        if change.deletes:
            self.conn.execute(_DELETE, {"b_case": case_id, "b_ids": list(change.deletes)})


def _values(case_id: int, rows: Sequence[TaskRow]) -> list[dict[str, Any]]:
    return [
        {"case_id": case_id, "task_id": r.task_id, "workflow": r.workflow, "position": r.position, "payload": r.payload}
        for r in rows
    ]
