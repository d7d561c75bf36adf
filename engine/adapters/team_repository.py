"""SQLAlchemy repository for case teams and break-glass openings (``case_team``, ``break_glass``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from engine.adapters import tables
from engine.adapters.prebuilt import Prebuilt
from engine.model import BreakGlass, TeamMember

# built once: every inbox page and every case read asks it
_ORGANISATIONS_OF = select(tables.organisation_member.c.organisation_id).where(
    tables.organisation_member.c.username == bindparam("username")
)


_EVERY_MEMBER = (
    select(tables.case_team, tables.organisation.c.code, tables.organisation.c.kind)
    .outerjoin(tables.organisation, tables.organisation.c.id == tables.case_team.c.organisation_id)
    .where(tables.case_team.c.case_id == bindparam("b_case"))
    .order_by(tables.case_team.c.id)
)
# a case's current team: read by most commands (routing, who may work a task)
_CURRENT_MEMBERS = _EVERY_MEMBER.where(tables.case_team.c.ended_at.is_(None))
_MEMBERS = {True: Prebuilt(_CURRENT_MEMBERS), False: Prebuilt(_EVERY_MEMBER)}


def organisations_of(conn: Connection, username: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(_ORGANISATIONS_OF, {"username": username})]


class SqlTeamRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # a case's current team as read in this unit of work: a command asks it up to three times
        # (whether the actor may work the task, whether they join the team, where the new tasks
        # go); only this repository writes the team, and its writes forget what was read
        self._current: dict[int, list[TeamMember]] = {}

    def members(self, case_id: int, *, current: bool = True) -> list[TeamMember]:
        if current and case_id in self._current:
            return list(self._current[case_id])
        found = self._members(case_id, current=current)
        if current:
            self._current[case_id] = list(found)
        return found

    def new_case(self, case_id: int) -> None:
        """A case created in this transaction: its team is empty until this repository adds to it."""
        self._current[case_id] = []

    def _members(self, case_id: int, *, current: bool) -> list[TeamMember]:
        return [_member(m) for m in _MEMBERS[current].mappings(self.conn, {"b_case": case_id})]

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
        kept = self._current.pop(case_id, None)
        if kept is not None and organisation_id is None:  # a person: the row is all known (no organisation to join)
            member = TeamMember(
                id=int(key[0]),
                case_id=case_id,
                relation=relation,
                username=username,
                organisation_id=None,
                added_at=at,
                added_by=by,
                ended_at=None,
                organisation_code=None,
                organisation_kind=None,
            )
            self._current[case_id] = [*kept, member]
        return int(key[0])

    def end(self, member_ids: Sequence[int], at: dt.datetime) -> None:
        self._current.clear()
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
