"""Users and their role grants (the interlocutor registry's accounts), and partnerships."""

from __future__ import annotations

from collections.abc import Sequence

from engine import errors
from engine.model import Actor, CaseEvent, EventKind, UserSummary
from engine.passwords import hash_password
from engine.policy import Permission, Target, allows, require, wide_territories
from engine.roles import ROLES
from engine.services.case_sync import append_events
from engine.services.context import Context


def add_user(
    ctx: Context,
    actor: Actor,
    username: str,
    display_name: str,
    roles: Sequence[tuple[str, str]],
    password: str | None = None,
) -> None:
    """A user with (role, territory) grants. Each grant's territory must be one the actor manages
    users in; a grant for every territory (``""``) only from who manages them everywhere."""
    require(actor, Permission.USERS_MANAGE, Target(None))
    for territory in sorted({t for _, t in roles}):
        if territory == "":
            if not wide_territories(actor, Permission.USERS_MANAGE)[0]:
                raise errors.Forbidden(f"{actor.username} lacks permission users_manage in every territory")
        else:
            require(actor, Permission.USERS_MANAGE, Target(territory))
    unknown = [r for r, _ in roles if r not in ROLES]
    if unknown:
        raise errors.InvalidData(f"unknown roles {unknown}", {"roles": [f"Ruolo sconosciuto: {r}" for r in unknown]})
    with ctx.uow() as uow:
        if uow.users.exists(username):
            raise errors.Conflict(f"user {username!r} already exists")
        hashed = hash_password(password, n=ctx.settings.password_hash_n) if password else None
        uow.users.add(username, display_name, hashed, roles, ctx.clock.now())
        uow.commit()


def get_actor(ctx: Context, username: str, actor: Actor) -> Actor:
    """A user's roles and territories: one's own, or anyone's for who manages users."""
    if username != actor.username:
        require(actor, Permission.USERS_MANAGE, Target(None))
    with ctx.uow(write=False) as uow:
        return uow.users.get_actor(username)


def list_users(ctx: Context, actor: Actor) -> list[UserSummary]:
    """Every account with its grants: for who manages users, or reassigns tasks among them."""
    if not allows(actor, Permission.TASK_SUPERVISE, Target(None)):
        require(actor, Permission.USERS_MANAGE, Target(None))
    with ctx.uow(write=False) as uow:
        return uow.users.all()


def partnership_active(ctx: Context, territory: str, actor: Actor) -> bool:
    require(actor, Permission.REGISTRY_READ, Target(territory))
    with ctx.uow(write=False) as uow:
        return uow.partnerships.is_active(territory)


def set_partnership(ctx: Context, territory: str, active: bool, actor: Actor, case_id: int | None = None) -> None:
    """Record a territory's partnership as active or lapsed (F1's outcome, or an administrator)."""
    require(actor, Permission.PARTNERSHIP_MANAGE, Target(territory))
    with ctx.uow() as uow:
        uow.partnerships.set(territory, active, case_id, ctx.clock.now(), actor.username)
        if case_id is not None:
            record = uow.cases.get(case_id)
            append_events(
                uow,
                record,
                [
                    CaseEvent(
                        case_id=case_id,
                        seq=0,
                        at=ctx.clock.now(),
                        actor=actor.username,
                        kind=EventKind.PARTNERSHIP_CHANGED,
                        data={"territory": territory, "active": active},
                    )
                ],
            )
        uow.commit()
