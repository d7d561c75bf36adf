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
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from engine.model import PersonRecord, PersonSheet, TaskView, age_on
from web import security
from web.errors import ensure_id, plain_keys
from web.i18n import _

bp = Blueprint("people", __name__)

FIELDS = ("nome", "cognome", "codice_fiscale", "data_nascita", "sesso", "telefono", "email", "comune")
# what a person could type in each field at most (the engine refuses longer values with a message)
LIMITS = {"codice_fiscale": 40, "data_nascita": 10, "sesso": 1, "telefono": 40, "email": 200}
CONFIRM = "conferma_avvisi"


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


@dataclass(frozen=True)
class FromPerson:
    """The person-record facts a task form takes instead of asking them (the ESF+ entry form's
    birth date and gender, the preliminary assessment's age), for the block above the form: in
    clear for the case team only."""

    fields: tuple[str, ...]
    person: PersonRecord | None = None
    shown: bool = False  # the viewer may read the identity (else: only that it comes from there)
    may_write: bool = False  # the viewer may complete the person record
    derived: tuple[str, ...] = ()  # what the engine adds to the answer from them (``eta``…)
    required: tuple[str, ...] = ()  # what the answer cannot do without (else the engine refuses it)
    age: int | None = None  # today's age, from the birth date, when the form derives the age

    @property
    def missing(self) -> tuple[str, ...]:
        if self.person is None:
            return self.fields
        return tuple(f for f in self.fields if getattr(self.person, f, None) in (None, ""))

    @property
    def blocking(self) -> bool:
        """A field the answer cannot do without is missing: the task cannot be completed yet."""
        return bool(set(self.missing) & set(self.required))


def from_person(task: TaskView, schema: Mapping[str, Any]) -> FromPerson | None:
    """What the task's form takes from the person record (``None`` for most forms). Opening the
    record for the block is a showing, logged like any other."""
    fields = tuple(schema.get("x-from-person", ()))
    if not fields:
        return None
    derived = tuple(schema.get("x-derived", ()))
    required = tuple(schema.get("x-person-required", ()))
    actor = security.actor()
    if not security.may(actor, "identity"):
        return FromPerson(fields, derived=derived, required=required)
    try:
        sheet = security.engine().people.sheet(
            task.case_id, actor=actor, purpose="dati anagrafici per il modulo", ip=security.client_ip()
        )
    except errors.Forbidden:
        return FromPerson(fields, derived=derived, required=required)
    return FromPerson(
        fields,
        sheet.person,
        shown=True,
        may_write=sheet.may_write,
        derived=derived,
        required=required,
        age=age(sheet.person) if "eta" in derived else None,
    )


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


CONFIRM_ERASURE = "conferma"


@bp.route("/cases/<int:case_id>/cancellazione-dati", methods=["GET", "POST"])
@security.area("erase")
def erase(case_id: int) -> Response | tuple[str, int] | str:
    """Erasure of the person's personal data (GDPR art. 17) for whom the policy allows it: the
    person's cases with what keeps each one's data, then a reason and a confirmation."""
    eng, actor = security.engine(), security.actor()
    ensure_id(case_id)
    plan = eng.people.erasure_plan(case_id, actor=actor)
    if request.method == "GET":
        return render_template("erasure.html", plan=plan, reason="", messages={}, today=eng.now().date())
    reason = request.form.get("reason", "").strip()
    messages: dict[str, list[str]] = {}
    if request.form.get(CONFIRM_ERASURE) != "1":
        messages[CONFIRM_ERASURE] = [_("Conferma che la cancellazione è definitiva.")]
        if not reason:  # both named at once (the engine asks the reason only once confirmed)
            messages["reason"] = [_("Indica il motivo della cancellazione.")]
    try:
        if messages:
            raise errors.InvalidData("erasure not confirmed", {})
        done = eng.people.erase(case_id, actor=actor, reason=reason)
    except errors.InvalidData as err:
        messages.update(plain_keys(err.messages))
        html = render_template("erasure.html", plan=plan, reason=reason, messages=messages, today=eng.now().date())
        return html, 422
    except errors.Conflict:
        # the plan changed meanwhile (a case reopened, another erasure): show it as it is now
        plan = eng.people.erasure_plan(case_id, actor=actor)
        html = render_template("erasure.html", plan=plan, reason=reason, messages={}, today=eng.now().date())
        return html, 409
    if len(done.cases) == 1:
        flash(_("Dati personali del caso cancellati."), "info")
    else:
        flash(_("Dati personali cancellati in %(n)s casi.", n=len(done.cases)), "info")
    if done.person_removed:
        flash(_("La scheda anagrafica della persona è stata eliminata."), "info")
    return redirect(url_for("cases.show", case_id=case_id))


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
