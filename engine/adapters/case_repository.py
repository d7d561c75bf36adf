"""The case repository: the ``cases`` rows (status, pinned version, serialized workflow state,
case data) read, added and saved with an optimistic version check, and the case lists.

A list never reads the workflow state (and the case data only when asked), so listing cases stays
cheap however large the cases grow. Every method runs inside the unit of work's transaction;
none commits. The inbox rows of a case have their own module, ``task_repository``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, exists, false, insert, or_, select, update
from sqlalchemy.engine import Row

from engine.adapters import tables
from engine.adapters.prebuilt import Prebuilt
from engine.adapters.report_repository import FACTS_COLUMNS, Known, facts_at, facts_beside
from engine.adapters.task_repository import LOCK_CASE_OF_TASK, task_from_mapping
from engine.errors import Conflict, NotFound
from engine.model import CaseRecord, CaseScope, CaseStatus, TaskView

# Hot-path statements are built once: SQLAlchemy then reuses their cache keys and compiled
# SQL instead of rebuilding a statement tree on every command.
_SAVED_COLUMNS = (
    "process_version_id",
    "status",
    "state",
    "data",
    "territory",
    "title",
    "version",
    "event_seq",
    "updated_at",
    "next_timer_due",
    "phase",
    "event_head",
    "last_activity_at",
)
_GET_CASE = (
    select(tables.cases, tables.process_version.c.version.label("pv_version"))
    .join(tables.process_version, tables.process_version.c.id == tables.cases.c.process_version_id)
    .where(tables.cases.c.id == bindparam("b_id"))
)
# a writing command's load of its case: with the case's monitoring row, which the command's
# projection starts from (engine.services.case_sync.project), so it needs no read of its own
# (the row's last activity is the case's own column)
_GET_CASE_AND_FACTS = (
    select(tables.cases, tables.process_version.c.version.label("pv_version"), *FACTS_COLUMNS)
    .join(tables.process_version, tables.process_version.c.id == tables.cases.c.process_version_id)
    .outerjoin(tables.report_case, tables.report_case.c.case_id == tables.cases.c.id)
    .where(tables.cases.c.id == bindparam("b_id"))
)
# a command on a task: the inbox row, its case with the monitoring row, and whether anyone keeps a
# draft of the task (deleted on completion only then), in one statement
_TASK_PREFIX = "t_"
_GET_TASK_AND_CASE = (
    select(
        *(c.label(f"{_TASK_PREFIX}{c.name}") for c in tables.human_task.c),
        tables.cases,
        tables.process_version.c.version.label("pv_version"),
        *FACTS_COLUMNS,
        exists()
        .where(tables.task_draft.c.task_id == tables.human_task.c.id)
        .correlate(tables.human_task)
        .label("has_draft"),
    )
    .join(tables.cases, tables.cases.c.id == tables.human_task.c.case_id)
    .join(tables.process_version, tables.process_version.c.id == tables.cases.c.process_version_id)
    .outerjoin(tables.report_case, tables.report_case.c.case_id == tables.cases.c.id)
    .where(tables.human_task.c.id == bindparam("b_id"))
)
_LOCK_CASE = Prebuilt(LOCK_CASE_OF_TASK)
_FACTS_IN_CASE = facts_at(_GET_CASE_AND_FACTS)
_FACTS_IN_TASK = facts_at(_GET_TASK_AND_CASE)
_SAVE_CASE = Prebuilt(
    update(tables.cases)
    .where(tables.cases.c.id == bindparam("b_id"), tables.cases.c.version == bindparam("b_version"))
    .values({name: bindparam(name) for name in _SAVED_COLUMNS})
)


class SqlCaseRepository:
    def __init__(self, conn: Connection, known: Known | None = None) -> None:
        self.conn = conn
        # given (a writing unit of work): each case is read with its monitoring row, noted here
        self.known = known

    def add(self, record: CaseRecord) -> int:
        values = _case_values(record)
        values.pop("id")
        new_id = self.conn.execute(insert(tables.cases).values(**values)).inserted_primary_key
        assert new_id is not None
        record.id = int(new_id[0])
        return record.id

    def get(self, case_id: int) -> CaseRecord:
        statement = _GET_CASE if self.known is None else _GET_CASE_AND_FACTS
        row = self.conn.execute(statement, {"b_id": case_id}).one_or_none()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        if self.known is not None:
            self.known[case_id] = facts_beside(row, _FACTS_IN_CASE, row.last_activity_at)
        return _case_from_row(row)

    def get_for_task(self, task_id: str) -> tuple[TaskView, CaseRecord, bool]:
        """A task command's first read: the task's inbox row, its case (as ``get`` reads it) and
        whether anyone keeps a draft of the task. The case row is locked first (PostgreSQL; SQLite's
        BEGIN IMMEDIATE already serializes writers), so what is read is the latest committed."""
        if self.conn.dialect.name == "postgresql":
            _LOCK_CASE.rows(self.conn, {"b_id": task_id})
        row = self.conn.execute(_GET_TASK_AND_CASE, {"b_id": task_id}).one_or_none()
        if row is None:
            raise NotFound(f"task {task_id} not found")
        m = row._mapping
        task = task_from_mapping({k.removeprefix(_TASK_PREFIX): v for k, v in m.items() if k.startswith(_TASK_PREFIX)})
        if self.known is not None:
            self.known[task.case_id] = facts_beside(row, _FACTS_IN_TASK, m["last_activity_at"])
        return task, _case_from_row(row), bool(m["has_draft"])

    def save(self, record: CaseRecord, *, data_json: str | None = None) -> None:
        """Save the record if its version is still the stored one (else ``Conflict``).
        ``data_json``: ``record.data`` already as JSON text (``json.dumps``'s form), stored as it is."""
        values = _case_values(record)
        for key in ("id", "created_at", "started_by", "process_id"):
            values.pop(key)
        values["version"] = record.version + 1
        params = {**values, "b_id": record.id, "b_version": record.version}
        if data_json is not None:
            params["data"] = data_json
        result = _SAVE_CASE.execute(self.conn, params, as_is=("data",) if data_json is not None else ())
        if result.rowcount != 1:
            raise Conflict(f"case {record.id} was changed by someone else; reload and retry")
        record.version += 1

    def search(
        self,
        *,
        status: CaseStatus | None = None,
        process_id: str | None = None,
        territory: str | None = None,
        territories: Sequence[str] | None = None,
        phase: str | None = None,
        title: str | None = None,
        limit: int = 100,
        offset: int = 0,
        with_data: bool = False,
        scope: CaseScope | None = None,
    ) -> list[CaseRecord]:
        """Case summaries, newest first: never the workflow state (``state`` is ""), and the case
        data only ``with_data`` (else ``{}``)."""
        skipped = {"state"} if with_data else {"state", "data"}
        columns = [c for c in tables.cases.c if c.name not in skipped]
        query = select(*columns, tables.process_version.c.version.label("pv_version")).join(
            tables.process_version, tables.process_version.c.id == tables.cases.c.process_version_id
        )
        if status is not None:
            query = query.where(tables.cases.c.status == status.value)
        if process_id is not None:
            query = query.where(tables.cases.c.process_id == process_id)
        if territory is not None:
            query = query.where(tables.cases.c.territory == territory)
        if territories:
            query = query.where(
                or_(tables.cases.c.territory.in_(list(territories)), tables.cases.c.territory.is_(None))
            )
        if phase is not None:
            query = query.where(tables.cases.c.phase == phase)
        if scope is not None and not scope.everywhere:
            query = query.where(_in_scope(scope))
        if title:
            query = query.where(tables.cases.c.title.ilike(f"%{title}%"))
        query = query.order_by(tables.cases.c.id.desc()).limit(limit).offset(offset)
        return [_case_from_row(r) for r in self.conn.execute(query)]

    def lock(self, case_id: int) -> None:
        """Hold the case row until commit (PostgreSQL); SQLite's BEGIN IMMEDIATE already does."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(select(tables.cases.c.id).where(tables.cases.c.id == case_id).with_for_update())

    def with_pending_messages(self, limit: int) -> list[int]:
        m = tables.case_message.c
        rows = self.conn.execute(
            select(m.case_id)
            .join(tables.cases, tables.cases.c.id == m.case_id)
            .where(m.status == "pending", tables.cases.c.status == CaseStatus.RUNNING.value)
            .distinct()
            .order_by(m.case_id)
            .limit(limit)
        )
        return [int(r[0]) for r in rows]


def _case_values(r: CaseRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "process_id": r.process_id,
        "process_version_id": r.process_version_id,
        "status": r.status.value,
        "state": r.state,
        "data": r.data,
        "territory": r.territory,
        "title": r.title,
        "version": r.version,
        "event_seq": r.event_seq,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "started_by": r.started_by,
        "next_timer_due": r.next_timer_due,
        "phase": r.phase,
        "event_head": r.event_head,
        "last_activity_at": r.last_activity_at,
    }


def _case_from_row(row: Row[Any]) -> CaseRecord:
    m = row._mapping
    return CaseRecord(
        id=m["id"],
        process_id=m["process_id"],
        process_version_id=m["process_version_id"],
        process_version=m["pv_version"],
        status=CaseStatus(m["status"]),
        state=m.get("state", ""),
        data=m.get("data", {}),
        territory=m["territory"],
        version=m["version"],
        event_seq=m["event_seq"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        started_by=m["started_by"],
        next_timer_due=m["next_timer_due"],
        phase=m["phase"],
        event_head=m["event_head"],
        title=m["title"],
        last_activity_at=m["last_activity_at"],
    )


def _in_scope(scope: CaseScope) -> Any:
    """The cases a ``CaseScope`` lets a list show (an empty scope shows none)."""
    case_id = tables.cases.c.id
    clauses: list[Any] = []
    if scope.territories:
        clauses.append(tables.cases.c.territory.in_(list(scope.territories)))
    if scope.member is not None:
        t = tables.case_team.c
        named = [t.username == scope.member]
        if scope.organisations:
            named.append(t.organisation_id.in_(list(scope.organisations)))
        clauses.append(case_id.in_(select(t.case_id).where(t.ended_at.is_(None), or_(*named))))
        if scope.glass_since is not None:
            b = tables.break_glass.c
            opened = select(b.case_id).where(b.username == scope.member, b.expires_at > scope.glass_since)
            clauses.append(case_id.in_(opened))
    return or_(*clauses) if clauses else false()
