"""SQLAlchemy repository for process drafts (designers' unsaved-to-library diagrams), their saved
revisions, edit locks and lock events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from engine.adapters import tables
from engine.errors import Conflict, NotFound


class SqlDraftRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self, file_name: str, content: bytes, author: str, note: str, problems: list[dict[str, Any]], at: dt.datetime
    ) -> int:
        key = self.conn.execute(
            insert(tables.process_draft).values(
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
        self._revision(int(key[0]), 1, content, author, at)
        return int(key[0])

    def _revision(self, draft_id: int, revision: int, content: bytes, author: str, at: dt.datetime) -> None:
        self.conn.execute(
            insert(tables.process_draft_revision).values(
                draft_id=draft_id, revision=revision, content=content, author=author, saved_at=at
            )
        )

    def update(
        self, draft_id: int, content: bytes, author: str, note: str, problems: list[dict[str, Any]], at: dt.datetime
    ) -> int:
        """Store a new revision of the draft; its number back."""
        d = tables.process_draft.c
        revision = self.conn.execute(select(d.revision).where(d.id == draft_id)).scalar()
        if revision is None:
            raise NotFound(f"draft {draft_id} not found")
        # conditional on the revision read: a concurrent save in between makes this one a no-op
        done = self.conn.execute(
            update(tables.process_draft)
            .where(d.id == draft_id, d.revision == revision)
            .values(
                content=content,
                author=author,
                note=note,
                problems=problems,
                updated_at=at,
                deployed_at=None,
                revision=revision + 1,
            )
        )
        if done.rowcount != 1:
            raise Conflict(f"draft {draft_id} was saved by someone else meanwhile")
        self._revision(draft_id, revision + 1, content, author, at)
        return int(revision + 1)

    def revision_content(self, draft_id: int, revision: int) -> bytes | None:
        r = tables.process_draft_revision.c
        found = self.conn.execute(select(r.content).where(r.draft_id == draft_id, r.revision == revision)).scalar()
        return bytes(found) if found is not None else None

    def set_lock(self, draft_id: int, username: str | None, at: dt.datetime | None) -> None:
        self.conn.execute(
            update(tables.process_draft)
            .where(tables.process_draft.c.id == draft_id)
            .values(locked_by=username, locked_at=at)
        )

    def add_event(self, draft_id: int, actor: str, kind: str, data: dict[str, Any], at: dt.datetime) -> None:
        self.conn.execute(
            insert(tables.process_draft_event).values(draft_id=draft_id, at=at, actor=actor, kind=kind, data=data)
        )

    def events(self, draft_id: int) -> list[dict[str, Any]]:
        e = tables.process_draft_event.c
        rows = self.conn.execute(select(e.at, e.actor, e.kind, e.data).where(e.draft_id == draft_id).order_by(e.id))
        return [dict(r._mapping) for r in rows]

    def get(self, draft_id: int) -> dict[str, Any]:
        row = self.conn.execute(select(tables.process_draft).where(tables.process_draft.c.id == draft_id)).first()
        if row is None:
            raise NotFound(f"draft {draft_id} not found")
        return dict(row._mapping)

    def all(self) -> list[dict[str, Any]]:
        d = tables.process_draft.c
        rows = self.conn.execute(
            select(
                d.id,
                d.file_name,
                d.author,
                d.note,
                d.created_at,
                d.updated_at,
                d.problems,
                d.deployed_at,
                d.revision,
                d.locked_by,
                d.locked_at,
            ).order_by(d.updated_at.desc())
        )
        return [dict(r._mapping) for r in rows]

    def mark_deployed(self, draft_id: int, at: dt.datetime) -> None:
        self.conn.execute(
            update(tables.process_draft).where(tables.process_draft.c.id == draft_id).values(deployed_at=at)
        )

    def delete(self, draft_id: int) -> None:
        if self.conn.execute(delete(tables.process_draft).where(tables.process_draft.c.id == draft_id)).rowcount != 1:
            raise NotFound(f"draft {draft_id} not found")
        self.conn.execute(
            delete(tables.process_draft_revision).where(tables.process_draft_revision.c.draft_id == draft_id)
        )

    # --- dry-run scenarios ---------------------------------------------------------------------

    def add_scenario(
        self,
        process_id: str,
        name: str,
        data: dict[str, Any],
        answers: dict[str, Any],
        by: str,
        at: dt.datetime,
        saved_against: dict[str, int | None] | None = None,
    ) -> int:
        key = self.conn.execute(
            insert(tables.dry_run_scenario).values(
                process_id=process_id,
                name=name,
                data=data,
                answers=answers,
                created_by=by,
                created_at=at,
                **(saved_against or {}),
            )
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def scenarios(self, process_id: str) -> list[dict[str, Any]]:
        s = tables.dry_run_scenario.c
        rows = self.conn.execute(select(tables.dry_run_scenario).where(s.process_id == process_id).order_by(s.id))
        return [dict(r._mapping) for r in rows]

    def scenario(self, scenario_id: int) -> dict[str, Any]:
        row = self.conn.execute(
            select(tables.dry_run_scenario).where(tables.dry_run_scenario.c.id == scenario_id)
        ).first()
        if row is None:
            raise NotFound(f"scenario {scenario_id} not found")
        return dict(row._mapping)

    def delete_scenario(self, scenario_id: int) -> None:
        table = tables.dry_run_scenario
        if self.conn.execute(delete(table).where(table.c.id == scenario_id)).rowcount != 1:
            raise NotFound(f"scenario {scenario_id} not found")
