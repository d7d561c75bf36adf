"""The case's audit events, appended in order inside the unit of work's transaction.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.adapters import tables
from engine.adapters.prebuilt import Prebuilt
from engine.audit.codec import event_from_fields, event_to_row
from engine.model import (
    CaseEvent,
)

_APPEND_EVENT = Prebuilt(
    insert(tables.case_event).inline(), column_keys=[c.name for c in tables.case_event.c if c.name != "id"]
)


class SqlEventRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, event: CaseEvent) -> None:
        self.append_many([event])

    def append_many(self, events: Sequence[CaseEvent]) -> None:
        if events:
            _APPEND_EVENT.executemany(self.conn, [event_to_row(e) for e in events])

    def for_case(self, case_id: int, upto: int | None = None, since: int | None = None) -> list[CaseEvent]:
        """The case's events in order, from event ``since`` and up to event ``upto`` when given."""
        c = tables.case_event.c
        query = select(tables.case_event).where(c.case_id == case_id)
        if upto is not None:
            query = query.where(c.seq <= upto)
        if since is not None:
            query = query.where(c.seq >= since)
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
