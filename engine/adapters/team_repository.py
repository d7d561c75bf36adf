"""SQLAlchemy repository for case teams and break-glass openings (``case_team``, ``break_glass``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from engine.adapters import tables
from engine.model import BreakGlass, TeamMember

# built once: every inbox page and every case read asks it
_ORGANISATIONS_OF = select(tables.organisation_member.c.organisation_id).where(
    tables.organisation_member.c.username == bindparam("username")
)


def organisations_of(conn: Connection, username: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(_ORGANISATIONS_OF, {"username": username})]


class SqlTeamRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def members(self, case_id: int, *, current: bool = True) -> list[TeamMember]:
        t, o = tables.case_team.c, tables.organisation.c
        query = (
            select(tables.case_team, o.code, o.kind)
            .outerjoin(tables.organisation, o.id == t.organisation_id)
            .where(t.case_id == case_id)
            .order_by(t.id)
        )
        if current:
            query = query.where(t.ended_at.is_(None))
        return [_member(r._mapping) for r in self.conn.execute(query)]

    def add(
        self,
        case_id: int,
        relation: str,
        *,
        username: str | None = None,
        organisation_id: int | None = None,
        at: dt.datetime,
        by: str,
    ) -> int:
        key = self.conn.execute(
            insert(tables.case_team).values(
                case_id=case_id,
                relation=relation,
                username=username,
                organisation_id=organisation_id,
                added_at=at,
                added_by=by,
            )
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def end(self, member_ids: Sequence[int], at: dt.datetime) -> None:
        if member_ids:
            t = tables.case_team.c
            self.conn.execute(update(tables.case_team).where(t.id.in_(member_ids)).values(ended_at=at))

    def organisations_of(self, username: str) -> list[int]:
        """The organisations ``username`` is a member of (read before every case read)."""
        return organisations_of(self.conn, username)

    def standing(self, case_id: int, username: str, organisations: Sequence[int]) -> tuple[bool, bool]:
        """(named in the case's current team, one of ``organisations`` is in it)."""
        t = tables.case_team.c
        clauses = [t.username == username]
        if organisations:
            clauses.append(t.organisation_id.in_(organisations))
        rows = self.conn.execute(
            select(t.username, t.organisation_id).where(t.case_id == case_id, t.ended_at.is_(None), or_(*clauses))
        ).all()
        return any(r[0] == username for r in rows), any(r[1] is not None for r in rows)

    def team_cases(self, username: str, organisations: Sequence[int]) -> Any:
        """A subquery of the case ids whose current team names the user or one of their organisations."""
        t = tables.case_team.c
        clauses = [t.username == username]
        if organisations:
            clauses.append(t.organisation_id.in_(organisations))
        return select(t.case_id).where(t.ended_at.is_(None), or_(*clauses))

    def open_glass(self, row: dict[str, Any]) -> int:
        key = self.conn.execute(insert(tables.break_glass).values(**row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def glass_open(self, case_id: int, username: str, now: dt.datetime) -> bool:
        b = tables.break_glass.c
        query = select(b.id).where(b.case_id == case_id, b.username == username, b.expires_at > now).limit(1)
        return self.conn.execute(query).first() is not None

    def glass_cases(self, username: str, now: dt.datetime) -> Any:
        b = tables.break_glass.c
        return select(b.case_id).where(b.username == username, b.expires_at > now)

    def glass_log(
        self, territories: Sequence[str] | None, *, unreviewed: bool = False, limit: int = 500
    ) -> list[BreakGlass]:
        b = tables.break_glass.c
        query = select(tables.break_glass).order_by(b.at.desc(), b.id.desc()).limit(limit)
        if territories is not None:
            query = query.where(b.territory.in_(territories))
        if unreviewed:
            query = query.where(b.reviewed_at.is_(None))
        return [BreakGlass(**dict(r._mapping)) for r in self.conn.execute(query)]

    def glass(self, glass_id: int) -> BreakGlass | None:
        row = self.conn.execute(select(tables.break_glass).where(tables.break_glass.c.id == glass_id)).first()
        return None if row is None else BreakGlass(**dict(row._mapping))

    def review_glass(self, glass_id: int, at: dt.datetime, by: str) -> None:
        b = tables.break_glass.c
        self.conn.execute(update(tables.break_glass).where(b.id == glass_id).values(reviewed_at=at, reviewed_by=by))


def _member(m: Any) -> TeamMember:
    return TeamMember(
        id=m["id"],
        case_id=m["case_id"],
        relation=m["relation"],
        username=m["username"],
        organisation_id=m["organisation_id"],
        added_at=m["added_at"],
        added_by=m["added_by"],
        ended_at=m["ended_at"],
        organisation_code=m["code"],
        organisation_kind=m["kind"],
    )
