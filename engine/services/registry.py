"""The network of interlocutors: organisations (institutions, services, third-sector bodies,
mentor enterprises) by kind and by the territories they serve, the people who act for them, and
the collaboration protocols that bind them, with their lifecycle.

People are users: their roles and territories (``user_role``) decide which tasks they see, so an
officer of the job centre of territory X sees only X's tasks; membership says for whom they act.

A protocol moves ``bozza → firmato → attivo → in_scadenza → scaduto``, or to ``receduto`` when a
party withdraws; a renewal takes ``in_scadenza`` back to ``attivo`` with a later expiry. Every
command checks the access policy (``engine.policy``) in the territory concerned and writes a row
of the registry log in the same transaction. Rules and their reasons are in docs/registry.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva

from engine import errors
from engine.model import (
    ORGANISATION_KINDS,
    PROTOCOL_IN_FORCE,
    PROTOCOL_KINDS,
    PROTOCOL_STATUSES,
    Actor,
    CaseEvent,
    CaseRecord,
    EventKind,
    Organisation,
    PartnerProtocol,
    ProtocolDocument,
    ProtocolTerms,
    RegistryEvent,
)
from engine.policy import Permission, Target, allows, is_system, require, roles_with
from engine.ports import AbstractUnitOfWork
from engine.services import cases
from engine.services.case_sync import PROTOCOL_LIFECYCLE, event, on_running_case
from engine.services.context import Context

__all__ = ["ORGANISATION_KINDS", "PROTOCOL_KINDS", "ProtocolTerms"]
STATUSES = PROTOCOL_STATUSES
# Where each status may go next; the terminal ones go nowhere (a lapsed protocol is renewed by a
# new protocol, never revived).
TRANSITIONS: dict[str, frozenset[str]] = {
    "bozza": frozenset({"firmato"}),
    "firmato": frozenset({"attivo", "receduto"}),
    "attivo": frozenset({"in_scadenza", "scaduto", "receduto"}),
    "in_scadenza": frozenset({"attivo", "scaduto", "receduto"}),
    "scaduto": frozenset(),
    "receduto": frozenset(),
}
# In force: grounds data sharing between its parties.
IN_FORCE = PROTOCOL_IN_FORCE
# Still binding or about to be: two of these between the same parties may not overlap in time.
LIVE = frozenset({"bozza", "firmato", "attivo", "in_scadenza"})
WITHDRAWAL_MESSAGE = "recesso_protocollo"
# the expiry the lifecycle case waits for when a protocol has none (far, but computable in dates)
OPEN_ENDED = "9000-12-31"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,59}$")
_TERRITORY = re.compile(r"^[\w][\w .'-]{0,99}$")
_REQUIRED = "Campo obbligatorio."


# --- access ------------------------------------------------------------------------------


def _require_manage(actor: Actor, territories: Sequence[str]) -> None:
    for territory in territories or (None,):
        require(actor, Permission.REGISTRY_MANAGE, Target(territory))


def readable_territories(actor: Actor) -> list[str] | None:
    """The territories whose registry ``actor`` reads (``None``: all of them)."""
    if is_system(actor):
        return None
    readers = roles_with(Permission.REGISTRY_READ)
    if actor.grants:
        if any(t == "" and r in readers for r, t in actor.grants):
            return None
        return sorted({t for r, t in actor.grants if r in readers})
    if not actor.roles & readers:
        return []
    return sorted(actor.territories) if actor.territories else None


def _require_read(actor: Actor, territories: Sequence[str]) -> None:
    if not any(allows(actor, Permission.REGISTRY_READ, Target(t)) for t in territories or (None,)):
        raise errors.Forbidden(f"{actor.username} lacks permission registry_read")


# --- validation --------------------------------------------------------------------------


def _territories(values: Sequence[str] | str, problems: dict[str, list[str]]) -> list[str]:
    found = [values] if isinstance(values, str) else list(values)
    cleaned = list(dict.fromkeys(str(t).strip() for t in found if str(t).strip()))
    if not cleaned:
        problems["territories"] = ["Indicare almeno un territorio servito."]
    elif any(not _TERRITORY.match(t) for t in cleaned):
        problems["territories"] = ["Territorio non valido: lettere, cifre, spazi, apostrofo e trattino."]
    return cleaned


def _tax_code(value: str | None, problems: dict[str, list[str]]) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return str(codicefiscale.validate(str(value)))
    except ValidationError:
        problems["tax_code"] = ["Codice fiscale non valido (11 cifre per un ente, 16 caratteri per una persona)."]
        return None


def _vat_number(value: str | None, problems: dict[str, list[str]]) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return str(iva.validate(str(value)))
    except ValidationError:
        problems["vat_number"] = ["Partita IVA non valida (11 cifre con cifra di controllo)."]
        return None


def _date(value: str | None, field: str, problems: dict[str, list[str]]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems[field] = ["Data non valida (formato AAAA-MM-GG)."]
        return None


def _organisation_fields(
    name: str, kind: str, territories: Sequence[str] | str, tax_code: str | None, vat_number: str | None
) -> tuple[dict[str, Any], list[str], dict[str, list[str]]]:
    problems: dict[str, list[str]] = {}
    if kind not in ORGANISATION_KINDS:
        problems["kind"] = ["Tipo di organizzazione sconosciuto."]
    if not name.strip():
        problems["name"] = [_REQUIRED]
    elif len(name.strip()) > 300:
        problems["name"] = ["Al massimo 300 caratteri."]
    served = _territories(territories, problems)
    values = {
        "name": name.strip(),
        "kind": kind,
        "tax_code": _tax_code(tax_code, problems),
        "vat_number": _vat_number(vat_number, problems),
    }
    return values, served, problems


# --- organisations -----------------------------------------------------------------------


def add_organisation(
    ctx: Context,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    territories: Sequence[str] | str,
    *,
    tax_code: str | None = None,
    vat_number: str | None = None,
) -> int:
    require(actor, Permission.REGISTRY_MANAGE)  # somewhere; the territories are checked once valid
    values, served, problems = _organisation_fields(name, kind, territories, tax_code, vat_number)
    if not _CODE.match(code):
        problems["code"] = ["Codice: maiuscole, cifre, - e _ (es. CPI_ANCONA)."]
    if problems:
        raise errors.InvalidData("invalid organisation", problems)
    _require_manage(actor, served)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        _unique_tax_code(uow, values["tax_code"], code)
        organisation_id = uow.registry.add_organisation({**values, "code": code, "created_at": now}, served)
        uow.registry.log(
            now,
            actor.username,
            "organisation_added",
            {**values, "code": code, "territories": served},
            organisation_id=organisation_id,
        )
        uow.commit()
    return organisation_id


def update_organisation(
    ctx: Context,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    territories: Sequence[str] | str,
    *,
    tax_code: str | None = None,
    vat_number: str | None = None,
) -> Organisation:
    values, served, problems = _organisation_fields(name, kind, territories, tax_code, vat_number)
    if problems:
        raise errors.InvalidData("invalid organisation", problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        current = uow.registry.organisation(code)
        # both the territories it leaves and those it joins are the actor's to change
        _require_manage(actor, sorted(set(current.territories) | set(served)))
        _unique_tax_code(uow, values["tax_code"], code)
        uow.registry.update_organisation(current.id, {**values, "updated_at": now}, served)
        uow.registry.log(
            now, actor.username, "organisation_updated", {**values, "territories": served}, organisation_id=current.id
        )
        found = uow.registry.organisation(code)
        uow.commit()
    return found


def _unique_tax_code(uow: AbstractUnitOfWork, tax_code: str | None, code: str) -> None:
    if tax_code is None:
        return
    holder = uow.registry.tax_code_holder(tax_code)
    if holder is not None and holder != code:
        raise errors.RegistryConflict(
            f"tax code already registered for {holder}",
            {"tax_code": [f"Codice fiscale già registrato per l'organizzazione {holder}."]},
        )


def add_member(ctx: Context, actor: Actor, code: str, username: str, position: str = "") -> None:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        organisation = uow.registry.organisation(code)
        _require_manage(actor, organisation.territories)
        uow.users.get_actor(username)
        uow.registry.add_member(organisation.id, username, position)
        uow.registry.log(
            now,
            actor.username,
            "member_added",
            {"username": username, "position": position},
            organisation_id=organisation.id,
        )
        uow.commit()


def organisations(
    ctx: Context, actor: Actor, *, kind: str | None = None, territory: str | None = None
) -> list[Organisation]:
    readable = readable_territories(actor)
    with ctx.uow(write=False) as uow:
        return [
            dataclasses.replace(o, members=tuple(uow.registry.members(o.id)))
            for o in uow.registry.organisations(kind, territory, readable)
        ]


def my_organisations(ctx: Context, actor: Actor) -> list[Organisation]:
    """The organisations ``actor`` acts for (is a member of), with their members."""
    with ctx.uow(write=False) as uow:
        found = [uow.registry.organisation_by_id(i) for i in uow.teams.organisations_of(actor.username)]
        return [dataclasses.replace(o, members=tuple(uow.registry.members(o.id))) for o in found]


def organisation(ctx: Context, actor: Actor, code: str) -> Organisation:
    with ctx.uow(write=False) as uow:
        found = uow.registry.organisation(code)
        _require_read(actor, found.territories)
        return dataclasses.replace(found, members=tuple(uow.registry.members(found.id)))


# --- protocols ---------------------------------------------------------------------------


def _terms_problems(terms: ProtocolTerms) -> tuple[dict[str, list[str]], dt.date | None, dt.date | None]:
    problems: dict[str, list[str]] = {}
    if terms.kind not in PROTOCOL_KINDS:
        problems["kind"] = ["Tipo di protocollo sconosciuto."]
    start = _date(terms.starts_on, "starts_on", problems)
    end = _date(terms.expires_on, "expires_on", problems) if terms.expires_on else None
    if start and end and end <= start:
        problems["expires_on"] = ["La scadenza deve essere successiva all'inizio."]
    if not terms.scope.strip():
        problems["scope"] = [_REQUIRED]
    if not 0 <= terms.withdrawal_notice_days <= 3650:
        problems["withdrawal_notice_days"] = ["Preavviso tra 0 e 3650 giorni."]
    return problems, start, end


def _resolve(
    uow: AbstractUnitOfWork, lead: Organisation, terms: ProtocolTerms, problems: dict[str, list[str]]
) -> tuple[str, list[int]]:
    """The protocol's territory and the ids of every party (lead first); problems for unknown ones."""
    party_ids = [lead.id]
    unknown = []
    for code in terms.parties:
        found = uow.registry.organisation_id(code)
        if found is None:
            unknown.append(code)
        elif found not in party_ids:
            party_ids.append(found)
    if unknown:
        problems["parties"] = [f"Organizzazione non registrata: {', '.join(unknown)}."]
    territory = (terms.territory or "").strip()
    if not territory:
        if len(lead.territories) == 1:
            territory = lead.territories[0]
        else:
            problems["territory"] = ["Indicare il territorio del protocollo."]
    elif not lead.serves(territory):
        problems["territory"] = [f"«{lead.name}» non serve questo territorio."]
    return territory, party_ids


def _overlap(
    uow: AbstractUnitOfWork,
    territory: str,
    party_ids: Sequence[int],
    start: dt.date,
    end: dt.date | None,
    exclude: int | None = None,
) -> None:
    """Refuse a second live protocol between the same parties, in the same territory, in the same period."""
    parties = set(party_ids)
    for other in uow.registry.protocols(territory, statuses=sorted(LIVE), organisation_id=party_ids[0]):
        if other.id == exclude or {p.organisation_id for p in other.parties} != parties:
            continue
        other_end = dt.date.fromisoformat(other.expires_on) if other.expires_on else dt.date.max
        if start <= other_end and dt.date.fromisoformat(other.starts_on) <= (end or dt.date.max):
            label = other.number or f"n. {other.id}"
            raise errors.RegistryConflict(
                f"overlaps protocol {other.id}",
                {"starts_on": [f"Tra le stesse parti è già in vigore, nello stesso periodo, il protocollo {label}."]},
            )


def add_protocol(ctx: Context, actor: Actor, code: str, terms: ProtocolTerms) -> int:
    problems, start, end = _terms_problems(terms)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        lead = uow.registry.organisation(code)
        territory, party_ids = _resolve(uow, lead, terms, problems)
        if problems:
            raise errors.InvalidData("invalid protocol", problems)
        assert start is not None
        require(actor, Permission.REGISTRY_MANAGE, Target(territory))
        _overlap(uow, territory, party_ids, start, end)
        values = {
            "organisation_id": lead.id,
            "kind": terms.kind,
            "scope": terms.scope.strip(),
            "territory": territory,
            "status": "bozza",
            "starts_on": start.isoformat(),
            "expires_on": end.isoformat() if end else None,
            "reference": terms.reference.strip(),
            "renewal_clause": terms.renewal_clause.strip(),
            "withdrawal_clause": terms.withdrawal_clause.strip(),
            "withdrawal_notice_days": terms.withdrawal_notice_days,
            "origin_case_id": terms.origin_case_id,
            "created_at": now,
            "created_by": actor.username,
        }
        protocol_id = uow.registry.add_protocol(values, party_ids[1:])
        uow.registry.log(
            now,
            actor.username,
            "protocol_added",
            {k: v for k, v in values.items() if k not in ("created_at", "created_by")} | {"parties": party_ids},
            protocol_id=protocol_id,
            organisation_id=lead.id,
        )
        uow.commit()
    return protocol_id


def update_protocol(ctx: Context, actor: Actor, protocol_id: int, terms: ProtocolTerms) -> PartnerProtocol:
    """Change a draft's terms; once signed, a protocol's terms are what was signed."""
    problems, start, end = _terms_problems(terms)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        current = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
        if current.status != "bozza":
            raise errors.RegistryConflict(
                "only a draft can be changed", {"_schema": ["Solo un protocollo in bozza può essere modificato."]}
            )
        lead = uow.registry.organisation_by_id(current.organisation_id)
        territory, party_ids = _resolve(uow, lead, terms, problems)
        if problems:
            raise errors.InvalidData("invalid protocol", problems)
        assert start is not None
        require(actor, Permission.REGISTRY_MANAGE, Target(territory))
        _overlap(uow, territory, party_ids, start, end, exclude=protocol_id)
        values = {
            "kind": terms.kind,
            "scope": terms.scope.strip(),
            "territory": territory,
            "starts_on": start.isoformat(),
            "expires_on": end.isoformat() if end else None,
            "reference": terms.reference.strip(),
            "renewal_clause": terms.renewal_clause.strip(),
            "withdrawal_clause": terms.withdrawal_clause.strip(),
            "withdrawal_notice_days": terms.withdrawal_notice_days,
            "updated_at": now,
        }
        uow.registry.update_protocol(protocol_id, values)
        uow.registry.set_parties(protocol_id, party_ids)
        logged = {k: v for k, v in values.items() if k != "updated_at"} | {"parties": party_ids}
        uow.registry.log(now, actor.username, "protocol_updated", logged, protocol_id=protocol_id)
        found = uow.registry.protocol(protocol_id)
        uow.commit()
    return found


def sign_protocol(
    ctx: Context,
    actor: Actor,
    protocol_id: int,
    number: str,
    signed_on: str,
    signatories: Sequence[tuple[str, str]],
) -> PartnerProtocol:
    """Record the signature: protocol number, date, and who signed for each party
    (``(organisation code, username)``); every party signs, through one of its members."""
    problems: dict[str, list[str]] = {}
    if not number.strip():
        problems["number"] = [_REQUIRED]
    elif len(number.strip()) > 100:
        problems["number"] = ["Al massimo 100 caratteri."]
    day = _date(signed_on, "signed_on", problems)
    now = ctx.clock.now()
    if day and day > now.date():
        problems["signed_on"] = ["La data di firma non può essere futura."]
    with ctx.uow() as uow:
        current = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
        _move(current, "firmato")
        parties = {p.code: p for p in current.parties}
        rows: list[tuple[int, str, str]] = []
        wrong: list[str] = []
        for code, username in signatories:
            party = parties.get(code)
            if party is None or not uow.registry.is_member(party.organisation_id, username):
                wrong.append(f"{username} ({party.name if party else code})")
            else:
                rows.append((party.organisation_id, username, day.isoformat() if day else ""))
        if wrong:
            problems["signatories"] = [f"Non risulta tra i membri dell'organizzazione firmataria: {', '.join(wrong)}."]
        elif missing := sorted(set(parties) - {code for code, _u in signatories}):
            problems["signatories"] = [f"Manca la firma di: {', '.join(parties[code].name for code in missing)}."]
        if problems:
            raise errors.InvalidData("invalid signature", problems)
        uow.registry.set_signatories(protocol_id, rows)
        uow.registry.update_protocol(
            protocol_id,
            {
                "status": "firmato",
                "number": number.strip(),
                "signed_on": day.isoformat() if day else None,
                "updated_at": now,
            },
        )
        uow.registry.log(
            now,
            actor.username,
            "protocol_signed",
            {"number": number.strip(), "signed_on": signed_on, "signatories": [list(s) for s in signatories]},
            protocol_id=protocol_id,
        )
        found = uow.registry.protocol(protocol_id)
        uow.commit()
    return found


def activate_protocol(ctx: Context, actor: Actor, protocol_id: int) -> PartnerProtocol:
    """A signed protocol comes into force, watched from now on by a case of the lifecycle process
    (started in the same transaction; engine.services.protocol_lifecycle), which moves it to
    ``attivo`` as its first step; an open-ended one is watched for withdrawals only."""
    with ctx.uow(write=False) as uow:
        current = uow.registry.protocol(protocol_id)
        deployed = uow.processes.latest(PROTOCOL_LIFECYCLE) is not None
    require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
    _move(current, "attivo")
    if not deployed:
        # no lifecycle process in the library yet: in force, unwatched (the log says so)
        return set_status(ctx, actor, protocol_id, "attivo", {"controllo_scadenza": False})

    def link(uow: AbstractUnitOfWork, record: CaseRecord) -> None:
        found = uow.registry.protocol(protocol_id)
        if found.status != "attivo" or found.lifecycle_case_id != record.id:
            raise errors.RegistryConflict(
                "the protocol changed meanwhile", {"status": ["Il protocollo è stato modificato nel frattempo."]}
            )

    _start_watch(ctx, actor, current, link)
    with ctx.uow(write=False) as uow:
        return uow.registry.protocol(protocol_id)


def _start_watch(
    ctx: Context, actor: Actor, current: PartnerProtocol, then: Callable[[AbstractUnitOfWork, CaseRecord], None]
) -> None:
    """Start the lifecycle case watching ``current`` (its first step records it on the protocol)."""
    data = {
        "protocollo_id": current.id,
        "protocollo_numero": current.number or f"n. {current.id}",
        # an open-ended protocol is watched for withdrawals only: its "expiry" never comes
        "data_scadenza": current.expires_on or OPEN_ENDED,
        "senza_scadenza": current.expires_on is None,
        "territorio": current.territory,
        "titolo": f"Protocollo {current.number or current.id}",
    }
    cases.start_case(ctx, PROTOCOL_LIFECYCLE, data, actor, territory=current.territory, then=then)


def watch_unwatched(ctx: Context, actor: Actor) -> list[PartnerProtocol]:
    """Protocols in force with no lifecycle case — made ``attivo`` by the migration that brought
    the registry in, or activated while the lifecycle process was not deployed — get their watch
    now: one lifecycle case each, started as an activation starts it (one transaction per
    protocol). Idempotent: a protocol already watched is left alone, so a second run starts
    nothing. Returns the protocols now watched."""
    with ctx.uow(write=False) as uow:
        if uow.processes.latest(PROTOCOL_LIFECYCLE) is None:
            raise errors.Conflict(f"the process {PROTOCOL_LIFECYCLE} is not deployed")
        unwatched = [
            p for p in uow.registry.protocols(statuses=["attivo", "in_scadenza"]) if p.lifecycle_case_id is None
        ]
    for found in unwatched:
        require(actor, Permission.REGISTRY_MANAGE, Target(found.territory))
    watched: list[PartnerProtocol] = []
    for found in unwatched:

        def still_unwatched(uow: AbstractUnitOfWork, record: CaseRecord, protocol_id: int = found.id) -> None:
            now = uow.registry.protocol(protocol_id)
            if now.lifecycle_case_id != record.id:  # another run watched it first: this one is undone
                raise errors.RegistryConflict(
                    "the protocol is already watched", {"status": ["Il protocollo è già sotto controllo."]}
                )
            uow.registry.log(
                ctx.clock.now(), actor.username, "lifecycle_backfilled", {"caso": record.id}, protocol_id=protocol_id
            )

        _start_watch(ctx, actor, found, still_unwatched)
        with ctx.uow(write=False) as uow:
            watched.append(uow.registry.protocol(found.id))
    return watched


def withdraw_protocol(
    ctx: Context,
    actor: Actor,
    protocol_id: int,
    organisation: str,
    effective_on: str,
    substitute: str | None = None,
) -> PartnerProtocol:
    """A party withdraws (recesso): notified today, effective on ``effective_on`` (not in the
    past, not before the notice the protocol gives). The lifecycle case receives the notice and,
    on that date, marks the protocol ``receduto`` and hands the party's places in running cases
    to ``substitute``."""
    problems: dict[str, list[str]] = {}
    day = _date(effective_on, "effective_on", problems)
    now = ctx.clock.now()
    today = now.date()
    with ctx.uow(write=False) as uow:
        current = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
        if current.status not in IN_FORCE or current.lifecycle_case_id is None:
            raise errors.RegistryConflict(
                "only a watched protocol in force can be withdrawn from",
                {"status": ["Si può recedere solo da un protocollo in vigore."]},
            )
        if organisation not in {p.code for p in current.parties}:
            problems["organisation"] = ["L'organizzazione non è parte del protocollo."]
        if day is not None:
            earliest = today + dt.timedelta(days=current.withdrawal_notice_days)
            if day < today:
                problems["effective_on"] = ["La data di effetto non può essere passata."]
            elif day < earliest:
                problems["effective_on"] = [
                    f"Il preavviso è di {current.withdrawal_notice_days} giorni: "
                    f"effetto non prima del {earliest.strftime('%d/%m/%Y')}."
                ]
        if substitute:
            found = uow.registry.organisation_id(substitute)
            if found is None:
                problems["substitute"] = ["Organizzazione non registrata."]
            elif substitute == organisation:
                problems["substitute"] = ["Il sostituto deve essere un'altra organizzazione."]
            elif not uow.registry.organisation(substitute).serves(current.territory):
                problems["substitute"] = ["Il sostituto non serve il territorio del protocollo."]
    if problems:
        raise errors.InvalidData("invalid withdrawal", problems)
    assert day is not None and current.lifecycle_case_id is not None
    notice = {"organizzazione": organisation, "sostituto": substitute or None, "data_effetto": day.isoformat()}

    def send(uow: AbstractUnitOfWork, record: CaseRecord, wf: object) -> list[CaseEvent]:
        days = int(ctx.param("giorni_validita_messaggi_caso") or 180)
        uow.messages.add(record.id, WITHDRAWAL_MESSAGE, notice, now, actor.username, now + dt.timedelta(days=days))
        uow.registry.log(now, actor.username, "withdrawal_notified", notice, protocol_id=protocol_id)
        return [
            event(record, now, actor, EventKind.MESSAGE_SENT, data={"message": WITHDRAWAL_MESSAGE, "payload": notice})
        ]

    on_running_case(ctx, current.lifecycle_case_id, actor, send)
    with ctx.uow(write=False) as uow:
        return uow.registry.protocol(protocol_id)


def dependent_cases(ctx: Context, actor: Actor, protocol_id: int) -> list[int]:
    """The running cases whose team names a party of the protocol (what a lapse would flag)."""
    with ctx.uow(write=False) as uow:
        found = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(found.territory))
        parties = [p.organisation_id for p in found.parties]
        return sorted({c for c, _o, _r in uow.registry.dependent_cases(found.territory, parties)})


def set_status(
    ctx: Context, actor: Actor, protocol_id: int, status: str, data: dict[str, Any] | None = None
) -> PartnerProtocol:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        current = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
        found = move_protocol(uow, current, status, actor, now, data)
        uow.commit()
    return found


def move_protocol(
    uow: AbstractUnitOfWork,
    current: PartnerProtocol,
    status: str,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> PartnerProtocol:
    """Move a protocol to ``status`` inside the caller's transaction, logged."""
    _move(current, status)
    uow.registry.update_protocol(current.id, {"status": status, "updated_at": now, **(values or {})})
    uow.registry.log(
        now,
        actor.username,
        "protocol_status",
        {"from": current.status, "to": status, **(values or {}), **(data or {})},
        protocol_id=current.id,
    )
    return uow.registry.protocol(current.id)


def _move(current: PartnerProtocol, status: str) -> None:
    if status not in STATUSES:
        raise errors.InvalidData("unknown status", {"status": ["Stato sconosciuto."]})
    if status not in TRANSITIONS[current.status]:
        raise errors.RegistryConflict(
            f"protocol {current.id} cannot go from {current.status} to {status}",
            {"status": [f"Un protocollo «{STATUSES[current.status]}» non può diventare «{STATUSES[status]}»."]},
        )


def add_document(
    ctx: Context, actor: Actor, protocol_id: int, name: str, media_type: str, content: bytes
) -> ProtocolDocument:
    """Store a document of the protocol, stamped with its SHA-256 (also written to the log)."""
    problems: dict[str, list[str]] = {}
    clean_name = name.strip().replace("/", "_").replace("\\", "_")[:200]
    if not clean_name:
        problems["name"] = [_REQUIRED]
    if not content:
        problems["content"] = ["Il documento è vuoto."]
    elif len(content) > MAX_DOCUMENT_BYTES:
        problems["content"] = ["Il documento supera i 10 MB."]
    if problems:
        raise errors.InvalidData("invalid document", problems)
    digest = hashlib.sha256(content).hexdigest()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        current = uow.registry.protocol(protocol_id)
        require(actor, Permission.REGISTRY_MANAGE, Target(current.territory))
        values = {
            "protocol_id": protocol_id,
            "name": clean_name,
            "media_type": (media_type or "application/octet-stream")[:100],
            "sha256": digest,
            "size": len(content),
            "uploaded_at": now,
            "uploaded_by": actor.username,
        }
        document_id = uow.registry.add_document({**values, "content": content})
        uow.registry.log(
            now,
            actor.username,
            "document_added",
            {"document_id": document_id, "name": clean_name, "sha256": digest, "size": len(content)},
            protocol_id=protocol_id,
        )
        uow.commit()
    return ProtocolDocument(
        id=document_id,
        protocol_id=protocol_id,
        name=clean_name,
        media_type=str(values["media_type"]),
        sha256=digest,
        size=len(content),
        uploaded_at=now,
        uploaded_by=actor.username,
    )


def document(ctx: Context, actor: Actor, protocol_id: int, document_id: int) -> tuple[ProtocolDocument, bytes]:
    """A stored document: for whoever keeps the registry there, and for the members of its parties
    (the territory's other readers see that it exists and its hash, not its text)."""
    with ctx.uow(write=False) as uow:
        current = uow.registry.protocol(protocol_id)
        _require_read(actor, [current.territory])
        if not allows(actor, Permission.REGISTRY_MANAGE, Target(current.territory)):
            member_of = set(uow.teams.organisations_of(actor.username))
            if not member_of & {p.organisation_id for p in current.parties}:
                raise errors.Forbidden(f"{actor.username} is not a member of a party to protocol {protocol_id}")
        return uow.registry.document_content(protocol_id, document_id)


def protocol(ctx: Context, actor: Actor, protocol_id: int) -> PartnerProtocol:
    with ctx.uow(write=False) as uow:
        found = uow.registry.protocol(protocol_id)
        _require_read(actor, [found.territory])
        return found


def organisation_history(ctx: Context, actor: Actor, code: str) -> list[RegistryEvent]:
    """The registry log of one organisation (its registration, changes, members, the protocols it
    leads), oldest first: read by whoever reads the registry in a territory it serves."""
    with ctx.uow(write=False) as uow:
        found = uow.registry.organisation(code)
        _require_read(actor, list(found.territories))
        return uow.registry.events(organisation_id=found.id)


def history(ctx: Context, actor: Actor, protocol_id: int) -> list[RegistryEvent]:
    with ctx.uow(write=False) as uow:
        found = uow.registry.protocol(protocol_id)
        _require_read(actor, [found.territory])
        return uow.registry.events(protocol_id=protocol_id)


def protocols(
    ctx: Context,
    actor: Actor,
    *,
    territory: str | None = None,
    active: bool = False,
    expiring_within_days: int | None = None,
    status: str | None = None,
    organisation: str | None = None,
) -> list[PartnerProtocol]:
    """Protocols the actor may read; ``active``: in force today."""
    today = ctx.clock.now().date()
    by = (today + dt.timedelta(days=expiring_within_days)).isoformat() if expiring_within_days is not None else None
    statuses = sorted(IN_FORCE) if active else ([status] if status else None)
    with ctx.uow(write=False) as uow:
        organisation_id = None
        if organisation:
            organisation_id = uow.registry.organisation_id(organisation)
            if organisation_id is None:
                return []
        return uow.registry.protocols(
            territory,
            today.isoformat() if active else None,
            by,
            territories=readable_territories(actor),
            statuses=statuses,
            organisation_id=organisation_id,
        )
