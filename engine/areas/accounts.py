"""Accounts: passwords, signed-in sessions, API tokens and saved inbox filters; users and their
role grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.areas.base import Area
from engine.model import Actor, ApiToken, SavedFilter, UserSummary
from engine.services import accounts, users


class Accounts(Area):
    def authenticate(self, username: str, password: str, *, address: str | None = None) -> Actor | None:
        """The actor whose password this is, else None; throttled per user name and client
        ``address`` (``TooManyAttempts`` says when to retry)."""
        return accounts.authenticate(self._ctx, username, password, address=address)

    def set_password(self, username: str, password: str, *, actor: Actor) -> None:
        accounts.set_password(self._ctx, actor, username, password)

    def create_token(self, name: str, *, actor: Actor) -> tuple[int, str]:
        """A new API token for the actor: (id, the plain token, shown this once)."""
        return accounts.create_token(self._ctx, actor, name)

    def actor_for_token(self, token: str) -> Actor | None:
        return accounts.actor_for_token(self._ctx, token)

    def open_session(self, *, actor: Actor) -> str:
        """A new signed-in session for the actor just authenticated: its id, for the cookie."""
        return accounts.open_session(self._ctx, actor)

    def signed_in(self, session_id: str) -> Actor | None:
        """The actor of a live session; None once it is revoked or expired, or the account is
        gone or disabled."""
        return accounts.signed_in(self._ctx, session_id)

    def close_session(self, session_id: str, *, actor: Actor) -> bool:
        """Logout: the actor's session is revoked (False: it was no longer live)."""
        return accounts.close_session(self._ctx, actor, session_id)

    def tokens(self, *, actor: Actor) -> list[ApiToken]:
        return accounts.list_tokens(self._ctx, actor)

    def revoke_token(self, token_id: int, *, actor: Actor) -> None:
        accounts.revoke_token(self._ctx, actor, token_id)

    def save_filter(self, name: str, params: Mapping[str, object], *, actor: Actor) -> int:
        return accounts.save_filter(self._ctx, actor, name, dict(params))

    def filters(self, *, actor: Actor) -> list[SavedFilter]:
        return accounts.list_filters(self._ctx, actor)

    def delete_filter(self, filter_id: int, *, actor: Actor) -> None:
        accounts.delete_filter(self._ctx, actor, filter_id)


class Users(Area):
    def add(
        self,
        username: str,
        display_name: str,
        roles: Sequence[tuple[str, str]],
        password: str | None = None,
        *,
        actor: Actor,
    ) -> None:
        """A user with (role, territory) grants; territory ``""`` = every territory."""
        users.add_user(self._ctx, actor, username, display_name, roles, password)

    def get(self, username: str, *, actor: Actor) -> Actor:
        """A user as an actor (roles, territories): one's own, or anyone's for who manages users."""
        return users.get_actor(self._ctx, username, actor)

    def all(self, *, actor: Actor) -> list[UserSummary]:
        return users.list_users(self._ctx, actor)
