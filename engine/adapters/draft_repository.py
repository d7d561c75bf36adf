"""SQLAlchemy repository for process drafts (designers' unsaved-to-library diagrams)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from engine.adapters import orm
from engine.errors import NotFound


class SqlDraftRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self, file_name: str, content: bytes, author: str, note: str, problems: list[dict[str, Any]], at: dt.datetime
    ) -> int:
        key = self.conn.execute(
            insert(orm.process_draft).values(
                file_name=file_name,
                content=content,
                author=author,
                note=note,
                problems=problems,
                created_at=at,
                updated_at=at,
            )
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def update(
        self, draft_id: int, content: bytes, author: str, note: str, problems: list[dict[str, Any]], at: dt.datetime
    ) -> None:
        done = self.conn.execute(
            update(orm.process_draft)
            .where(orm.process_draft.c.id == draft_id)
            .values(content=content, author=author, note=note, problems=problems, updated_at=at, deployed_at=None)
        )
        if done.rowcount != 1:
            raise NotFound(f"draft {draft_id} not found")

    def get(self, draft_id: int) -> dict[str, Any]:
        row = self.conn.execute(select(orm.process_draft).where(orm.process_draft.c.id == draft_id)).first()
        if row is None:
            raise NotFound(f"draft {draft_id} not found")
        return dict(row._mapping)

    def all(self) -> list[dict[str, Any]]:
        d = orm.process_draft.c
        rows = self.conn.execute(
            select(d.id, d.file_name, d.author, d.note, d.created_at, d.updated_at, d.problems, d.deployed_at).order_by(
                d.updated_at.desc()
            )
        )
        return [dict(r._mapping) for r in rows]

    def mark_deployed(self, draft_id: int, at: dt.datetime) -> None:
        self.conn.execute(update(orm.process_draft).where(orm.process_draft.c.id == draft_id).values(deployed_at=at))

    def delete(self, draft_id: int) -> None:
        if self.conn.execute(delete(orm.process_draft).where(orm.process_draft.c.id == draft_id)).rowcount != 1:
            raise NotFound(f"draft {draft_id} not found")
