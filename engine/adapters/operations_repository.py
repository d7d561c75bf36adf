"""Figures about the running deployment, read in one go for the metrics page: open work and its
age, timers due and in incident, running cases. Each is one indexed aggregate query."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from engine.adapters import tables
from engine.model import CaseStatus, OperationalFigures, TaskStatus, TimerStatus


class SqlOperationsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def figures(self, now: dt.datetime) -> OperationalFigures:
        t = tables.human_task.c
        open_tasks, oldest = self.conn.execute(
            select(func.count(), func.min(t.created_at)).where(t.status == TaskStatus.READY.value)
        ).one()
        overdue = self.conn.execute(
            select(func.count()).where(t.status == TaskStatus.READY.value, t.due_at.is_not(None), t.due_at < now)
        ).scalar_one()
        unassigned = self.conn.execute(
            select(func.count()).where(t.status == TaskStatus.READY.value, t.assignee.is_(None))
        ).scalar_one()
        k = tables.case_timer.c
        pending = {
            status: int(n)
            for status, n in self.conn.execute(
                select(k.status, func.count())
                .where(k.status.in_([TimerStatus.PENDING.value, TimerStatus.INCIDENT.value]))
                .group_by(k.status)
            )
        }
        due = self.conn.execute(
            select(func.count()).where(k.status == TimerStatus.PENDING.value, k.due_at <= now)
        ).scalar_one()
        c = tables.cases.c
        running = self.conn.execute(select(func.count()).where(c.status == CaseStatus.RUNNING.value)).scalar_one()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        return OperationalFigures(
            running_cases=int(running),
            open_tasks=int(open_tasks),
            unassigned_tasks=int(unassigned),
            overdue_tasks=int(overdue),
            oldest_open_task_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
            timers_pending=pending.get(TimerStatus.PENDING.value, 0),
            timers_due=int(due),
            timer_incidents=pending.get(TimerStatus.INCIDENT.value, 0),
        )
