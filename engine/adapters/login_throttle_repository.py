"""SQLAlchemy repository of the login throttle's counters (one row per user name or client address)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.adapters import tables
from engine.model import LoginCounter

Key = tuple[str, str]


class SqlLoginThrottleRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock(self, keys: Sequence[Key]) -> dict[Key, LoginCounter]:
        """The counters of ``keys``, created when missing, locked until the transaction ends (rows
        taken in key order, so two attempts never wait on each other crosswise)."""
        t = tables.login_throttle.c
        ordered = sorted(set(keys))
        rows = [{"scope": s, "key": k, "failures": 0, "lockouts": 0, "last_seen": None} for s, k in ordered]
        insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(insert(tables.login_throttle).values(rows).on_conflict_do_nothing())
        query = (
            select(t.scope, t.key, t.failures, t.lockouts, t.locked_until, t.last_seen)
            .where(or_(*(and_(t.scope == s, t.key == k) for s, k in ordered)))
            .order_by(t.scope, t.key)
            .with_for_update()
        )
        return {
            (r.scope, r.key): LoginCounter(r.failures, r.lockouts, r.locked_until, r.last_seen)
            for r in self.conn.execute(query)
        }

    def save(self, key: Key, counter: LoginCounter) -> None:
        t = tables.login_throttle.c
        self.conn.execute(
            update(tables.login_throttle)
            .where(t.scope == key[0], t.key == key[1])
            .values(
                failures=counter.failures,
                lockouts=counter.lockouts,
                locked_until=counter.locked_until,
                last_seen=counter.last_seen,
            )
        )
