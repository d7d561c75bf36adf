"""The network of interlocutors: organisations, their people, protocols and their lifecycle, and
territories' partnerships."""

from __future__ import annotations

from collections.abc import Sequence

from engine.areas.base import Area
from engine.model import Actor, Organisation, PartnerProtocol, ProtocolDocument, ProtocolTerms, RegistryEvent
from engine.services import registry, users


class Registry(Area):
    def add_organisation(
        self,
        code: str,
        name: str,
        kind: str,
        territories: Sequence[str] | str,
        *,
        actor: Actor,
        tax_code: str | None = None,
        vat_number: str | None = None,
    ) -> int:
        return registry.add_organisation(
            self._ctx, actor, code, name, kind, territories, tax_code=tax_code, vat_number=vat_number
        )

    def update_organisation(
        self,
        code: str,
        name: str,
        kind: str,
        territories: Sequence[str] | str,
        *,
        actor: Actor,
        tax_code: str | None = None,
        vat_number: str | None = None,
    ) -> Organisation:
        return registry.update_organisation(
            self._ctx, actor, code, name, kind, territories, tax_code=tax_code, vat_number=vat_number
        )

    def add_member(self, code: str, username: str, *, actor: Actor, position: str = "") -> None:
        registry.add_member(self._ctx, actor, code, username, position)

    def organisations(
        self, *, actor: Actor, kind: str | None = None, territory: str | None = None
    ) -> list[Organisation]:
        return registry.organisations(self._ctx, actor, kind=kind, territory=territory)

    def my_organisations(self, *, actor: Actor) -> list[Organisation]:
        """The organisations the actor acts for (their commitments page)."""
        return registry.my_organisations(self._ctx, actor)

    def organisation(self, code: str, *, actor: Actor) -> Organisation:
        return registry.organisation(self._ctx, actor, code)

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
        parties: Sequence[str] = (),
        territory: str | None = None,
        renewal_clause: str = "",
        withdrawal_clause: str = "",
        withdrawal_notice_days: int = 0,
        origin_case_id: int | None = None,
    ) -> int:
        terms = ProtocolTerms(
            kind,
            scope,
            starts_on,
            expires_on,
            reference,
            tuple(parties),
            territory,
            renewal_clause,
            withdrawal_clause,
            withdrawal_notice_days,
            origin_case_id,
        )
        return registry.add_protocol(self._ctx, actor, code, terms)

    def add_protocol_terms(self, code: str, terms: ProtocolTerms, *, actor: Actor) -> int:
        """A draft protocol led by organisation ``code``, from its terms."""
        return registry.add_protocol(self._ctx, actor, code, terms)

    def update_protocol(self, protocol_id: int, terms: ProtocolTerms, *, actor: Actor) -> PartnerProtocol:
        return registry.update_protocol(self._ctx, actor, protocol_id, terms)

    def sign_protocol(
        self, protocol_id: int, number: str, signed_on: str, signatories: Sequence[tuple[str, str]], *, actor: Actor
    ) -> PartnerProtocol:
        return registry.sign_protocol(self._ctx, actor, protocol_id, number, signed_on, signatories)

    def activate_protocol(self, protocol_id: int, *, actor: Actor) -> PartnerProtocol:
        return registry.activate_protocol(self._ctx, actor, protocol_id)

    def watch_unwatched(self, *, actor: Actor) -> list[PartnerProtocol]:
        """Protocols in force without a lifecycle case (made active before the lifecycle process
        existed) get one each; idempotent. Returns the protocols now watched."""
        return registry.watch_unwatched(self._ctx, actor)

    def withdraw_protocol(
        self,
        protocol_id: int,
        organisation: str,
        effective_on: str,
        *,
        actor: Actor,
        substitute: str | None = None,
    ) -> PartnerProtocol:
        """A party withdraws (recesso) with effect on ``effective_on``; ``substitute`` takes its places."""
        return registry.withdraw_protocol(self._ctx, actor, protocol_id, organisation, effective_on, substitute)

    def dependent_cases(self, protocol_id: int, *, actor: Actor) -> list[int]:
        """The running cases whose team names a party of the protocol."""
        return registry.dependent_cases(self._ctx, actor, protocol_id)

    def add_document(
        self, protocol_id: int, name: str, media_type: str, content: bytes, *, actor: Actor
    ) -> ProtocolDocument:
        return registry.add_document(self._ctx, actor, protocol_id, name, media_type, content)

    def document(self, protocol_id: int, document_id: int, *, actor: Actor) -> tuple[ProtocolDocument, bytes]:
        return registry.document(self._ctx, actor, protocol_id, document_id)

    def protocol(self, protocol_id: int, *, actor: Actor) -> PartnerProtocol:
        return registry.protocol(self._ctx, actor, protocol_id)

    def organisation_history(self, code: str, *, actor: Actor) -> list[RegistryEvent]:
        """Who changed what in an organisation's record, oldest first (the registry log)."""
        return registry.organisation_history(self._ctx, actor, code)

    def protocol_history(self, protocol_id: int, *, actor: Actor) -> list[RegistryEvent]:
        return registry.history(self._ctx, actor, protocol_id)

    def protocols(
        self,
        *,
        actor: Actor,
        territory: str | None = None,
        active: bool = False,
        expiring_within_days: int | None = None,
        status: str | None = None,
        organisation: str | None = None,
    ) -> list[PartnerProtocol]:
        return registry.protocols(
            self._ctx,
            actor,
            territory=territory,
            active=active,
            expiring_within_days=expiring_within_days,
            status=status,
            organisation=organisation,
        )

    def partnership_active(self, territory: str, *, actor: Actor) -> bool:
        return users.partnership_active(self._ctx, territory, actor)

    def set_partnership(self, territory: str, active: bool, *, actor: Actor, case_id: int | None = None) -> None:
        users.set_partnership(self._ctx, territory, active, actor, case_id)
