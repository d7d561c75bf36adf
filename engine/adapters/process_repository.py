"""Deployed process versions and their files: what a case is pinned to, and the library's history.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.engine import Row

from engine.adapters import tables
from engine.errors import NotFound
from engine.model import (
    ProcessVersionView,
)


class SqlProcessRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _files_of(self, version_id: int) -> tuple[str, ...]:
        rows = self.conn.execute(
            select(tables.process_version_file.c.name)
            .where(tables.process_version_file.c.process_version_id == version_id)
            .order_by(tables.process_version_file.c.name)
        )
        return tuple(r[0] for r in rows)

    def _view(self, row: Row[Any], with_files: bool = False) -> ProcessVersionView:
        m = row._mapping
        return ProcessVersionView(
            id=m["id"],
            process_id=m["process_id"],
            version=m["version"],
            name=m["name"],
            sha256=m["sha256"],
            deployed_at=m["deployed_at"],
            deployed_by=m["deployed_by"],
            files=self._files_of(m["id"]) if with_files else (),
            note=m["note"] or "",
        )

    def latest(self, process_id: str) -> ProcessVersionView | None:
        row = self.conn.execute(
            select(tables.process_version)
            .where(tables.process_version.c.process_id == process_id)
            .order_by(tables.process_version.c.version.desc())
            .limit(1)
        ).one_or_none()
        return self._view(row) if row is not None else None

    def get(self, version_id: int) -> ProcessVersionView:
        row = self.conn.execute(
            select(tables.process_version).where(tables.process_version.c.id == version_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"process version {version_id} not found")
        return self._view(row, with_files=True)

    def add_version(
        self,
        *,
        process_id: str,
        name: str,
        sha256: str,
        files: Sequence[tuple[str, bytes]],
        at: dt.datetime,
        by: str,
        note: str,
    ) -> ProcessVersionView:
        import hashlib

        current = self.latest(process_id)
        version = (current.version if current else 0) + 1
        new_id = self.conn.execute(
            insert(tables.process_version).values(
                process_id=process_id,
                version=version,
                name=name,
                sha256=sha256,
                deployed_at=at,
                deployed_by=by,
                note=note,
            )
        ).inserted_primary_key
        assert new_id is not None
        for file_name, content in files:
            digest = hashlib.sha256(content).hexdigest()
            exists = self.conn.execute(
                select(tables.process_file.c.sha256).where(tables.process_file.c.sha256 == digest)
            ).first()
            if exists is None:
                kind = "dmn" if file_name.lower().endswith(".dmn") else "bpmn"
                self.conn.execute(
                    insert(tables.process_file).values(sha256=digest, kind=kind, content=content, created_at=at)
                )
            self.conn.execute(
                insert(tables.process_version_file).values(
                    process_version_id=new_id[0], name=file_name, file_sha256=digest
                )
            )
        return self.get(int(new_id[0]))

    def files(self, version_id: int) -> list[tuple[str, bytes]]:
        rows = self.conn.execute(
            select(tables.process_version_file.c.name, tables.process_file.c.content)
            .join(tables.process_file, tables.process_file.c.sha256 == tables.process_version_file.c.file_sha256)
            .where(tables.process_version_file.c.process_version_id == version_id)
            .order_by(tables.process_version_file.c.name)
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def list_latest(self, *, with_files: bool = True) -> list[ProcessVersionView]:
        """The newest version of each process; ``with_files=False`` leaves out the file names
        (one statement more per process)."""
        pv = tables.process_version
        newest = select(pv.c.process_id, func.max(pv.c.version).label("v")).group_by(pv.c.process_id).subquery()
        rows = self.conn.execute(
            select(pv)
            .join(newest, and_(newest.c.process_id == pv.c.process_id, newest.c.v == pv.c.version))
            .order_by(pv.c.process_id)
        )
        return [self._view(r, with_files=with_files) for r in rows]

    def list_versions(self, process_id: str) -> list[ProcessVersionView]:
        rows = self.conn.execute(
            select(tables.process_version)
            .where(tables.process_version.c.process_id == process_id)
            .order_by(tables.process_version.c.version)
        )
        return [self._view(r, with_files=True) for r in rows]
