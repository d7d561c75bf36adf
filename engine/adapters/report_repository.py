"""The monitoring read model in SQL: the per-case rows (``report_case``) and the inbox rows'
aggregates the cockpit reads. Every method runs in the unit of work's transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Date, Integer, and_, case, cast, delete, func, insert, literal, select, update

from engine.adapters import tables
from engine.model import CaseFacts, Span, TaskStatus

_FIELDS = tuple(f.name for f in dataclasses.fields(CaseFacts))
_R = tables.report_case.c


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
            return
        changed = {name: getattr(facts, name) for name in _FIELDS if getattr(facts, name) != getattr(previous, name)}
        if changed:
            self.conn.execute(update(tables.report_case).where(_R.case_id == facts.case_id).values(**changed))

    def replace(self, facts: CaseFacts) -> None:
        self.conn.execute(delete(tables.report_case).where(_R.case_id == facts.case_id))
        self.conn.execute(insert(tables.report_case).values(**dataclasses.asdict(facts)))

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

    def cohort_counts(
        self,
        territories: Sequence[str] | None,
        column: str,
        start: dt.date,
        end: dt.date,
        keys: Sequence[str],
        present: Sequence[str] = (),
    ) -> list[CaseFacts]:
        """The same people as ``cohort``, counted in SQL: one row per combination of the ``keys``
        values and of which ``present`` dates are set (a set date reads ``date.min``), repeated
        as many times as people share it. The reports only count, so they read the same figures
        from a fraction of the rows."""
        when = _R[column]
        marks = [(_R[name].is_not(None)).label(f"has_{name}") for name in present]
        columns = [_R[name] for name in keys]
        query = (
            select(*columns, *marks, func.count().label("n"))
            .where(when >= start, when < end, _R.stato_caso.is_not(None))
            .group_by(*columns, *marks)
        )
        if (where := _in(territories)) is not None:
            query = query.where(where)
        result: list[CaseFacts] = []
        for row in self.conn.execute(query):
            m = row._mapping
            values: dict[str, Any] = {"territory": "", "status": "running", "phase": None, "stato_caso": ""}
            values.update({name: m[name] for name in keys})
            values.update({name: dt.date.min for name in present if m[f"has_{name}"]})
            facts = CaseFacts(case_id=0, process_id="", **values)
            result.extend([facts] * int(m["n"]))
        return result

    def spans(
        self, territories: Sequence[str] | None, start: dt.date, end: dt.date, step: str, today: dt.date
    ) -> list[Span]:
        """The people referred in [start, end), counted in SQL by territory, ADI/SFL, status and
        the days from referral to ``step`` (or, not there yet, the days since referral); each
        group repeated as many times as people share it."""
        referral, done = _R.referral_on, _R[step]
        days = self._days(done, referral).label("days")
        age = case((done.is_(None), self._days(literal(today, Date), referral)), else_=None).label("age")
        query = (
            select(_R.territory, _R.adi, _R.status, days, age, func.count().label("n"))
            .where(referral >= start, referral < end, _R.stato_caso.is_not(None))
            .group_by(_R.territory, _R.adi, _R.status, days, age)
        )
        if (where := _in(territories)) is not None:
            query = query.where(where)
        result: list[Span] = []
        for t, adi, status, d, a, n in self.conn.execute(query):
            span = Span(str(t), bool(adi), str(status), None if d is None else int(d), None if a is None else int(a))
            result.extend([span] * int(n))
        return result

    def _days(self, later: Any, earlier: Any) -> Any:
        """Whole days between two dates, in the database's own arithmetic."""
        if self.conn.dialect.name == "sqlite":
            return cast(func.julianday(later) - func.julianday(earlier), Integer)
        return later - earlier

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
