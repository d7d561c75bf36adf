"""The registry in the browser: organisations (list, page, register, edit, members) and protocols
(list, page, draft, edit, signature, activation, documents, history), for the coordinator who
keeps them and, read-only, for the territory's other roles. Every change is an engine command;
invalid input comes back as the form with Italian field messages (422), conflicts as 409.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from engine import CaseStatus, errors
from engine.model import ORGANISATION_KINDS, PROTOCOL_KINDS, PROTOCOL_STATUSES, ProtocolTerms
from web import security
from web.api.registry import document_response
from web.errors import engine_message, ensure_confirmed, ensure_id, plain_keys
from web.i18n import _, _l, translated_labels

bp = Blueprint("registry", __name__)

MAX_TEXT = 300
MAX_CLAUSE = 4000
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,59}$")
EVENT_LABELS = {
    "organisation_added": _l("Organizzazione registrata"),
    "organisation_updated": _l("Organizzazione modificata"),
    "member_added": _l("Membro aggiunto"),
    "protocol_added": _l("Protocollo registrato in bozza"),
    "protocol_updated": _l("Bozza modificata"),
    "protocol_signed": _l("Firma registrata"),
    "protocol_status": _l("Cambio di stato"),
    "document_added": _l("Documento allegato"),
    "withdrawal_notified": _l("Recesso comunicato"),
    "withdrawal_handed_over": _l("Casi affidati al sostituto"),
    "dependent_cases_flagged": _l("Casi collegati segnalati al coordinamento"),
    "protocol_renewed": _l("Rinnovo registrato"),
    "protocol_from_partnership": _l("Registrato dall'accordo di partenariato del territorio"),
    "partnership_already_in_force": _l("Confermato dall'accordo di partenariato: già in vigore"),
    "partnership_not_registered": _l("Accordo di partenariato non registrato: parti assenti dal registro"),
    "lifecycle_backfilled": _l("Avviata la sorveglianza della scadenza"),
    "substitute_adhesion_drafted": _l("Adesione del sostituto preparata in bozza"),
}


# The values an organisation's log entry records, by their Italian label (codes never show).
FIELD_LABELS = {
    "name": "Denominazione",
    "kind": "Tipo",
    "tax_code": "Codice fiscale",
    "vat_number": "Partita IVA",
    "territories": "Territori serviti",
    "username": "Persona",
    "position": "Ruolo nell'organizzazione",
    "scope": "Oggetto",
    "number": "Numero",
    "starts_on": "Decorrenza",
    "expires_on": "Scadenza",
    "signed_on": "Data di firma",
}


def _details(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of what a log entry recorded, as a person reads it."""
    shown = []
    for key, label in FIELD_LABELS.items():
        value = data.get(key)
        if value in (None, "", []):
            continue
        if key == "kind":
            text = ORGANISATION_KINDS.get(str(value)) or PROTOCOL_KINDS.get(str(value)) or ""
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif key.endswith("_on"):
            text = isoday(str(value))
        else:
            text = str(value)
        if text:
            shown.append((label, text))
    return shown


@bp.app_template_filter("isoday")
def isoday(value: str | None) -> str:
    """An ISO day (``AAAA-MM-GG``) as people read it: ``gg/mm/aaaa``."""
    if not value:
        return "—"
    try:
        return str(format_date(dt.date.fromisoformat(value), "dd/MM/yyyy"))
    except ValueError:
        return value


def _text(name: str, limit: int = MAX_TEXT) -> str:
    return request.form.get(name, "").strip()[:limit]


def _code(code: str) -> str:
    if not CODE.match(code):
        raise NotFound()
    return code


def _territory_list(raw: str) -> list[str]:
    """Territories typed one per line or separated by commas."""
    return [t.strip() for t in re.split(r"[,\n]", raw) if t.strip()]


def _labels() -> dict[str, Any]:
    return {
        "kinds": translated_labels(ORGANISATION_KINDS),
        "protocol_kinds": translated_labels(PROTOCOL_KINDS),
        "statuses": translated_labels(PROTOCOL_STATUSES),
        "manager": security.may(security.actor(), "registry_manage"),
    }


# --- lists ---------------------------------------------------------------------------------


@bp.get("/registry")
@security.area("registry")
def index() -> str:
    eng, actor = security.engine(), security.actor()
    territory = request.args.get("territory", "").strip()[:100] or None
    status = request.args.get("status", "")
    status = status if status in PROTOCOL_STATUSES else ""
    organisations = eng.registry.organisations(actor=actor, territory=territory)
    protocols = eng.registry.protocols(actor=actor, territory=territory, status=status or None)
    return render_template(
        "registry/index.html",
        organisations=organisations,
        protocols=protocols,
        filters={"territory": territory or "", "status": status},
        **_labels(),
    )


# --- organisations -------------------------------------------------------------------------


@bp.get("/registry/organisations/<code>")
@security.area("registry")
def organisation(code: str) -> str:
    eng, actor = security.engine(), security.actor()
    found = eng.registry.organisation(_code(code), actor=actor)
    protocols = eng.registry.protocols(actor=actor, organisation=code)
    return render_template(
        "registry/organisation.html", organisation=found, protocols=protocols, messages={}, **_labels()
    )


@bp.get("/registry/organisations/<code>/history")
@security.area("registry")
def organisation_history(code: str) -> str:
    """The registry log of one organisation: when, who, what, with the values entered."""
    eng, actor = security.engine(), security.actor()
    found = eng.registry.organisation(_code(code), actor=actor)
    history = eng.registry.organisation_history(found.code, actor=actor)
    rows = [(e, EVENT_LABELS.get(e.kind, ""), _details(dict(e.data))) for e in history]
    return render_template("registry/organisation_history.html", organisation=found, rows=rows, **_labels())


@bp.route("/registry/organisations/new", methods=["GET", "POST"])
@security.area("registry_manage")
def new_organisation() -> Response | str | tuple[str, int]:
    form = {k: _text(k) for k in ("code", "name", "kind", "tax_code", "vat_number")}
    form["territories"] = _text("territories", 2000)
    if request.method == "GET":
        return _organisation_form(form, {}, new=True)
    try:
        security.engine().registry.add_organisation(
            form["code"],
            form["name"],
            form["kind"],
            _territory_list(form["territories"]),
            actor=security.actor(),
            tax_code=form["tax_code"] or None,
            vat_number=form["vat_number"] or None,
        )
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        return _organisation_form(form, *_problem(err, "code"), new=True)
    flash(_("Organizzazione %(name)s registrata.", name=form["name"]), "info")
    return redirect(url_for("registry.organisation", code=form["code"]))


@bp.route("/registry/organisations/<code>/edit", methods=["GET", "POST"])
@security.area("registry_manage")
def edit_organisation(code: str) -> Response | str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    current = eng.registry.organisation(_code(code), actor=actor)
    if request.method == "GET":
        form = {
            "code": current.code,
            "name": current.name,
            "kind": current.kind,
            "tax_code": current.tax_code or "",
            "vat_number": current.vat_number or "",
            "territories": ", ".join(current.territories),
        }
        return _organisation_form(form, {}, new=False)
    form = {k: _text(k) for k in ("name", "kind", "tax_code", "vat_number")}
    form["territories"] = _text("territories", 2000)
    form["code"] = code
    try:
        eng.registry.update_organisation(
            code,
            form["name"],
            form["kind"],
            _territory_list(form["territories"]),
            actor=actor,
            tax_code=form["tax_code"] or None,
            vat_number=form["vat_number"] or None,
        )
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        return _organisation_form(form, *_problem(err, "name"), new=False)
    flash(_("Organizzazione aggiornata."), "info")
    return redirect(url_for("registry.organisation", code=code))


@bp.post("/registry/organisations/<code>/members")
@security.area("registry_manage")
def add_member(code: str) -> Response | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    _code(code)
    username, position = _text("username", 100), _text("position", 200)
    try:
        if not username:
            raise errors.InvalidData("username", {"username": [_("Indica il nome utente.")]})
        eng.registry.add_member(code, username, actor=actor, position=position)
    except errors.NotFound:
        messages, status = {"username": [_("Nessun utente con questo nome.")]}, 422
    except errors.Conflict:
        messages, status = {"username": [_("È già membro dell'organizzazione.")]}, 409
    except errors.InvalidData as err:
        messages, status = plain_keys(err.messages), 422
    else:
        flash(_("%(user)s ora agisce per l'organizzazione.", user=username), "info")
        return redirect(url_for("registry.organisation", code=code))
    found = eng.registry.organisation(code, actor=actor)
    protocols = eng.registry.protocols(actor=actor, organisation=code)
    html = render_template(
        "registry/organisation.html",
        organisation=found,
        protocols=protocols,
        messages=messages,
        member_form={"username": username, "position": position},
        **_labels(),
    )
    return html, status


def _organisation_form(
    form: dict[str, str], messages: dict[str, Any], status: int = 200, *, new: bool
) -> tuple[str, int]:
    html = render_template("registry/organisation_form.html", form=form, messages=messages, new=new, **_labels())
    return html, status


def _problem(err: errors.EngineError, field: str) -> tuple[dict[str, Any], int]:
    """Field messages and status for a refused command, in Italian."""
    if isinstance(err, errors.InvalidData | errors.RegistryConflict) and err.messages:
        return plain_keys(err.messages), 422 if isinstance(err, errors.InvalidData) else 409
    if isinstance(err, errors.Conflict):
        return {field: [_("Esiste già un'organizzazione con questo codice.")]}, 409
    return {"_schema": [engine_message(err)]}, 403


# --- protocols -----------------------------------------------------------------------------


@bp.get("/registry/protocols/<int:protocol_id>")
@security.area("registry")
def protocol(protocol_id: int) -> str:
    return _protocol_page(ensure_id(protocol_id), {})[0]


def _protocol_page(protocol_id: int, messages: dict[str, Any], status: int = 200) -> tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    found = eng.registry.protocol(protocol_id, actor=actor)
    history = eng.registry.protocol_history(protocol_id, actor=actor)
    members = {p.code: eng.registry.organisation(p.code, actor=actor).members for p in found.parties}
    manager = security.may(actor, "registry_manage")
    dependent = eng.registry.dependent_cases(protocol_id, actor=actor) if manager else []
    substitutes = [o for o in eng.registry.organisations(actor=actor, territory=found.territory)] if manager else []
    html = render_template(
        "registry/protocol.html",
        protocol=found,
        history=history,
        members=members,
        dependent=dependent,
        substitutes=substitutes,
        messages=messages,
        event_labels=EVENT_LABELS,
        form=request.form,
        **_labels(),
    )
    return html, status


@bp.route("/registry/protocols/new", methods=["GET", "POST"])
@security.area("registry_manage")
def new_protocol() -> Response | str | tuple[str, int]:
    form = _protocol_form_values()
    if request.method == "GET":
        form["organisation"] = request.args.get("organisation", "")[:60]
        return _protocol_form(form, {}, None)
    try:
        protocol_id = security.engine().registry.add_protocol_terms(
            form["organisation"], _terms(form), actor=security.actor()
        )
    except errors.NotFound:
        return _protocol_form(form, {"organisation": [_("Scegli l'organizzazione capofila.")]}, None, 422)
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        messages, status = _problem(err, "starts_on")
        return _protocol_form(form, messages, None, status)
    flash(_("Protocollo registrato in bozza."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.route("/registry/protocols/<int:protocol_id>/edit", methods=["GET", "POST"])
@security.area("registry_manage")
def edit_protocol(protocol_id: int) -> Response | str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    current = eng.registry.protocol(ensure_id(protocol_id), actor=actor)
    if request.method == "GET":
        form = {
            "organisation": current.organisation_code,
            "kind": current.kind,
            "scope": current.scope,
            "territory": current.territory,
            "starts_on": current.starts_on,
            "expires_on": current.expires_on or "",
            "reference": current.reference,
            "renewal_clause": current.renewal_clause,
            "withdrawal_clause": current.withdrawal_clause,
            "withdrawal_notice_days": str(current.withdrawal_notice_days),
            "parties": [p.code for p in current.parties if p.code != current.organisation_code],
        }
        return _protocol_form(form, {}, current.id)
    form = _protocol_form_values()
    form["organisation"] = current.organisation_code
    try:
        eng.registry.update_protocol(protocol_id, _terms(form), actor=actor)
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        messages, status = _problem(err, "_schema")
        return _protocol_form(form, messages, current.id, status)
    flash(_("Bozza aggiornata."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.post("/registry/protocols/<int:protocol_id>/sign")
@security.area("registry_manage")
def sign(protocol_id: int) -> Response | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    current = eng.registry.protocol(ensure_id(protocol_id), actor=actor)
    signatories = [
        (p.code, request.form.get(f"signatory_{p.code}", "").strip()[:100])
        for p in current.parties
        if request.form.get(f"signatory_{p.code}", "").strip()
    ]
    try:
        eng.registry.sign_protocol(protocol_id, _text("number", 100), _text("signed_on", 10), signatories, actor=actor)
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        return _protocol_page(protocol_id, *_problem(err, "_schema"))
    flash(_("Firma registrata."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.post("/registry/protocols/<int:protocol_id>/activate")
@security.area("registry_manage")
def activate(protocol_id: int) -> Response | tuple[str, int]:
    """Bringing a protocol into force cannot be undone: the form confirms it with a box."""
    ensure_id(protocol_id)
    try:
        ensure_confirmed()  # refused: the page shows the message, or 404 for an unknown protocol
        security.engine().registry.activate_protocol(protocol_id, actor=security.actor())
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        return _protocol_page(protocol_id, *_problem(err, "_schema"))
    flash(_("Il protocollo è in vigore."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.post("/registry/protocols/<int:protocol_id>/withdraw")
@security.area("registry_manage")
def withdraw(protocol_id: int) -> Response | tuple[str, int]:
    """A party's withdrawal cannot be undone: the form confirms it with a box."""
    ensure_id(protocol_id)
    try:
        ensure_confirmed()  # refused: the page shows the message, or 404 for an unknown protocol
        security.engine().registry.withdraw_protocol(
            protocol_id,
            _text("organisation", 60),
            _text("effective_on", 10),
            actor=security.actor(),
            substitute=_text("substitute", 60) or None,
        )
    except (errors.InvalidData, errors.Conflict, errors.Forbidden) as err:
        return _protocol_page(protocol_id, *_problem(err, "_schema"))
    flash(_("Recesso registrato: avrà effetto alla data indicata."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.post("/registry/protocols/<int:protocol_id>/documents")
@security.area("registry_manage")
def upload(protocol_id: int) -> Response | tuple[str, int]:
    ensure_id(protocol_id)
    file = request.files.get("document")
    try:
        if file is None or not file.filename:
            raise errors.InvalidData("document", {"document": [_("Scegli il file da allegare.")]})
        security.engine().registry.add_document(
            protocol_id, file.filename, file.mimetype or "", file.read(), actor=security.actor()
        )
    except (errors.InvalidData, errors.Forbidden) as err:
        messages, status = _problem(err, "document")
        if "content" in messages or "name" in messages:
            messages = {"document": messages.get("content", []) + messages.get("name", [])}
        return _protocol_page(protocol_id, messages, status)
    flash(_("Documento allegato e registrato con la sua impronta."), "info")
    return redirect(url_for("registry.protocol", protocol_id=protocol_id))


@bp.get("/registry/protocols/<int:protocol_id>/documents/<int:document_id>")
@security.area("registry")
def download(protocol_id: int, document_id: int) -> Response:
    meta, content = security.engine().registry.document(
        ensure_id(protocol_id), ensure_id(document_id), actor=security.actor()
    )
    return document_response(meta, content)


def _protocol_form_values() -> dict[str, Any]:
    form: dict[str, Any] = {
        k: _text(k) for k in ("organisation", "kind", "territory", "starts_on", "expires_on", "reference")
    }
    for k in ("scope", "renewal_clause", "withdrawal_clause"):
        form[k] = _text(k, MAX_CLAUSE)
    form["withdrawal_notice_days"] = _text("withdrawal_notice_days", 5)
    form["parties"] = [p.strip()[:60] for p in request.form.getlist("parties") if p.strip()][:50]
    return form


def _terms(form: dict[str, Any]) -> ProtocolTerms:
    days = form["withdrawal_notice_days"]
    if days and not days.isdigit():
        raise errors.InvalidData("days", {"withdrawal_notice_days": [_("Indica un numero di giorni.")]})
    return ProtocolTerms(
        kind=form["kind"],
        scope=form["scope"],
        starts_on=form["starts_on"],
        expires_on=form["expires_on"] or None,
        reference=form["reference"],
        parties=tuple(form["parties"]),
        territory=form["territory"] or None,
        renewal_clause=form["renewal_clause"],
        withdrawal_clause=form["withdrawal_clause"],
        withdrawal_notice_days=int(days or 0),
    )


def _protocol_form(
    form: dict[str, Any], messages: dict[str, Any], protocol_id: int | None, status: int = 200
) -> tuple[str, int]:
    organisations = security.engine().registry.organisations(actor=security.actor())
    html = render_template(
        "registry/protocol_form.html",
        form=form,
        messages=messages,
        protocol_id=protocol_id,
        organisations=organisations,
        **_labels(),
    )
    return html, status


# --- a partner's own commitments ----------------------------------------------------------


@bp.get("/registry/mine")
@security.area("registry")
def mine() -> str:
    """What the organisations the user acts for have committed to: their protocols, the running
    cases they are in and the open tasks addressed to the user or to them."""
    eng, actor = security.engine(), security.actor()
    organisations = eng.registry.my_organisations(actor=actor)
    protocols = {o.code: eng.registry.protocols(actor=actor, organisation=o.code) for o in organisations}
    cases = eng.cases.list(actor=actor, status=CaseStatus.RUNNING, limit=200) if security.may(actor, "cases") else []
    tasks = eng.tasks.list(actor=actor) if security.may(actor, "inbox") else []
    return render_template(
        "registry/mine.html",
        organisations=organisations,
        protocols_of=protocols,
        cases=cases,
        tasks=tasks,
        **_labels(),
    )


# --- the network view ------------------------------------------------------------------------


@bp.get("/registry/network")
@security.area("registry")
def network() -> str:
    """Who works with whom, through which protocol, in which territory, until when: the live
    protocols as a table, and the same as a graph (organisations and territories as nodes, one
    line per pair of parties; a protocol with one party links it to its territory)."""
    eng, actor = security.engine(), security.actor()
    territory = request.args.get("territory", "").strip()[:100] or None
    live = [
        p
        for p in eng.registry.protocols(actor=actor, territory=territory)
        if p.status in ("firmato", "attivo", "in_scadenza")
    ]
    return render_template(
        "registry/network.html",
        protocols=live,
        graph=_graph(live),
        filters={"territory": territory or ""},
        **_labels(),
    )


LABEL_ROOM = 240  # px beside the circle: a label of 38 characters at 13 px


def _label_place(at: tuple[float, float], cx: float, cy: float) -> dict[str, Any]:
    """Where a node's label goes: outward from the circle, so that a label on the right or the
    left runs away from the circle (and from the labels across it) instead of over the lines."""
    x, y = at
    if abs(x - cx) < 1:  # top or bottom of the circle: centred above or below the node
        return {"anchor": "middle", "tx": x, "ty": round(y - 14 if y < cy else y + 24, 1)}
    if x > cx:
        return {"anchor": "start", "tx": round(x + 14, 1), "ty": round(y + 4, 1)}
    return {"anchor": "end", "tx": round(x - 14, 1), "ty": round(y + 4, 1)}


def _graph(protocols: list[Any]) -> dict[str, Any]:
    """Nodes on a circle and the edges between them, in SVG coordinates."""
    names: dict[str, tuple[str, str]] = {}  # node key → (label, kind)
    edges: list[tuple[str, str, Any]] = []
    for p in protocols:
        keys = [f"o:{party.code}" for party in p.parties]
        for party in p.parties:
            names[f"o:{party.code}"] = (party.name, "organisation")
        if len(keys) == 1:
            names[f"t:{p.territory}"] = (_("Territorio %(t)s", t=p.territory), "territory")
            keys.append(f"t:{p.territory}")
        edges += [(a, b, p) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    size, radius = 640, 230
    width = size + 2 * LABEL_ROOM  # room beside the circle for the labels of the side nodes
    order = sorted(names)
    position = {
        key: (
            round(width / 2 + radius * math.cos(2 * math.pi * i / max(len(order), 1) - math.pi / 2), 1),
            round(size / 2 + radius * math.sin(2 * math.pi * i / max(len(order), 1) - math.pi / 2), 1),
        )
        for i, key in enumerate(order)
    }
    return {
        "size": size,
        "width": width,
        "nodes": [
            {"key": k, "label": names[k][0], "kind": names[k][1], "x": position[k][0], "y": position[k][1]}
            | _label_place(position[k], width / 2, size / 2)
            for k in order
        ],
        "edges": [
            {"x1": position[a][0], "y1": position[a][1], "x2": position[b][0], "y2": position[b][1], "protocol": p}
            for a, b, p in edges
        ],
    }
