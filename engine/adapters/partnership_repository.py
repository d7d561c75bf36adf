"""Partnerships in force per territory: what the partnership agreement made active.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select, update

from engine.adapters import tables


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
