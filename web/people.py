"""The beneficiary's identity in the browser, for the case team only: the person page (identity
with the age derived from the birth date, other cases of the same person), the identity form of
the referral (codice fiscale checked with Italian field messages; a code that disagrees with the
stated birth date or gender asks for a confirmation) and the person's own copy of their data
(GDPR art. 15, PDF). The engine decides who may see or write (``engine.policy``) and logs every
showing; nothing here reaches events, exports or the evaluators' data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from engine.model import PersonRecord, PersonSheet, TaskView, age_on
from web import security
from web.errors import ensure_id, plain_keys
from web.i18n import _
from web.schema_form import prefill

bp = Blueprint("people", __name__)

FIELDS = ("nome", "cognome", "codice_fiscale", "data_nascita", "sesso", "telefono", "email", "comune")
# what a person could type in each field at most (the engine refuses longer values with a message)
LIMITS = {"codice_fiscale": 40, "data_nascita": 10, "sesso": 1, "telefono": 40, "email": 200}
CONFIRM = "conferma_avvisi"
# task-form fields filled from the person record
IDENTITY_PREFILL = ("data_nascita", "genere")


def age(person: PersonRecord | None) -> int | None:
    """The age today, from the birth date: the only way an age reaches a page."""
    if person is None or person.data_nascita is None:
        return None
    return age_on(person.data_nascita, security.engine().now().date())


def sheet_for_case_page(case_id: int) -> PersonSheet | None:
    """The person block of the case page: only for whom the policy lets read the identity."""
    actor = security.actor()
    if not security.may(actor, "identity"):
        return None
    try:
        return security.engine().people.sheet(
            case_id, actor=actor, purpose="consultazione anagrafica (pagina del caso)", ip=security.client_ip()
        )
    except errors.Forbidden:
        return None


def may_write(case_id: int) -> bool:
    """Whether the current user may enter the identity of this case (e.g. the referring social
    worker, now its case manager)."""
    actor = security.actor()
    if not security.may(actor, "identity_write"):
        return False
    try:
        return (
            security.engine().people.sheet(case_id, actor=actor, write=True, purpose="registrazione", ip=None).may_write
        )
    except errors.Forbidden:
        return False


def identity_prefill(task: TaskView, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A task form's birth date and gender from the person record, for the case team: never
    typed twice (e.g. the ESF+ entry form). The showing is logged like any other."""
    fields = set(schema.get("properties", {}))
    actor = security.actor()
    if not fields & set(IDENTITY_PREFILL) or not security.may(actor, "identity"):
        return {}
    try:
        person = (
            security.engine()
            .people.sheet(task.case_id, actor=actor, purpose="precompilazione del modulo", ip=security.client_ip())
            .person
        )
    except errors.Forbidden:
        return {}
    if person is None:
        return {}
    values = {"data_nascita": person.data_nascita.isoformat() if person.data_nascita else None, "genere": person.sesso}
    return {k: v for k, v in prefill(schema, values).items() if v is not None}


@bp.get("/cases/<int:case_id>/persona")
@security.area("identity")
def show(case_id: int) -> str:
    sheet = security.engine().people.sheet(ensure_id(case_id), actor=security.actor(), ip=security.client_ip())
    return render_template("person.html", sheet=sheet, age=age(sheet.person))


@bp.route("/cases/<int:case_id>/persona/modifica", methods=["GET", "POST"])
@security.area("identity_write")
def edit(case_id: int) -> Response | str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    ensure_id(case_id)
    if request.method == "GET":
        sheet = eng.people.sheet(
            case_id, actor=actor, write=True, purpose="correzione anagrafica", ip=security.client_ip()
        )
        return render_template("person_form.html", sheet=sheet, form=_values(sheet.person), messages={}, warnings=[])
    form = {name: request.form.get(name, "").strip()[: LIMITS.get(name, 300) + 1] for name in FIELDS}
    form["codice_fiscale"] = form["codice_fiscale"].upper()
    messages: dict[str, Any] = {}
    warnings: list[str] = []
    try:
        recorded = eng.people.record(
            case_id,
            {k: v for k, v in form.items() if v},
            actor=actor,
            confirm=request.form.get(CONFIRM) == "1",
            ip=security.client_ip(),
        )
    except errors.InvalidData as err:
        messages = plain_keys(err.messages)
        warnings = list(messages.pop("avvisi", []))
        sheet = eng.people.sheet(case_id, actor=actor, write=True, purpose="correzione anagrafica", ip=None)
        html = render_template("person_form.html", sheet=sheet, form=form, messages=messages, warnings=warnings)
        return html, 422
    flash(_("Dati anagrafici registrati."), "info")
    if recorded.repeats:
        flash(_("La persona ha già altri casi nel programma: vedi l'avviso nella scheda."), "warning")
    return redirect(url_for("people.show", case_id=case_id))


@bp.get("/cases/<int:case_id>/persona.pdf")
@security.area("identity_write")
def access_copy(case_id: int) -> Response:
    """The person's own data (GDPR art. 15), produced by the case manager; the engine logs it."""
    body = security.engine().people.access_copy(ensure_id(case_id), actor=security.actor(), ip=security.client_ip())
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="copia-dati-personali-caso-{case_id}.pdf"'
    return response


def _values(person: PersonRecord | None) -> dict[str, str]:
    if person is None:
        return dict.fromkeys(FIELDS, "")
    born = person.data_nascita
    return {
        "nome": person.nome,
        "cognome": person.cognome,
        "codice_fiscale": person.codice_fiscale or "",
        "data_nascita": born.isoformat() if isinstance(born, dt.date) else "",
        "sesso": person.sesso or "",
        "telefono": person.telefono,
        "email": person.email,
        "comune": person.comune,
    }
