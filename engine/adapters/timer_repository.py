"""SQLAlchemy repositories for the clock-driven side of cases: due timers (``case_timer``),
messages waiting for their case (``case_message``) and the notification outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.adapters import tables
from engine.model import CaseMessage, Incident, PendingMessage, TimerRow, TimerStatus


class SqlTimerRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def pending_for_case(self, case_id: int) -> list[TimerRow]:
        t = tables.case_timer.c
        rows = self.conn.execute(select(tables.case_timer).where(t.case_id == case_id, t.status == TimerStatus.PENDING))
        return [_timer(r) for r in rows]

    def insert(self, rows: Sequence[TimerRow], *, new_case: bool = False) -> None:
        """Schedule timers; one seen before (a case sent back to an earlier step) is scheduled
        again. The rows seen before are found in one statement, none for a case created in this
        transaction (``new_case``: it has no rows yet)."""
        t = tables.case_timer.c
        known = {}
        if rows and not new_case:
            found = self.conn.execute(
                select(t.id, t.case_id, t.task_id, t.due_at).where(
                    t.case_id.in_(sorted({r.case_id for r in rows})), t.task_id.in_(sorted({r.task_id for r in rows}))
                )
            )
            seen = {(f.case_id, f.task_id, f.due_at): f.id for f in found}
            for r in rows:
                existing = seen.get((r.case_id, r.task_id, r.due_at))
                if existing is None:
                    continue
                known[(r.case_id, r.task_id, r.due_at)] = existing
                self.conn.execute(
                    update(tables.case_timer)
                    .where(t.id == existing)
                    .values(status=r.status, attempts=0, next_attempt_at=r.due_at, fired_at=None, last_error=None)
                )
        rows = [r for r in rows if (r.case_id, r.task_id, r.due_at) not in known]
        if rows:
            self.conn.execute(
                insert(tables.case_timer),
                [
                    {
                        "case_id": r.case_id,
                        "task_id": r.task_id,
                        "bpmn_id": r.bpmn_id,
                        "kind": r.kind,
                        "due_at": r.due_at,
                        "status": r.status,
                        "attempts": 0,
                        "next_attempt_at": r.due_at,
                        "created_at": r.created_at,
                        "fired_at": r.created_at if r.status is TimerStatus.FIRED else None,
                    }
                    for r in rows
                ],
            )

    def mark(self, ids: Sequence[int], status: TimerStatus, at: dt.datetime) -> None:
        if ids:
            self.conn.execute(
                update(tables.case_timer)
                .where(tables.case_timer.c.id.in_(list(ids)))
                .values(status=status, fired_at=at if status is TimerStatus.FIRED else None)
            )

    def claim_due(self, now: dt.datetime) -> TimerRow | None:
        """The earliest due pending timer, locked for this transaction (others skip it)."""
        t = tables.case_timer.c
        query = (
            select(tables.case_timer)
            .where(t.status == TimerStatus.PENDING, t.next_attempt_at <= now)
            .order_by(t.next_attempt_at, t.id)
            .limit(1)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = self.conn.execute(query).first()
        return _timer(row) if row is not None else None

    def get(self, timer_id: int) -> TimerRow | None:
        row = self.conn.execute(select(tables.case_timer).where(tables.case_timer.c.id == timer_id)).first()
        return _timer(row) if row is not None else None

    def record_failure(self, timer_id: int, error: str, next_attempt: dt.datetime, incident: bool) -> None:
        self.conn.execute(
            update(tables.case_timer)
            .where(tables.case_timer.c.id == timer_id)
            .values(
                attempts=tables.case_timer.c.attempts + 1,
                last_error=error[:4000],
                next_attempt_at=next_attempt,
                status=TimerStatus.INCIDENT if incident else TimerStatus.PENDING,
            )
        )

    def postpone(self, timer_id: int, until: dt.datetime) -> None:
        self.conn.execute(
            update(tables.case_timer).where(tables.case_timer.c.id == timer_id).values(next_attempt_at=until)
        )

    def retry(self, timer_id: int, at: dt.datetime) -> bool:
        t = tables.case_timer.c
        done = self.conn.execute(
            update(tables.case_timer)
            .where(t.id == timer_id, t.status == TimerStatus.INCIDENT)
            .values(status=TimerStatus.PENDING, attempts=0, next_attempt_at=at)
        )
        return done.rowcount == 1

    def incidents(self, territories: Sequence[str] | None = None) -> list[Incident]:
        t = tables.case_timer.c
        query = (
            select(tables.case_timer, tables.cases.c.territory, tables.cases.c.title)
            .join(tables.cases, tables.cases.c.id == t.case_id)
            .where(t.status == TimerStatus.INCIDENT)
            .order_by(t.due_at)
        )
        if territories:
            query = query.where(tables.cases.c.territory.in_(list(territories)))
        return [
            Incident(**{**r._mapping, "status": TimerStatus(r.status), "title": r.title or ""})
            for r in self.conn.execute(query)
        ]

    def count(self, status: TimerStatus) -> int:
        return int(
            self.conn.execute(
                select(func.count()).select_from(tables.case_timer).where(tables.case_timer.c.status == status)
            ).scalar_one()
        )


def _timer(row: Any) -> TimerRow:
    m = row._mapping
    return TimerRow(
        id=m["id"],
        case_id=m["case_id"],
        task_id=m["task_id"],
        bpmn_id=m["bpmn_id"],
        kind=m["kind"],
        due_at=m["due_at"],
        status=TimerStatus(m["status"]),
        attempts=m["attempts"],
        created_at=m["created_at"],
        last_error=m["last_error"],
    )


class SqlMessageRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        case_id: int,
        name: str,
        payload: dict[str, Any],
        at: dt.datetime,
        by: str,
        expires_at: dt.datetime | None = None,
    ) -> int:
        key = self.conn.execute(
            insert(tables.case_message).values(
                case_id=case_id,
                name=name,
                payload=payload,
                sent_at=at,
                sent_by=by,
                status=TimerStatus.PENDING,
                expires_at=expires_at,
            )
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def pending_for_case(self, case_id: int, now: dt.datetime) -> list[PendingMessage]:
        m = tables.case_message.c
        rows = self.conn.execute(
            select(tables.case_message).where(m.case_id == case_id, m.status == "pending").order_by(m.sent_at, m.id)
        )
        return [
            PendingMessage(
                id=r.id, case_id=r.case_id, name=r.name, payload=r.payload or {}, sent_at=r.sent_at, sent_by=r.sent_by
            )
            for r in rows
            if r.expires_at is None or r.expires_at > now
        ]

    def mark_delivered(self, message_id: int, at: dt.datetime) -> None:
        self.conn.execute(
            update(tables.case_message)
            .where(tables.case_message.c.id == message_id)
            .values(status="delivered", delivered_at=at)
        )

    def supersede(self, case_id: int, name: str) -> int:
        """Pending messages of ``name`` for the case that a newer one replaces; returns how many."""
        m = tables.case_message.c
        result = self.conn.execute(
            update(tables.case_message)
            .where(m.case_id == case_id, m.name == name, m.status == "pending")
            .values(status="superseded")
        )
        return int(result.rowcount or 0)

    def for_case(self, case_id: int) -> list[CaseMessage]:
        m = tables.case_message.c
        rows = self.conn.execute(select(tables.case_message).where(m.case_id == case_id).order_by(m.id))
        return [CaseMessage(**{**r._mapping, "payload": dict(r.payload)}) for r in rows]


class SqlNotificationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        *,
        recipient: str,
        kind: str,
        subject: str,
        body: str,
        case_id: int | None,
        task_id: str | None,
        at: dt.datetime,
    ) -> None:
        self.conn.execute(
            insert(tables.notification_outbox).values(
                recipient=recipient,
                kind=kind,
                subject=subject,
                body=body,
                case_id=case_id,
                task_id=task_id,
                created_at=at,
                attempts=0,
            )
        )

    def unsent(self, limit: int) -> list[dict[str, Any]]:
        n = tables.notification_outbox.c
        query = (
            select(tables.notification_outbox).where(n.sent_at.is_(None), n.attempts < 5).order_by(n.id).limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def mark_sent(self, notification_id: int, at: dt.datetime) -> None:
        self.conn.execute(
            update(tables.notification_outbox)
            .where(tables.notification_outbox.c.id == notification_id)
            .values(sent_at=at)
        )

    def mark_failed(self, notification_id: int, error: str) -> None:
        n = tables.notification_outbox.c
        self.conn.execute(
            update(tables.notification_outbox)
            .where(n.id == notification_id)
            .values(attempts=n.attempts + 1, last_error=error[:2000])
        )

    def overdue_tasks(self, now: dt.datetime, limit: int) -> list[dict[str, Any]]:
        t = tables.human_task.c
        rows = self.conn.execute(
            select(t.id, t.case_id, t.name, t.role, t.territory, t.assignee, t.due_at)
            .where(t.status == "ready", t.due_at.is_not(None), t.due_at <= now, t.overdue_notified_at.is_(None))
            .order_by(t.due_at)
            .limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    def mark_overdue_notified(self, task_id: str, at: dt.datetime) -> None:
        self.conn.execute(
            update(tables.human_task).where(tables.human_task.c.id == task_id).values(overdue_notified_at=at)
        )
