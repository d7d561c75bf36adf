"""The task repository: the inbox rows (``human_task``), one per user task a case has had,
open or closed, with who holds it, its audience and its due date.

Every statement that opens, closes, claims, reroutes or re-describes a row also moves the
open-task counters of the read model (``report_repository.count_open_tasks``) with the rows
before and after, in the same transaction. Inbox pages of a member read through the
per-audience plan of ``inbox_query``. Every method runs inside the unit of work's transaction;
none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.engine import Row

from engine.adapters import inbox_query, tables
from engine.adapters.prebuilt import Prebuilt
from engine.adapters.report_repository import count_open_tasks, open_rows
from engine.adapters.team_repository import organisations_of
from engine.errors import NotFound
from engine.model import TaskFilter, TaskStatus, TaskView

# Hot-path statements are built once: SQLAlchemy then reuses their cache keys and compiled
# SQL instead of rebuilding a statement tree on every command.
_GET_TASK = select(tables.human_task).where(tables.human_task.c.id == bindparam("b_id"))
LOCK_CASE_OF_TASK = (
    select(tables.cases.c.id)
    .where(
        tables.cases.c.id
        == select(tables.human_task.c.case_id).where(tables.human_task.c.id == bindparam("b_id")).scalar_subquery()
    )
    .with_for_update()
)
_OPEN_TASKS = (
    select(tables.human_task)
    .where(tables.human_task.c.case_id == bindparam("b_case"), tables.human_task.c.status == TaskStatus.READY.value)
    .order_by(tables.human_task.c.created_at, tables.human_task.c.id)
)
# what the open-task counters read of a row closed, in the statement that closes it
_CLOSED_KEYS = ("territory", "role", "organisation_id", "assignee", "due_at")
_CLOSE_TASK = Prebuilt(
    update(tables.human_task)
    .where(tables.human_task.c.id == bindparam("b_id"), tables.human_task.c.status == TaskStatus.READY.value)
    .values(status=bindparam("status"), completed_at=bindparam("completed_at"), completed_by=bindparam("completed_by"))
    .returning(*(tables.human_task.c[k] for k in _CLOSED_KEYS))
)

# the columns an inbox row is written with (``_task_values``)
_ROW_KEYS = (
    "id",
    "case_id",
    "process_id",
    "bpmn_id",
    "name",
    "role",
    "form_key",
    "territory",
    "due_sort",
    "status",
    "assignee",
    "created_at",
    "due_at",
    "completed_at",
    "completed_by",
    "context",
    "priority",
    "audience",
    "organisation_id",
)
_INSERT_TASK = Prebuilt(insert(tables.human_task), column_keys=_ROW_KEYS)
_OPENED_MAX = 8  # new rows a merged close-and-open carries; a wider fan-out goes as close, then insert
_CLOSE_AND_OPEN: dict[int, Prebuilt] = {}


def _close_and_open(rows: int) -> Prebuilt:
    """PostgreSQL: ``_CLOSE_TASK`` and the insert of ``rows`` new inbox rows as one statement (data-
    modifying CTEs: one round trip instead of two), answering the closed row as ``_CLOSE_TASK``
    does. Built once per number of rows; text, because SQLAlchemy cannot cache a multi-row
    ``insert().values([...])`` (it would be compiled again at every completion)."""
    found = _CLOSE_AND_OPEN.get(rows)
    if found is None:
        t = tables.human_task.c
        values = ", ".join("(" + ", ".join(f":o{i}_{k}" for k in _ROW_KEYS) + ")" for i in range(rows))
        answered = ", ".join(_CLOSED_KEYS)
        found = _CLOSE_AND_OPEN[rows] = Prebuilt(
            text(
                f"WITH opened AS (INSERT INTO human_task ({', '.join(_ROW_KEYS)}) VALUES {values}), "
                "closed AS (UPDATE human_task SET status = :status, completed_at = :completed_at, "
                f"completed_by = :completed_by WHERE id = :b_id AND status = '{TaskStatus.READY.value}' "
                f"RETURNING {answered}) "
                f"SELECT {answered} FROM closed"
            )
            .bindparams(
                *(bindparam(f"o{i}_{k}", type_=t[k].type) for i in range(rows) for k in _ROW_KEYS),
                bindparam("completed_at", type_=t.completed_at.type),
            )
            .columns(*(t[k] for k in _CLOSED_KEYS))
        )
    return found


_REROUTE_TASK = (
    update(tables.human_task)
    .where(tables.human_task.c.id == bindparam("b_id"))
    .values(audience=bindparam("audience"), organisation_id=bindparam("organisation_id"))
)
NO_DUE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class SqlTaskRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, task_id: str, *, lock_case: bool = False) -> TaskView:
        """The task row. ``lock_case`` first takes its case's row lock (PostgreSQL; SQLite's
        BEGIN IMMEDIATE already serializes writers), so the row read is the latest committed one
        and no other command on the case can change it before this transaction ends."""
        if lock_case and self.conn.dialect.name == "postgresql":
            self.conn.execute(LOCK_CASE_OF_TASK, {"b_id": task_id})
        row = self.conn.execute(_GET_TASK, {"b_id": task_id}).one_or_none()
        if row is None:
            raise NotFound(f"task {task_id} not found")
        return _task_from_row(row)

    def open_for_case(self, case_id: int) -> list[TaskView]:
        rows = self.conn.execute(_OPEN_TASKS, {"b_case": case_id})
        return [_task_from_row(r) for r in rows]

    def refresh(self, tasks: Sequence[TaskView]) -> None:
        """Re-describe open rows whose element changed (a migration): keep who holds them and since when."""
        ids = [t.id for t in tasks]
        before = open_rows(self.conn, ids)
        for t in tasks:
            self.conn.execute(
                update(tables.human_task)
                .where(tables.human_task.c.id == t.id, tables.human_task.c.status == TaskStatus.READY.value)
                .values(
                    process_id=t.process_id,
                    bpmn_id=t.bpmn_id,
                    name=t.name,
                    role=t.role,
                    form_key=t.form_key,
                    priority=t.priority,
                )
            )
        count_open_tasks(self.conn, before, open_rows(self.conn, ids))

    def for_case(self, case_id: int) -> list[TaskView]:
        """Every inbox row the case ever had (open and closed)."""
        rows = self.conn.execute(
            select(tables.human_task)
            .where(tables.human_task.c.case_id == case_id)
            .order_by(tables.human_task.c.created_at)
        )
        return [_task_from_row(r) for r in rows]

    def insert(self, tasks: Sequence[TaskView], *, reopen: bool = False) -> None:
        """New inbox rows. With ``reopen`` (a case sent back to an earlier step or migrated), a task
        id seen before is reopened in place; otherwise ids are new and a plain insert does."""
        if not tasks:
            return
        known: set[str] = set()
        before: list[dict[str, Any]] = []
        if reopen:
            ids = [t.id for t in tasks]
            known = {
                r[0] for r in self.conn.execute(select(tables.human_task.c.id).where(tables.human_task.c.id.in_(ids)))
            }
            before = open_rows(self.conn, list(known))
        count_open_tasks(self.conn, before, [_task_values(t) for t in tasks])
        fresh = [_task_values(t) for t in tasks if t.id not in known]
        if fresh:
            _INSERT_TASK.executemany(self.conn, fresh)
        for t in tasks:
            if t.id in known:
                values = _task_values(t)
                values.pop("id")
                self.conn.execute(update(tables.human_task).where(tables.human_task.c.id == t.id).values(**values))

    def close(self, task_ids: Sequence[str], status: TaskStatus, at: dt.datetime, by: str | None) -> None:
        """Close the open rows among ``task_ids``; each update returns the row it closed, so the
        open-task counters move without reading the rows first (a row no longer open is left alone)."""
        closed = []
        for tid in task_ids:
            values = {"b_id": tid, "status": status.value, "completed_at": at, "completed_by": by}
            closed += [
                {**dict(zip(_CLOSED_KEYS, r, strict=True)), "status": TaskStatus.READY.value}
                for r in _CLOSE_TASK.rows(self.conn, values)
            ]
        count_open_tasks(self.conn, closed, [])

    def close_and_open(
        self, task_id: str, status: TaskStatus, at: dt.datetime, by: str | None, tasks: Sequence[TaskView]
    ) -> None:
        """``close([task_id], …)`` then ``insert(tasks)`` (new ids, none reopened): a completion's
        inbox move. On PostgreSQL one statement (each statement is a round trip there); elsewhere,
        or for a fan-out wider than ``_OPENED_MAX`` rows, the two as they are."""
        if self.conn.dialect.name != "postgresql" or not tasks or len(tasks) > _OPENED_MAX:
            self.close([task_id], status, at, by)
            self.insert(tasks)
            return
        fresh = [_task_values(t) for t in tasks]
        params: dict[str, Any] = {"b_id": task_id, "status": status.value, "completed_at": at, "completed_by": by}
        for i, row in enumerate(fresh):
            params.update({f"o{i}_{k}": row[k] for k in _ROW_KEYS})
        rows = _close_and_open(len(fresh)).rows(self.conn, params)
        closed = [{**dict(zip(_CLOSED_KEYS, r, strict=True)), "status": TaskStatus.READY.value} for r in rows]
        count_open_tasks(self.conn, closed, fresh)

    def set_assignee(
        self, task_id: str, assignee: str | None, *, expected: str | None, read: TaskView | None = None
    ) -> bool:
        """Assign an open task only if its assignee is still ``expected``; False when it changed.
        ``read``: the row as this transaction read it under its case's lock (the open-task
        counters then need no read of their own)."""
        t = tables.human_task.c
        held = t.assignee.is_(None) if expected is None else t.assignee == expected
        if read is not None and read.id == task_id:
            known = [_task_values(read)] if read.status is TaskStatus.READY else []
            before = [r for r in known if r["assignee"] == expected]
        else:
            before = [r for r in open_rows(self.conn, [task_id]) if r["assignee"] == expected]
        done = self.conn.execute(
            update(tables.human_task)
            .where(t.id == task_id, t.status == TaskStatus.READY.value, held)
            .values(assignee=assignee)
        )
        if done.rowcount == 1:
            count_open_tasks(self.conn, before, [{**r, "assignee": assignee} for r in before])
        return done.rowcount == 1

    def reroute(self, task: TaskView, audience: str, organisation_id: int | None) -> None:
        """Route an open row (``task``, as read in this transaction) to another audience."""
        before = [_task_values(task)] if task.status is TaskStatus.READY else []
        count_open_tasks(self.conn, before, [{**r, "organisation_id": organisation_id} for r in before])
        self.conn.execute(_REROUTE_TASK, {"b_id": task.id, "audience": audience, "organisation_id": organisation_id})

    def _filtered(self, query: Any, f: TaskFilter) -> Any:
        t = tables.human_task.c
        if f.status is not None:
            query = query.where(t.status == f.status.value)
        if f.roles is not None:
            query = query.where(t.role.in_(list(f.roles)))
        if f.territories:
            query = query.where(t.territory.in_([*f.territories, ""]))
        if f.grants:
            query = query.where(
                or_(
                    *[
                        t.role == role if not where else and_(t.role == role, t.territory.in_([where, ""]))
                        for role, where in f.grants
                    ]
                )
            )
        if f.assignee is not None:
            query = query.where(t.assignee == f.assignee)
        if f.unassigned:
            query = query.where(t.assignee.is_(None))
        if f.case_id is not None:
            query = query.where(t.case_id == f.case_id)
        if f.process_id is not None:
            query = query.where(t.process_id == f.process_id)
        if f.due_before is not None:
            query = query.where(t.due_at <= f.due_before)
        if f.due_after is not None:
            query = query.where(t.due_at >= f.due_after)
        if f.completed_by is not None:
            query = query.where(t.completed_by == f.completed_by)
        if f.case_title:
            pattern = "%" + f.case_title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            titled = select(tables.cases.c.id).where(tables.cases.c.title.ilike(pattern, escape="\\"))
            query = query.where(t.case_id.in_(titled))
        return query

    def query(self, f: TaskFilter, *, limit: int = 100, offset: int = 0) -> list[TaskView]:
        if f.member is None:
            t = tables.human_task.c
            query = self._filtered(select(tables.human_task), f).order_by(*inbox_query.order(t, f.sort))
            return [_task_from_row(r) for r in self.conn.execute(query.limit(limit).offset(offset))]
        # One branch per audience the member belongs to, each read off its index in the page's
        # order and cut at the page's end, then merged; the statement is built once per shape.
        # PostgreSQL reads the member's organisations inside it (one round trip); SQLite first.
        organisations = None if self.conn.dialect.name == "postgresql" else organisations_of(self.conn, f.member)
        shape, params = inbox_query.plan(f, limit, offset, organisations)
        return [_task_from_row(r) for r in self.conn.execute(inbox_query.statement(shape), params)]

    def count(self, f: TaskFilter) -> int:
        if f.member is None:
            query = self._filtered(select(func.count()).select_from(tables.human_task), f)
            return int(self.conn.execute(query).scalar_one())
        # the page's branches, uncut: the count is what the pages list
        shape, params = inbox_query.plan(f, 0, 0)
        return int(self.conn.execute(inbox_query.count_statement(shape), params).scalar_one())


def _task_values(t: TaskView) -> dict[str, Any]:
    # the columns of ``_ROW_KEYS``, which the merged close-and-open statement of PostgreSQL writes
    return {
        "id": t.id,
        "case_id": t.case_id,
        "process_id": t.process_id,
        "bpmn_id": t.bpmn_id,
        "name": t.name,
        "role": t.role,
        "form_key": t.form_key,
        "territory": t.territory or "",
        "due_sort": t.due_at or NO_DUE,
        "status": t.status.value,
        "assignee": t.assignee,
        "created_at": t.created_at,
        "due_at": t.due_at,
        "completed_at": t.completed_at,
        "completed_by": t.completed_by,
        "context": t.context,
        "priority": t.priority,
        "audience": t.audience,
        "organisation_id": t.organisation_id,
    }


def _task_from_row(row: Row[Any]) -> TaskView:
    return task_from_mapping(row._mapping)


def task_from_mapping(m: Mapping[Any, Any]) -> TaskView:
    return TaskView(
        id=m["id"],
        case_id=m["case_id"],
        process_id=m["process_id"],
        bpmn_id=m["bpmn_id"],
        name=m["name"],
        role=m["role"],
        form_key=m["form_key"],
        territory=m["territory"] or None,
        status=TaskStatus(m["status"]),
        assignee=m["assignee"],
        created_at=m["created_at"],
        due_at=m["due_at"],
        completed_at=m["completed_at"],
        completed_by=m["completed_by"],
        context=m["context"] or {},
        priority=m["priority"],
        audience=m["audience"],
        organisation_id=m["organisation_id"],
    )
