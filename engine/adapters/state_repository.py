"""Per-task rows of each case's workflow (the incremental state of ``engine/bpmn/state_rows.py``).

A command writes with one statement per kind of change: the rows of the tasks it created or
changed in one batched upsert (executemany: one round trip), the rows of the tasks it removed in
one delete. Statements are built once, at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.engine import Connection

from engine.adapters import tables
from engine.adapters.prebuilt import Prebuilt
from engine.model import StateWrite, TaskRow

_c = tables.case_task.c
_ROWS = select(_c.task_id, _c.workflow, _c.position, _c.payload).where(_c.case_id == bindparam("b_case"))
_k = tables.case_checkpoint.c
_ADD_CHECKPOINT = insert(tables.case_checkpoint)
_CHECKPOINT_SEQS = select(_k.seq).where(_k.case_id == bindparam("b_case")).order_by(_k.seq)
_CHECKPOINT = select(_k.body).where(_k.case_id == bindparam("b_case"), _k.seq == bindparam("b_seq"))
# the checkpoints older than the case's ``b_keep`` newest (none while it has fewer: the subquery
# is then NULL and compares true with no row)
_PRUNE_CHECKPOINTS = delete(tables.case_checkpoint).where(
    _k.case_id == bindparam("b_case"),
    _k.seq
    < select(_k.seq)
    .where(_k.case_id == bindparam("b_case"))
    .order_by(_k.seq.desc())
    .limit(1)
    .offset(bindparam("b_skip"))
    .scalar_subquery(),
)
_DELETE = delete(tables.case_task).where(
    _c.case_id == bindparam("b_case"), _c.task_id.in_(bindparam("b_ids", expanding=True))
)


# Plain SQL that SQLite (3.24+) and PostgreSQL both read: SQLAlchemy's dialect upsert constructs
# cannot be cached, so they would be compiled again on every command.
_UPSERT = Prebuilt(
    text(
        "INSERT INTO case_task (case_id, task_id, workflow, position, payload) "
        "VALUES (:case_id, :task_id, :workflow, :position, :payload) "
        "ON CONFLICT (case_id, task_id) DO UPDATE SET "
        "workflow = excluded.workflow, position = excluded.position, payload = excluded.payload"
    )
)


class SqlCaseStateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, case_id: int) -> list[TaskRow]:
        return [TaskRow(*r) for r in self.conn.execute(_ROWS, {"b_case": case_id})]

    def write(self, case_id: int, change: StateWrite) -> None:
        if change.upserts:
            _UPSERT.executemany(self.conn, _values(case_id, change.upserts))
        if change.deletes:
            self.conn.execute(_DELETE, {"b_case": case_id, "b_ids": list(change.deletes)})

    # replay checkpoints (engine/audit/checkpoint.py), keyed by the first event of their command

    def add_checkpoint(self, case_id: int, seq: int, body: str) -> None:
        self.conn.execute(_ADD_CHECKPOINT, {"case_id": case_id, "seq": seq, "body": body})

    def prune_checkpoints(self, case_id: int, keep: int) -> None:
        """Drop the case's checkpoints but the ``keep`` newest (one statement)."""
        self.conn.execute(_PRUNE_CHECKPOINTS, {"b_case": case_id, "b_skip": keep - 1})

    def checkpoint_seqs(self, case_id: int) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(_CHECKPOINT_SEQS, {"b_case": case_id})]

    def checkpoint(self, case_id: int, seq: int) -> str | None:
        return self.conn.execute(_CHECKPOINT, {"b_case": case_id, "b_seq": seq}).scalar()

    def checkpoints(self, case_ids: Sequence[int], upto: int | None = None) -> dict[int, list[tuple[int, str]]]:
        """Every checkpoint of these cases (up to event ``upto``), as (seq, body) in seq order."""
        query = select(_k.case_id, _k.seq, _k.body).where(_k.case_id.in_(list(case_ids)))
        if upto is not None:
            query = query.where(_k.seq <= upto)
        found: dict[int, list[tuple[int, str]]] = {}
        for case_id, seq, body in self.conn.execute(query.order_by(_k.case_id, _k.seq)):
            found.setdefault(int(case_id), []).append((int(seq), str(body)))
        return found

    def drop_checkpoints(self, case_id: int) -> None:
        self.conn.execute(delete(tables.case_checkpoint).where(_k.case_id == case_id))


def _values(case_id: int, rows: Sequence[TaskRow]) -> list[dict[str, Any]]:
    return [
        {"case_id": case_id, "task_id": r.task_id, "workflow": r.workflow, "position": r.position, "payload": r.payload}
        for r in rows
    ]
