"""The network of interlocutors: organisations (institutions, services, third-sector bodies,
mentor enterprises) by type and territory, the people who act for them, and the collaboration
protocols that bind them (partner, scope, start and expiry).

People are users: their roles and territories (``user_role``) decide which tasks they see, so an
officer of the job centre of territory X sees only X's tasks; membership says for whom they act.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from engine import errors
from engine.model import Actor, Organisation, PartnerProtocol
from engine.services.context import Context

ORGANISATION_KINDS: dict[str, str] = {
    "istituzione": "Istituzione (Comune, Ambito, Regione)",
    "servizio_sociale": "Servizio sociale",
    "centro_impiego": "Centro per l'Impiego",
    "servizio_sanitario": "Servizio sanitario (ASL, DSM, SerD)",
    "giustizia": "Giustizia (UEPE, istituto penitenziario)",
    "terzo_settore": "Ente del Terzo settore / cooperativa sociale",
    "impresa_mentor": "Impresa mentor / ospitante",
    "ente_formazione": "Ente di formazione / agenzia per il lavoro",
    "finanziatore": "Finanziatore (fondazione, microcredito)",
}
PROTOCOL_KINDS: dict[str, str] = {
    "protocollo_intesa": "Protocollo d'intesa",
    "accordo_partenariato": "Accordo di partenariato",
    "convenzione": "Convenzione",
    "lettera_impegno": "Lettera d'impegno",
}
MANAGERS = frozenset({"coordinatore", "amministratore"})
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,59}$")


def _require(actor: Actor) -> None:
    if not actor.roles & MANAGERS:
        raise errors.Forbidden("the registry of interlocutors is kept by the coordinator")


def add_organisation(ctx: Context, actor: Actor, code: str, name: str, kind: str, territory: str) -> int:
    _require(actor)
    problems: dict[str, list[str]] = {}
    if not _CODE.match(code):
        problems["code"] = ["Codice: maiuscole, cifre, - e _ (es. CPI_ANCONA)."]
    if kind not in ORGANISATION_KINDS:
        problems["kind"] = [f"Tipo sconosciuto; ammessi: {', '.join(ORGANISATION_KINDS)}."]
    if not name.strip():
        problems["name"] = ["Campo obbligatorio."]
    if not territory.strip():
        problems["territory"] = ["Campo obbligatorio."]
    if problems:
        raise errors.InvalidData("invalid organisation", problems)
    with ctx.uow() as uow:
        org_id = uow.registry.add_organisation(code, name.strip(), kind, territory.strip(), ctx.clock.now())
        uow.commit()
    return org_id


def add_member(ctx: Context, actor: Actor, code: str, username: str, position: str = "") -> None:
    _require(actor)
    with ctx.uow() as uow:
        organisation = uow.registry.organisation(code)
        uow.users.get_actor(username)
        uow.registry.add_member(organisation.id, username, position)
        uow.commit()


def organisations(ctx: Context, *, kind: str | None = None, territory: str | None = None) -> list[Organisation]:
    with ctx.uow(write=False) as uow:
        return [
            dataclasses.replace(o, members=tuple(uow.registry.members(o.id)))
            for o in uow.registry.organisations(kind, territory)
        ]


def add_protocol(
    ctx: Context,
    actor: Actor,
    code: str,
    kind: str,
    scope: str,
    starts_on: str,
    expires_on: str | None = None,
    reference: str = "",
) -> int:
    _require(actor)
    problems: dict[str, list[str]] = {}
    if kind not in PROTOCOL_KINDS:
        problems["kind"] = [f"Tipo sconosciuto; ammessi: {', '.join(PROTOCOL_KINDS)}."]
    start, end = (
        _date(starts_on, "starts_on", problems),
        _date(expires_on, "expires_on", problems) if expires_on else None,
    )
    if start and end and end < start:
        problems["expires_on"] = ["La scadenza deve seguire l'inizio."]
    if not scope.strip():
        problems["scope"] = ["Campo obbligatorio."]
    if problems:
        raise errors.InvalidData("invalid protocol", problems)
    with ctx.uow() as uow:
        organisation = uow.registry.organisation(code)
        protocol_id = uow.registry.add_protocol(
            {
                "organisation_id": organisation.id,
                "kind": kind,
                "scope": scope.strip(),
                "territory": organisation.territory,
                "starts_on": starts_on,
                "expires_on": expires_on,
                "reference": reference,
                "created_at": ctx.clock.now(),
                "created_by": actor.username,
            }
        )
        uow.commit()
    return protocol_id


def protocols(
    ctx: Context, *, territory: str | None = None, active: bool = False, expiring_within_days: int | None = None
) -> list[PartnerProtocol]:
    today = ctx.clock.now().date()
    by = (today + dt.timedelta(days=expiring_within_days)).isoformat() if expiring_within_days is not None else None
    with ctx.uow(write=False) as uow:
        return uow.registry.protocols(territory, today.isoformat() if active else None, by)


def _date(value: str | None, field: str, problems: dict[str, list[str]]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems[field] = ["Data non valida (formato AAAA-MM-GG)."]
        return None
