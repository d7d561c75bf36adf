"""Anchors of the audit chain: the heads of the case chains taken at a moment, kept to prove
later that nothing was rewritten.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, text

from engine.adapters import tables


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
