"""Enterprises (track B): the record, its links and roster; each enterprise runs its own case."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from engine.areas.base import Area
from engine.model import Actor, Enterprise, EnterpriseLink
from engine.services import enterprises


class Enterprises(Area):
    def create(
        self,
        territory: str,
        denominazione: str,
        forma_giuridica: str,
        regione: str,
        sede: str,
        *,
        actor: Actor,
        partita_iva: str | None = None,
        codice_ateco: str | None = None,
        founder_case_id: int | None = None,
    ) -> Enterprise:
        """A new enterprise and the case of its own process (``impresa``), in one transaction.
        Founded from a beneficiary's path (``founder_case_id``, linked as founder at once), its
        case first runs the track-B design once for all founders; the paths linked to it wait for
        its milestones (``impresa_progettata``, ``impresa_costituita``)."""
        return enterprises.create(
            self._ctx,
            territory,
            denominazione,
            forma_giuridica,
            regione,
            sede,
            actor=actor,
            partita_iva=partita_iva,
            codice_ateco=codice_ateco,
            founder_case_id=founder_case_id,
        )

    def get(self, enterprise_id: int, *, actor: Actor) -> Enterprise:
        return enterprises.get(self._ctx, enterprise_id, actor=actor)

    def of_case(self, case_id: int, *, actor: Actor) -> Enterprise | None:
        """The enterprise whose own case is ``case_id``, if it is one."""
        return enterprises.of_case(self._ctx, case_id, actor=actor)

    def of_beneficiary(self, case_id: int, *, actor: Actor) -> builtins.list[tuple[Enterprise, EnterpriseLink]]:
        """The enterprises a beneficiary case founded or works in."""
        return enterprises.of_beneficiary(self._ctx, case_id, actor=actor)

    def list(self, *, actor: Actor, territory: str | None = None) -> builtins.list[Enterprise]:
        return enterprises.all_of(self._ctx, actor=actor, territory=territory)

    def update_details(
        self,
        enterprise_id: int,
        *,
        actor: Actor,
        partita_iva: str | None = None,
        codice_ateco: str | None = None,
        sede: str | None = None,
    ) -> Enterprise:
        return enterprises.update_details(
            self._ctx, enterprise_id, actor=actor, partita_iva=partita_iva, codice_ateco=codice_ateco, sede=sede
        )

    def add_registration(
        self, enterprise_id: int, registro: str, numero: str, data: str, *, actor: Actor
    ) -> Enterprise:
        return enterprises.add_registration(self._ctx, enterprise_id, registro, numero, data, actor=actor)

    def link(
        self,
        enterprise_id: int,
        ruolo: str,
        *,
        actor: Actor,
        case_id: int | None = None,
        organisation: str | None = None,
        nominativo: str | None = None,
        categorie: Iterable[str] = (),
        evidenza_pa: bool = False,
        data_assunzione: str | None = None,
        volontario: bool = False,
    ) -> Enterprise:
        """Link a beneficiary case, a person outside the programme or the mentoring company; a
        worker joins the roster and the enterprise's process checks the quota at once."""
        return enterprises.link(
            self._ctx,
            enterprise_id,
            ruolo,
            actor=actor,
            case_id=case_id,
            organisation=organisation,
            nominativo=nominativo,
            categorie=categorie,
            evidenza_pa=evidenza_pa,
            data_assunzione=data_assunzione,
            volontario=volontario,
        )

    def hire_founder(
        self,
        enterprise_id: int,
        link_id: int,
        data_assunzione: str,
        tipo_contratto: str,
        data_comunicazione: str,
        *,
        actor: Actor,
        categorie: Iterable[str] = (),
        evidenza_pa: bool = False,
    ) -> Enterprise:
        """The enterprise hires one of its founders from the programme: a milestone recorded on
        the enterprise's case and the person's, the founder joins the roster (quota checked)."""
        return enterprises.hire_founder(
            self._ctx,
            enterprise_id,
            link_id,
            data_assunzione,
            tipo_contratto,
            data_comunicazione,
            actor=actor,
            categorie=categorie,
            evidenza_pa=evidenza_pa,
        )

    def end_employment(self, enterprise_id: int, link_id: int, data_cessazione: str, *, actor: Actor) -> Enterprise:
        return enterprises.end_employment(self._ctx, enterprise_id, link_id, data_cessazione, actor=actor)

    def unlink(self, enterprise_id: int, link_id: int, *, actor: Actor) -> Enterprise:
        return enterprises.unlink(self._ctx, enterprise_id, link_id, actor=actor)
