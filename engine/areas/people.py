"""People: the beneficiary's identity (sealed), repeat referrals, the data keys."""

from __future__ import annotations

import builtins
from collections.abc import Mapping

from engine.areas.base import Area
from engine.model import Actor, Erasure, ErasurePlan, PersonRecord, PersonSheet, Recorded, RepeatReferral
from engine.services import erasure, people


class People(Area):
    def record(
        self,
        case_id: int,
        data: Mapping[str, object],
        *,
        actor: Actor,
        confirm: bool = False,
        ip: str | None = None,
        revision: str | None = None,
        partial: bool = False,
    ) -> Recorded:
        """Record or correct the identity; ``partial`` changes only the fields given, ``revision``
        (the one the caller saw) refuses a write over someone else's (``Conflict``)."""
        return people.record_person(
            self._ctx, case_id, data, actor=actor, confirm=confirm, ip=ip, revision=revision, partial=partial
        )

    def of_case(
        self, case_id: int, *, actor: Actor, purpose: str = "consultazione anagrafica", ip: str | None = None
    ) -> PersonRecord | None:
        return people.person_of_case(self._ctx, case_id, actor=actor, purpose=purpose, ip=ip)

    def repeats(self, case_id: int, *, actor: Actor) -> builtins.list[RepeatReferral]:
        return people.repeat_referrals(self._ctx, case_id, actor=actor)

    def sheet(
        self,
        case_id: int,
        *,
        actor: Actor,
        write: bool = False,
        purpose: str = "consultazione anagrafica",
        ip: str | None = None,
    ) -> PersonSheet:
        """The person page (identity, other cases, may the viewer correct it); logged when shown."""
        return people.person_sheet(self._ctx, case_id, actor=actor, write=write, purpose=purpose, ip=ip)

    def access_copy(self, case_id: int, *, actor: Actor, ip: str | None = None) -> bytes:
        """The person's own data as a PDF (GDPR art. 15), for the case manager; logged."""
        return people.access_copy(self._ctx, case_id, actor=actor, ip=ip)

    def erasure_plan(self, case_id: int, *, actor: Actor) -> ErasurePlan:
        """What erasing the case's person's data would do: each of their cases, erasable or kept."""
        return erasure.erasure_plan(self._ctx, case_id, actor=actor)

    def erase(self, case_id: int, *, actor: Actor, reason: str) -> Erasure:
        """Erase the person's personal data in all their cases and the person record (GDPR art.
        17), when every case allows it; ``Conflict`` otherwise, with nothing erased."""
        return erasure.erase_person(self._ctx, case_id, actor=actor, reason=reason)

    def verify_keys(self, *, actor: Actor) -> str:
        """At startup: the data keyring opens what the database holds (``KeyringError`` otherwise)."""
        return people.verify_keys(self._ctx, actor=actor)

    def rotate_keys(self, *, actor: Actor, drop_old: bool = True) -> tuple[str, int]:
        return people.rotate_keys(self._ctx, actor=actor, drop_old=drop_old)
