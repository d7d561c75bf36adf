"""SQLAlchemy repositories for per-user state (passwords, signed-in sessions, API tokens, drafts,
saved filters) and the personal-data access log. Every method runs inside the unit of work's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, text, update

from engine.adapters import tables
from engine.adapters.user_repository import actor_of
from engine.audit.chain import GENESIS, access_hash
from engine.model import AccessLogEntry, Actor, ApiToken, SavedFilter

# a request's token, its owner (active) and the owner's grants: one statement per API request
_TOKEN_ACTOR = (
    select(
        tables.api_token.c.id,
        tables.api_token.c.last_used_at,
        tables.app_user.c.username,
        tables.user_role.c.role,
        tables.user_role.c.territory,
    )
    .join(tables.app_user, tables.app_user.c.username == tables.api_token.c.username)
    .outerjoin(tables.user_role, tables.user_role.c.username == tables.app_user.c.username)
    .where(
        tables.api_token.c.token_hash == bindparam("b_hash"),
        tables.api_token.c.revoked_at.is_(None),
        tables.app_user.c.active.is_(True),
    )
)
_DELETE_DRAFTS = delete(tables.task_draft).where(tables.task_draft.c.task_id == bindparam("b_task"))


class SqlAccountRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def password_hash(self, username: str) -> str | None:
        row = self.conn.execute(
            select(tables.app_user.c.password_hash).where(
                tables.app_user.c.username == username, tables.app_user.c.active.is_(True)
            )
        ).first()
        return row[0] if row else None

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.conn.execute(
            update(tables.app_user).where(tables.app_user.c.username == username).values(password_hash=password_hash)
        )

    def add_token(self, username: str, name: str, token_hash: str, at: dt.datetime) -> int:
        key = self.conn.execute(
            insert(tables.api_token).values(username=username, name=name, token_hash=token_hash, created_at=at)
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def token_actor(self, token_hash: str) -> tuple[int, dt.datetime | None, Actor] | None:
        """The live token's id, last use and owner as an actor, in one statement; None for a
        token unknown or revoked, or whose owner is no longer active (read only: see ``touch_token``)."""
        rows = self.conn.execute(_TOKEN_ACTOR, {"b_hash": token_hash}).all()
        if not rows:
            return None
        grants = [(r.role, r.territory) for r in rows if r.role is not None]
        return int(rows[0].id), rows[0].last_used_at, actor_of(str(rows[0].username), grants)

    def touch_token(self, token_id: int, at: dt.datetime, unless_since: dt.datetime) -> None:
        """Record a use at ``at`` unless one is already recorded since ``unless_since``."""
        t = tables.api_token.c
        self.conn.execute(
            update(tables.api_token)
            .where(t.id == token_id, or_(t.last_used_at.is_(None), t.last_used_at < unless_since))
            .values(last_used_at=at)
        )

    def tokens(self, username: str) -> list[ApiToken]:
        t = tables.api_token.c
        rows = self.conn.execute(
            select(t.id, t.name, t.created_at, t.last_used_at, t.revoked_at)
            .where(t.username == username)
            .order_by(t.id)
        )
        return [ApiToken(**r._mapping) for r in rows]

    def revoke_token(self, username: str, token_id: int, at: dt.datetime) -> bool:
        t = tables.api_token.c
        done = self.conn.execute(
            update(tables.api_token)
            .where(t.id == token_id, t.username == username, t.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return done.rowcount == 1

    def add_session(self, id_hash: str, username: str, at: dt.datetime, expires_at: dt.datetime) -> None:
        self.conn.execute(
            insert(tables.user_session).values(
                id_hash=id_hash, username=username, created_at=at, last_seen_at=at, expires_at=expires_at
            )
        )

    def session_actor(self, id_hash: str, now: dt.datetime) -> tuple[Actor, dt.datetime] | None:
        """The user of a live session (not revoked, not expired at ``now``, the account active) with
        the session's last-seen time: one query, the session's primary key joined to the account
        and its grants."""
        s, u, r = tables.user_session.c, tables.app_user.c, tables.user_role.c
        rows = self.conn.execute(
            select(s.username, s.last_seen_at, r.role, r.territory)
            .select_from(
                tables.user_session.join(tables.app_user, u.username == s.username).outerjoin(
                    tables.user_role, r.username == s.username
                )
            )
            .where(s.id_hash == id_hash, s.revoked_at.is_(None), s.expires_at > now, u.active.is_(True))
        ).all()
        if not rows:
            return None
        grants = [(str(row.role), str(row.territory)) for row in rows if row.role is not None]
        return actor_of(str(rows[0].username), grants), rows[0].last_seen_at

    def touch_session(self, id_hash: str, at: dt.datetime, expires_at: dt.datetime, unless_since: dt.datetime) -> None:
        """Record a request at ``at`` (the session now expires at ``expires_at``) unless one is
        already recorded since ``unless_since``; a revoked session stays revoked."""
        s = tables.user_session.c
        self.conn.execute(
            update(tables.user_session)
            .where(s.id_hash == id_hash, s.revoked_at.is_(None), s.last_seen_at < unless_since)
            .values(last_seen_at=at, expires_at=expires_at)
        )

    def revoke_session(self, username: str, id_hash: str, at: dt.datetime) -> bool:
        s = tables.user_session.c
        done = self.conn.execute(
            update(tables.user_session)
            .where(s.id_hash == id_hash, s.username == username, s.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return done.rowcount == 1

    def revoke_sessions(self, username: str, at: dt.datetime) -> int:
        """Revoke every live session of the user (a new password); how many were."""
        s = tables.user_session.c
        done = self.conn.execute(
            update(tables.user_session).where(s.username == username, s.revoked_at.is_(None)).values(revoked_at=at)
        )
        return int(done.rowcount)

    def forget_sessions(self, username: str, ended_before: dt.datetime) -> None:
        """Delete the user's sessions that expired or were revoked before ``ended_before``."""
        s = tables.user_session.c
        self.conn.execute(
            delete(tables.user_session).where(
                s.username == username, or_(s.expires_at < ended_before, s.revoked_at < ended_before)
            )
        )

    def save_draft(self, task_id: str, username: str, data: dict[str, Any], at: dt.datetime) -> None:
        d = tables.task_draft.c
        self.conn.execute(delete(tables.task_draft).where(d.task_id == task_id, d.username == username))
        self.conn.execute(insert(tables.task_draft).values(task_id=task_id, username=username, data=data, saved_at=at))

    def draft(self, task_id: str, username: str) -> dict[str, Any] | None:
        d = tables.task_draft.c
        row = self.conn.execute(select(d.data).where(d.task_id == task_id, d.username == username)).first()
        return dict(row[0]) if row else None

    def delete_drafts(self, task_id: str) -> None:
        self.conn.execute(_DELETE_DRAFTS, {"b_task": task_id})

    def save_filter(self, username: str, name: str, params: dict[str, Any], at: dt.datetime) -> int:
        f = tables.saved_filter.c
        self.conn.execute(delete(tables.saved_filter).where(f.username == username, f.name == name))
        key = self.conn.execute(
            insert(tables.saved_filter).values(username=username, name=name, params=params, created_at=at)
        ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def filters(self, username: str) -> list[SavedFilter]:
        f = tables.saved_filter.c
        rows = self.conn.execute(select(f.id, f.name, f.params).where(f.username == username).order_by(f.name))
        return [SavedFilter(r.id, r.name, dict(r.params)) for r in rows]

    def delete_filter(self, username: str, filter_id: int) -> bool:
        f = tables.saved_filter.c
        done = self.conn.execute(delete(tables.saved_filter).where(f.id == filter_id, f.username == username))
        return done.rowcount == 1


class SqlAccessLogRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(
        self,
        *,
        at: dt.datetime,
        username: str,
        case_id: int | None,
        purpose: str,
        fields: Sequence[str],
        ip: str | None,
    ) -> None:
        """Append a showing to the case's access chain (an export of many cases or of aggregates,
        ``case_id`` None, to the chain of exports, numbered 0). Two showings of one case must not
        link to the same predecessor: SQLite's writing transactions are already serial (BEGIN
        IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock per case orders them."""
        chain = case_id or 0
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(
                text("SELECT pg_advisory_xact_lock(:space, :case_id)"), {"space": _ACCESS_LOCKS, "case_id": chain}
            )
        a = tables.data_access_log.c
        same = a.case_id == case_id if case_id is not None else a.case_id.is_(None)
        last = self.conn.execute(select(a.hash).where(same).order_by(a.id.desc()).limit(1)).scalar_one_or_none()
        prev = last or GENESIS
        digest = access_hash(chain, _iso(at), username, purpose, list(fields), ip, prev)
        self.conn.execute(
            insert(tables.data_access_log).values(
                at=at,
                username=username,
                case_id=case_id,
                purpose=purpose,
                fields=list(fields),
                ip=ip,
                prev_hash=prev,
                hash=digest,
            )
        )

    def chains(self) -> dict[int, list[dict[str, Any]]]:
        """Every case's access-log rows in written order (for ``audit verify``)."""
        a = tables.data_access_log.c
        rows = self.conn.execute(select(tables.data_access_log).order_by(a.case_id, a.id))
        result: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            result.setdefault(int(r.case_id or 0), []).append(dict(r._mapping))  # 0: the exports' chain
        return result

    def entries(
        self,
        *,
        case_id: int | None = None,
        username: str | None = None,
        limit: int = 500,
        territories: Sequence[str] | None = None,
    ) -> list[AccessLogEntry]:
        a = tables.data_access_log.c
        query = select(tables.data_access_log)
        if territories:
            query = query.join(tables.cases, tables.cases.c.id == a.case_id).where(
                tables.cases.c.territory.in_(list(territories))
            )
        if case_id is not None:
            query = query.where(a.case_id == case_id)
        if username is not None:
            query = query.where(a.username == username)
        rows = self.conn.execute(query.order_by(a.at.desc(), a.id.desc()).limit(limit))
        return [AccessLogEntry(r.id, r.at, r.username, r.case_id, r.purpose, tuple(r.fields or ()), r.ip) for r in rows]


# advisory-lock key space of the access-log chains (the second key is the case id)
_ACCESS_LOCKS = 7301


def _iso(at: dt.datetime) -> str:
    """The instant as hashed: UTC, so a value read back from either database hashes the same."""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
