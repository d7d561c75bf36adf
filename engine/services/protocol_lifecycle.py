"""A protocol in force is watched by a case of the lifecycle process (``scadenza_protocollo``):
its timers open the renewal at expiry minus notice, remind the coordinator, and let the protocol
lapse; a party's withdrawal reaches it as the message ``recesso_protocollo`` and takes effect on
its date. The diagram says where the protocol stands in the variable ``stato_protocollo``;
``sync`` brings the registry in line after every command on such a case, in the same transaction:

- ``attivo`` again after a renewal: the new expiry is recorded; running cases are not touched;
- ``scaduto``: nothing is deleted; the running cases whose team names a party get a
  ``protocol_changed`` event and are listed to the coordinator; no new case is shared with a
  party that has no protocol in force there (``engine.services.teams``);
- ``receduto``: the withdrawing party leaves the teams of the territory's running cases and the
  substitute takes its place, so their open tasks move to the substitute.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import errors
from engine.model import Actor, CaseRecord, EventKind, PartnerProtocol, json_array
from engine.ports import AbstractUnitOfWork
from engine.services.case_sync import PROTOCOL_LIFECYCLE, append_events, event
from engine.services.registry import TRANSITIONS, WITHDRAWAL_MESSAGE, move_protocol
from engine.services.teams import reroute_open_tasks

LIFECYCLE_PROCESS = PROTOCOL_LIFECYCLE
__all__ = ["LIFECYCLE_PROCESS", "WITHDRAWAL_MESSAGE", "sync"]


def sync(uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor, now: dt.datetime) -> None:
    """Align the protocol a lifecycle case watches with what the diagram says (see module doc)."""
    target, protocol_id = record.data.get("stato_protocollo"), record.data.get("protocollo_id")
    if not isinstance(protocol_id, int) or not isinstance(target, str) or target not in TRANSITIONS:
        return
    try:
        current = uow.registry.protocol(protocol_id)
    except errors.NotFound:
        return
    values: dict[str, Any] = {}
    expiry = record.data.get("data_scadenza")
    open_ended = bool(record.data.get("senza_scadenza"))
    if target == "attivo" and isinstance(expiry, str) and expiry != current.expires_on and not open_ended:
        values["expires_on"] = expiry  # a renewal: the protocol goes on, the cases with it
    if current.lifecycle_case_id is None:
        values["lifecycle_case_id"] = record.id
    if target == current.status:
        if values:
            uow.registry.update_protocol(current.id, {**values, "updated_at": now})
            uow.registry.log(now, actor.username, "protocol_renewed", values, protocol_id=current.id)
        return
    if target not in TRANSITIONS[current.status]:
        return  # the registry already moved on (e.g. withdrawn while the renewal waited)
    moved = move_protocol(uow, current, target, actor, now, data={"caso": record.id}, values=values)
    if target == "scaduto":
        _flag_dependent_cases(uow, moved, actor, now)
    elif target == "receduto":
        _hand_over(uow, moved, record.data, actor, now)


def _flag_dependent_cases(uow: AbstractUnitOfWork, protocol: PartnerProtocol, actor: Actor, now: dt.datetime) -> None:
    parties = [p.organisation_id for p in protocol.parties]
    flagged = sorted({case_id for case_id, _o, _r in uow.registry.dependent_cases(protocol.territory, parties)})
    for case_id in flagged:
        record = uow.cases.get(case_id)
        record.updated_at = now
        change = {"protocollo": protocol.id, "numero": protocol.number, "stato": protocol.status}
        append_events(uow, record, [event(record, now, actor, EventKind.PROTOCOL_CHANGED, data=change)])
    uow.registry.log(now, actor.username, "dependent_cases_flagged", {"casi": flagged}, protocol_id=protocol.id)


def _hand_over(
    uow: AbstractUnitOfWork, protocol: PartnerProtocol, data: dict[str, Any], actor: Actor, now: dt.datetime
) -> None:
    """The withdrawing party's places in running cases go to the substitute (tasks follow)."""
    leaving = uow.registry.organisation_id(str(data.get("organizzazione_recedente") or ""))
    substitute_code = str(data.get("sostituto") or "")
    substitute = uow.registry.organisation_id(substitute_code) if substitute_code else None
    if leaving is None:
        return
    moved: list[int] = []
    for case_id, _organisation, _relation in uow.registry.dependent_cases(protocol.territory, [leaving]):
        if case_id in moved:
            continue
        record = uow.cases.get(case_id)
        members = [m for m in uow.teams.members(case_id) if m.organisation_id == leaving]
        uow.teams.end([m.id for m in members], now)
        events = []
        for member in members:
            if substitute is not None:
                uow.teams.add(case_id, member.relation, organisation_id=substitute, at=now, by=actor.username)
            change = {
                "relazione": member.relation,
                "organizzazione": member.organisation_code,
                "sostituto": substitute_code or None,
                "motivo": "recesso dal protocollo",
            }
            events.append(event(record, now, actor, EventKind.TEAM_CHANGED, data=change))
        reroute_open_tasks(uow, record)
        record.updated_at = now
        append_events(uow, record, events)
        moved.append(case_id)
    if substitute is not None:
        _substitute_adheres(uow, protocol, leaving, substitute, actor, now)
    uow.registry.log(
        now,
        actor.username,
        "withdrawal_handed_over",
        {"organizzazione": data.get("organizzazione_recedente"), "sostituto": substitute_code or None, "casi": moved},
        protocol_id=protocol.id,
    )


def _substitute_adheres(
    uow: AbstractUnitOfWork, protocol: PartnerProtocol, leaving: int, substitute: int, actor: Actor, now: dt.datetime
) -> None:
    """The substitute adheres to the agreement: a draft with the same terms among the remaining
    parties and the substitute, from the effect date, for the coordinator to have signed (unless
    such a protocol already stands)."""
    parties = [p.organisation_id for p in protocol.parties if p.organisation_id != leaving]
    parties = [substitute, *[p for p in parties if p != substitute]]
    lead = protocol.organisation_id if protocol.organisation_id in parties else substitute
    parties = [lead, *[p for p in parties if p != lead]]
    live = uow.registry.protocols(protocol.territory, statuses=["bozza", "firmato", "attivo", "in_scadenza"])
    if any({x.organisation_id for x in p.parties} == set(parties) for p in live):
        return
    today = now.date().isoformat()
    expires = protocol.expires_on if protocol.expires_on and protocol.expires_on > today else None
    draft_id = uow.registry.add_protocol(
        {
            "organisation_id": lead,
            "kind": protocol.kind,
            "scope": protocol.scope,
            "territory": protocol.territory,
            "status": "bozza",
            "starts_on": today,
            "expires_on": expires,
            "reference": protocol.reference,
            "renewal_clause": protocol.renewal_clause,
            "withdrawal_clause": protocol.withdrawal_clause,
            "withdrawal_notice_days": protocol.withdrawal_notice_days,
            "origin_case_id": protocol.origin_case_id,
            "created_at": now,
            "created_by": actor.username,
        },
        parties[1:],
    )
    uow.registry.log(
        now, actor.username, "substitute_adhesion_drafted", {"sostituisce": protocol.id}, protocol_id=draft_id
    )


# F1's instruments (forms.f1_partenariato.STRUMENTI) as registry kinds
_KINDS = {
    "PROTOCOLLO_INTESA": "protocollo_intesa",
    "ACCORDO_TRA_PA": "accordo_partenariato",
    "MANDATO_ATS_ATI": "accordo_partenariato",
    "CONVENZIONE_CTS": "convenzione",
    "CONVENZIONE_381_68": "convenzione",
}


def from_partnership(uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor, now: dt.datetime) -> int | None:
    """F1 ended with a signed agreement: record it as a signed protocol among the partners that
    adhered and are in the registry (serving the territory), or bring the signed draft between the
    same parties up to date. A protocol already in force is left alone (its renewal is its own
    lifecycle's business). Its signatories are the members each partner named in its internal
    approval. The coordinator puts it in force, which starts its expiry watch.
    Returns the protocol's id, or None when no partner is in the registry."""
    data, territory = record.data, record.territory
    if not territory or not data.get("partenariato_attivo"):
        return None
    left_out = {str(g.get("codice")) for g in json_array(data.get("lacune_partenariato")) if isinstance(g, dict)}
    partners = [
        p for p in json_array(data.get("partner")) if isinstance(p, dict) and str(p.get("codice")) not in left_out
    ]
    known: list[tuple[int, str]] = []  # (organisation id, kind of institution in F1)
    missing: list[str] = []
    for partner in partners:
        code = str(partner.get("codice"))
        found = uow.registry.organisation_id(code)
        if found is None or not uow.registry.organisation_by_id(found).serves(territory):
            missing.append(code)
        elif found not in [k for k, _t in known]:
            known.append((found, str(partner.get("tipo_ente"))))
    if not known:
        uow.registry.log(
            now, actor.username, "partnership_not_registered", {"caso": record.id, "non_registrati": missing}
        )
        return None
    # the social district (Comune/ATS) leads the agreement when it is a party
    known.sort(key=lambda k: k[1] != "COMUNE_ATS")
    party_ids = [k for k, _t in known]
    values: dict[str, Any] = {
        "kind": _KINDS.get(str(data.get("strumento")), "accordo_partenariato"),
        "scope": str(data.get("oggetto") or "Accordo di partenariato del territorio"),
        "number": str(data.get("numero_protocollo") or ""),
        "signed_on": data.get("data_firma"),
        "starts_on": str(data.get("data_decorrenza") or now.date().isoformat()),
        "expires_on": data.get("data_scadenza"),
        "withdrawal_clause": "Prevista dall'accordo" if data.get("clausola_recesso") else "",
        "origin_case_id": record.id,
    }
    same = [
        p
        for p in uow.registry.protocols(territory, statuses=["bozza", "firmato", "attivo", "in_scadenza"])
        if {x.organisation_id for x in p.parties} == set(party_ids)
    ]
    if any(p.status in ("attivo", "in_scadenza") for p in same):
        kept = next(p for p in same if p.status in ("attivo", "in_scadenza"))
        uow.registry.log(now, actor.username, "partnership_already_in_force", {"caso": record.id}, protocol_id=kept.id)
        return kept.id
    signatories = _signatories(uow, data, party_ids)
    if signatories:
        values["signatories"] = [[uow.registry.organisation_by_id(o).code, u] for o, u, _d in signatories]
    if same:
        draft = same[0]
        uow.registry.update_protocol(draft.id, {**_columns(values), "status": "firmato", "updated_at": now})
        uow.registry.set_parties(draft.id, party_ids)
        uow.registry.set_signatories(draft.id, signatories)
        uow.registry.log(
            now,
            actor.username,
            "protocol_from_partnership",
            {**values, "non_registrati": missing},
            protocol_id=draft.id,
        )
        return draft.id
    protocol_id = uow.registry.add_protocol(
        {
            **_columns(values),
            "organisation_id": party_ids[0],
            "territory": territory,
            "status": "firmato",
            "created_at": now,
            "created_by": actor.username,
        },
        party_ids[1:],
    )
    uow.registry.log(
        now,
        actor.username,
        "protocol_from_partnership",
        {**values, "parti": party_ids, "non_registrati": missing},
        protocol_id=protocol_id,
        organisation_id=party_ids[0],
    )
    uow.registry.set_signatories(protocol_id, signatories)
    return protocol_id


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "signatories"}


def _signatories(uow: AbstractUnitOfWork, data: dict[str, Any], party_ids: list[int]) -> list[tuple[int, str, str]]:
    """Who signed for each party: the person each partner named in its internal approval
    (``firmatari``), when that person is a member of the party in the registry."""
    signed_on = str(data.get("data_firma") or "")
    rows: list[tuple[int, str, str]] = []
    for entry in data.get("firmatari") or []:
        if not isinstance(entry, dict):
            continue
        organisation = uow.registry.organisation_id(str(entry.get("codice_ente") or ""))
        username = str(entry.get("firmatario") or "")
        if organisation is None or organisation not in party_ids or not username:
            continue
        known = uow.registry.is_member(organisation, username)
        if known and username not in {u for _o, u, _d in rows}:  # one person signs for one party
            rows.append((organisation, username, signed_on))
    return rows
