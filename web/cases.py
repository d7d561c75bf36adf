"""Cases in the browser: the list with filters (phase, territory, status, beneficiary
pseudonym/title), starting a case, a territory's partnership switch for coordinators, and the
case page: summary, the data the viewer may see, open tasks, the BPMN diagram (bpmn-js, fed by
``/cases/<id>/diagram.json`` with completed/active/waiting elements) and the history timeline.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import CaseStatus, errors
from engine.model import ENTERPRISE_CONTRACTS, ENTERPRISE_ROLES
from forms.allerte import TIPI_ALLERTA
from web import audit, people, security
from web.errors import engine_message, ensure_confirmed, ensure_id, plain_keys
from web.i18n import _, readable_lanes
from web.monitoring import period_choices

bp = Blueprint("cases", __name__)

PAGE = 25
MAX_TEXT = 200


def _text(name: str) -> str:
    return request.values.get(name, "").strip()[:MAX_TEXT]


@bp.get("/cases")
@security.area("cases")
def index() -> str:
    eng, actor = security.engine(), security.actor()
    processes = {p.process_id: p.name for p in eng.design.processes(actor=security.actor())}
    status = request.args.get("status", "")
    phase = request.args.get("phase", "")
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() else 1
    page = max(1, min(page, 10_000))
    filters = {
        "status": status if status in {s.value for s in CaseStatus} else "",
        "phase": phase if phase in processes else "",
        "territory": _text("territory"),
        "title": _text("title"),
    }
    found = eng.cases.list(
        status=CaseStatus(filters["status"]) if filters["status"] else None,
        phase=filters["phase"] or None,
        territory=filters["territory"] or None,
        title=filters["title"] or None,
        limit=PAGE + 1,
        offset=(page - 1) * PAGE,
        actor=actor,
    )
    return render_template(
        "cases.html",
        cases=found[:PAGE],
        more=len(found) > PAGE,
        page=page,
        filters=filters,
        processes=processes,
        statuses=[s.value for s in CaseStatus],
        territories=sorted(actor.territories),
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@security.area("start")
def new() -> Response | str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    # only the entry processes this user may start, the beneficiary path first (and preselected)
    processes = {p.process_id: p.name for p in eng.cases.startable(actor=actor)}
    form = {k: _text(k) for k in ("process_id", "territory")}
    # never cut what a person typed: the engine refuses a too long pseudonym or title with a message
    form.update({k: request.values.get(k, "").strip() for k in ("titolo", "beneficiario_pseudonimo", "periodo")})
    if request.method == "GET" and not form["process_id"] and processes:
        form["process_id"] = next(iter(processes))
    messages: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        data = {k: form[k] for k in ("titolo", "beneficiario_pseudonimo", "periodo") if form[k]}
        if form["territory"]:
            data["territorio"] = form["territory"]
        try:
            if form["process_id"] not in processes:
                raise errors.InvalidData("unknown process", {"process_id": [_("Scegli un processo.")]})
            case = eng.cases.start(form["process_id"], data, actor=actor, territory=form["territory"] or None)
            flash(_("Caso n. %(id)s avviato.", id=case.id), "info")
            if data.get("beneficiario_pseudonimo") and people.may_write(case.id):
                # a referral: the person's identity comes next, on its own form
                flash(_("Registra ora i dati anagrafici della persona segnalata."), "info")
                return redirect(url_for("people.edit", case_id=case.id))
            if not _may_open(case.id):
                # a referring service outside the case's team (job centre, ASL, UEPE): the case is
                # the social services' to take in charge, not a page this person may open
                flash(
                    _(
                        "Il caso passa ora a chi lo prende in carico (per una segnalazione, i servizi sociali del "
                        "territorio): potrai aprirlo quando il tuo servizio farà parte del suo gruppo di lavoro."
                    ),
                    "info",
                )
                return redirect(security.home(actor))
            return redirect(url_for("cases.show", case_id=case.id))
        except errors.InvalidData as err:
            messages, status = plain_keys(err.messages), 422
        except errors.Conflict:
            messages = {"territory": [_("Nel territorio non c'è un partenariato attivo: prima va concluso l'accordo.")]}
            status = 409
        except errors.Forbidden as err:
            messages, status = {"_schema": [engine_message(err)]}, 403
    periods, form["periodo"] = period_choices(form["periodo"])
    html = render_template(
        "case_new.html",
        processes=processes,
        form=form,
        periods=periods,
        messages=messages,
        territories=sorted(actor.territories),
        supervisor=security.may(actor, "supervise"),
    )
    return html, status


def _may_open(case_id: int) -> bool:
    """Whether the current user may open the case's page (the engine's read check)."""
    try:
        security.engine().cases.outlook(case_id, actor=security.actor())
    except errors.Forbidden:
        return False
    return True


@bp.post("/partnerships")
@security.area("supervise")
def partnership() -> Response:
    territory = _text("territory")
    active = request.form.get("active") == "1"
    try:
        if not territory:
            raise errors.InvalidData("territory required", {"territory": ["Campo obbligatorio."]})
        security.engine().registry.set_partnership(territory, active, actor=security.actor())
        flash(
            _("Partenariato del territorio %(t)s attivato.", t=territory)
            if active
            else _("Partenariato del territorio %(t)s sospeso.", t=territory),
            "info",
        )
    except (errors.InvalidData, errors.Forbidden) as err:
        flash(engine_message(err), "error")
    return redirect(url_for("cases.new"))


@bp.get("/cases/<int:case_id>")
@security.area("cases")
def show(case_id: int) -> str:
    ensure_id(case_id)
    return _case_page(case_id)


@bp.get("/cases/<int:case_id>/relazione.pdf")
@security.area("monitoring_documents")
def semester_report_pdf(case_id: int) -> Response:
    """The approved semester report as archived (the engine checks it against its hash)."""
    file = security.engine().reports.semester_report_pdf(
        ensure_id(case_id), actor=security.actor(), ip=security.client_ip()
    )
    response = Response(file.body, mimetype=file.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response


def _case_page(case_id: int, *, action: str = "", form: dict[str, str] | None = None, messages: Any = None) -> str:
    eng, actor = security.engine(), security.actor()
    case = eng.cases.get(case_id, purpose="consultazione caso", ip=security.client_ip(), actor=actor)
    history = eng.cases.history(case_id, purpose="cronologia caso", ip=security.client_ip(), actor=actor)
    processes = {p.process_id: p.name for p in eng.design.processes(actor=security.actor())}
    outlook = eng.cases.outlook(case_id, actor=actor)
    own_enterprise, enterprise_links = None, []
    if security.may(actor, "enterprises"):
        try:
            own_enterprise = eng.enterprises.of_case(case_id, actor=actor)
            enterprise_links = eng.enterprises.of_beneficiary(case_id, actor=actor)
        except errors.Forbidden:
            pass  # enterprise roles held in another territory
    person = people.sheet_for_case_page(case_id)
    return render_template(
        "case.html",
        person=person,
        event_kinds=audit.KIND_LABELS,
        person_age=people.age(person.person) if person else None,
        own_enterprise=own_enterprise,
        enterprise_links=enterprise_links,
        enterprise_roles=ENTERPRISE_ROLES,
        enterprise_contracts=ENTERPRISE_CONTRACTS,
        # track B waiting for an enterprise to found or join: the coordinator's way there
        found_enterprise=not enterprise_links
        and security.may(actor, "enterprises_manage")
        and any(a.message == "impresa_progettata" for a in outlook.awaited),
        case=case,
        history=history,
        processes=processes,
        outlook=outlook,
        action_form={"action": action, **(form or {})},
        action_messages=messages or {},
        alert_kinds=TIPI_ALLERTA,
    )


# The case actions of the case page: what each asks and the flash once done.
ACTIONS = ("withdraw", "suspend", "resume", "close", "cancel")


@bp.post("/cases/<int:case_id>/actions/<action>")
@security.area("case_actions")
def act(case_id: int, action: str) -> Response | tuple[str, int]:
    """One case action from the case page, behind a confirmation box; errors re-show the page
    with the field messages (422) or the reason it cannot be done now (409)."""
    ensure_id(case_id)
    if action not in ACTIONS:
        abort(404)
    eng, actor = security.engine(), security.actor()
    form = {"reason": request.form.get("reason", ""), "date": request.form.get("date", "").strip()}
    try:
        ensure_confirmed()
        if action == "withdraw":
            eng.cases.withdraw(case_id, date=form["date"], reason=form["reason"], actor=actor)
            flash(_("Rinuncia registrata: il percorso prosegue verso l'uscita e la scheda di uscita."), "info")
        elif action == "suspend":
            eng.cases.suspend(case_id, reason=form["reason"], actor=actor)
            flash(_("Caso sospeso: nessuna attività è proposta e le scadenze attendono la ripresa."), "info")
        elif action == "resume":
            eng.cases.resume(case_id, reason=form["reason"], actor=actor)
            flash(_("Caso ripreso: le attività sono di nuovo disponibili."), "info")
        elif action == "close":
            eng.cases.close(case_id, reason=form["reason"], actor=actor)
            flash(_("Caso chiuso d'ufficio: i dati registrati sono conservati."), "info")
        else:
            eng.cases.cancel(case_id, reason=form["reason"], actor=actor)
            flash(_("Caso annullato."), "info")
    except errors.InvalidData as err:
        return _case_page(case_id, action=action, form=form, messages=plain_keys(err.messages)), 422
    except errors.Conflict as err:
        return _case_page(case_id, action=action, form=form, messages={"_schema": [_action_conflict(err)]}), 409
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/health-alert")
@security.area("health_alert")
def health_alert(case_id: int) -> Response | tuple[str, int]:
    """The health service in charge alerts the case team from the case page: kind, date, what
    happened; field messages re-show the page (422), a case that takes no alert now answers 409."""
    ensure_id(case_id)
    form = {k: request.form.get(k, "").strip() for k in ("tipo_allerta", "data_allerta", "descrizione_allerta")}
    try:
        security.engine().cases.health_alert(
            case_id,
            kind=form["tipo_allerta"],
            description=form["descrizione_allerta"],
            date=form["data_allerta"],
            actor=security.actor(),
        )
    except errors.InvalidData as err:
        return _case_page(case_id, action="health_alert", form=form, messages=plain_keys(err.messages)), 422
    except errors.Conflict as err:
        messages = {"_schema": [_action_conflict(err)]}
        return _case_page(case_id, action="health_alert", form=form, messages=messages), 409
    flash(_("Allerta inviata: il case manager ha ricevuto un'attività per valutarla con il servizio."), "info")
    return redirect(url_for("cases.show", case_id=case_id))


def _action_conflict(err: errors.Conflict) -> str:
    if isinstance(err, errors.CaseSuspended):
        return _("Il caso è sospeso: riprendilo prima di questa operazione.")
    if isinstance(err, errors.CaseClosed):
        return _("Il caso è già concluso, chiuso o annullato: l'operazione non è più possibile.")
    if isinstance(err, errors.ActionNotAvailable):
        return _("Nella fase attuale del caso questa operazione non è prevista.")
    return engine_message(err)


@bp.get("/cases/<int:case_id>/diagram.json")
@security.area("cases")
def diagram(case_id: int) -> Response:
    ensure_id(case_id)
    eng = security.engine()
    names = {p.process_id: p.name for p in eng.design.processes(actor=security.actor())}
    # each diagram with its process's title: people read "Valutazione del bisogno", not its id
    return jsonify(
        [
            {**dataclasses.asdict(d), "name": names.get(d.process_id, d.process_id), "xml": readable_lanes(d.xml)}
            for d in eng.cases.diagram(case_id, actor=security.actor())
        ]
    )
