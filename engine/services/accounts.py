"""Accounts: password check, API tokens (per user, revocable, stored hashed), saved inbox filters."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from engine import errors
from engine.forms import check_free_data
from engine.model import Actor
from engine.passwords import check_password, hash_password
from engine.services.context import Context

# Checked when the user is unknown too, so a login's timing does not tell whether a name exists.
_DUMMY_HASH = hash_password("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


def authenticate(ctx: Context, username: str, password: str) -> Actor | None:
    with ctx.uow(write=False) as uow:
        stored = uow.accounts.password_hash(username)
        if not check_password(stored or _DUMMY_HASH, password) or stored is None:
            return None
        return uow.users.get_actor(username)


def set_password(ctx: Context, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.InvalidData("password too short", {"password": [f"Almeno {MIN_PASSWORD_LENGTH} caratteri."]})
    with ctx.uow() as uow:
        uow.users.get_actor(username)
        uow.accounts.set_password_hash(username, hash_password(password))
        uow.commit()


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
    with ctx.uow() as uow:
        username = uow.accounts.token_owner(_hash(token), ctx.clock.now())
        if username is None:
            return None
        try:
            actor = uow.users.get_actor(username)
        except errors.NotFound:
            return None
        uow.commit()
        return actor


def list_tokens(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
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


def list_filters(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        return uow.accounts.filters(actor.username)


def delete_filter(ctx: Context, actor: Actor, filter_id: int) -> None:
    with ctx.uow() as uow:
        if not uow.accounts.delete_filter(actor.username, filter_id):
            raise errors.NotFound(f"filter {filter_id} not found")
        uow.commit()
