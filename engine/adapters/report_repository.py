"""The monitoring read model in SQL: the per-case rows (``report_case``) and the inbox rows'
aggregates the cockpit reads. Every method runs in the unit of work's transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Row

from engine.adapters import tables
from engine.model import CaseFacts, OpenTaskKey, TaskStatus
from engine.monitoring import SummaryKey, summary_delta, summary_of

_FIELDS = tuple(f.name for f in dataclasses.fields(CaseFacts))
# the facts a row is read with; its last activity, status and phase are the case's own columns
# (``cases``), which a command moves with the case row it saves anyway: a command that changes
# no other fact (most of them; moving to another phase, ending the case) sends no statement to
# ``report_case`` at all
_LAST = "last_activity_at"
_STORED = tuple(name for name in _FIELDS if name != _LAST)
_ON_CASE = ("status", "phase")
_OWN = tuple(name for name in _STORED if name not in _ON_CASE)  # the columns of ``report_case``
_R = tables.report_case.c
_C = tables.cases.c


def _column(name: str) -> Any:
    return _C[name] if name in _ON_CASE else _R[name]


_S = tables.report_summary.c
_T = tables.human_task.c
_SUMMARY_KEYS = ("territory", "basis", "month", "key")
_TASK_KEYS = ("territory", "role", "organisation_id", "assigned", "due_on")
NO_DUE_DAY = dt.date(9999, 12, 31)
TaskKey = OpenTaskKey


# the rows as the reports read them: with the case's status, phase and last activity
_ROWS = select(*(_column(name) for name in _STORED), _C.last_activity_at).join(tables.cases, _C.id == _R.case_id)
_GET_ROW = _ROWS.where(_R.case_id == bindparam("b_case"))
_INSERT_ROW = insert(tables.report_case)
# the row's columns as a command's load of its case reads them beside the case's (``r_`` + name;
# the status and phase are the case's, the last activity is read with the case)
FACTS_COLUMNS = tuple(_column(name).label(f"r_{name}") for name in _STORED)
Known = dict[int, CaseFacts | None]  # the rows of this transaction's cases, as read or written in it

_RETURNING_ROWS = 32  # a command's moves up to this many counters: one statement that says what they reached
_COUNT_SQL: dict[tuple[str, str, int, bool], str] = {}


def _count_sql(paramstyle: str, table: Any, keys: Sequence[str], rows: int, returning: bool) -> str:
    """The upsert of ``rows`` counters of ``table`` (answering each one's key and new count when
    ``returning``), in the driver's own placeholders, built once per shape. The statement reads
    the same on SQLite and PostgreSQL."""
    found = _COUNT_SQL.get((paramstyle, table.name, rows, returning))
    if found is None:
        mark = "?" if paramstyle == "qmark" else "%s"
        names = (*keys, "n")
        values = ", ".join(["(" + ", ".join([mark] * len(names)) + ")"] * rows)
        found = (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES {values} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table.name}.n + excluded.n"
        )
        if returning:
            found += f" RETURNING {', '.join(names)}"
        _COUNT_SQL[(paramstyle, table.name, rows, returning)] = found
    return found


def _driver_value(value: Any, sqlite: bool) -> Any:
    # SQLite keeps a Date as its ISO text (SQLAlchemy's storage format for it)
    return value.isoformat() if sqlite and isinstance(value, dt.date) else value


def add_counts(conn: Connection, table: Any, keys: Sequence[str], delta: Mapping[tuple[Any, ...], int]) -> None:
    """Add ``delta`` to the counters of ``table`` (its primary key ``keys``, its count ``n``), in
    key order (two commands lock shared counters in the same order, so they wait for each other
    instead of deadlocking); a counter back to zero is deleted, and only then: when a count
    goes down the upsert answers the counts it reached (a counter another case still counts in,
    the usual case, needs no delete).

    Sent as the driver's own SQL with positional parameters: at every command that moves a
    counter, SQLAlchemy's compilation and parameter handling of the same statement cost four
    times what the database does with it."""
    if not delta:
        return
    paramstyle, sqlite = conn.dialect.paramstyle, conn.dialect.name == "sqlite"
    ordered = sorted(delta.items())
    rows = [tuple(_driver_value(v, sqlite) for v in (*key, n)) for key, n in ordered]
    falling = any(n < 0 for _, n in ordered)
    if len(rows) <= _RETURNING_ROWS:
        sql = _count_sql(paramstyle, table, keys, len(rows), falling)
        result = conn.exec_driver_sql(sql, tuple(v for row in rows for v in row))
        gone = [tuple(r[:-1]) for r in result if r[-1] <= 0] if falling else []
    else:  # a rebuild-sized move: many rows at once, the emptied ones looked for among the decreased
        conn.exec_driver_sql(_count_sql(paramstyle, table, keys, 1, False), rows)
        gone = [row[:-1] for row in rows if row[-1] < 0]
    if gone:
        mark = "?" if paramstyle == "qmark" else "%s"
        where = " AND ".join(f"{k} = {mark}" for k in keys)
        conn.exec_driver_sql(f"DELETE FROM {table.name} WHERE {where} AND n = 0", gone)


def task_key(row: Mapping[str, Any]) -> TaskKey | None:
    """The counter an inbox row adds to: only an open (ready) row counts."""
    if row["status"] != TaskStatus.READY.value:
        return None
    due = row["due_at"]
    return (
        str(row["territory"] or ""),
        str(row["role"] or ""),
        int(row["organisation_id"] or 0),
        1 if row["assignee"] else 0,
        (due.astimezone(dt.UTC) if due.tzinfo else due).date() if due is not None else NO_DUE_DAY,
    )


_PENDING = "impresa_open_task_delta"  # on the connection: the open-task moves of the transaction


def count_open_tasks(conn: Connection, before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]) -> None:
    """Note how the open-task counters move from the rows as they were to the rows as they are
    now; ``flush_counts`` writes the sum once, when the transaction commits (a task closed and
    the next one opened under the same counter cost no statement at all)."""
    pending: dict[TaskKey, int] = conn.info.setdefault(_PENDING, {})
    for rows, step in ((before, -1), (after, 1)):
        for row in rows:
            if (key := task_key(row)) is not None:
                pending[key] = pending.get(key, 0) + step


def flush_counts(conn: Connection) -> None:
    """Write the transaction's open-task moves (the unit of work calls it just before commit)."""
    pending: dict[TaskKey, int] = conn.info.pop(_PENDING, None) or {}
    add_counts(conn, tables.report_open_task, _TASK_KEYS, {k: n for k, n in pending.items() if n})


def forget_counts(conn: Connection) -> None:
    """Drop moves of a transaction that will not commit (the connection goes back to the pool)."""
    conn.info.pop(_PENDING, None)


def open_rows(conn: Connection, task_ids: Sequence[str]) -> list[dict[str, Any]]:
    """What the counters read of the open rows among ``task_ids``, before a statement changes them."""
    if not task_ids:
        return []
    query = select(_T.status, _T.territory, _T.role, _T.organisation_id, _T.assignee, _T.due_at, _T.id).where(
        _T.id.in_(list(task_ids)), _T.status == TaskStatus.READY.value
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def _facts(row: Any) -> CaseFacts:
    m = row._mapping
    return CaseFacts(**{name: m[name] for name in _FIELDS})


def _stored(facts: CaseFacts) -> dict[str, Any]:
    """The columns of the case's ``report_case`` row."""
    return {name: getattr(facts, name) for name in _OWN}


# the stored columns are the row's fields in order, the last activity last: a row read beside its
# case is built from a slice of the result row (by name, 44 look-ups cost more than the rest of it)
assert (*_STORED, _LAST) == _FIELDS


def facts_at(statement: Any) -> int:
    """Where ``FACTS_COLUMNS`` start among the columns of ``statement`` (for ``facts_beside``)."""
    return list(statement.selected_columns.keys()).index(FACTS_COLUMNS[0].name)


def facts_beside(row: Row[Any], at: int, last_activity_at: dt.datetime | None) -> CaseFacts | None:
    """The row read beside a case's (``FACTS_COLUMNS`` from position ``at``, an outer join; its
    last activity is the case's): None when it has none."""
    if row[at] is None:
        return None
    values: tuple[Any, ...] = (*row[at : at + len(_STORED)], last_activity_at)
    return CaseFacts(*values)


_UPDATES: dict[tuple[str, ...], Any] = {}


def _update_row(names: tuple[str, ...]) -> Any:
    """The update of the columns ``names`` of a case's row, built once per set of columns (a
    construct built at every command cost four times its execution; commands change the same
    few sets: the status, a form's dates)."""
    found = _UPDATES.get(names)
    if found is None:
        found = update(tables.report_case).where(_R.case_id == bindparam("b_case"))
        found = found.values({n: bindparam(n, type_=_R[n].type) for n in names})
        if len(_UPDATES) < 512:  # bounded: an unusual set is built each time, as before
            _UPDATES[names] = found
    return found


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month in [start, end)."""
    found, month = [], start.replace(day=1)
    while month < end:
        found.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return found


def _in(territories: Sequence[str] | None) -> Any:
    return _R.territory.in_(list(territories)) if territories is not None else None


class SqlReportRepository:
    def __init__(self, conn: Connection, known: Known | None = None) -> None:
        self.conn = conn
        # shared with the case repository of the same unit of work, which reads a case's row with
        # the case (one statement fewer per command); kept equal to the table by ``put``/``replace``
        self.known: Known = known if known is not None else {}

    def get(self, case_id: int) -> CaseFacts | None:
        if case_id in self.known:
            return self.known[case_id]
        row = self.conn.execute(_GET_ROW, {"b_case": case_id}).one_or_none()
        found = self.known[case_id] = _facts(row) if row is not None else None
        return found

    def put(self, facts: CaseFacts, *, previous: CaseFacts | None) -> None:
        """Write the case's row: only the columns that changed since ``previous`` (the row as read
        in this transaction; most commands move the last activity and little else, and every
        column left alone spares its indexes), or a new row. The last activity, status and phase
        are not written here: the command saves them with its case (``CaseRecord``); the counters
        move with any fact, those included."""
        self.known[facts.case_id] = facts
        if previous is None:  # the columns left empty are not sent (most of a new case's)
            self.conn.execute(_INSERT_ROW, {n: v for n, v in _stored(facts).items() if v is not None})
        else:
            moved = [n for n in _STORED if getattr(facts, n) != getattr(previous, n)]
            if not moved:  # most commands: only the last activity moved, no counter either
                return
            changed = {n: getattr(facts, n) for n in moved if n not in _ON_CASE}
            if changed:  # the status and phase went with the case row
                self.conn.execute(_update_row(tuple(changed)), {**changed, "b_case": facts.case_id})
        self._count(summary_delta(previous, facts))

    def replace(self, facts: CaseFacts) -> None:
        """The case's row and last activity as ``facts`` say (a rebuild from the events)."""
        previous = self.get(facts.case_id)
        self.known[facts.case_id] = facts
        self.conn.execute(delete(tables.report_case).where(_R.case_id == facts.case_id))
        self.conn.execute(insert(tables.report_case).values(**_stored(facts)))
        self.conn.execute(
            update(tables.cases).where(_C.id == facts.case_id).values(last_activity_at=facts.last_activity_at)
        )
        self._count(summary_delta(previous, facts))

    def _count(self, delta: dict[SummaryKey, int]) -> None:
        add_counts(self.conn, tables.report_summary, _SUMMARY_KEYS, delta)

    def summary(
        self,
        basis: str,
        start: dt.date,
        end: dt.date,
        territories: Sequence[str] | None,
        *,
        keys: Sequence[str] | None = None,
        prefix: str | None = None,
        by_territory: bool = True,
    ) -> dict[tuple[str, str], int]:
        """The counters of ``basis`` over the months in [start, end), summed by territory and key
        (only ``keys``, or the keys starting with ``prefix``, when given); without
        ``by_territory``, summed over the territories (the territory reads '').

        For given territories the months are listed, not a range: the primary key (basis, month,
        territory, key) is then an equality up to the territory, so only their counters are read
        (with a range of months, every territory's counters of the period were read and filtered);
        for all territories the range reads the same counters in fewer steps."""
        groups = (_S.territory, _S.key) if by_territory else (_S.key,)
        query = select(*groups, func.sum(_S.n)).where(_S.basis == basis).group_by(*groups)
        if territories is not None:
            query = query.where(_S.month.in_(months(start, end)), _S.territory.in_(list(territories)))
        else:
            query = query.where(_S.month >= start, _S.month < end)
        if keys is not None:
            query = query.where(_S.key.in_(list(keys)))
        if prefix is not None:
            query = query.where(_S.key.startswith(prefix, autoescape=True))
        rows = self.conn.execute(query)
        if by_territory:
            return {(str(t), str(k)): int(n) for t, k, n in rows if n}
        return {("", str(k)): int(n) for k, n in rows if n}

    def summary_all(self) -> dict[SummaryKey, int]:
        rows = self.conn.execute(select(_S.territory, _S.basis, _S.month, _S.key, _S.n).where(_S.n != 0))
        return {(str(t), str(b), m, str(k)): int(n) for t, b, m, k, n in rows}

    def rebuild_summary(self) -> int:
        """Recompute every counter from the rows (after a rebuild of the rows, or an upgrade): the
        people's from ``report_case``, the open tasks' from the inbox rows."""
        if self.conn.dialect.name == "postgresql":  # commands wait until the counters are whole again
            self.conn.exec_driver_sql("LOCK TABLE report_case, report_summary IN SHARE ROW EXCLUSIVE MODE")
            self.conn.exec_driver_sql("LOCK TABLE human_task, report_open_task IN SHARE ROW EXCLUSIVE MODE")
        counts = summary_of(self.all())
        self.conn.execute(delete(tables.report_summary))
        values = [{"territory": t, "basis": b, "month": m, "key": k, "n": n} for (t, b, m, k), n in counts.items()]
        tasks = [dict(zip(_TASK_KEYS, key, strict=True)) | {"n": n} for key, n in self._open_tasks_now().items()]
        self.conn.execute(delete(tables.report_open_task))
        for table, rows in ((tables.report_summary, values), (tables.report_open_task, tasks)):
            for i in range(0, len(rows), 5000):
                self.conn.execute(insert(table), rows[i : i + 5000])
        return len(values) + len(tasks)

    def all(self) -> list[CaseFacts]:
        return [_facts(r) for r in self.conn.execute(_ROWS.order_by(_R.case_id))]

    def case_ids(self, after: int, limit: int) -> list[int]:
        c = tables.cases.c
        rows = self.conn.execute(select(c.id).where(c.id > after).order_by(c.id).limit(limit))
        return [int(r[0]) for r in rows]

    def cohort(self, territories: Sequence[str] | None, column: str, start: dt.date, end: dt.date) -> list[CaseFacts]:
        """The beneficiary cases (those with a case state) whose ``column`` date is in [start, end)."""
        when = _R[column]
        query = _ROWS.where(when >= start, when < end, _R.stato_caso.is_not(None))
        if (where := _in(territories)) is not None:
            query = query.where(where)
        return [_facts(r) for r in self.conn.execute(query.order_by(_R.case_id))]

    def stalled(self, territories: Sequence[str] | None, before: dt.datetime, limit: int) -> list[CaseFacts]:
        """Running beneficiary cases with no command since ``before``, the longest quiet first
        (off the case's index by territory, status and last activity; a case's row has its
        status and territory, '' for none, so the case's own say the same)."""
        query = _ROWS.where(_C.status == "running", _C.last_activity_at < before, _R.stato_caso.is_not(None))
        if territories is not None:
            query = query.where(_C.territory.in_(list(territories)))
        return [_facts(r) for r in self.conn.execute(query.order_by(_C.last_activity_at, _C.id).limit(limit))]

    def open_work(self, territories: Sequence[str] | None, now: dt.datetime) -> list[dict[str, Any]]:
        """Open inbox rows grouped by role and organisation: how many, how many overdue, how many
        not yet claimed, the oldest. Counted from the open-task counters (by due day); the tasks
        falling due today and the oldest of each group are read off the inbox's indexes."""
        c = tables.report_open_task.c
        places = [*territories, ""] if territories is not None else None  # '' : cases without territory
        query = select(c.role, c.organisation_id, c.assigned, c.due_on, func.sum(c.n)).group_by(
            c.role, c.organisation_id, c.assigned, c.due_on
        )
        if places is not None:
            query = query.where(c.territory.in_(places))
        today = now.date()
        groups: dict[tuple[str, int], dict[str, Any]] = {}
        for role, organisation, assigned, due_on, n in self.conn.execute(query):
            if not n:
                continue
            g = groups.setdefault((role, organisation), {"open": 0, "overdue": 0, "unclaimed": 0})
            g["open"] += int(n)
            g["unclaimed"] += 0 if assigned else int(n)
            g["overdue"] += int(n) if due_on < today else 0
        if not groups:
            return []
        midnight = dt.datetime.combine(today, dt.time(), now.tzinfo or dt.UTC)
        due_today = select(_T.role, _T.organisation_id, func.count()).where(
            _T.status == TaskStatus.READY.value, _T.due_sort >= midnight, _T.due_sort < now
        )
        if places is not None:
            due_today = due_today.where(_T.territory.in_(places))
        for role, organisation, n in self.conn.execute(due_today.group_by(_T.role, _T.organisation_id)):
            if (key := (role or "", int(organisation or 0))) in groups:
                groups[key]["overdue"] += int(n)
        ids = [o for _, o in groups if o]
        org = tables.organisation.c
        names = {int(i): str(n) for i, n in self.conn.execute(select(org.id, org.name).where(org.id.in_(ids)))}
        result = []
        for (role, organisation), g in groups.items():
            # ORDER BY the index's own columns … LIMIT 1 rather than min(): PostgreSQL then walks the
            # index from its first entry (min(), or ORDER BY created_at alone, scan every row of the
            # group when a condition is IS NULL)
            oldest = select(_T.created_at).where(
                _T.status == TaskStatus.READY.value,
                _T.role == role if role else _T.role.is_(None),
                _T.organisation_id == organisation if organisation else _T.organisation_id.is_(None),
            )
            if places is not None:
                oldest = oldest.where(_T.territory.in_(places))
            oldest = oldest.order_by(_T.status, _T.role, _T.organisation_id, _T.created_at).limit(1)
            result.append(
                {
                    "role": role or None,
                    "organisation": names.get(organisation),
                    "oldest": self.conn.execute(oldest).scalar(),
                    **g,
                }
            )
        return sorted(result, key=lambda r: (r["role"] or "", r["organisation"] or ""))

    def open_task_counts(self) -> tuple[dict[TaskKey, int], dict[TaskKey, int]]:
        """The open-task counters as kept, and as the inbox rows say now (checks and tests)."""
        c = tables.report_open_task.c
        kept = {
            (str(t), str(r), int(o), int(a), d): int(n)
            for t, r, o, a, d, n in self.conn.execute(
                select(c.territory, c.role, c.organisation_id, c.assigned, c.due_on, c.n)
            )
            if n
        }
        return kept, self._open_tasks_now()

    def _open_tasks_now(self) -> dict[TaskKey, int]:
        rows = self.conn.execute(
            select(_T.status, _T.territory, _T.role, _T.organisation_id, _T.assignee, _T.due_at).where(
                _T.status == TaskStatus.READY.value
            )
        )
        counts: dict[TaskKey, int] = {}
        for row in rows:
            if (key := task_key(dict(row._mapping))) is not None:
                counts[key] = counts.get(key, 0) + 1
        return counts

    def titles(self, case_ids: Sequence[int]) -> dict[int, str]:
        c = tables.cases.c
        result: dict[int, str] = {}
        ids = list(case_ids)
        for i in range(0, len(ids), 500):
            rows = self.conn.execute(select(c.id, c.title).where(c.id.in_(ids[i : i + 500])))
            result.update({int(r[0]): str(r[1] or "") for r in rows})
        return result

    def agreed_limits(
        self, territories: Sequence[str] | None, partnership_process: str, fields: Mapping[str, str]
    ) -> dict[str, dict[str, int]]:
        """Per territory whose partnership is in force (its agreement, F1, signed and active), the
        times it agreed: ``fields`` maps a name to the agreement's field (days); a time the
        agreement left empty is missing."""
        p, c = tables.partnership.c, tables.cases.c
        query = (
            select(p.territory, c.data)
            .join(tables.cases, c.id == p.case_id)
            .where(c.process_id == partnership_process, p.active.is_(True))
        )
        if territories is not None:
            query = query.where(p.territory.in_(list(territories)))
        result: dict[str, dict[str, int]] = {}
        for territory, data in self.conn.execute(query):
            for name, field in fields.items():
                days = (data or {}).get(field)
                if isinstance(days, int) and not isinstance(days, bool) and days > 0:
                    result.setdefault(str(territory), {})[name] = days
        return result

    def element_times(
        self, process_id: str, territories: Sequence[str] | None, since: dt.datetime, until: dt.datetime
    ) -> list[tuple[str, str, int, str, dt.datetime, dt.datetime | None, dt.datetime | None]]:
        """The inbox rows of ``process_id``'s tasks created in [since, until): element, name,
        case, status, created, completed, due."""
        t = tables.human_task.c
        query = select(t.bpmn_id, t.name, t.case_id, t.status, t.created_at, t.completed_at, t.due_at).where(
            t.process_id == process_id, t.created_at >= since, t.created_at < until
        )
        if territories is not None:
            query = query.where(t.territory.in_([*territories, ""]))
        return [tuple(r) for r in self.conn.execute(query)]
