"""Enterprises in the browser: the list, a new enterprise (which starts its own case), and the
enterprise's page — record, registrations, founders, workers, community members and the mentoring
company — with the coordinator's forms to change them. Every change is an engine command;
invalid input comes back as the page with Italian field messages (422), conflicts as 409.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from engine.model import (
    ENTERPRISE_CATEGORIES,
    ENTERPRISE_CONTRACTS,
    ENTERPRISE_LEGAL_FORMS,
    ENTERPRISE_REGISTRIES,
    ENTERPRISE_ROLES,
)
from web import security
from web.errors import engine_message, ensure_confirmed, ensure_id, plain_keys
from web.i18n import _

bp = Blueprint("enterprises", __name__)

MAX_TEXT = 300
LINK_FIELDS = ("ruolo", "case_id", "organisation", "nominativo", "data_assunzione")


def _text(name: str, limit: int = MAX_TEXT) -> str:
    return request.form.get(name, "").strip()[:limit]


def _labels() -> dict[str, Any]:
    return {
        "legal_forms": ENTERPRISE_LEGAL_FORMS,
        "roles": ENTERPRISE_ROLES,
        "registries": ENTERPRISE_REGISTRIES,
        "categories": ENTERPRISE_CATEGORIES,
        "contracts": ENTERPRISE_CONTRACTS,
        "manager": security.may(security.actor(), "enterprises_manage"),
    }


def _refused(err: errors.EngineError, fallback: str) -> tuple[dict[str, Any], int]:
    """Field messages and status for a refused command."""
    if isinstance(err, errors.InvalidData):
        return plain_keys(err.messages) or {"_schema": [engine_message(err)]}, 422
    if isinstance(err, errors.NotFound):
        return {fallback: [_("Elemento non trovato.")]}, 422
    if isinstance(err, errors.Conflict):
        return {"_schema": [_("L'operazione non è possibile nello stato attuale dell'impresa.")]}, 409
    return {"_schema": [engine_message(err)]}, 403


@bp.get("/enterprises")
@security.area("enterprises")
def index() -> str:
    eng, actor = security.engine(), security.actor()
    territory = request.args.get("territory", "").strip()[:100] or None
    found = eng.enterprises.list(actor=actor, territory=territory)
    return render_template("enterprises/index.html", enterprises=found, territory=territory or "", **_labels())


@bp.route("/enterprises/new", methods=["GET", "POST"])
@security.area("enterprises_manage")
def new() -> Response | str | tuple[str, int]:
    actor = security.actor()
    # case_id: the beneficiary's path the enterprise is founded from
    names = [
        "territory",
        "denominazione",
        "forma_giuridica",
        "regione",
        "sede",
        "partita_iva",
        "codice_ateco",
        "case_id",
    ]
    form = {k: _text(k) for k in names}
    if request.method == "GET":
        form["case_id"] = request.args.get("case_id", "").strip()[:20]  # "Fonda un'impresa" from a path
    messages: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and form["case_id"] and not form["case_id"].isdigit():
        messages, status = {"case_id": [_("Indica il numero del caso del percorso.")]}, 422
    elif request.method == "POST":
        try:
            created = security.engine().enterprises.create(
                form["territory"],
                form["denominazione"],
                form["forma_giuridica"],
                form["regione"],
                form["sede"],
                actor=actor,
                partita_iva=form["partita_iva"] or None,
                codice_ateco=form["codice_ateco"] or None,
                founder_case_id=int(form["case_id"]) if form["case_id"] else None,
            )
        except (errors.InvalidData, errors.Conflict, errors.Forbidden, errors.NotFound) as err:
            messages, status = _refused(err, "case_id" if isinstance(err, errors.NotFound) else "territory")
        else:
            flash(_("Impresa %(name)s registrata: il suo fascicolo è avviato.", name=created.denominazione), "info")
            return redirect(url_for("enterprises.show", enterprise_id=created.id))
    html = render_template(
        "enterprises/new.html", form=form, messages=messages, territories=sorted(actor.territories), **_labels()
    )
    return html, status


@bp.get("/enterprises/<int:enterprise_id>")
@security.area("enterprises")
def show(enterprise_id: int) -> str:
    return _page(ensure_id(enterprise_id))


def _page(enterprise_id: int, *, messages: dict[str, Any] | None = None, form: dict[str, Any] | None = None) -> str:
    eng, actor = security.engine(), security.actor()
    found = eng.enterprises.get(enterprise_id, actor=actor)
    try:
        data = eng.cases.get(found.case_id, actor=actor, purpose="scheda impresa", ip=security.client_ip()).data
    except errors.Forbidden:
        data = {}
    return render_template(
        "enterprises/show.html",
        enterprise=found,
        quota=data.get("esito_quota") or {},
        progress={
            k: data.get(k)
            for k in ("stato_impresa", "mese", "ore_mentoring_totali", "piani_correttivi", "allerte_quota")
        },
        messages=messages or {},
        form=form or {},
        **_labels(),
    )


def _after(enterprise_id: int, done: str, act: Any, form: dict[str, Any], fallback: str) -> Response | tuple[str, int]:
    try:
        act()
    except (errors.InvalidData, errors.Conflict, errors.Forbidden, errors.NotFound) as err:
        messages, status = _refused(err, fallback)
        return _page(enterprise_id, messages=messages, form=form), status
    flash(done, "info")
    return redirect(url_for("enterprises.show", enterprise_id=enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/details")
@security.area("enterprises_manage")
def details(enterprise_id: int) -> Response | tuple[str, int]:
    ensure_id(enterprise_id)
    form = {k: _text(k) for k in ("partita_iva", "codice_ateco", "sede")}
    return _after(
        enterprise_id,
        _("Dati dell'impresa aggiornati."),
        lambda: security.engine().enterprises.update_details(
            enterprise_id,
            actor=security.actor(),
            partita_iva=form["partita_iva"] or None,
            codice_ateco=form["codice_ateco"] or None,
            sede=form["sede"] or None,
        ),
        form,
        "partita_iva",
    )


@bp.post("/enterprises/<int:enterprise_id>/registrations")
@security.area("enterprises_manage")
def registration(enterprise_id: int) -> Response | tuple[str, int]:
    ensure_id(enterprise_id)
    form = {k: _text(k) for k in ("registro", "numero", "data")}
    return _after(
        enterprise_id,
        _("Iscrizione registrata."),
        lambda: security.engine().enterprises.add_registration(
            enterprise_id, form["registro"], form["numero"], form["data"], actor=security.actor()
        ),
        form,
        "registro",
    )


@bp.post("/enterprises/<int:enterprise_id>/links")
@security.area("enterprises_manage")
def link(enterprise_id: int) -> Response | tuple[str, int]:
    ensure_id(enterprise_id)
    form: dict[str, Any] = {k: _text(k) for k in LINK_FIELDS}
    form["categorie"] = [c for c in request.form.getlist("categorie") if c in ENTERPRISE_CATEGORIES]
    form["evidenza_pa"] = request.form.get("evidenza_pa") == "1"
    form["volontario"] = request.form.get("volontario") == "1"

    def act() -> None:
        case_id = None
        if form["case_id"]:
            if not form["case_id"].isdigit() or not 0 < int(form["case_id"]) < 2**31:
                raise errors.InvalidData("case", {"case_id": [_("Indica il numero del caso.")]})
            case_id = int(form["case_id"])
        security.engine().enterprises.link(
            enterprise_id,
            form["ruolo"],
            actor=security.actor(),
            case_id=case_id,
            organisation=form["organisation"] or None,
            nominativo=form["nominativo"] or None,
            categorie=form["categorie"],
            evidenza_pa=form["evidenza_pa"],
            data_assunzione=form["data_assunzione"] or None,
            volontario=form["volontario"],
        )

    return _after(enterprise_id, _("Collegamento registrato."), act, form, "case_id")


@bp.post("/enterprises/<int:enterprise_id>/links/<int:link_id>/end")
@security.area("enterprises_manage")
def end(enterprise_id: int, link_id: int) -> Response | tuple[str, int]:
    ensure_id(enterprise_id), ensure_id(link_id)
    form: dict[str, Any] = {"data_cessazione": _text("data_cessazione", 10), "link_id": link_id}
    return _after(
        enterprise_id,
        _("Cessazione registrata: la quota è stata verificata di nuovo."),
        lambda: security.engine().enterprises.end_employment(
            enterprise_id, link_id, form["data_cessazione"], actor=security.actor()
        ),
        form,
        "data_cessazione",
    )


@bp.post("/enterprises/<int:enterprise_id>/links/<int:link_id>/hire")
@security.area("enterprises_manage")
def hire(enterprise_id: int, link_id: int) -> Response | tuple[str, int]:
    """The enterprise hires one of its founders from the programme (the founder-hired milestone)."""
    ensure_id(enterprise_id), ensure_id(link_id)
    form: dict[str, Any] = {k: _text(k, 20) for k in ("data_assunzione", "tipo_contratto", "data_comunicazione")}
    form["categorie"] = [c for c in request.form.getlist("categorie") if c in ENTERPRISE_CATEGORIES]
    form["evidenza_pa"] = request.form.get("evidenza_pa") == "1"
    try:
        security.engine().enterprises.hire_founder(
            enterprise_id,
            link_id,
            form["data_assunzione"],
            form["tipo_contratto"],
            form["data_comunicazione"],
            actor=security.actor(),
            categorie=form["categorie"],
            evidenza_pa=form["evidenza_pa"],
        )
    except (errors.InvalidData, errors.Conflict, errors.Forbidden, errors.NotFound) as err:
        messages, status = _refused(err, "legame")
        # the page has one hire form per founder: each message goes to the field of this one
        scoped = {(k if k == "_schema" else f"hire-{link_id}-{k}"): v for k, v in messages.items()}
        return _page(enterprise_id, messages=scoped, form={"hire": {**form, "link_id": link_id}}), status
    flash(_("Assunzione del socio fondatore registrata: la quota è stata verificata di nuovo."), "info")
    return redirect(url_for("enterprises.show", enterprise_id=enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/links/<int:link_id>/delete")
@security.area("enterprises_manage")
def unlink(enterprise_id: int, link_id: int) -> Response | tuple[str, int]:
    """A link removed as entered by mistake cannot be put back: the row's form confirms it with a box."""
    ensure_id(enterprise_id), ensure_id(link_id)

    def act() -> None:
        ensure_confirmed(f"unlink-{link_id}")
        security.engine().enterprises.unlink(enterprise_id, link_id, actor=security.actor())

    return _after(enterprise_id, _("Collegamento rimosso."), act, {}, "_schema")
