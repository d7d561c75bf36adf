"""The beneficiary's identity (anagrafica): record it sealed, show it to the case team, warn of
repeat referrals, produce the person's own copy (GDPR art. 15), and rotate the keys.

Names, codice fiscale, birth date, gender, contacts and municipality are sealed field by field
(engine.keyring) before they reach the database; the case's events carry only the keyed hash of
the codice fiscale (the pseudonym), so the audit chain and replay never hold them in clear and a
key rotation leaves every event, and so the chain, untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Mapping
from typing import Any

from engine import codice_fiscale, errors, person_pdf
from engine.keyring import Keyring, KeyringError, keyed_hash, load_keyring, pseudonym_key, save_keyring
from engine.keyring import keyring_path as _keyring_path
from engine.model import Actor, CaseStatus, EventKind, PersonRecord, PersonSheet, Recorded, RepeatReferral
from engine.policy import Permission, allows, require
from engine.ports import AbstractUnitOfWork
from engine.privacy import filter_data
from engine.services.case_queries import log_showing
from engine.services.case_sync import append_events, event
from engine.services.context import Context
from engine.services.teams import target_of
from engine.teams import RELATIONS
from forms.plausibility import birth_date_message

SEALED_FIELDS = ("nome", "cognome", "codice_fiscale", "data_nascita", "sesso", "telefono", "email", "comune")
CHECK_TEXT = "impresa-per-noi: controllo della chiave"
PSEUDONYM_CHECK = "pseudonimo"
ACCESS_COPY_PURPOSE = "copia dei dati per l'interessato (art. 15 GDPR)"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ./-]{6,20}$")


def keyring(ctx: Context, uow: AbstractUnitOfWork | None = None) -> Keyring:
    """The process's keyring, loaded and checked against the database once (``verify_keys``),
    for a command already authorised to seal or open a person's data. A command that needs it
    inside its unit of work passes it (``uow``): the check then runs in the command's own
    transaction, where a second one would wait for the first's write lock (SQLite)."""
    if ctx.keys is None:
        _verify_keys(ctx, uow)
    return ctx.keys  # type: ignore[no-any-return]


def verify_keys(ctx: Context, *, actor: Actor) -> str:
    """At startup: the keyring opens what the database holds, or a clear ``KeyringError``; the
    active key's id. ``KEY_CHECK``: the web server's and the console's system actors.

    A first run (no person, no key check yet) creates the keyring; after that a missing or
    different key is an error, never a silent new key.
    """
    require(actor, Permission.KEY_CHECK)
    return _verify_keys(ctx)


def _verify_keys(ctx: Context, within: AbstractUnitOfWork | None = None) -> str:
    if within is not None:
        keys = _check_keys(ctx, within)
    else:
        with ctx.uow() as uow:
            keys = _check_keys(ctx, uow)
            uow.commit()
    ctx.keys = keys
    return keys.active


def _check_keys(ctx: Context, uow: AbstractUnitOfWork) -> Keyring:
    """Load the keyring and check it against the database (``verify_keys``), in ``uow``."""
    checks = uow.people.key_checks()
    used = uow.people.key_ids()
    keys = load_keyring(ctx.settings.instance_dir, create=not checks and not used)
    missing = sorted(used - set(keys.keys))
    if missing:
        raise KeyringError(f"chiavi di cifratura mancanti per i dati anagrafici: {', '.join(missing)}")
    for key_id, token in checks.items():
        if key_id in keys.keys and keys.open(token, f"key_check:{key_id}") != CHECK_TEXT:
            raise KeyringError(f"la chiave «{key_id}» non supera il controllo")
    pseudonym = keyed_hash(pseudonym_key(ctx.settings.instance_dir), CHECK_TEXT)
    if checks.get(PSEUDONYM_CHECK, pseudonym) != pseudonym:
        raise KeyringError("la chiave di pseudonimizzazione (pseudonym.key) non è quella usata finora")
    # claimed, not overwritten: the workers of a fresh server check at the same moment, and the
    # first one's record must then open with everyone's keys
    context = f"key_check:{keys.active}"
    if (
        keys.active not in checks
        and keys.open(uow.people.claim_key_check(keys.active, keys.seal(CHECK_TEXT, context)), context) != CHECK_TEXT
    ):
        raise KeyringError(f"la chiave «{keys.active}» non supera il controllo")
    if PSEUDONYM_CHECK not in checks and uow.people.claim_key_check(PSEUDONYM_CHECK, pseudonym) != pseudonym:
        raise KeyringError("la chiave di pseudonimizzazione (pseudonym.key) non è quella usata finora")
    return keys


def pseudonym_of(ctx: Context, code: str) -> str:
    return keyed_hash(pseudonym_key(ctx.settings.instance_dir), codice_fiscale.normalise(code))


def record_person(
    ctx: Context,
    case_id: int,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    confirm: bool = False,
    ip: str | None = None,
    revision: str | None = None,
    partial: bool = False,
) -> Recorded:
    """Record (or correct) the identity of a case's beneficiary; 422 with field messages when
    invalid, and with ``avvisi`` to confirm when the code disagrees with birth date or gender.

    ``partial`` changes only the fields given (an empty value clears one); ``revision`` is the
    record's revision the caller saw: another write since then is a ``Conflict`` (409)."""
    keys = keyring(ctx)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        # who may not write it learns nothing, not even whether the data would be valid
        require(actor, Permission.IDENTITY_WRITE, target_of(uow, actor, record, now, intake=False))
        current = uow.people.of_case(case_id)
        seen = _revision(current["sealed"]) if current is not None else ""
        if revision is not None and revision != seen:
            raise errors.Conflict(f"the person record of case {case_id} changed since revision {revision!r}")
        if partial and current is not None:
            opened = {n: keys.open(t, f"person:{current['id']}:{n}") for n, t in current["sealed"].items()}
            data = {**opened, **data}
        clean, warnings = _validate(data, now.date())
        if warnings and not confirm:
            raise errors.InvalidData("please confirm the warnings", {"avvisi": warnings})
        code = clean.get("codice_fiscale")
        pseudonym = pseudonym_of(ctx, code) if code else f"senza-cf:{uuid.uuid4().hex}"
        same = uow.people.by_pseudonym(pseudonym) if code else None
        person_id = (same or current or {}).get("id") or str(uuid.uuid4())
        sealed = {name: keys.seal(value, f"person:{person_id}:{name}") for name, value in clean.items()}
        if same is None and current is None:
            uow.people.add(
                {
                    "id": person_id,
                    "pseudonym": pseudonym,
                    "sealed": sealed,
                    "key_id": keys.active,
                    "created_at": now,
                    "updated_at": now,
                    "created_by": actor.username,
                }
            )
        else:
            uow.people.reseal(person_id, sealed, keys.active, now)
        uow.people.link(case_id, person_id)
        repeats = _others(uow, person_id, case_id)
        record.updated_at = now
        recorded = {"persona": pseudonym, "campi": sorted(clean), "avvisi_confermati": len(warnings)}
        append_events(uow, record, [event(record, now, actor, EventKind.PERSON_RECORDED, data=recorded)])
        _log_identity(uow, actor, case_id, "registrazione dati anagrafici", now, ip)
        uow.commit()
    person = _opened(keys, person_id, pseudonym, sealed, tuple(warnings))
    return Recorded(person, repeats)


def person_of_case(
    ctx: Context, case_id: int, *, actor: Actor, purpose: str = "consultazione anagrafica", ip: str | None = None
) -> PersonRecord | None:
    """The identity in clear for the case team (every showing logged); ``None`` when not recorded."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.IDENTITY_READ, target_of(uow, actor, record, now, intake=False))
        row = uow.people.of_case(case_id)
        if row is None:
            return None
        _log_identity(uow, actor, case_id, purpose, now, ip)
        uow.commit()
    return _opened(keyring(ctx), row["id"], row["pseudonym"], row["sealed"])


def repeat_referrals(ctx: Context, case_id: int, *, actor: Actor) -> list[RepeatReferral]:
    """Other cases of the same person (number, status, territory: never their content)."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.IDENTITY_READ, target_of(uow, actor, record, ctx.clock.now(), intake=False))
        row = uow.people.of_case(case_id)
        return [] if row is None else list(_others(uow, row["id"], case_id))


def person_sheet(
    ctx: Context,
    case_id: int,
    *,
    actor: Actor,
    write: bool = False,
    purpose: str = "consultazione anagrafica",
    ip: str | None = None,
) -> PersonSheet:
    """The person page for the case team: identity in clear (the showing logged before it is
    handed out), the person's other cases, and whether the viewer may correct it. ``write``
    asks for the correction form: only who may write gets it."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = target_of(uow, actor, record, ctx.clock.now(), intake=False)
        require(actor, Permission.IDENTITY_WRITE if write else Permission.IDENTITY_READ, target)
        row = uow.people.of_case(case_id)
        repeats = () if row is None else _others(uow, row["id"], case_id)
    if row is None:
        return PersonSheet(case_id, None, repeats, allows(actor, Permission.IDENTITY_WRITE, target))
    # the showing in its own short write (a reader never waits for the write lock otherwise)
    log_showing(ctx, actor, case_id, ["anagrafica"], purpose, ip)
    person = _opened(keyring(ctx), row["id"], row["pseudonym"], row["sealed"])
    return PersonSheet(case_id, person, repeats, allows(actor, Permission.IDENTITY_WRITE, target))


def access_copy(ctx: Context, case_id: int, *, actor: Actor, ip: str | None = None) -> bytes:
    """The person's own data as a PDF (GDPR art. 15), produced by the case manager: identity,
    their cases in the programme, the case's data the producer may see, who receives it, how
    long it is kept and the person's rights. ``NotFound`` until the identity is recorded."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        target = target_of(uow, actor, record, now, intake=False)
        require(actor, Permission.IDENTITY_WRITE, target)
        row = uow.people.of_case(case_id)
        if row is None:
            raise errors.NotFound(f"case {case_id} has no person record")
        cases = [
            RepeatReferral(int(c["id"]), CaseStatus(c["status"]), c["territory"], c["created_at"])
            for c in uow.people.cases_of(row["id"])
        ]
        visible, withheld, shown = filter_data(record.data, actor, target)
        team = uow.teams.members(case_id)
        process_name = uow.processes.get(record.process_version_id).name
        fields = ["anagrafica", *shown]
        uow.access_log.record(
            at=now, username=actor.username, case_id=case_id, purpose=ACCESS_COPY_PURPOSE, fields=fields, ip=ip
        )
        uow.commit()
    person = _opened(keyring(ctx), row["id"], row["pseudonym"], row["sealed"])
    return person_pdf.render(
        person_pdf.Copy(
            person=person,
            case_id=case_id,
            process_name=process_name,
            cases=tuple(cases),
            data=visible,
            withheld=bool(withheld),
            recipients=tuple(sorted({RELATIONS[m.relation][0] for m in team if m.relation in RELATIONS})),
            retention_years=ctx.settings.retention_years,
            produced_at=now,
            produced_by=actor.username,
        )
    )


def identity_of_case(ctx: Context, uow: AbstractUnitOfWork, case_id: int) -> PersonRecord | None:
    """The case's person record opened for the engine's own use (the facts a form derives from
    it, ``engine_data.identity_facts``): never shown, so not a showing for the access log."""
    row = uow.people.of_case(case_id)
    return None if row is None else _opened(keyring(ctx, uow), row["id"], row["pseudonym"], row["sealed"])


def _others(uow: AbstractUnitOfWork, person_id: str, case_id: int) -> tuple[RepeatReferral, ...]:
    """The person's other cases: number, status, territory, opening and who manages each (the
    colleague to ask), never their content."""
    return tuple(
        RepeatReferral(
            int(c["id"]),
            CaseStatus(c["status"]),
            c["territory"],
            c["created_at"],
            next((m.username for m in uow.teams.members(int(c["id"])) if m.relation == "responsabile"), None),
        )
        for c in uow.people.cases_of(person_id)
        if c["id"] != case_id
    )


def rotate_keys(ctx: Context, *, actor: Actor, drop_old: bool = True) -> tuple[str, int]:
    """A new active key; every person row resealed under it in one transaction (the old key
    stays in the file until then, so a failure leaves every row readable). Returns (key, rows)."""
    require(actor, Permission.KEY_ROTATE)
    if os.environ.get("IMPRESA_DATA_KEYS"):
        raise KeyringError(
            "la rotazione scrive il file delle chiavi: usare IMPRESA_DATA_KEY_FILE, non IMPRESA_DATA_KEYS"
        )
    old = keyring(ctx)
    new, key_id = old.with_new_key()
    path = _keyring_path(ctx.settings.instance_dir)
    save_keyring(new, path)
    count = 0
    with ctx.uow() as uow:
        for batch in uow.people.batches():
            resealed = []
            for row in batch:
                opened = {n: new.open(t, f"person:{row['id']}:{n}") for n, t in row["sealed"].items()}
                resealed.append((row["id"], {n: new.seal(v, f"person:{row['id']}:{n}") for n, v in opened.items()}))
            uow.people.reseal_many(resealed, key_id)
            count += len(resealed)
        uow.people.set_key_check(key_id, new.seal(CHECK_TEXT, f"key_check:{key_id}"))
        if drop_old:
            uow.people.drop_key_checks({key_id, PSEUDONYM_CHECK})
        uow.commit()
    final = new.only_active() if drop_old else new
    save_keyring(final, path)
    ctx.keys = final
    return key_id, count


def _validate(data: Mapping[str, Any], today: dt.date | None = None) -> tuple[dict[str, str], list[str]]:
    problems: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in SEALED_FIELDS:
        value = data.get(name)
        if value is None or str(value).strip() == "":
            continue
        if not isinstance(value, str | dt.date):
            problems[name] = ["Valore non valido."]
            continue
        clean[name] = value.isoformat() if isinstance(value, dt.date) else value.strip()
    for name in ("nome", "cognome"):
        if name not in clean:
            problems[name] = ["Campo obbligatorio."]
        elif len(clean[name]) > 100:
            problems[name] = ["Al massimo 100 caratteri."]
    born = None
    if "data_nascita" in clean:
        try:
            born = dt.date.fromisoformat(clean["data_nascita"])
        except ValueError:
            problems["data_nascita"] = ["Data non valida."]
        else:
            implausible = birth_date_message(born, today)
            if implausible:
                problems["data_nascita"] = [implausible]
    if "sesso" in clean and clean["sesso"] not in ("M", "F"):
        problems["sesso"] = ["Indicare M o F."]
    if "email" in clean and not _EMAIL.match(clean["email"]):
        problems["email"] = ["Indirizzo email non valido."]
    if "telefono" in clean and not _PHONE.match(clean["telefono"]):
        problems["telefono"] = ["Numero di telefono non valido."]
    if "comune" in clean and len(clean["comune"]) > 100:
        problems["comune"] = ["Al massimo 100 caratteri."]
    warnings: list[str] = []
    if "codice_fiscale" in clean:
        try:
            checked = codice_fiscale.check(clean["codice_fiscale"])
        except ValueError as err:
            problems["codice_fiscale"] = [str(err)]
        else:
            clean["codice_fiscale"] = checked.code
            warnings = codice_fiscale.disagreements(checked, born, clean.get("sesso"))
    if problems:
        raise errors.InvalidData("invalid person record", problems)
    return clean, warnings


def _opened(
    keys: Keyring, person_id: str, pseudonym: str, sealed: Mapping[str, str], confirmed: tuple[str, ...] = ()
) -> PersonRecord:
    values = {n: keys.open(t, f"person:{person_id}:{n}") for n, t in sealed.items()}
    born = values.get("data_nascita")
    return PersonRecord(
        revision=_revision(sealed),
        id=person_id,
        pseudonym=pseudonym,
        nome=values.get("nome", ""),
        cognome=values.get("cognome", ""),
        codice_fiscale=values.get("codice_fiscale"),
        data_nascita=dt.date.fromisoformat(born) if born else None,
        sesso=values.get("sesso"),
        telefono=values.get("telefono", ""),
        email=values.get("email", ""),
        comune=values.get("comune", ""),
        confirmed_warnings=confirmed,
    )


def _revision(sealed: Mapping[str, str]) -> str:
    """The record's revision: a digest of its sealed fields, which every write seals anew (fresh
    nonces), so it changes with each write and says nothing of the values."""
    return hashlib.sha256(json.dumps(dict(sealed), sort_keys=True).encode()).hexdigest()[:20]


def _log_identity(
    uow: AbstractUnitOfWork, actor: Actor, case_id: int, purpose: str, at: dt.datetime, ip: str | None
) -> None:
    uow.access_log.record(
        at=at, username=actor.username, case_id=case_id, purpose=purpose, fields=["anagrafica"], ip=ip
    )
