"""Enterprises (track B): a social or community enterprise is a record and a case of its own.

Creating an enterprise starts a case of the ``impresa`` process (costituzione → iscrizioni →
assunzioni → quarterly quota checks, mentoring, KPIs → follow-up) and writes its record in the
same transaction. The record holds the legal form, partita IVA (checked digit included), ATECO
code, seat and registrations; its links name the beneficiary cases that found it or work in it,
the founders and community members who are not beneficiaries, and the mentoring company from
the registry of organisations.

Every command is recorded on the enterprise's case (``enterprise_changed``). A change of the
roster (a hire, a worker leaving, a link removed) also sends the case the message
``organico_variato`` carrying the whole roster as the quota engine reads it (per head: category,
PA evidence, hire and leaving dates), so the diagram checks the quota at once, as it does every
quarter. Linking a beneficiary sends the person's case ``impresa_collegata``; removing the link
withdraws that message if the case has not received it yet, and otherwise sends
``impresa_scollegata`` (the path's coordinator checks what follows).

An enterprise founded from a beneficiary's path (``create(…, founder_case_id=…)``) runs the
track-B design in its own case, once for all its founders (idea, feasibility, legal form, business
plan checked against the quota, validation, statute); the linked paths wait for its milestones
(``engine.services.enterprise_milestones``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from stdnum.it import iva

from engine import errors
from engine.bpmn.runner import json_safe
from engine.model import (
    ENTERPRISE_CATEGORIES,
    ENTERPRISE_CONTRACTS,
    ENTERPRISE_LEGAL_FORMS,
    ENTERPRISE_REGISTRIES,
    ENTERPRISE_ROLES,
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    CaseView,
    Enterprise,
    EnterpriseLink,
    EventKind,
)
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services import cases, enterprise_milestones
from engine.services.case_sync import append_events, event, on_running_case
from engine.services.context import Context
from engine.services.teams import reroute_open_tasks

PROCESS_ID = "impresa"
ROSTER_MESSAGE = "organico_variato"
# Sent to a beneficiary's case when it founds or joins an enterprise: its track B waits for it.
LINK_MESSAGE = "impresa_collegata"
# sent to the person's case when their link is removed (caught by percorso_beneficiario)
UNLINK_MESSAGE = "impresa_scollegata"
# The link may come long before the person's path reaches implementation (design takes months).
LINK_MESSAGE_DAYS = 730
LEGAL_FORMS = ENTERPRISE_LEGAL_FORMS
# The name must state the enterprise's qualification (L. 381/1991 art. 1; D.Lgs. 112/2017 art. 6).
NAME_MUST_CONTAIN = {
    "COOP_SOCIALE_B": "cooperativa sociale",
    "IMPRESA_SOCIALE_SRL": "impresa sociale",
    "IMPRESA_SOCIALE_COOP": "impresa sociale",
    "COOP_COMUNITA": "cooperativa",
}
ROLES = ENTERPRISE_ROLES
FOUNDERS = frozenset({"FONDATORE", "SOCIO_LAVORATORE"})
WORKERS = frozenset({"LAVORATORE", "SOCIO_LAVORATORE"})
# What a beneficiary case may be in an enterprise; the others are people outside the programme.
BENEFICIARY_ROLES = FOUNDERS | WORKERS
# The categories the quota engine counts (L. 381 art. 4; D.Lgs. 112 art. 2 c.4 lett. a and b).
CATEGORIES = frozenset(ENTERPRISE_CATEGORIES)
REGISTRIES = ENTERPRISE_REGISTRIES
# ATECO 2007/2025: two digits for the division, then up to two more pairs (88, 88.10, 88.10.00).
_ATECO = re.compile(r"^\d{2}(\.\d{1,2}(\.\d{1,2})?)?$")


# -- enterprise record ---------------------------------------------------------------------------


def create(
    ctx: Context,
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
    """A new enterprise and the case of its own process, in one transaction. Founded from a
    beneficiary's path (``founder_case_id``, linked as founder in the same transaction), the case
    first runs the track-B design; otherwise the enterprise was designed elsewhere and its case
    starts at the incorporation."""
    problems: dict[str, list[str]] = {}
    denominazione, sede, regione = denominazione.strip(), sede.strip(), regione.strip()
    if forma_giuridica not in LEGAL_FORMS:
        problems["forma_giuridica"] = [f"Forma giuridica sconosciuta; ammesse: {', '.join(LEGAL_FORMS.values())}."]
    if not denominazione:
        problems["denominazione"] = ["Campo obbligatorio."]
    elif forma_giuridica in NAME_MUST_CONTAIN and NAME_MUST_CONTAIN[forma_giuridica] not in denominazione.lower():
        problems["denominazione"] = [f"La denominazione deve contenere «{NAME_MUST_CONTAIN[forma_giuridica]}»."]
    for name, value in (("sede", sede), ("regione", regione), ("territorio", territory.strip())):
        if not value:
            problems[name] = ["Campo obbligatorio."]
    piva = _partita_iva(partita_iva, problems)
    ateco = _ateco(codice_ateco, problems)
    if problems:
        raise errors.InvalidData("invalid enterprise", problems)
    require(actor, Permission.ENTERPRISE_MANAGE, Target(territory))
    if founder_case_id is not None:
        _check_founding_path(ctx, founder_case_id)
    now = ctx.clock.now()
    record_values: dict[str, Any] = {
        "territory": territory,
        "denominazione": denominazione,
        "forma_giuridica": forma_giuridica,
        "regione": regione,
        "sede": sede,
        "partita_iva": piva,
        "codice_ateco": ateco,
        "iscrizioni": [],
        "created_at": now,
        "created_by": actor.username,
    }
    created: list[int] = []

    def write_record(uow: AbstractUnitOfWork, record: CaseRecord) -> None:
        if piva and uow.enterprises.by_partita_iva(piva) is not None:
            raise errors.InvalidData("duplicate VAT number", {"partita_iva": ["Partita IVA già registrata."]})
        created.append(uow.enterprises.add({**record_values, "case_id": record.id}))
        data = {k: v for k, v in record_values.items() if k not in {"created_at", "created_by", "territory"}}
        changes = [event(record, now, actor, EventKind.ENTERPRISE_CHANGED, data=data)]
        if founder_case_id is not None:
            found = _with_links(uow, uow.enterprises.get(created[0]))
            _check_beneficiary(uow, found, [], founder_case_id, "FONDATORE")
            link_id = uow.enterprises.add_link(_link_values(found.id, "FONDATORE", founder_case_id, now, actor))
            change = {"legame": link_id, "ruolo": "FONDATORE", "caso": founder_case_id, "fondazione": True}
            changes.append(event(record, now, actor, EventKind.ENTERPRISE_CHANGED, data=change))
            _tell_beneficiary(ctx, uow, found, founder_case_id, "FONDATORE", None, actor, record.data)
        append_events(uow, record, changes)

    start_data = {
        "territorio": territory,
        "titolo": denominazione,
        "denominazione": denominazione,
        "forma_giuridica": forma_giuridica,
        "regione": regione,
        "organico": [],
        "progettazione_impresa": founder_case_id is not None,
    }
    cases.start_case(ctx, PROCESS_ID, start_data, actor, territory=territory, then=write_record)
    return get(ctx, created[0], actor=actor)


def get(ctx: Context, enterprise_id: int, *, actor: Actor) -> Enterprise:
    with ctx.uow(write=False) as uow:
        found = uow.enterprises.get(enterprise_id)
        require(actor, Permission.ENTERPRISE_READ, Target(found.territory))
        return _with_links(uow, found)


def of_case(ctx: Context, case_id: int, *, actor: Actor) -> Enterprise | None:
    """The enterprise whose own case is ``case_id`` (None for any other case)."""
    with ctx.uow(write=False) as uow:
        found = uow.enterprises.of_case(case_id)
        if found is None:
            return None
        require(actor, Permission.ENTERPRISE_READ, Target(found.territory))
        return _with_links(uow, found)


def of_beneficiary(ctx: Context, case_id: int, *, actor: Actor) -> list[tuple[Enterprise, EnterpriseLink]]:
    """The enterprises a beneficiary case founded or works in, with the link."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.ENTERPRISE_READ, Target(record.territory))
        return uow.enterprises.links_of_case(case_id)


def all_of(ctx: Context, *, actor: Actor, territory: str | None = None) -> list[Enterprise]:
    with ctx.uow(write=False) as uow:
        found = uow.enterprises.all(frozenset({territory}) if territory else None)
    return [e for e in found if allows(actor, Permission.ENTERPRISE_READ, Target(e.territory))]


def update_details(
    ctx: Context,
    enterprise_id: int,
    *,
    actor: Actor,
    partita_iva: str | None = None,
    codice_ateco: str | None = None,
    sede: str | None = None,
) -> Enterprise:
    """Set the partita IVA, ATECO code or seat once known (after the registrations)."""
    problems: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if partita_iva is not None:
        changes["partita_iva"] = _partita_iva(partita_iva, problems)
    if codice_ateco is not None:
        changes["codice_ateco"] = _ateco(codice_ateco, problems)
    if sede is not None:
        if not sede.strip():
            problems["sede"] = ["Campo obbligatorio."]
        changes["sede"] = sede.strip()
    if problems:
        raise errors.InvalidData("invalid enterprise details", problems)

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        piva = changes.get("partita_iva")
        if piva:
            other = uow.enterprises.by_partita_iva(piva)
            if other is not None and other.id != found.id:
                raise errors.InvalidData("duplicate VAT number", {"partita_iva": ["Partita IVA già registrata."]})
        uow.enterprises.update(found.id, changes)
        return [event(record, ctx.clock.now(), actor, EventKind.ENTERPRISE_CHANGED, data=changes)]

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


def add_registration(
    ctx: Context, enterprise_id: int, registro: str, numero: str, data: str, *, actor: Actor
) -> Enterprise:
    """Record a registration (registro imprese, albo cooperative, albo regionale, RUNTS)."""
    problems: dict[str, list[str]] = {}
    if registro not in REGISTRIES:
        problems["registro"] = [f"Registro sconosciuto; ammessi: {', '.join(REGISTRIES.values())}."]
    if not numero.strip():
        problems["numero"] = ["Campo obbligatorio."]
    day = _day(data, "data", problems)
    if day and day > ctx.clock.now().date():
        problems["data"] = ["La data di iscrizione non può essere futura."]
    if problems:
        raise errors.InvalidData("invalid registration", problems)
    entry = {"registro": registro, "numero": numero.strip(), "data": data}

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        if any(r.registro == registro for r in found.iscrizioni):
            raise errors.InvalidData("already registered", {"registro": ["Iscrizione già registrata."]})
        iscrizioni = [r.__dict__ for r in found.iscrizioni] + [entry]
        uow.enterprises.update(found.id, {"iscrizioni": iscrizioni})
        return [event(record, ctx.clock.now(), actor, EventKind.ENTERPRISE_CHANGED, data={"iscrizione": entry})]

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


# -- links and roster ----------------------------------------------------------------------------


def link(
    ctx: Context,
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
    """Link a beneficiary case, an organisation or a named person to the enterprise in a role.

    Workers (``LAVORATORE``, ``SOCIO_LAVORATORE``) need a hire date, not in the future; their
    categories and PA evidence are what the quota engine counts."""
    problems: dict[str, list[str]] = {}
    categories = sorted(set(categorie))
    nominativo = (nominativo or "").strip() or None
    if ruolo not in ROLES:
        problems["ruolo"] = [f"Ruolo sconosciuto; ammessi: {', '.join(ROLES.values())}."]
    named = [x for x in (case_id, organisation, nominativo) if x is not None]
    if len(named) != 1:
        problems["case_id"] = ["Indicare un percorso, un'organizzazione oppure un nominativo (uno solo)."]
    if organisation is not None and ruolo != "IMPRESA_MENTOR":
        problems["organisation"] = ["Un'organizzazione può essere solo l'impresa mentor."]
    if ruolo == "IMPRESA_MENTOR" and organisation is None:
        problems["organisation"] = ["L'impresa mentor si sceglie dal registro delle organizzazioni."]
    if case_id is not None and ruolo in ROLES and ruolo not in BENEFICIARY_ROLES:
        problems["ruolo"] = ["Un beneficiario può essere socio fondatore o lavoratore."]
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        problems["categorie"] = [f"Categorie sconosciute: {', '.join(unknown)}."]
    today = ctx.clock.now().date()
    if ruolo in WORKERS:
        hired = _day(data_assunzione, "data_assunzione", problems)
        if hired and hired > today:
            problems["data_assunzione"] = ["La data di assunzione non può essere futura."]
    elif data_assunzione:
        problems["data_assunzione"] = ["Solo i lavoratori hanno una data di assunzione."]
    if categories and ruolo not in WORKERS:
        problems["categorie"] = ["Le categorie di svantaggio si indicano per i lavoratori."]
    if problems:
        raise errors.InvalidData("invalid enterprise link", problems)

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        current = uow.enterprises.links(found.id)
        organisation_id = None
        if organisation is not None:
            org = uow.registry.organisation(organisation)
            if org.kind != "impresa_mentor":
                raise errors.InvalidData("not a mentor", {"organisation": [f"«{org.name}» non è un'impresa mentor."]})
            if not org.serves(found.territory):
                raise errors.InvalidData(
                    "other territory", {"organisation": ["L'organizzazione è di un altro territorio."]}
                )
            if any(lk.ruolo == "IMPRESA_MENTOR" for lk in current):
                raise errors.InvalidData("one mentor", {"organisation": ["L'impresa ha già un'impresa mentor."]})
            organisation_id = org.id
            # the mentor's tutors work the enterprise's mentoring tasks through the case team
            uow.teams.add(record.id, "ospitante", organisation_id=org.id, at=ctx.clock.now(), by=actor.username)
            reroute_open_tasks(uow, record)
        if case_id is not None:
            _check_beneficiary(uow, found, current, case_id, ruolo)
        if nominativo is not None and ruolo in WORKERS and _on_roster(current, nominativo=nominativo):
            raise errors.InvalidData("double count", {"nominativo": ["La persona è già nell'organico dell'impresa."]})
        values = {
            "impresa_id": found.id,
            "ruolo": ruolo,
            "case_id": case_id,
            "organisation_id": organisation_id,
            "nominativo": nominativo,
            "categorie": categories,
            "evidenza_pa": bool(evidenza_pa),
            "data_assunzione": data_assunzione if ruolo in WORKERS else None,
            "data_cessazione": None,
            "volontario": bool(volontario),
            "added_at": ctx.clock.now(),
            "added_by": actor.username,
        }
        link_id = uow.enterprises.add_link(values)
        change = {
            "legame": link_id,
            "ruolo": ruolo,
            "caso": case_id,
            "organizzazione": organisation,
            "nominativo": nominativo,
            "categorie": categories,
            "evidenza_pa": bool(evidenza_pa),
            "data_assunzione": values["data_assunzione"],
            "volontario": bool(volontario),
        }
        if case_id is not None:
            hired = data_assunzione if ruolo in WORKERS else None
            _tell_beneficiary(ctx, uow, found, case_id, ruolo, hired, actor, record.data)
        return _changed(ctx, uow, found, record, actor, change, roster_changed=ruolo in WORKERS)

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


def hire_founder(
    ctx: Context,
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
    """A founder from the programme (a beneficiary's path) is hired by the enterprise: the founder
    becomes a founding member who works in it (``SOCIO_LAVORATORE``) from the hire date, joins the
    roster (the quota is checked at once), and the hire is recorded on the enterprise's case and
    on the person's (``enterprise_changed`` with ``fondatore_assunto``): the milestone both pages
    show and the programme's report counts. The UniLav start notice is due by the day before."""
    problems: dict[str, list[str]] = {}
    categories = sorted(set(categorie))
    hired = _day(data_assunzione, "data_assunzione", problems)
    if hired and hired > ctx.clock.now().date():
        problems["data_assunzione"] = ["La data di assunzione non può essere futura."]
    if tipo_contratto not in ENTERPRISE_CONTRACTS:
        problems["tipo_contratto"] = [f"Tipo di contratto: scegliere tra {', '.join(ENTERPRISE_CONTRACTS.values())}."]
    notice = _day(data_comunicazione, "data_comunicazione", problems)
    if hired and notice and notice >= hired:
        problems["data_comunicazione"] = [
            "La comunicazione obbligatoria (UniLav) va inviata entro il giorno precedente l'assunzione."
        ]
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        problems["categorie"] = [f"Categorie sconosciute: {', '.join(unknown)}."]
    if problems:
        raise errors.InvalidData("invalid founder hire", problems)

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        target = _link_of(uow, found, link_id)
        if target.case_id is None or target.ruolo != "FONDATORE":
            raise errors.InvalidData(
                "not a founder", {"legame": ["Si registra così l'assunzione di un socio fondatore del programma."]}
            )
        values = {
            "ruolo": "SOCIO_LAVORATORE",
            "data_assunzione": data_assunzione,
            "categorie": categories,
            "evidenza_pa": bool(evidenza_pa),
        }
        uow.enterprises.update_link(link_id, values)
        change = {
            "legame": link_id,
            "caso": target.case_id,
            "fondatore_assunto": True,
            "data_assunzione": data_assunzione,
            "tipo_contratto": tipo_contratto,
            "data_comunicazione": data_comunicazione,
            "categorie": categories,
            "evidenza_pa": bool(evidenza_pa),
        }
        person = uow.cases.get(target.case_id)
        if person.status is CaseStatus.RUNNING:  # the person's own chain keeps the milestone too
            told = {
                "fondatore_assunto": True,
                "impresa_id": found.id,
                "impresa_caso_id": found.case_id,
                "denominazione": found.denominazione,
                "data_assunzione": data_assunzione,
                "tipo_contratto": tipo_contratto,
            }
            append_events(uow, person, [event(person, ctx.clock.now(), actor, EventKind.ENTERPRISE_CHANGED, data=told)])
        return _changed(ctx, uow, found, record, actor, change, roster_changed=True)

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


def end_employment(ctx: Context, enterprise_id: int, link_id: int, data_cessazione: str, *, actor: Actor) -> Enterprise:
    """A worker leaves: the link stays (history, follow-up) with its leaving date."""
    problems: dict[str, list[str]] = {}
    left = _day(data_cessazione, "data_cessazione", problems)
    if left and left > ctx.clock.now().date():
        problems["data_cessazione"] = ["La data di cessazione non può essere futura."]
    if problems:
        raise errors.InvalidData("invalid leaving date", problems)

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        target = _link_of(uow, found, link_id)
        if target.data_assunzione is None or target.data_cessazione is not None:
            raise errors.InvalidData("not employed", {"data_cessazione": ["Non è un lavoratore in organico."]})
        if left and left < dt.date.fromisoformat(target.data_assunzione):
            raise errors.InvalidData(
                "before hiring", {"data_cessazione": ["La cessazione non può precedere l'assunzione."]}
            )
        uow.enterprises.update_link(link_id, {"data_cessazione": data_cessazione})
        change = {"legame": link_id, "data_cessazione": data_cessazione}
        return _changed(ctx, uow, found, record, actor, change, roster_changed=True)

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


def unlink(ctx: Context, enterprise_id: int, link_id: int, *, actor: Actor) -> Enterprise:
    """Remove a link entered by mistake (a worker who left keeps the link: ``end_employment``)."""

    def act(uow: AbstractUnitOfWork, found: Enterprise, record: CaseRecord) -> list[CaseEvent]:
        target = _link_of(uow, found, link_id)
        uow.enterprises.end_link(link_id, ctx.clock.now())
        change = {"legame": link_id, "rimosso": True, "ruolo": target.ruolo}
        if target.case_id is not None:
            _tell_beneficiary_removed(ctx, uow, found, target.case_id, target.ruolo, actor)
        return _changed(ctx, uow, found, record, actor, change, roster_changed=target.in_organico)

    _command(ctx, enterprise_id, actor, act)
    return get(ctx, enterprise_id, actor=actor)


def roster(links: Iterable[EnterpriseLink]) -> list[dict[str, Any]]:
    """The roster as the diagram's quota check reads it (``fn_verifica_quota``): one entry per
    worker link, no names (a link number stands for the person)."""
    return [
        {
            "persona": f"L{lk.id}" if lk.case_id is None else f"C{lk.case_id}",
            "data_assunzione": lk.data_assunzione,
            "data_cessazione": lk.data_cessazione,
            "categorie": list(lk.categorie),
            "evidenza_pa": lk.evidenza_pa,
            "volontario": lk.volontario,
        }
        for lk in links
        if lk.in_organico
    ]


# -- internals -----------------------------------------------------------------------------------


Action = Callable[[AbstractUnitOfWork, Enterprise, CaseRecord], list[CaseEvent]]


def _command(ctx: Context, enterprise_id: int, actor: Actor, act: Action) -> CaseView:
    """One command on the enterprise: authorised, recorded on its case, one transaction."""
    with ctx.uow(write=False) as uow:
        case_id = uow.enterprises.get(enterprise_id).case_id

    def on_case(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        found = uow.enterprises.get(enterprise_id)
        require(actor, Permission.ENTERPRISE_MANAGE, Target(found.territory))
        found = _with_links(uow, found)
        return act(uow, found, record)

    return on_running_case(ctx, case_id, actor, on_case)


def _changed(
    ctx: Context,
    uow: AbstractUnitOfWork,
    found: Enterprise,
    record: CaseRecord,
    actor: Actor,
    change: dict[str, Any],
    *,
    roster_changed: bool,
) -> list[CaseEvent]:
    now = ctx.clock.now()
    events = [event(record, now, actor, EventKind.ENTERPRISE_CHANGED, data=json_safe(change))]
    if not roster_changed:
        return events
    payload = {"organico": roster(uow.enterprises.links(found.id)), "motivo": _reason(change)}
    days = int(ctx.param("giorni_validita_messaggi_caso") or 180)
    # Each message carries the whole roster: one still waiting (the case was busy with a task) is
    # out of date, and checking it would raise plans for a roster that no longer exists.
    uow.messages.supersede(record.id, ROSTER_MESSAGE)
    uow.messages.add(record.id, ROSTER_MESSAGE, payload, now, actor.username, now + dt.timedelta(days=days))
    # the message first: replay fires the timers already due before a message command, as live
    sent = event(record, now, actor, EventKind.MESSAGE_SENT, data={"message": ROSTER_MESSAGE, "payload": payload})
    return [sent, *events]


def _tell_beneficiary(
    ctx: Context,
    uow: AbstractUnitOfWork,
    found: Enterprise,
    case_id: int,
    ruolo: str,
    hired: str | None,
    actor: Actor,
    enterprise_data: dict[str, Any],
) -> None:
    """Store ``impresa_collegata`` for the beneficiary's case (delivered when its track B waits for
    it), recorded on that case's own chain in the same transaction, followed by every milestone the
    enterprise's case (its data: ``enterprise_data``) has already reached."""
    other = uow.cases.get(case_id)
    if other.status is not CaseStatus.RUNNING:
        return
    now = ctx.clock.now()
    payload = {
        "impresa_id": found.id,
        "impresa_caso_id": found.case_id,
        "denominazione": found.denominazione,
        "forma_giuridica": found.forma_giuridica,
        "ruolo": ruolo,
        "data_assunzione": hired,
    }
    uow.messages.add(case_id, LINK_MESSAGE, payload, now, actor.username, now + dt.timedelta(days=LINK_MESSAGE_DAYS))
    sent = event(other, now, actor, EventKind.MESSAGE_SENT, data={"message": LINK_MESSAGE, "payload": payload})
    append_events(uow, other, [sent])
    for name, extra in enterprise_milestones.reached(enterprise_data):
        enterprise_milestones.tell(ctx, uow, case_id, name, enterprise_milestones.payload(found, extra), actor, now)


def _tell_beneficiary_removed(
    ctx: Context, uow: AbstractUnitOfWork, found: Enterprise, case_id: int, ruolo: str, actor: Actor
) -> None:
    """The person's case learns that the link is gone: a link it never received is withdrawn
    (superseded); one it did receive is answered by ``impresa_scollegata``, which gives the
    coordinator of the person's path the check of what follows. Recorded on that case's chain."""
    other = uow.cases.get(case_id)
    if other.status is not CaseStatus.RUNNING:
        return
    now = ctx.clock.now()
    for name in enterprise_milestones.MESSAGES:  # the enterprise's steps no longer concern the person
        uow.messages.supersede(case_id, name)
    if uow.messages.supersede(case_id, LINK_MESSAGE):
        data: dict[str, Any] = {"message": LINK_MESSAGE, "withdrawn": True, "impresa_id": found.id}
    else:
        payload = {
            "impresa_id": found.id,
            "impresa_caso_id": found.case_id,
            "denominazione": found.denominazione,
            "ruolo": ruolo,
            "data": now.date().isoformat(),
        }
        expires = now + dt.timedelta(days=LINK_MESSAGE_DAYS)
        uow.messages.add(case_id, UNLINK_MESSAGE, payload, now, actor.username, expires)
        data = {"message": UNLINK_MESSAGE, "payload": payload}
    append_events(uow, other, [event(other, now, actor, EventKind.MESSAGE_SENT, data=data)])


def _link_values(enterprise_id: int, ruolo: str, case_id: int, now: dt.datetime, actor: Actor) -> dict[str, Any]:
    """A beneficiary case's link that is not (yet) a worker's: no hire date, no categories."""
    return {
        "impresa_id": enterprise_id,
        "ruolo": ruolo,
        "case_id": case_id,
        "organisation_id": None,
        "nominativo": None,
        "categorie": [],
        "evidenza_pa": False,
        "data_assunzione": None,
        "data_cessazione": None,
        "volontario": False,
        "added_at": now,
        "added_by": actor.username,
    }


def _reason(change: dict[str, Any]) -> str:
    if change.get("rimosso"):
        return "RIMOZIONE"
    if change.get("data_cessazione"):
        return "CESSAZIONE"
    return "ASSUNZIONE"


def _check_founding_path(ctx: Context, case_id: int) -> None:
    """An enterprise is founded from a running beneficiary's path on track B (the start-up) that
    is not yet linked to an enterprise: the design it starts is that path's."""

    def refused(message: str) -> errors.InvalidData:
        return errors.InvalidData("not a founding path", {"case_id": [message]})

    with ctx.uow(write=False) as uow:
        try:
            record = uow.cases.get(case_id)
        except errors.NotFound:
            raise refused(f"Il caso n. {case_id} non esiste.") from None
        if uow.enterprises.of_case(case_id) is not None:
            raise refused("Il caso indicato è quello di un'impresa, non il percorso di una persona.")
        if record.status is not CaseStatus.RUNNING:
            raise refused(f"Il percorso n. {case_id} è concluso: non può fondare un'impresa.")
        if record.data.get("traccia") != "B":
            raise refused(
                f"Il percorso n. {case_id} non è sul percorso B (avvio d'impresa): la valutazione non lo ha "
                "indirizzato all'impresa."
            )
        linked = uow.enterprises.links_of_case(case_id)
    if linked:
        raise refused(f"Il percorso n. {case_id} è già collegato all'impresa «{linked[0][0].denominazione}».")


def _check_beneficiary(
    uow: AbstractUnitOfWork, found: Enterprise, current: list[EnterpriseLink], case_id: int, ruolo: str
) -> None:
    other = uow.cases.get(case_id)
    if other.territory != found.territory:
        raise errors.InvalidData("other territory", {"case_id": ["Il percorso è di un altro territorio."]})
    if uow.enterprises.of_case(case_id) is not None:
        raise errors.InvalidData("not a beneficiary", {"case_id": ["Il caso indicato è quello di un'impresa."]})
    mine = [lk for lk in current if lk.case_id == case_id]
    if ruolo in WORKERS and any(lk.ruolo == "FONDATORE" for lk in mine):
        raise errors.InvalidData(
            "founder hired",
            {"ruolo": ["La persona è socia fondatrice dell'impresa: registra la sua assunzione come socio fondatore."]},
        )
    if ruolo in WORKERS and any(lk.in_organico and lk.data_cessazione is None for lk in mine):
        raise errors.InvalidData("double count", {"case_id": ["La persona è già nell'organico dell'impresa."]})
    # a worker who left may be hired again (a new link with its own dates); a founder stays one
    standing = [lk for lk in mine if lk.data_cessazione is None or lk.ruolo in FOUNDERS]
    if any(lk.ruolo == ruolo or (ruolo in FOUNDERS and lk.ruolo in FOUNDERS) for lk in standing):
        raise errors.InvalidData("already linked", {"ruolo": ["La persona ha già questo ruolo nell'impresa."]})
    if ruolo in FOUNDERS:
        for enterprise, lk in uow.enterprises.links_of_case(case_id):
            if enterprise.id != found.id and lk.ruolo in FOUNDERS:
                raise errors.InvalidData(
                    "founder elsewhere",
                    {"ruolo": [f"La persona è già socia fondatrice di «{enterprise.denominazione}»."]},
                )


def _on_roster(current: list[EnterpriseLink], *, nominativo: str) -> bool:
    return any(
        lk.nominativo and lk.nominativo.lower() == nominativo.lower() and lk.in_organico and lk.data_cessazione is None
        for lk in current
    )


def _link_of(uow: AbstractUnitOfWork, found: Enterprise, link_id: int) -> EnterpriseLink:
    for lk in found.links:
        if lk.id == link_id:
            return lk
    raise errors.NotFound(f"link {link_id} not found in enterprise {found.id}")


def _with_links(uow: AbstractUnitOfWork, found: Enterprise) -> Enterprise:
    return dataclasses.replace(found, links=tuple(uow.enterprises.links(found.id)))


def _partita_iva(value: str | None, problems: dict[str, list[str]]) -> str | None:
    if value is None or not value.strip():
        return None
    compact = iva.compact(value)
    if not iva.is_valid(compact):
        problems["partita_iva"] = ["Partita IVA non valida: 11 cifre con la cifra di controllo corretta."]
        return None
    return str(compact)


def _ateco(value: str | None, problems: dict[str, list[str]]) -> str | None:
    if value is None or not value.strip():
        return None
    if not _ATECO.match(value.strip()):
        problems["codice_ateco"] = ["Codice ATECO non valido (es. 88.10.00)."]
        return None
    return value.strip()


def _day(value: str | None, name: str, problems: dict[str, list[str]]) -> dt.date | None:
    if not value:
        problems[name] = ["Campo obbligatorio."]
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems[name] = ["Data non valida (formato AAAA-MM-GG)."]
        return None
