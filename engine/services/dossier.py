"""Dossiers and privacy operations: the signed bundle and PDF of a case, the pseudonymised export
for evaluators, and the erasure of a beneficiary's personal data after retention.

Erasure keeps the case verifiable: classified fields lose their value and their salt in every
event (the commitment stays, so the chain still checks), and are blanked in the case data and the
stored workflow state; an administrative event records who erased what, when and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from engine import errors, keyring, privacy
from engine.audit import bundle as bundle_format
from engine.audit import pdf, signing
from engine.audit.chain import ERASED, verify_case
from engine.model import Actor, CaseEvent, CaseRecord, CaseStatus, EventKind, StateWrite
from engine.monitoring import entry_age_band
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_queries import log_access
from engine.services.case_sync import append_events
from engine.services.context import Context
from engine.services.teams import target_of

WITHHELD = "[riservato]"
# Each class becomes area flags only; C23 (values from either area) sets both.
GENERALISED = {
    "C2": {"svantaggio_area_sanitaria"},
    "C3": {"svantaggio_area_giustizia"},
    "C23": {"svantaggio_area_sanitaria", "svantaggio_area_giustizia"},
}
# Never in the evaluators' export: the case's own labels, and the birth date (its age group at
# entry goes instead, as "fascia_eta").
IDENTIFYING = frozenset({"beneficiario_pseudonimo", "titolo", "data_nascita"})


def _case_summary(record: CaseRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "process_id": record.process_id,
        "process_version": record.process_version,
        "status": record.status.value,
        "territory": record.territory,
        "title": record.title,
        "created_at": record.created_at.isoformat(),
        "started_by": record.started_by,
    }


def _load(
    ctx: Context, case_id: int, actor: Actor, purpose: str
) -> tuple[CaseRecord, list[CaseEvent], dict[str, bytes]]:
    """The case and its events as the viewer may see them; showing personal data is logged."""
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        target = target_of(uow, actor, record, ctx.clock.now())
        require(actor, Permission.AUDIT_READ, target)
        events, shown = _withhold(uow.events.for_case(case_id), actor, target)
        files = dict(uow.processes.files(record.process_version_id))
        log_access(ctx, uow, actor, case_id, sorted(shown), purpose)
        uow.commit()
    return record, events, files


def _withhold(events: list[CaseEvent], actor: Actor, target: Target) -> tuple[list[CaseEvent], set[str]]:
    """Health/judicial values the viewer may not see are masked like erased ones: the whole
    top-level entry that is or contains them (commitments are per top-level entry) loses its value
    and its salt in the copy; the commitment stays, so the chain (and a bundle) still verifies."""
    classes = privacy.classified_fields()
    shown: set[str] = set()
    result = []
    for e in events:
        hidden = []
        for name, value in e.data.items():
            if name in e.erased:
                continue
            inside = privacy.classified_inside(name, value)
            if any(not privacy.may_see(actor, classes[n], target) for n in inside):
                hidden.append(name)
            else:
                shown.update(inside)
        if hidden:
            e = dataclasses.replace(
                e,
                data={k: (WITHHELD if k in hidden else v) for k, v in e.data.items()},
                salts={k: v for k, v in (e.salts or {}).items() if k not in hidden},
                erased=(*e.erased, *hidden),
            )
        result.append(e)
    return result, shown


def signing_key(ctx: Context) -> Any:
    return signing.load_or_create(ctx.settings.instance_dir / "audit_signing_key.pem")


def dossier_bundle(ctx: Context, case_id: int, actor: Actor) -> dict[str, Any]:
    record, events, files = _load(ctx, case_id, actor, "fascicolo firmato del caso")
    return bundle_format.build(_case_summary(record), events, files, signing_key(ctx), ctx.clock.now())


def dossier_pdf(ctx: Context, case_id: int, actor: Actor) -> bytes:
    record, events, _ = _load(ctx, case_id, actor, "fascicolo PDF del caso")
    with ctx.uow(write=False) as uow:
        # the chain as stored: the viewer's copy masks withheld values, which is not an erasure
        stored = uow.events.for_case(case_id)
        process_name = uow.processes.get(record.process_version_id).name
    broken = verify_case(case_id, stored, (record.event_seq, record.event_head or ""))
    verification = "integra" if broken is None else f"NON integra: {broken}"
    public = signing.public_b64(signing_key(ctx))
    summary = {**_case_summary(record), "process_name": process_name}  # its title, not its id
    return pdf.render(summary, events, verification, signing.fingerprint(public))


def pseudonym_key(ctx: Context) -> bytes:
    """The key of the evaluators' pseudonyms (created on first use)."""
    return keyring.pseudonym_key(ctx.settings.instance_dir)


def export_pseudonymised(ctx: Context, actor: Actor, limit: int = 100_000) -> list[dict[str, Any]]:
    """One record per case for evaluators: stable pseudonym, no identity, categories generalised."""
    require(actor, Permission.EXPORT_PSEUDONYMISED)
    key = pseudonym_key(ctx)
    classes = privacy.classified_fields()
    result = []
    with ctx.uow(write=False) as uow:
        people = uow.people.pseudonyms_by_case()
        for record in uow.cases.search(limit=limit, with_data=True, territories=sorted(actor.territories) or None):
            if not allows(actor, Permission.EXPORT_PSEUDONYMISED, Target(record.territory)):
                continue  # a territory where the actor holds another role, not the evaluator's
            # the person's keyed hash links their cases; a case without a person record stands alone
            person = people.get(record.id)
            identity = f"persona:{person}" if person else f"{record.id}:{record.title}"
            data: dict[str, Any] = {}
            flags: set[str] = set()
            for name, value in record.data.items():
                inside = privacy.classified_inside(name, value)
                if inside:  # the field is, or contains, health/judicial data: only the area survives
                    if value not in (None, "", [], {}, False):
                        for data_class in {classes[n] for n in inside}:
                            flags |= GENERALISED.get(data_class, set())
                elif name not in IDENTIFYING:
                    data[name] = value
            band = entry_age_band(record.data)
            if band:  # the ESF+ age group at entry instead of the birth date
                data["fascia_eta"] = band
            result.append(
                {
                    "pseudonimo": hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:20],
                    "processo": record.process_id,
                    "stato": record.status.value,
                    "fase": record.phase,
                    "territorio": record.territory,
                    "categorie": sorted(flags),
                    "dati": data,
                }
            )
    return result


def erase_personal_data(
    ctx: Context, case_id: int, actor: Actor, reason: str, *, before_retention: bool = False
) -> list[str]:
    """Erase the classified personal fields of a closed case; returns the fields erased."""
    if not reason.strip():
        raise errors.InvalidData("a reason is required", {"reason": ["Campo obbligatorio."]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.ERASE_PERSONAL_DATA, Target(record.territory))
        if record.status in ALIVE:
            raise errors.Conflict(f"case {case_id} is still {record.status.value}")
        limit = retention_end(record.updated_at, ctx.settings.retention_years)
        if now.date() < limit and not before_retention:
            raise errors.Conflict(f"case {case_id} is kept until {limit:%d/%m/%Y} (retention)")
        fields = erase_case(ctx, uow, record, actor, reason, now)
        uow.commit()
    return fields


# A case in these states may still need its data: it is never erased.
ALIVE = frozenset({CaseStatus.RUNNING, CaseStatus.SUSPENDED})


def retention_end(last_change: dt.datetime, years: int) -> dt.date:
    """The day a finished case's personal data may be erased: ``years`` after its last change
    (its closure, or a later correction); a 29 February ends on 28 February."""
    day = last_change.date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def erase_case(
    ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor, reason: str, now: dt.datetime
) -> list[str]:
    """Blank the case's classified fields in every event, its data and state, and remove its
    link to the person record (the record itself once no case keeps it), in the caller's
    transaction, as one chained ``data_erased`` event naming each blanked entry."""
    classes = privacy.classified_fields()
    case_id = record.id
    erased: set[str] = set()
    per_event: dict[str, list[str]] = {}
    for e in uow.events.for_case(case_id):
        # a top-level entry that is, or contains, personal data goes whole (e.g. the completed
        # case's data, a correction, a message payload)
        fields = [n for n, v in e.data.items() if n not in e.erased and privacy.classified_inside(n, v)]
        if fields:
            data = {k: (ERASED if k in fields else v) for k, v in e.data.items()}
            salts = {k: v for k, v in (e.salts or {}).items() if k not in fields}
            uow.events.erase(case_id, e.seq, data, [*e.erased, *fields], salts)
            per_event[str(e.seq)] = sorted(fields)
            erased.update(n for f in fields for n in privacy.classified_inside(f, e.data[f]))
    record.data = {k: (ERASED if k in classes else v) for k, v in record.data.items()}
    record.state = _redact_state(record.state, set(classes))
    # the header above is only part of the state: each task's record (its data) is a row of its own
    rows = uow.case_state.rows(case_id)
    redacted = [dataclasses.replace(r, payload=_redact_state(r.payload, set(classes))) for r in rows]
    changed = [r for r, before in zip(redacted, rows, strict=True) if r.payload != before.payload]
    if changed:
        uow.case_state.write(case_id, StateWrite(header=record.state, upserts=changed, deletes=[]))
    uow.case_state.drop_checkpoints(record.id)  # whole states, personal data included
    record.updated_at = now
    ctx.workflows.take(record.id, record.version)
    fields = sorted(erased | {k for k in record.data if k in classes})
    # the identity goes too: the case's link to it, and the sealed record once no case keeps it
    person = uow.people.of_case(case_id)
    if person is not None:
        uow.people.unlink(case_id)
        if not uow.people.cases_of(person["id"]):
            uow.people.delete(person["id"])
        fields.append("anagrafica")
    append_events(
        uow,
        record,
        [
            CaseEvent(
                case_id=case_id,
                seq=0,
                at=now,
                actor=actor.username,
                kind=EventKind.DATA_ERASED,
                # which entries of which events were blanked, sealed in the chain: verify accepts
                # an erased entry only where this says so
                data={"fields": fields, "reason": reason, "events": per_event},
            )
        ],
    )
    return fields


def _redact_state(state: str, names: set[str]) -> str:
    """Blank the named keys wherever they occur in the stored workflow state."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (ERASED if k in names else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json.dumps(walk(json.loads(state)))
