"""The auditor's pages (role *Revisore*; coordinators and administrators may open them too), all
read-only: a case's full timeline with filters, the step-through replay (the page and the
``replay.json`` its own script fetches), the dossier downloads (PDF and signed JSON bundle), the
log of who viewed personal data and the verification of every hash chain; evaluators download the
pseudonymised export here.

Everything comes from ``Engine`` (``history``, ``replay``, ``case_diagram``, ``dossier_pdf``,
``dossier_bundle``, ``access_log``, ``verify_chains``, ``export_pseudonymised``); this module
only picks, filters for display and formats. The JSON API reuses ``replay_document`` and the
download helpers (``web.api.audit``).

Personal data: the timeline and the step-through show data as ``Engine.history`` and
``Engine.replay`` filter it for the viewer (health/judicial fields, ``engine.privacy`` classes C2/C3,
only for the roles that need them; every showing logged); withheld fields are listed by name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import get_timezone, gettext

from engine import RELATIONS
from engine.model import Actor, CaseEvent, EventKind, JsonObject, ReplayStep
from forms import present
from web import security
from web.errors import ensure_id
from web.i18n import _l, actor_label, language, readable_lanes, translated, when
from web.schema_form import data_labels

bp = Blueprint("audit", __name__)

MAX_TEXT = 200
ACCESS_LOG_LIMIT = 500
MAX_SEQ = 2**31 - 1

# Event kinds in the words of the PDF dossier (engine.audit.pdf.KIND_LABELS), translatable here.
KIND_LABELS: dict[str, Any] = {
    "started": _l("Avvio del caso"),
    "task_completed": _l("Attività completata"),
    "completed": _l("Caso concluso"),
    "cancelled": _l("Caso annullato"),
    "timer_fired": _l("Scadenza temporale"),
    "timer_incident": _l("Anomalia timer"),
    "message_sent": _l("Messaggio inviato"),
    "message_received": _l("Messaggio ricevuto"),
    "task_claimed": _l("Presa in carico attività"),
    "task_released": _l("Rilascio attività"),
    "task_reassigned": _l("Riassegnazione attività"),
    "partnership_changed": _l("Variazione partenariato"),
    "protocol_changed": _l("Variazione di un protocollo"),
    "data_corrected": _l("Correzione dati"),
    "case_reset": _l("Ritorno a un passo precedente"),
    "data_erased": _l("Cancellazione dati personali"),
    "migrated": _l("Migrazione di versione"),
    "team_changed": _l("Variazione del gruppo di lavoro"),
    "person_recorded": _l("Registrazione dati anagrafici"),
    "break_glass": _l("Accesso straordinario motivato"),
    "suspended": _l("Sospensione del caso"),
    "resumed": _l("Ripresa del caso"),
    "closed": _l("Chiusura d'ufficio"),
    "enterprise_changed": _l("Variazione dell'impresa"),
}


STATUS_LABELS: dict[str, Any] = {
    "running": _l("in corso"),
    "completed": _l("concluso"),
    "cancelled": _l("annullato"),
    "suspended": _l("sospeso"),
    "closed": _l("chiuso d'ufficio"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _text(name: str) -> str:
    return request.args.get(name, "").strip()[:MAX_TEXT]


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw else None
    except ValueError:
        return None


def _positive(raw: str | None, limit: int = MAX_SEQ) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if 0 < value <= limit else None


# --- timeline ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TimelineQuery:
    """The timeline's filters, checked: unknown or malformed values are dropped."""

    kind: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    task: str = ""

    @classmethod
    def parse(cls) -> TimelineQuery:
        kind = request.args.get("kind", "")
        return cls(
            kind=kind if kind in KIND_LABELS else "",
            actor=_text("actor"),
            date_from=_date(request.args.get("from")),
            date_to=_date(request.args.get("to")),
            task=_text("task"),
        )

    def keep(self, event: CaseEvent, tz: dt.tzinfo) -> bool:
        """Dates are days of the viewer's time zone (the one the page shows times in)."""
        day = event.at.astimezone(tz).date()
        return (
            (not self.kind or event.kind == self.kind)
            and (not self.actor or event.actor == self.actor)
            and (self.date_from is None or day >= self.date_from)
            and (self.date_to is None or day <= self.date_to)
            and (not self.task or self.task.casefold() in (event.task_name or "").casefold())
        )

    def form(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "actor": self.actor,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "task": self.task,
        }

    @property
    def active(self) -> bool:
        return any(self.form().values())


@bp.get("/cases/<int:case_id>/timeline")
@security.area("audit")
def timeline(case_id: int) -> str:
    eng, actor = security.engine(), security.actor()
    ensure_id(case_id)
    case = eng.cases.get(case_id, purpose="revisione: cronologia completa", ip=security.client_ip(), actor=actor)
    events = eng.cases.history(case_id, purpose="revisione: cronologia completa", ip=security.client_ip(), actor=actor)
    query = TimelineQuery.parse()
    tz = get_timezone() or dt.UTC
    shown = [e for e in events if query.keep(e, tz)]
    kinds = sorted({e.kind for e in events} | ({query.kind} if query.kind else set()), key=kind_label)
    names = {o.code: o.name for o in eng.registry.organisations(actor=actor)} if shown else {}
    return render_template(
        "audit_timeline.html",
        case=case,
        events=[dataclasses.replace(e, data=readable_event_data(e, names)) for e in shown],
        total=len(events),
        query=query,
        kinds=[(k, kind_label(k)) for k in kinds],
        actors=sorted({e.actor for e in events}),
        kind_label=kind_label,
        labels=data_labels(),
    )


def readable_event_data(event: CaseEvent, organisations: dict[str, str]) -> JsonObject:
    """A team change as the auditor reads it: the relation by its name ("Servizio sanitario in
    carico"), the person as the history names people, the organisation by its name in the
    registry, never the codes the event stores (``sanitario``, ``ASL_DEMO``)."""
    if event.kind != EventKind.TEAM_CHANGED or not event.data:
        return dict(event.data or {})
    data = dict(event.data)
    relation = str(data.get("relazione") or "")
    if relation in RELATIONS:
        data["relazione"] = translated(RELATIONS[relation][0])
    # the event stores the user's login and the organisation's code, both strings
    if user := data.get("utente"):
        data["utente"] = actor_label(str(user))
    if code := data.get("organizzazione"):
        data["organizzazione"] = organisations.get(str(code), code)
    return data


# --- step-through replay ----------------------------------------------------------------------


def replay_document(case_id: int, actor: Actor, upto: int | None = None) -> dict[str, Any]:
    """The replay of a case as data: every step with its BPMN element states per process, the
    data diff it introduced and whether it matches the stored state digest (health and judicial
    fields withheld, see the module docstring). ``at`` stays a datetime (the API dumps it)."""
    # every step, from the first event: the page steps through all of them
    result = security.engine().audit.replay(case_id, actor=actor, upto=upto, with_elements=True, from_start=True)
    return {
        "case_id": case_id,
        "faithful": result.faithful,
        "first_mismatch": result.first_mismatch,
        "steps": [_step(index, step) for index, step in enumerate(result.steps)],
    }


def _step(index: int, step: ReplayStep) -> dict[str, Any]:
    # The engine has already withheld what this viewer may not see (and logged what it showed).
    parts = {part: step.changes.get(part) or {} for part in ("added", "changed", "removed")}
    return {
        "index": index,
        "cmd": step.cmd,
        "seqs": list(step.seqs),
        "kind": step.kind,
        "kind_label": kind_label(step.kind),
        "actor": step.actor,
        "at": step.at,
        "task_name": step.task_name,
        "matches": step.matches,
        "status": step.status,
        "ready": list(step.ready),
        "elements": step.elements,
        "changes": parts,
        "data": step.data,
        "withheld": list(step.withheld),
    }


@bp.get("/cases/<int:case_id>/replay")
@security.area("audit")
def replay(case_id: int) -> str:
    eng, actor = security.engine(), security.actor()
    ensure_id(case_id)
    case = eng.cases.get(case_id, purpose="revisione: riesecuzione", ip=security.client_ip(), actor=actor)
    return render_template("audit_replay.html", case=case, seq=_positive(request.args.get("seq")))


@bp.get("/cases/<int:case_id>/replay.json")
@security.area("audit")
def replay_json(case_id: int) -> Response:
    """The step-through page's data: the steps (times formatted for the viewer, field labels)
    and the BPMN XML of every process of the case."""
    actor = security.actor()
    ensure_id(case_id)
    document = replay_document(case_id, actor, _positive(request.args.get("upto")))
    labels = data_labels()
    names: set[str] = set()
    for step in document["steps"]:
        at: dt.datetime = step["at"]
        step["at"], step["at_label"] = at.isoformat(), when(at)
        step["status_label"] = str(STATUS_LABELS.get(step["status"], step["status"]))
        names.update(step["data"])
        for part in step["changes"].values():
            names.update(part)
    eng = security.engine()
    diagrams = eng.cases.diagram(case_id, actor=actor)
    document["process_names"] = {p.process_id: p.name for p in eng.design.processes(actor=security.actor())}
    lang = language()
    for step in document["steps"]:
        step["shown"] = _shown_changes(step["changes"], lang)
        names.update(step["withheld"])
    document["labels"] = {name: labels.get(name, name) for name in sorted(names)}
    document["diagrams"] = [{"process_id": d.process_id, "xml": readable_lanes(d.xml)} for d in diagrams]
    return jsonify(document)


def _shown_changes(changes: dict[str, dict[str, Any]], lang: str) -> dict[str, dict[str, Any]]:
    """The diff's values as people read them (labels of options, Italian dates, money)."""
    out: dict[str, dict[str, Any]] = {}
    for part, values in changes.items():
        if part == "changed":
            out[part] = {
                k: {
                    "from": present.flat_text(present.row(k, (v or {}).get("from"), lang)),
                    "to": present.flat_text(present.row(k, (v or {}).get("to"), lang)),
                }
                for k, v in values.items()
            }
        else:
            out[part] = {k: present.flat_text(present.row(k, v, lang)) for k, v in values.items()}
    return out


# --- dossiers ---------------------------------------------------------------------------------


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def dossier_pdf_response(case_id: int, actor: Actor) -> Response:
    body = security.engine().audit.dossier_pdf(case_id, actor=actor)
    return attachment(body, "application/pdf", f"fascicolo-caso-{case_id}.pdf")


def dossier_json_response(case_id: int, actor: Actor) -> Response:
    bundle = security.engine().audit.dossier_bundle(case_id, actor=actor)
    body = json.dumps(bundle, ensure_ascii=False, indent=1).encode()
    return attachment(body, "application/json", f"fascicolo-caso-{case_id}.json")


def pseudonymised_response(actor: Actor) -> Response:
    records = security.engine().audit.export_pseudonymised(actor=actor)
    body = json.dumps(records, ensure_ascii=False, indent=1, default=str).encode()
    return attachment(body, "application/json", "esportazione-pseudonimizzata.json")


@bp.get("/cases/<int:case_id>/dossier.pdf")
@security.area("audit")
def dossier_pdf(case_id: int) -> Response:
    return dossier_pdf_response(ensure_id(case_id), security.actor())


@bp.get("/cases/<int:case_id>/dossier.json")
@security.area("audit")
def dossier_json(case_id: int) -> Response:
    return dossier_json_response(ensure_id(case_id), security.actor())


@bp.get("/exports/pseudonymised.json")
@security.area("export")
def pseudonymised() -> Response:
    return pseudonymised_response(security.actor())


# --- access log and chain verification --------------------------------------------------------


@bp.get("/audit/access-log")
@security.area("audit")
def access_log() -> str:
    case_id = _positive(request.args.get("case_id"))
    username = _text("username")
    rows = security.engine().audit.access_log(
        case_id=case_id, username=username or None, limit=ACCESS_LOG_LIMIT, actor=security.actor()
    )
    return render_template(
        "audit_access_log.html",
        rows=rows,
        filters={"case_id": "" if case_id is None else str(case_id), "username": username},
        limit=ACCESS_LOG_LIMIT,
    )


@bp.get("/audit/verify")
@security.area("audit")
def verify() -> str:
    report = security.engine().audit.verify(actor=security.actor())
    first = report.breaks[0] if report.breaks else None
    link = url_for("audit.timeline", case_id=first.case_id) if first is not None and first.case_id > 0 else None
    return render_template(
        "audit_verify.html", report=report, first=first, first_link=link, break_labels=_break_labels()
    )


def _break_labels() -> dict[str, str]:
    """What each kind of broken link means, for the auditor (the technical reason stays below)."""
    return {
        "event": gettext("Un evento è stato modificato, tolto o spostato."),
        "erasure": gettext(
            "Un dato risulta cancellato senza una cancellazione registrata nella catena, o è stato riscritto dopo."
        ),
        "head": gettext("La cronologia del caso è stata accorciata o il caso non corrisponde al suo ultimo evento."),
        "snapshot": gettext(
            "I dati o lo stato mostrati del caso differiscono da quelli fissati dal suo ultimo evento."
        ),
        "access_log": gettext(
            "Il registro degli accessi ai dati personali è stato modificato o una riga è stata tolta."
        ),
        "checkpoint": gettext(
            "Uno stato salvato per riprendere la riesecuzione non corrisponde a quello fissato nella catena."
        ),
        "anchor": gettext("La catena non corrisponde più a un'ancora registrata."),
    }
