"""SQLAlchemy repository for person records (sealed fields), their cases and the key checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.adapters import tables


class SqlPersonRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(tables.person).values(**row))

    def reseal(self, person_id: str, sealed: dict[str, str], key_id: str, at: dt.datetime | None = None) -> None:
        values: dict[str, Any] = {"sealed": sealed, "key_id": key_id}
        if at is not None:
            values["updated_at"] = at
        self.conn.execute(update(tables.person).where(tables.person.c.id == person_id).values(**values))

    def reseal_many(self, rows: list[tuple[str, dict[str, str]]], key_id: str) -> None:
        """Reseal a batch in one statement (a key rotation: one round trip per batch, not per row)."""
        if rows:
            p = tables.person.c
            self.conn.execute(
                update(tables.person).where(p.id == bindparam("pid")).values(sealed=bindparam("s"), key_id=key_id),
                [{"pid": person_id, "s": sealed} for person_id, sealed in rows],
            )

    def get(self, person_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(tables.person).where(tables.person.c.id == person_id)).first()
        return None if row is None else dict(row._mapping)

    def of_case(self, case_id: int) -> dict[str, Any] | None:
        p, cp = tables.person.c, tables.case_person.c
        row = self.conn.execute(
            select(tables.person).join(tables.case_person, cp.person_id == p.id).where(cp.case_id == case_id)
        ).first()
        return None if row is None else dict(row._mapping)

    def by_pseudonym(self, pseudonym: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(tables.person).where(tables.person.c.pseudonym == pseudonym).limit(1)).first()
        return None if row is None else dict(row._mapping)

    def link(self, case_id: int, person_id: str) -> None:
        cp = tables.case_person.c
        if self.conn.execute(select(cp.case_id).where(cp.case_id == case_id)).first():
            self.conn.execute(update(tables.case_person).where(cp.case_id == case_id).values(person_id=person_id))
        else:
            self.conn.execute(insert(tables.case_person).values(case_id=case_id, person_id=person_id))

    def unlink(self, case_id: int) -> None:
        self.conn.execute(tables.case_person.delete().where(tables.case_person.c.case_id == case_id))

    def delete(self, person_id: str) -> None:
        self.conn.execute(tables.person.delete().where(tables.person.c.id == person_id))

    def cases_of(self, person_id: str) -> list[dict[str, Any]]:
        c, cp = tables.cases.c, tables.case_person.c
        query = (
            select(c.id, c.status, c.territory, c.created_at)
            .join(tables.case_person, cp.case_id == c.id)
            .where(cp.person_id == person_id)
            .order_by(c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def pseudonyms_by_case(self) -> dict[int, str]:
        p, cp = tables.person.c, tables.case_person.c
        rows = self.conn.execute(select(cp.case_id, p.pseudonym).join(tables.person, p.id == cp.person_id))
        return {int(r[0]): str(r[1]) for r in rows}

    def batches(self, size: int = 500) -> Iterator[list[dict[str, Any]]]:
        last = ""
        p = tables.person.c
        while True:
            rows = self.conn.execute(select(tables.person).where(p.id > last).order_by(p.id).limit(size)).all()
            if not rows:
                return
            yield [dict(r._mapping) for r in rows]
            last = rows[-1]._mapping["id"]

    def key_ids(self) -> set[str]:
        return {str(r[0]) for r in self.conn.execute(select(tables.person.c.key_id).distinct())}

    def key_checks(self) -> dict[str, str]:
        return {str(r[0]): str(r[1]) for r in self.conn.execute(select(tables.key_check))}

    def set_key_check(self, key_id: str, token: str) -> None:
        k = tables.key_check.c
        if self.conn.execute(select(k.key_id).where(k.key_id == key_id)).first():
            self.conn.execute(update(tables.key_check).where(k.key_id == key_id).values(token=token))
        else:
            self.conn.execute(insert(tables.key_check).values(key_id=key_id, token=token))

    def claim_key_check(self, key_id: str, token: str) -> str:
        """The check of ``key_id`` as stored: ``token`` unless another process stored one first
        (workers of a fresh server all write theirs at the same moment)."""
        k = tables.key_check.c
        dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(tables.key_check).values(key_id=key_id, token=token).on_conflict_do_nothing())
        return str(self.conn.execute(select(k.token).where(k.key_id == key_id)).scalar_one())

    def drop_key_checks(self, keep: set[str]) -> None:
        k = tables.key_check.c
        self.conn.execute(tables.key_check.delete().where(k.key_id.not_in(sorted(keep))))
