"""SQLAlchemy implementations of the repositories in ``engine.ports``, on one Connection.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, insert, or_, select, text, update
from sqlalchemy.engine import Row

from engine.adapters import inbox_query, tables
from engine.adapters.report_repository import count_open_tasks, open_rows
from engine.audit.codec import event_from_fields, event_to_row
from engine.errors import Conflict, NotFound
from engine.model import (
    Actor,
    CaseEvent,
    CaseRecord,
    CaseScope,
    CaseStatus,
    ProcessVersionView,
    TaskFilter,
    TaskStatus,
    TaskView,
    UserSummary,
)

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
)
_GET_CASE = (
    select(tables.cases, tables.process_version.c.version.label("pv_version"))
    .join(tables.process_version, tables.process_version.c.id == tables.cases.c.process_version_id)
    .where(tables.cases.c.id == bindparam("b_id"))
)
_SAVE_CASE = (
    update(tables.cases)
    .where(tables.cases.c.id == bindparam("b_id"), tables.cases.c.version == bindparam("b_version"))
    .values({name: bindparam(name) for name in _SAVED_COLUMNS})
)
_GET_TASK = select(tables.human_task).where(tables.human_task.c.id == bindparam("b_id"))
_LOCK_CASE_OF_TASK = (
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
_CLOSE_TASK = (
    update(tables.human_task)
    .where(tables.human_task.c.id == bindparam("b_id"))
    .values(status=bindparam("status"), completed_at=bindparam("completed_at"), completed_by=bindparam("completed_by"))
)
_APPEND_EVENT = insert(tables.case_event)


_INSERT_TASK = insert(tables.human_task)
NO_DUE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class SqlCaseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, record: CaseRecord) -> int:
        values = _case_values(record)
        values.pop("id")
        new_id = self.conn.execute(insert(tables.cases).values(**values)).inserted_primary_key
        assert new_id is not None
        record.id = int(new_id[0])
        return record.id

    def get(self, case_id: int) -> CaseRecord:
        row = self.conn.execute(_GET_CASE, {"b_id": case_id}).one_or_none()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        return _case_from_row(row)

    def save(self, record: CaseRecord) -> None:
        values = _case_values(record)
        for key in ("id", "created_at", "started_by", "process_id"):
            values.pop(key)
        values["version"] = record.version + 1
        result = self.conn.execute(_SAVE_CASE, {**values, "b_id": record.id, "b_version": record.version})
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
    )


class SqlTaskRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, task_id: str, *, lock_case: bool = False) -> TaskView:
        """The task row. ``lock_case`` first takes its case's row lock (PostgreSQL; SQLite's
        BEGIN IMMEDIATE already serializes writers), so the row read is the latest committed one
        and no other command on the case can change it before this transaction ends."""
        if lock_case and self.conn.dialect.name == "postgresql":
            self.conn.execute(_LOCK_CASE_OF_TASK, {"b_id": task_id})
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
            self.conn.execute(_INSERT_TASK, fresh)
        for t in tasks:
            if t.id in known:
                values = _task_values(t)
                values.pop("id")
                self.conn.execute(update(tables.human_task).where(tables.human_task.c.id == t.id).values(**values))

    def close(self, task_ids: Sequence[str], status: TaskStatus, at: dt.datetime, by: str | None) -> None:
        if task_ids:
            count_open_tasks(self.conn, open_rows(self.conn, task_ids), [])
            self.conn.execute(
                _CLOSE_TASK,
                [{"b_id": tid, "status": status.value, "completed_at": at, "completed_by": by} for tid in task_ids],
            )

    def set_assignee(self, task_id: str, assignee: str | None, *, expected: str | None) -> bool:
        """Assign an open task only if its assignee is still ``expected``; False when it changed."""
        t = tables.human_task.c
        held = t.assignee.is_(None) if expected is None else t.assignee == expected
        before = [r for r in open_rows(self.conn, [task_id]) if r["assignee"] == expected]
        done = self.conn.execute(
            update(tables.human_task)
            .where(t.id == task_id, t.status == TaskStatus.READY.value, held)
            .values(assignee=assignee)
        )
        if done.rowcount == 1:
            count_open_tasks(self.conn, before, [{**r, "assignee": assignee} for r in before])
        return done.rowcount == 1

    def reroute(self, task_id: str, audience: str, organisation_id: int | None) -> None:
        t = tables.human_task.c
        before = open_rows(self.conn, [task_id])
        count_open_tasks(self.conn, before, [{**r, "organisation_id": organisation_id} for r in before])
        self.conn.execute(
            update(tables.human_task).where(t.id == task_id).values(audience=audience, organisation_id=organisation_id)
        )

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
        shape, params = inbox_query.plan(f, limit, offset)
        return [_task_from_row(r) for r in self.conn.execute(inbox_query.statement(shape), params)]

    def count(self, f: TaskFilter) -> int:
        if f.member is None:
            query = self._filtered(select(func.count()).select_from(tables.human_task), f)
            return int(self.conn.execute(query).scalar_one())
        # the audiences are disjoint: the count is the sum of theirs
        return sum(
            int(self.conn.execute(self._filtered(select(func.count()).select_from(source), f).where(b)).scalar_one())
            for source, b in _audience_branches(f)
        )


def _task_values(t: TaskView) -> dict[str, Any]:
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
    m = row._mapping
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


def _audience_branches(f: TaskFilter) -> list[tuple[Any, Any]]:
    """The tasks whose audience includes ``f.member`` (engine.teams), as (table or join, clause)
    per audience: the territory's; the team's when named in the lane's relation (read from the
    member's team rows, so the database starts from their few cases); an organisation's when one
    of theirs. The audiences are disjoint (a task has one)."""
    t, ct = tables.human_task.c, tables.case_team.c
    branches: list[tuple[Any, Any]] = [(tables.human_task, t.audience == "territory")]
    if f.team_lanes:
        lanes = or_(*[and_(t.role == lane, ct.relation == relation) for lane, relation in f.team_lanes])
        named = tables.case_team.join(
            tables.human_task, and_(t.case_id == ct.case_id, ct.username == f.member, ct.ended_at.is_(None), lanes)
        )
        branches.append((named, t.audience == "team"))
    if f.organisations:
        branches.append(
            (tables.human_task, and_(t.audience == "organisation", t.organisation_id.in_(list(f.organisations))))
        )
    return branches


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


class SqlEventRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, event: CaseEvent) -> None:
        self.append_many([event])

    def append_many(self, events: Sequence[CaseEvent]) -> None:
        if events:
            self.conn.execute(_APPEND_EVENT, [event_to_row(e) for e in events])

    def for_case(self, case_id: int, upto: int | None = None) -> list[CaseEvent]:
        c = tables.case_event.c
        query = select(tables.case_event).where(c.case_id == case_id)
        if upto is not None:
            query = query.where(c.seq <= upto)
        return [event_from_fields(r._mapping) for r in self.conn.execute(query.order_by(c.seq))]

    def stream(self, after_case: int, limit: int) -> list[CaseEvent]:
        """Events of the next cases after ``after_case``, whole cases only, in (case, seq) order."""
        c = tables.case_event.c
        ids = [
            r[0]
            for r in self.conn.execute(
                select(c.case_id).where(c.case_id > after_case).distinct().order_by(c.case_id).limit(limit)
            )
        ]
        if not ids:
            return []
        query = select(tables.case_event).where(c.case_id.in_(ids)).order_by(c.case_id, c.id)
        return [event_from_fields(r._mapping) for r in self.conn.execute(query)]

    def heads(self) -> dict[int, tuple[int, str]]:
        """What each case row vouches for: its event count and last event hash."""
        rows = self.conn.execute(select(tables.cases.c.id, tables.cases.c.event_seq, tables.cases.c.event_head))
        return {int(r[0]): (int(r[1]), str(r[2] or "")) for r in rows}

    def snapshots(self, case_ids: Sequence[int]) -> dict[int, tuple[str, dict[str, Any]]]:
        """What the case rows show (status, data), for checking them against the sealed digests."""
        c = tables.cases.c
        rows = self.conn.execute(select(c.id, c.status, c.data).where(c.id.in_(list(case_ids))))
        return {int(r.id): (str(getattr(r.status, "value", r.status)), r.data or {}) for r in rows}

    def erase(self, case_id: int, seq: int, data: dict[str, Any], erased: Sequence[str], salts: dict[str, str]) -> None:
        c = tables.case_event.c
        self.conn.execute(
            update(tables.case_event)
            .where(c.case_id == case_id, c.seq == seq)
            .values(data=data, erased=list(erased), salts=salts)
        )


class SqlAnchorRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        at: dt.datetime,
        heads: dict[str, list[Any]],
        events: int,
        prev_hash: str,
        digest: str,
        access_heads: dict[str, list[Any]] | None = None,
    ) -> int:
        key = self.conn.execute(
            insert(tables.audit_anchor).values(
                at=at, heads=heads, events=events, prev_hash=prev_hash, hash=digest, access_heads=access_heads
            )
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def all(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(tables.audit_anchor).order_by(tables.audit_anchor.c.id))
        return [dict(r._mapping) for r in rows]

    def lock(self) -> None:
        """Serialise anchor takers (several schedulers on one PostgreSQL): each anchor links to the
        last one. SQLite's writing transactions are serial already."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(7302)"))


class SqlProcessRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _files_of(self, version_id: int) -> tuple[str, ...]:
        rows = self.conn.execute(
            select(tables.process_version_file.c.name)
            .where(tables.process_version_file.c.process_version_id == version_id)
            .order_by(tables.process_version_file.c.name)
        )
        return tuple(r[0] for r in rows)

    def _view(self, row: Row[Any], with_files: bool = False) -> ProcessVersionView:
        m = row._mapping
        return ProcessVersionView(
            id=m["id"],
            process_id=m["process_id"],
            version=m["version"],
            name=m["name"],
            sha256=m["sha256"],
            deployed_at=m["deployed_at"],
            deployed_by=m["deployed_by"],
            files=self._files_of(m["id"]) if with_files else (),
            note=m["note"] or "",
        )

    def latest(self, process_id: str) -> ProcessVersionView | None:
        row = self.conn.execute(
            select(tables.process_version)
            .where(tables.process_version.c.process_id == process_id)
            .order_by(tables.process_version.c.version.desc())
            .limit(1)
        ).one_or_none()
        return self._view(row) if row is not None else None

    def get(self, version_id: int) -> ProcessVersionView:
        row = self.conn.execute(
            select(tables.process_version).where(tables.process_version.c.id == version_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"process version {version_id} not found")
        return self._view(row, with_files=True)

    def add_version(
        self,
        *,
        process_id: str,
        name: str,
        sha256: str,
        files: Sequence[tuple[str, bytes]],
        at: dt.datetime,
        by: str,
        note: str,
    ) -> ProcessVersionView:
        import hashlib

        current = self.latest(process_id)
        version = (current.version if current else 0) + 1
        new_id = self.conn.execute(
            insert(tables.process_version).values(
                process_id=process_id,
                version=version,
                name=name,
                sha256=sha256,
                deployed_at=at,
                deployed_by=by,
                note=note,
            )
        ).inserted_primary_key
        assert new_id is not None
        for file_name, content in files:
            digest = hashlib.sha256(content).hexdigest()
            exists = self.conn.execute(
                select(tables.process_file.c.sha256).where(tables.process_file.c.sha256 == digest)
            ).first()
            if exists is None:
                kind = "dmn" if file_name.lower().endswith(".dmn") else "bpmn"
                self.conn.execute(
                    insert(tables.process_file).values(sha256=digest, kind=kind, content=content, created_at=at)
                )
            self.conn.execute(
                insert(tables.process_version_file).values(
                    process_version_id=new_id[0], name=file_name, file_sha256=digest
                )
            )
        return self.get(int(new_id[0]))

    def files(self, version_id: int) -> list[tuple[str, bytes]]:
        rows = self.conn.execute(
            select(tables.process_version_file.c.name, tables.process_file.c.content)
            .join(tables.process_file, tables.process_file.c.sha256 == tables.process_version_file.c.file_sha256)
            .where(tables.process_version_file.c.process_version_id == version_id)
            .order_by(tables.process_version_file.c.name)
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def list_latest(self) -> list[ProcessVersionView]:
        pv = tables.process_version
        newest = select(pv.c.process_id, func.max(pv.c.version).label("v")).group_by(pv.c.process_id).subquery()
        rows = self.conn.execute(
            select(pv)
            .join(newest, and_(newest.c.process_id == pv.c.process_id, newest.c.v == pv.c.version))
            .order_by(pv.c.process_id)
        )
        return [self._view(r, with_files=True) for r in rows]

    def list_versions(self, process_id: str) -> list[ProcessVersionView]:
        rows = self.conn.execute(
            select(tables.process_version)
            .where(tables.process_version.c.process_id == process_id)
            .order_by(tables.process_version.c.version)
        )
        return [self._view(r, with_files=True) for r in rows]


class SqlUserRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_actor(self, username: str) -> Actor:
        user = self.conn.execute(
            select(tables.app_user).where(tables.app_user.c.username == username, tables.app_user.c.active.is_(True))
        ).one_or_none()
        if user is None:
            raise NotFound(f"user {username!r} not found")
        rows = self.conn.execute(select(tables.user_role).where(tables.user_role.c.username == username)).all()
        roles = frozenset(r.role for r in rows)
        # A user with any unrestricted grant covers every territory.
        territories = frozenset() if any(r.territory == "" for r in rows) else frozenset(r.territory for r in rows)
        return Actor(username, roles, territories, frozenset((r.role, r.territory) for r in rows))

    def add(
        self,
        username: str,
        display_name: str,
        password_hash: str | None,
        roles: Sequence[tuple[str, str]],
        at: dt.datetime,
    ) -> None:
        self.conn.execute(
            insert(tables.app_user).values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                active=True,
                created_at=at,
            )
        )
        if roles:
            self.conn.execute(
                insert(tables.user_role),
                [{"username": username, "role": r, "territory": t or ""} for r, t in roles],
            )

    def holders(self, role: str, territory: str | None) -> list[str]:
        """Active users holding ``role`` in ``territory`` (or in every territory)."""
        r, u = tables.user_role.c, tables.app_user.c
        rows = self.conn.execute(
            select(r.username)
            .join(tables.app_user, u.username == r.username)
            .where(r.role == role, u.active.is_(True), r.territory.in_([territory or "", ""]))
            .distinct()
            .order_by(r.username)
        )
        return [row[0] for row in rows]

    def exists(self, username: str) -> bool:
        return (
            self.conn.execute(select(tables.app_user.c.username).where(tables.app_user.c.username == username)).first()
            is not None
        )

    def all(self) -> list[UserSummary]:
        users = self.conn.execute(select(tables.app_user).order_by(tables.app_user.c.username)).all()
        roles = self.conn.execute(select(tables.user_role)).all()
        return [
            UserSummary(
                u.username,
                u.display_name,
                u.active,
                tuple(sorted({(r.role, r.territory) for r in roles if r.username == u.username})),
            )
            for u in users
        ]


class SqlPartnershipRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def is_active(self, territory: str) -> bool:
        row = self.conn.execute(
            select(tables.partnership.c.active).where(tables.partnership.c.territory == territory)
        ).first()
        return bool(row and row[0])

    def case_id(self, territory: str) -> int | None:
        """The partnership case (F1) whose outcome set the territory's state, if one did."""
        row = self.conn.execute(
            select(tables.partnership.c.case_id).where(tables.partnership.c.territory == territory)
        ).first()
        return int(row[0]) if row and row[0] is not None else None

    def set(self, territory: str, active: bool, case_id: int | None, at: dt.datetime, by: str) -> None:
        values = {"active": active, "case_id": case_id, "updated_at": at, "updated_by": by}
        done = self.conn.execute(
            update(tables.partnership).where(tables.partnership.c.territory == territory).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(tables.partnership).values(territory=territory, **values))
