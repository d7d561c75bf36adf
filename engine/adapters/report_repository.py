"""The monitoring read model in SQL: the per-case rows (``report_case``) and the inbox rows'
aggregates the cockpit reads. Every method runs in the unit of work's transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from engine.adapters import tables
from engine.model import CaseFacts, TaskStatus
from engine.monitoring import SummaryKey, summary_delta, summary_of

_FIELDS = tuple(f.name for f in dataclasses.fields(CaseFacts))
_R = tables.report_case.c
_S = tables.report_summary.c
_DROP_EMPTY = delete(tables.report_summary).where(
    _S.basis == bindparam("b_b"),
    _S.month == bindparam("b_m"),
    _S.territory == bindparam("b_t"),
    _S.key == bindparam("b_k"),
    _S.n == 0,
)


def _facts(row: Any) -> CaseFacts:
    m = row._mapping
    return CaseFacts(**{name: m[name] for name in _FIELDS})


def _in(territories: Sequence[str] | None) -> Any:
    return _R.territory.in_(list(territories)) if territories is not None else None


class SqlReportRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, case_id: int) -> CaseFacts | None:
        row = self.conn.execute(select(tables.report_case).where(_R.case_id == case_id)).one_or_none()
        return _facts(row) if row is not None else None

    def put(self, facts: CaseFacts, *, previous: CaseFacts | None) -> None:
        """Write the case's row: only the columns that changed since ``previous`` (the row as read
        in this transaction; most commands move the last activity and little else, and every
        column left alone spares its indexes), or a new row."""
        if previous is None:
            self.conn.execute(insert(tables.report_case).values(**dataclasses.asdict(facts)))
        else:
            changed = {n: getattr(facts, n) for n in _FIELDS if getattr(facts, n) != getattr(previous, n)}
            if not changed.keys() - {"last_activity_at"}:
                if changed:  # most commands: only the last activity moved, no counter either
                    self.conn.execute(update(tables.report_case).where(_R.case_id == facts.case_id).values(**changed))
                return
            self.conn.execute(update(tables.report_case).where(_R.case_id == facts.case_id).values(**changed))
        self._count(summary_delta(previous, facts))

    def replace(self, facts: CaseFacts) -> None:
        previous = self.get(facts.case_id)
        self.conn.execute(delete(tables.report_case).where(_R.case_id == facts.case_id))
        self.conn.execute(insert(tables.report_case).values(**dataclasses.asdict(facts)))
        self._count(summary_delta(previous, facts))

    def _count(self, delta: dict[SummaryKey, int]) -> None:
        """Add ``delta`` to the counters, in key order (two commands lock shared counters in the
        same order, so they wait for each other instead of deadlocking); an emptied counter goes."""
        if not delta:
            return
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(tables.report_summary)
        upsert = stmt.on_conflict_do_update(
            index_elements=[_S.basis, _S.month, _S.territory, _S.key], set_={"n": _S.n + stmt.excluded.n}
        )
        self.conn.execute(
            upsert, [{"territory": t, "basis": b, "month": m, "key": k, "n": n} for (t, b, m, k), n in delta.items()]
        )
        gone = [{"b_t": t, "b_b": b, "b_m": m, "b_k": k} for (t, b, m, k), n in delta.items() if n < 0]
        if gone:
            self.conn.execute(_DROP_EMPTY, gone)

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
        ``by_territory``, summed over the territories (the territory reads '')."""
        groups = (_S.territory, _S.key) if by_territory else (_S.key,)
        query = select(*groups, func.sum(_S.n)).where(_S.basis == basis, _S.month >= start, _S.month < end)
        query = query.group_by(*groups)
        if territories is not None:
            query = query.where(_S.territory.in_(list(territories)))
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
        """Recompute every counter from the rows (after a rebuild of the rows, or an upgrade)."""
        if self.conn.dialect.name == "postgresql":  # commands wait until the counters are whole again
            self.conn.exec_driver_sql("LOCK TABLE report_case, report_summary IN SHARE ROW EXCLUSIVE MODE")
        counts = summary_of(self.all())
        self.conn.execute(delete(tables.report_summary))
        values = [{"territory": t, "basis": b, "month": m, "key": k, "n": n} for (t, b, m, k), n in counts.items()]
        for i in range(0, len(values), 5000):
            self.conn.execute(insert(tables.report_summary), values[i : i + 5000])
        return len(values)

    def all(self) -> list[CaseFacts]:
        return [_facts(r) for r in self.conn.execute(select(tables.report_case).order_by(_R.case_id))]

    def case_ids(self, after: int, limit: int) -> list[int]:
        c = tables.cases.c
        rows = self.conn.execute(select(c.id).where(c.id > after).order_by(c.id).limit(limit))
        return [int(r[0]) for r in rows]

    def cohort(self, territories: Sequence[str] | None, column: str, start: dt.date, end: dt.date) -> list[CaseFacts]:
        """The beneficiary cases (those with a case state) whose ``column`` date is in [start, end)."""
        when = _R[column]
        query = select(tables.report_case).where(when >= start, when < end, _R.stato_caso.is_not(None))
        if (where := _in(territories)) is not None:
            query = query.where(where)
        return [_facts(r) for r in self.conn.execute(query.order_by(_R.case_id))]

    def stalled(self, territories: Sequence[str] | None, before: dt.datetime, limit: int) -> list[CaseFacts]:
        """Running beneficiary cases with no command since ``before``, the longest quiet first."""
        query = select(tables.report_case).where(
            _R.status == "running", _R.stato_caso.is_not(None), _R.last_activity_at < before
        )
        if (where := _in(territories)) is not None:
            query = query.where(where)
        return [_facts(r) for r in self.conn.execute(query.order_by(_R.last_activity_at, _R.case_id).limit(limit))]

    def open_work(self, territories: Sequence[str] | None, now: dt.datetime) -> list[dict[str, Any]]:
        """Open inbox rows grouped by role and organisation: how many, how many overdue, the oldest."""
        t = tables.human_task.c
        o = tables.organisation.c
        overdue = func.sum(case((and_(t.due_at.is_not(None), t.due_at < now), 1), else_=0))
        query = (
            select(
                t.role,
                o.name.label("organisation"),
                func.count().label("open"),
                overdue.label("overdue"),
                func.min(t.created_at).label("oldest"),
                func.sum(case((t.assignee.is_(None), 1), else_=0)).label("unclaimed"),
            )
            .select_from(tables.human_task.outerjoin(tables.organisation, o.id == t.organisation_id))
            .where(t.status == TaskStatus.READY.value)
            .group_by(t.role, o.name)
            .order_by(t.role, o.name)
        )
        if territories is not None:
            query = query.where(t.territory.in_([*territories, ""]))  # a plain IN list: index-friendly
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def titles(self, case_ids: Sequence[int]) -> dict[int, str]:
        c = tables.cases.c
        result: dict[int, str] = {}
        ids = list(case_ids)
        for i in range(0, len(ids), 500):
            rows = self.conn.execute(select(c.id, c.title).where(c.id.in_(ids[i : i + 500])))
            result.update({int(r[0]): str(r[1] or "") for r in rows})
        return result

    def agreed_limits(self, territories: Sequence[str] | None, partnership_process: str) -> dict[str, int]:
        """Days to take a referral in charge, as each territory's partnership agreement set them."""
        p, c = tables.partnership.c, tables.cases.c
        query = (
            select(p.territory, c.data).join(tables.cases, c.id == p.case_id).where(c.process_id == partnership_process)
        )
        if territories is not None:
            query = query.where(p.territory.in_(list(territories)))
        result = {}
        for territory, data in self.conn.execute(query):
            days = (data or {}).get("sla_presa_in_carico_giorni")
            if isinstance(days, int) and not isinstance(days, bool) and days > 0:
                result[str(territory)] = days
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
