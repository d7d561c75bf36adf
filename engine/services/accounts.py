"""Accounts: password check, signed-in sessions and API tokens (per user, revocable, stored
hashed), saved inbox filters.

A login opens a session: a random id the browser's cookie carries, of which the database keeps
only a hash, with its owner, start, last request and expiry (``Settings.session_hours`` after the
last request). Every request is signed in only by a live session (one indexed query, which also
reads the account and its grants); logout revokes it, and a new password revokes all of the
user's sessions, so a copied cookie, or one a request still in flight sends back after the
logout, signs nobody in."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

from engine import errors
from engine.forms import check_free_data
from engine.model import Actor, ApiToken, SavedFilter
from engine.passwords import check_password, hash_password
from engine.policy import Permission, Target, require
from engine.services import login_throttle
from engine.services.context import Context

MIN_PASSWORD_LENGTH = 10
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)  # a token's "last used" is kept to the minute
SESSION_USE_RESOLUTION = dt.timedelta(minutes=1)  # so is a session's "last seen" (and its expiry)
SESSION_RECORD_DAYS = 30  # a user's sessions that ended longer ago are deleted at their next login


def authenticate(ctx: Context, username: str, password: str, *, address: str | None = None) -> Actor | None:
    """The actor whose password this is, else None; throttled per user name and client address
    (``TooManyAttempts`` with the time to retry: ``engine.services.login_throttle``)."""
    keys = login_throttle.keys_for(username, address)
    login_throttle.reserve(ctx, keys)
    try:
        with ctx.uow(write=False) as uow:
            stored = uow.accounts.password_hash(username)
            right = check_password(stored or _dummy_hash(ctx.settings.password_hash_n), password) and stored is not None
            found = uow.users.get_actor(username) if right else None
    except Exception:
        login_throttle.settle(ctx, keys, success=None)  # no answer: the attempt does not count
        raise
    login_throttle.settle(ctx, keys, success=found is not None)
    return found


@functools.cache
def _dummy_hash(n: int) -> str:
    """Checked when the user is unknown too, at the cost new hashes are made with, so a login's
    timing does not tell whether a name exists."""
    return hash_password("not-a-real-password", n=n)


def set_password(ctx: Context, actor: Actor, username: str, password: str) -> None:
    """One's own new password, or anyone's from who manages users (the console included)."""
    if username == actor.username:
        require(actor, Permission.ACCOUNT)
    else:
        require(actor, Permission.USERS_MANAGE, Target(None))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.InvalidData("password too short", {"password": [f"Almeno {MIN_PASSWORD_LENGTH} caratteri."]})
    with ctx.uow() as uow:
        uow.users.get_actor(username)
        uow.accounts.set_password_hash(username, hash_password(password, n=ctx.settings.password_hash_n))
        uow.accounts.revoke_sessions(username, ctx.clock.now())  # whoever knew the old one is out
        uow.commit()


def open_session(ctx: Context, actor: Actor) -> str:
    """A new signed-in session for the actor just authenticated: its random id (for the cookie;
    only its hash is stored). The user's sessions ended long ago are forgotten here. No
    permission is needed: any account may sign in (one without roles sees only its own account)."""
    session_id = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.accounts.forget_sessions(actor.username, now - dt.timedelta(days=SESSION_RECORD_DAYS))
        uow.accounts.add_session(_hash(session_id), actor.username, now, now + _session_life(ctx))
        uow.commit()
    return session_id


def signed_in(ctx: Context, session_id: str) -> Actor | None:
    """The actor of a live session (not revoked, not expired, the account still active), else
    None. One query; the session's last request (which moves its expiry) is recorded at most once a
    minute, in its own short transaction that never waits for a lock, like a token's last use."""
    if not session_id:
        return None
    key = _hash(session_id)
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        found = uow.accounts.session_actor(key, now)
    if found is None:
        return None
    actor, last_seen = found
    if now - last_seen >= SESSION_USE_RESOLUTION:
        try:
            with ctx.uow(wait=False) as uow:
                uow.accounts.touch_session(key, now, now + _session_life(ctx), now - SESSION_USE_RESOLUTION)
                uow.commit()
        except (errors.StorageBusy, errors.Conflict):
            pass  # the next request records it
    return actor


def close_session(ctx: Context, actor: Actor, session_id: str) -> bool:
    """Logout: revoke the actor's own session (any account may); False when it was no longer live."""
    with ctx.uow() as uow:
        done = uow.accounts.revoke_session(actor.username, _hash(session_id), ctx.clock.now())
        uow.commit()
    return done


def _session_life(ctx: Context) -> dt.timedelta:
    return dt.timedelta(hours=ctx.settings.session_hours)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(ctx: Context, actor: Actor, name: str) -> tuple[int, str]:
    """A new API token for the actor; the plain token is returned once and never stored."""
    if not name.strip():
        raise errors.InvalidData("a token name is required", {"name": ["Campo obbligatorio."]})
    token = "ipn_" + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        token_id = uow.accounts.add_token(actor.username, name.strip()[:200], _hash(token), ctx.clock.now())
        uow.commit()
    return token_id, token


def actor_for_token(ctx: Context, token: str) -> Actor | None:
    """The token's owner. Read only: its last use is recorded at most once a minute, in its own
    short transaction that never waits for a lock (skipped when the database is busy), so reads
    made with a token never wait behind writers, nor fail because of them."""
    # one statement, standing alone: no transaction around it (on PostgreSQL no BEGIN, no ROLLBACK)
    with ctx.uow(write=False, transaction=False) as uow:
        found = uow.accounts.token_actor(_hash(token))
    if found is None:
        return None
    token_id, last_used, actor = found
    now = ctx.clock.now()
    if last_used is None or now - last_used >= TOKEN_USE_RESOLUTION:
        try:
            with ctx.uow(wait=False) as uow:
                uow.accounts.touch_token(token_id, now, now - TOKEN_USE_RESOLUTION)
                uow.commit()
        except (errors.StorageBusy, errors.Conflict):
            pass  # the next use records it
    return actor


def list_tokens(ctx: Context, actor: Actor) -> list[ApiToken]:
    with ctx.uow(write=False) as uow:
        return uow.accounts.tokens(actor.username)


def revoke_token(ctx: Context, actor: Actor, token_id: int) -> None:
    with ctx.uow() as uow:
        if not uow.accounts.revoke_token(actor.username, token_id, ctx.clock.now()):
            raise errors.NotFound(f"token {token_id} not found")
        uow.commit()


def save_filter(ctx: Context, actor: Actor, name: str, params: dict[str, Any]) -> int:
    if not name.strip():
        raise errors.InvalidData("a filter name is required", {"name": ["Campo obbligatorio."]})
    clean = check_free_data(params, "filter")
    with ctx.uow() as uow:
        filter_id = uow.accounts.save_filter(actor.username, name.strip()[:200], clean, ctx.clock.now())
        uow.commit()
    return filter_id


def list_filters(ctx: Context, actor: Actor) -> list[SavedFilter]:
    with ctx.uow(write=False) as uow:
        return uow.accounts.filters(actor.username)


def delete_filter(ctx: Context, actor: Actor, filter_id: int) -> None:
    with ctx.uow() as uow:
        if not uow.accounts.delete_filter(actor.username, filter_id):
            raise errors.NotFound(f"filter {filter_id} not found")
        uow.commit()
