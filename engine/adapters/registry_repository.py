"""SQLAlchemy repository for the network of interlocutors: organisations, their people, protocols."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, or_, select
from sqlalchemy.exc import IntegrityError

from engine.adapters import orm
from engine.errors import Conflict, NotFound
from engine.model import Member, Organisation, PartnerProtocol


class SqlRegistryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_organisation(self, code: str, name: str, kind: str, territory: str, at: dt.datetime) -> int:
        if self.conn.execute(select(orm.organisation.c.id).where(orm.organisation.c.code == code)).first():
            raise Conflict(f"organisation {code!r} already exists")
        key = self.conn.execute(
            insert(orm.organisation).values(code=code, name=name, kind=kind, territory=territory, created_at=at)
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def organisation(self, code: str) -> Organisation:
        row = self.conn.execute(select(orm.organisation).where(orm.organisation.c.code == code)).first()
        if row is None:
            raise NotFound(f"organisation {code!r} not found")
        return Organisation(**row._mapping)

    def organisation_id(self, code: str) -> int | None:
        row = self.conn.execute(select(orm.organisation.c.id).where(orm.organisation.c.code == code)).first()
        return None if row is None else int(row[0])

    def organisations(self, kind: str | None = None, territory: str | None = None) -> list[Organisation]:
        o = orm.organisation.c
        query = select(orm.organisation).order_by(o.territory, o.kind, o.name)
        if kind:
            query = query.where(o.kind == kind)
        if territory:
            query = query.where(o.territory == territory)
        return [Organisation(**r._mapping) for r in self.conn.execute(query)]

    def add_member(self, organisation_id: int, username: str, position: str) -> None:
        try:
            self.conn.execute(
                insert(orm.organisation_member).values(
                    organisation_id=organisation_id, username=username, position=position
                )
            )
        except IntegrityError as err:
            raise Conflict(f"{username} is already a member, or is not a user") from err

    def members(self, organisation_id: int) -> list[Member]:
        m, u = orm.organisation_member.c, orm.app_user.c
        rows = self.conn.execute(
            select(m.username, m.position, u.display_name)
            .join(orm.app_user, u.username == m.username)
            .where(m.organisation_id == organisation_id)
            .order_by(m.username)
        )
        return [Member(**r._mapping) for r in rows]

    def add_protocol(self, values: dict[str, Any]) -> int:
        key = self.conn.execute(insert(orm.protocol).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def protocols(
        self, territory: str | None = None, active_on: str | None = None, expiring_by: str | None = None
    ) -> list[PartnerProtocol]:
        p, o = orm.protocol.c, orm.organisation.c
        query = (
            select(orm.protocol, o.code.label("organisation_code"), o.name.label("organisation_name"))
            .join(orm.organisation, o.id == p.organisation_id)
            .order_by(p.territory, p.expires_on, p.id)
        )
        if territory:
            query = query.where(p.territory == territory)
        if active_on:
            query = query.where(p.starts_on <= active_on, or_(p.expires_on.is_(None), p.expires_on >= active_on))
        if expiring_by:
            query = query.where(p.expires_on.is_not(None), p.expires_on <= expiring_by)
        return [PartnerProtocol(**r._mapping) for r in self.conn.execute(query)]
