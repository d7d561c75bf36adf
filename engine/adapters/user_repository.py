"""Users and their role grants, as the engine reads and writes them.

Every method runs inside the unit of work's transaction; none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, insert, select

from engine.adapters import tables
from engine.errors import NotFound
from engine.model import (
    Actor,
    UserSummary,
)

# an active user with their grants, in one statement (every request names its actor)
_ACTOR = (
    select(tables.app_user.c.username, tables.user_role.c.role, tables.user_role.c.territory)
    .outerjoin(tables.user_role, tables.user_role.c.username == tables.app_user.c.username)
    .where(tables.app_user.c.username == bindparam("b_user"), tables.app_user.c.active.is_(True))
)


class SqlUserRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_actor(self, username: str) -> Actor:
        rows = self.conn.execute(_ACTOR, {"b_user": username}).all()
        if not rows:
            raise NotFound(f"user {username!r} not found")
        return actor_of(username, [(r.role, r.territory) for r in rows if r.role is not None])

    def add(
        self,
        username: str,
        display_name: str,
        password_hash: str | None,
        roles: Sequence[tuple[str, str]],
        at: dt.datetime,
    ) -> None:
        self.conn.execute(
            insert(tables.app_user).values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                active=True,
                created_at=at,
            )
        )
        if roles:
            self.conn.execute(
                insert(tables.user_role),
                [{"username": username, "role": r, "territory": t or ""} for r, t in roles],
            )

    def holders(self, role: str, territory: str | None) -> list[str]:
        """Active users holding ``role`` in ``territory`` (or in every territory)."""
        r, u = tables.user_role.c, tables.app_user.c
        rows = self.conn.execute(
            select(r.username)
            .join(tables.app_user, u.username == r.username)
            .where(r.role == role, u.active.is_(True), r.territory.in_([territory or "", ""]))
            .distinct()
            .order_by(r.username)
        )
        return [row[0] for row in rows]

    def exists(self, username: str) -> bool:
        return (
            self.conn.execute(select(tables.app_user.c.username).where(tables.app_user.c.username == username)).first()
            is not None
        )

    def all(self) -> list[UserSummary]:
        users = self.conn.execute(select(tables.app_user).order_by(tables.app_user.c.username)).all()
        roles = self.conn.execute(select(tables.user_role)).all()
        return [
            UserSummary(
                u.username,
                u.display_name,
                u.active,
                tuple(sorted({(r.role, r.territory) for r in roles if r.username == u.username})),
            )
            for u in users
        ]


def actor_of(username: str, grants: Sequence[tuple[str, str]]) -> Actor:
    """A user as an actor from their (role, territory) grants."""
    roles = frozenset(role for role, _ in grants)
    # A user with any unrestricted grant covers every territory.
    territories = frozenset() if any(t == "" for _, t in grants) else frozenset(t for _, t in grants)
    return Actor(username, roles, territories, frozenset(grants))
