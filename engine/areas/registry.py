"""The network of interlocutors: organisations, their people, protocols, and territories' partnerships."""

from __future__ import annotations

from engine.areas.base import Area
from engine.model import Actor, Organisation, PartnerProtocol
from engine.services import registry, users


class Registry(Area):
    def add_organisation(self, code: str, name: str, kind: str, territory: str, *, actor: Actor) -> int:
        return registry.add_organisation(self._ctx, actor, code, name, kind, territory)

    def add_member(self, code: str, username: str, *, actor: Actor, position: str = "") -> None:
        registry.add_member(self._ctx, actor, code, username, position)

    def organisations(self, *, kind: str | None = None, territory: str | None = None) -> list[Organisation]:
        return registry.organisations(self._ctx, kind=kind, territory=territory)

    def add_protocol(
        self,
        code: str,
        kind: str,
        scope: str,
        starts_on: str,
        *,
        actor: Actor,
        expires_on: str | None = None,
        reference: str = "",
    ) -> int:
        return registry.add_protocol(self._ctx, actor, code, kind, scope, starts_on, expires_on, reference)

    def protocols(
        self, *, territory: str | None = None, active: bool = False, expiring_within_days: int | None = None
    ) -> list[PartnerProtocol]:
        return registry.protocols(
            self._ctx, territory=territory, active=active, expiring_within_days=expiring_within_days
        )

    def partnership_active(self, territory: str) -> bool:
        return users.partnership_active(self._ctx, territory)

    def set_partnership(self, territory: str, active: bool, *, actor: Actor, case_id: int | None = None) -> None:
        users.set_partnership(self._ctx, territory, active, actor, case_id)
