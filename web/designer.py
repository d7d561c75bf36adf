"""Process design in the browser (roles *progettista*, *coordinatore*, *amministratore*): the
library with its drafts, the bpmn-js modeler with a properties panel, validation on save with
every problem marked on the diagram, deployment with a change note, the version history with a
visual diff, a dry run of a draft on sample data and the migration of running cases to another
version (dry run first, one case or in bulk, optional element mapping).

Everything comes from ``Engine``'s process-design surface (``save_process_draft``,
``new_process_draft``, ``open_process_draft``, ``deploy_process_draft``, ``process_draft_diff``,
``dry_run_draft``, ``process_versions``, ``version_diff``, ``process_xml``, ``library_files``,
``migrate_case``, ``migrate_cases``); this module only picks, parses form input and formats. The
page scripts (``static/js/modeler.js``, ``design_viewer.js``) fetch the ``….json`` resources
here, which answer problem documents on error. The JSON API (``web.api.designer``) reuses the
helpers below, so the pages and the API say the same thing.

A draft whose last save found problems is kept but cannot be deployed or dry-run: refused here
(409) before the engine, which refuses it too. Input the engine deems dangerous (entity
declarations, oversized files, scripts reaching for imports) is refused with 422 and never stored;
a request body over ``MAX_CONTENT_LENGTH`` is refused by Flask (413) before any of this runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.wrappers import Response

from engine import errors
from engine.model import (
    Actor,
    CaseMigration,
    DecisionTestCase,
    DecisionTestResult,
    DraftEvent,
    DryRunResult,
    DryRunScenario,
    ElementLabel,
    MigrationBlock,
    ProcessDraft,
    ProcessVersionView,
)
from web import input_guard, security
from web.dry_run_form import propose_checked
from web.errors import ensure_confirmed, ensure_id, lock_fields, plain_keys, rule_change_fields
from web.form_input import convert
from web.i18n import _, _l
from web.problems import located, problem_text
from web.schema_form import widgets

bp = Blueprint("designer", __name__)
bp.add_app_template_global(problem_text)

MAX_TEXT = 500
MAX_CASES = 500  # running cases listed on the migration page (a bulk migration takes them all)
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.(bpmn|dmn)$")
PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
MAPPING_LINE = re.compile(r"^\s*([^\s=>,]+)\s*(?:->|→|=>|=|,|\s)\s*([^\s=>,]+)\s*$")
XML = "application/xml"


# --- helpers shared with the API -----------------------------------------------------------


def draft_document(draft: ProcessDraft, *, content: bool = True) -> dict[str, Any]:
    """A draft as the pages and the API show it: ``deployable`` when its last save found no problem."""
    doc: dict[str, Any] = {
        "id": draft.id,
        "file_name": draft.file_name,
        "author": draft.author,
        "note": draft.note,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "problems": [{**dataclasses.asdict(p), "text": problem_text(p)} for p in draft.problems],
        "deployed_at": draft.deployed_at,
        "deployable": draft.deployable,
        "revision": draft.revision,
        "lock": {"holder": draft.lock.holder, "since": draft.lock.since, "expires_at": draft.lock.expires_at}
        if draft.lock
        else None,
    }
    if content:
        doc["content"] = draft.content
    return doc


def json_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with ISO datetimes, for the pages' scripts (jsonify would write RFC 822 dates)."""
    return {
        k: v.isoformat() if isinstance(v, dt.datetime) else json_document(v) if isinstance(v, dict) else v
        for k, v in doc.items()
    }


def etag(revision: int) -> str:
    return f'"rev-{revision}"'


def base_revision(body: dict[str, Any] | None = None) -> int | None:
    """The revision a save is based on: ``revision`` in the body, else an ``If-Match: "rev-N"``."""
    given = (body or {}).get("revision")
    if isinstance(given, int) and not isinstance(given, bool) and 0 < given < 2**31:
        return given
    match = re.fullmatch(r'\s*(?:W/)?"rev-(\d{1,9})"\s*', request.headers.get("If-Match", ""))
    return int(match.group(1)) if match else None


class InvalidField(UnprocessableEntity):
    """422 for one field, with its message in the problem document's ``errors``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.data = {"message": "The request is not valid: see errors.", "errors": {field: [message]}}


def deployed_rows(result: Iterable[tuple[ProcessVersionView, bool]]) -> list[dict[str, Any]]:
    """A deployment's outcome: each process's current version, new ones first."""
    rows = [
        {
            "process_id": view.process_id,
            "version": view.version,
            "name": view.name,
            "sha256": view.sha256,
            "deployed_at": view.deployed_at,
            "deployed_by": view.deployed_by,
            "new": new,
        }
        for view, new in result
    ]
    return sorted(rows, key=lambda r: (not r["new"], r["process_id"]))


def version_rows(versions: Iterable[ProcessVersionView]) -> list[dict[str, Any]]:
    """A process's versions, newest first; ``note`` once the engine's view carries it."""
    rows = [dataclasses.asdict(v) | {"note": getattr(v, "note", None), "files": list(v.files)} for v in versions]
    return sorted(rows, key=lambda r: -int(r["version"]))


# Why a case cannot migrate, worded for the page (``params``: see ``engine.model.MigrationReason``)
MIGRATION_REASONS = {
    MigrationBlock.PROCESS_GONE: _l("Il processo «%(process_name)s» del caso non c'è nella nuova versione."),
    MigrationBlock.AT_REMOVED: _l(
        "Il caso è fermo a «%(element_name)s», che la nuova versione toglie: indica dove spostarlo."
    ),
    MigrationBlock.PASSED_REMOVED: _l(
        "Il caso è passato da «%(element_name)s», che la nuova versione toglie: indica cosa lo sostituisce."
    ),
    MigrationBlock.MAPPING_TARGET_MISSING: _l(
        "La corrispondenza di «%(element_name)s» indica «%(target)s», che non c'è nella nuova versione."
    ),
    MigrationBlock.REBUILD_FAILED: _l(
        "Il sottoprocesso «%(process_name)s» non si può ricostruire sulla nuova versione: il caso resta dov'è."
    ),
    MigrationBlock.REBUILD_MULTI_INSTANCE: _l(
        "Il sottoprocesso «%(process_name)s» andrebbe ricostruito sulla nuova versione, ma contiene l'attività "
        "ripetuta per più elementi «%(element_name)s»: la ricostruzione non sa riabbinare le sue istanze, "
        "quindi il caso resta sulla sua versione."
    ),
    MigrationBlock.ALREADY_ON_VERSION: _l("Il caso è già sulla versione %(version)s."),
    MigrationBlock.CASE_NOT_FOUND: _l("Il caso o la versione di destinazione non esiste."),
    MigrationBlock.CASE_CLOSED: _l("Il caso è chiuso: non si può migrare."),
    MigrationBlock.FORBIDDEN: _l("Il caso è di un territorio che non gestisci."),
    MigrationBlock.REFUSED: _l("Il caso non si può migrare."),
}


def migration_reason_text(code: str, params: dict[str, str], elements: Mapping[str, ElementLabel] | None = None) -> str:
    """One reason of a migration in words; a missing parameter leaves the generic wording. An
    element without a BPMN name (the engine then gives its id as the name) is said in words."""
    if params.get("element") and params.get("element_name") in (None, "", params["element"]):
        params = {**params, "element_name": element_text(params["element"], elements or {})}
    try:
        return str(MIGRATION_REASONS[MigrationBlock(code)]) % params
    except (KeyError, ValueError):
        return str(MIGRATION_REASONS[MigrationBlock.REFUSED])


def element_text(bpmn_id: str, elements: Mapping[str, ElementLabel]) -> str:
    """An element as a person reads it: its BPMN name, or its kind in words, never its id."""
    label = elements.get(bpmn_id)
    if label is not None and label.name:
        return label.name
    if label is not None and label.kind:
        return _("elemento senza nome (%(kind)s)", kind=element_kind(label.kind))
    return _("elemento senza nome")


# The lists of a migration's changes, as the page titles them.
MIGRATION_CHANGES = (("changed", _l("modificati")), ("added", _l("aggiunti")), ("removed", _l("rimossi")))


def migration_rows(results: Iterable[CaseMigration]) -> list[dict[str, Any]]:
    """The results as the page shows them: each reason, element and rebuilt process in words."""
    rows = []
    for result in results:
        row = result.as_dict()
        named = result.elements
        row["reason_texts"] = [migration_reason_text(r.code, r.params, named) for r in result.reasons]
        row["active_texts"] = [element_text(a, named) for a in result.active]
        row["change_texts"] = [
            (str(title), sorted(element_text(x, named) for x in getattr(result, key)))
            for key, title in MIGRATION_CHANGES
            if getattr(result, key)
        ]
        row["rebuilt_texts"] = [
            (_("Il sottoprocesso «%(name)s» è stato ricostruito sulla nuova versione.", name=r.name))
            if result.migrated
            else _("Il sottoprocesso «%(name)s» verrà ricostruito sulla nuova versione.", name=r.name)
            for r in result.rebuilt
        ]
        rows.append(row)
    return rows


def dry_run_document(result: DryRunResult) -> dict[str, Any]:
    return dataclasses.asdict(result)


def with_data_after(doc: dict[str, Any], start: dict[str, Any]) -> dict[str, Any]:
    """A dry run's document with, at each step, the whole data after it (``after``) and the
    elements that step went through (``elements``), for the page's step-by-step view."""
    data = dict(start)
    reached = 0
    for step in doc.get("steps", []):
        data.update(step["changes"])
        for key in step["removed"]:
            data.pop(key, None)
        step["after"] = dict(data)
        length = step.get("path_length", reached)
        step["elements"] = [p["name"] for p in doc["path"][reached:length]]
        reached = length
    return doc


# The kinds of BPMN element a dry run goes through, as the page says them.
ELEMENT_KINDS = {
    "StartEvent": _l("inizio"),
    "EndEvent": _l("fine"),
    "UserTask": _l("attività utente"),
    "ManualTask": _l("attività manuale"),
    "ScriptTask": _l("script"),
    "ServiceTask": _l("attività automatica"),
    "BusinessRuleTask": _l("decisione"),
    "ExclusiveGateway": _l("scelta"),
    "InclusiveGateway": _l("scelta multipla"),
    "ParallelGateway": _l("parallelo"),
    "EventBasedGateway": _l("attesa di un evento"),
    "IntermediateCatchEvent": _l("evento atteso"),
    "IntermediateThrowEvent": _l("evento inviato"),
    "BoundaryEvent": _l("evento di bordo"),
    "CallActivity": _l("sottoprocesso chiamato"),
    "SubWorkflowTask": _l("sottoprocesso"),
    "TransactionSubprocess": _l("sottoprocesso"),
    "SubProcess": _l("sottoprocesso"),
}


def element_kind(type_name: str) -> str:
    """An element's kind in the page's language: SpiffWorkflow's class name without its prefixes."""
    for name, label in ELEMENT_KINDS.items():
        if type_name.endswith(name):
            return str(label)
    return _("elemento")


bp.add_app_template_filter(element_kind, "element_kind")


def parse_mapping(text: str) -> dict[str, str]:
    """Element mapping typed one pair a line: ``old_id -> new_id`` (also ``=``, ``,`` or a space)."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = MAPPING_LINE.match(line)
        if not match:
            raise errors.InvalidData(
                "invalid mapping",
                {"mapping": [_("Riga %(n)s: scrivi «vecchio_id -> nuovo_id».", n=number)]},
            )
        mapping[match.group(1)] = match.group(2)
    return mapping


def parse_json_object(text: str, field: str, *, answers: bool = False) -> dict[str, Any]:
    """A JSON object typed in a textarea (empty: ``{}``); answers map element ids to objects or lists of objects."""
    if not text.strip():
        return {}
    try:
        value = input_guard.loads(text)
    except input_guard.HostileInput:
        refused = _("Il JSON contiene caratteri o numeri non ammessi.")
        raise errors.InvalidData("refused JSON", {field: [refused]}) from None
    except ValueError as err:
        raise errors.InvalidData("invalid JSON", {field: [_("JSON non valido: %(e)s", e=str(err))]}) from None
    if not isinstance(value, dict):
        raise errors.InvalidData("not an object", {field: [_("Serve un oggetto JSON: { … }.")]})
    if answers:
        check_answers(value, field)
    return value


def check_answers(answers: dict[str, Any], field: str = "answers") -> None:
    for element, given in answers.items():
        items = given if isinstance(given, list) else [given]
        if not items or not all(isinstance(item, dict) for item in items):
            raise errors.InvalidData(
                "invalid answers",
                {field: [_("%(el)s: serve un oggetto (i dati del modulo) o una lista di oggetti.", el=element)]},
            )


def attachment(content: bytes, file_name: str) -> Response:
    response = Response(content, mimetype=XML)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _text(name: str, limit: int = MAX_TEXT) -> str:
    return request.values.get(name, "").strip()[:limit]


def _int(name: str) -> int | None:
    value = request.values.get(name, "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def _draft(draft_id: int) -> ProcessDraft:
    ensure_id(draft_id)
    return security.engine().design.draft(draft_id, actor=security.actor())


def _problem_texts(err: errors.InvalidProcess) -> list[str]:
    return [located(p) for p in err.problems] or [err.message]


# --- the library ---------------------------------------------------------------------------


@bp.get("/design")
@security.area("design")
def index() -> str:
    return _library()


def _library(status_messages: dict[str, list[str]] | None = None, form: dict[str, str] | None = None) -> str:
    eng = security.engine()
    files = sorted(eng.design.library_files(actor=security.actor()))
    drafts = [draft_document(d, content=False) for d in eng.design.drafts(actor=security.actor())]
    return render_template(
        "designer/index.html",
        processes=eng.design.processes(actor=security.actor()),
        files=files,
        drafts=drafts,
        messages=status_messages or {},
        form=form or {},
    )


@bp.post("/design/new")
@security.area("design")
def new() -> Response | tuple[str, int]:
    form = {"process_id": _text("process_id", 61), "name": _text("name", 200)}
    try:
        draft = security.engine().design.new_draft(form["process_id"], form["name"], actor=security.actor())
    except errors.InvalidData as err:
        return _library({"new": [m for ms in err.messages.values() for m in ms]}, form), 422
    except errors.Conflict:
        return _library(
            {"new": [_("Il processo %(p)s esiste già: aprilo dalla libreria.", p=form["process_id"])]}, form
        ), 409
    flash(_("Nuovo processo creato dal modello: modificalo e salvalo."), "info")
    return redirect(url_for("designer.modeler", draft_id=draft.id))


@bp.post("/design/open")
@security.area("design")
def open_file() -> Response:
    file_name = _text("file_name", 130)
    try:
        draft = security.engine().design.open_draft(file_name, actor=security.actor())
    except errors.InvalidProcess as err:  # the deployed file no longer validates with today's library
        flash(_("Il file non si può aprire: %(d)s", d="; ".join(_problem_texts(err))), "error")
        return redirect(url_for("designer.index"))
    except errors.DraftLocked as err:  # its open draft is being edited: show it read-only, with who
        flash(str(lock_fields(err.holder, err.since, err.expires_at)["message"]), "error")
        open_ones = [
            d
            for d in security.engine().design.drafts(actor=security.actor())
            if d.file_name == file_name and d.deployed_at is None
        ]
        if not open_ones:
            return redirect(url_for("designer.index"))
        return redirect(url_for("designer.modeler", draft_id=max(open_ones, key=lambda d: d.updated_at).id))
    return redirect(url_for("designer.modeler", draft_id=draft.id))


@bp.post("/design/upload")
@security.area("design")
def upload() -> Response | tuple[str, int]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _library({"upload": [_("Scegli un file .bpmn o .dmn.")]}), 422
    file_name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not FILE_NAME.match(file_name):
        return _library(
            {"upload": [_("Nome di file non valido: serve un file .bpmn o .dmn (lettere, cifre, _ . -).")]}
        ), 422
    content = upload.read()
    try:
        draft = security.engine().design.save_draft(file_name, content, actor=security.actor(), note=_("caricato"))
    except errors.InvalidProcess as err:
        return _library({"upload": [_("File rifiutato e non salvato:"), *_problem_texts(err)]}), 422
    except errors.InvalidData as err:
        return _library({"upload": [m for ms in err.messages.values() for m in ms]}), 422
    if draft.problems:
        flash(_("File caricato come bozza con %(n)s problemi da correggere.", n=len(draft.problems)), "error")
    else:
        flash(_("File caricato come bozza, senza problemi."), "info")
    return redirect(url_for("designer.modeler", draft_id=draft.id))


@bp.get("/design/library/download")
@security.area("design")
def download_library_file() -> Response:
    file_name = _text("file", 130)
    files = security.engine().design.library_files(actor=security.actor())
    if file_name not in files:
        abort(404)
    return attachment(files[file_name], file_name)


# --- a draft: modeler, save, deploy, dry run -------------------------------------------------


@bp.get("/design/drafts/<int:draft_id>")
@security.area("design")
def modeler(draft_id: int) -> str:
    """The draft in the modeler while the user holds its edit lock; read-only otherwise ("Vedi")."""
    found = _draft(draft_id)
    me = security.actor()
    draft = draft_document(found)
    if found.lock is None or found.lock.holder != me.username:
        return _view(draft, found)
    return render_template("designer/modeler.html", draft=draft, forms=sorted(security.engine().tasks.form_keys()))


def _view(draft: dict[str, Any], found: ProcessDraft) -> str:
    me = security.actor()
    events = security.engine().design.draft_events(found.id, actor=me)
    return render_template(
        "designer/view.html",
        draft=draft,
        file_name=found.file_name,
        content=found.content,
        lock=lock_fields(found.lock.holder, found.lock.since, found.lock.expires_at) if found.lock else None,
        can_break=bool(found.lock and "amministratore" in me.roles and found.lock.holder != me.username),
        events=[event_row(e) for e in events][-20:],
        tables=decision_tables(found.file_name, found.content),
    )


EVENT_LABELS = {
    "lock_taken": _l("ha iniziato a modificare"),
    "lock_released": _l("ha chiuso la modifica"),
    "lock_broken": _l("ha sbloccato la bozza"),
}


def event_row(event: DraftEvent) -> dict[str, Any]:
    detail = ""
    if event.kind == "lock_broken":
        detail = _(
            "in modifica da %(who)s; motivo: %(why)s",
            who=event.data.get("holder", ""),
            why=event.data.get("reason", ""),
        )
    elif event.data.get("lapsed_holder"):
        detail = _("il blocco di %(who)s era scaduto", who=event.data["lapsed_holder"])
    elif event.data.get("deployed"):
        detail = _("pubblicata")
    return {
        "at": event.at,
        "actor": event.actor,
        "label": str(EVENT_LABELS.get(event.kind, event.kind)),
        "detail": detail,
    }


def decision_tables(file_name: str, content: str) -> list[dict[str, Any]]:
    """The rules of a DMN file as tables to show (nothing for BPMN or a file that does not parse)."""
    if not file_name.endswith(".dmn") or not content:
        return []
    try:
        return [dataclasses.asdict(t) for t in security.engine().design.decision_tables(file_name, content.encode())]
    except errors.InvalidProcess:
        return []


@bp.get("/design/library/view")
@security.area("design")
def view_library_file() -> str:
    """A deployed file, read-only: looking creates no draft."""
    file_name = _text("file", 130)
    files = security.engine().design.library_files(actor=security.actor())
    if file_name not in files:
        abort(404)
    content = files[file_name].decode()
    return render_template(
        "designer/view.html",
        draft=None,
        file_name=file_name,
        content=content,
        lock=None,
        can_break=False,
        events=[],
        tables=decision_tables(file_name, files[file_name].decode()),
    )


@bp.get("/design/library/file.json")
@security.area("design")
def library_file_json() -> Response:
    file_name = _text("file", 130)
    files = security.engine().design.library_files(actor=security.actor())
    if file_name not in files:
        abort(404)
    return jsonify({"file_name": file_name, "content": files[file_name].decode(), "problems": []})


@bp.post("/design/drafts/<int:draft_id>/edit")
@security.area("design")
def edit(draft_id: int) -> Response:
    """ "Modifica": take the edit lock and open the modeler, or back to the read-only view with
    who holds the lock."""
    ensure_id(draft_id)
    try:
        security.engine().design.edit_draft(draft_id, actor=security.actor())
    except errors.DraftLocked as err:
        flash(str(lock_fields(err.holder, err.since, err.expires_at)["message"]), "error")
    return redirect(url_for("designer.modeler", draft_id=draft_id))


@bp.post("/design/drafts/<int:draft_id>/lock.json")
@security.area("design")
def renew_lock(draft_id: int) -> Response:
    """The editor page renews its lock while open: the lock back, or 409 with who took it."""
    ensure_id(draft_id)
    found = security.engine().design.edit_draft(draft_id, actor=security.actor())
    return jsonify(json_document({"revision": found.revision, "lock": draft_document(found, content=False)["lock"]}))


@bp.post("/design/drafts/<int:draft_id>/release")
@security.area("design")
def release(draft_id: int) -> Response:
    ensure_id(draft_id)
    security.engine().design.release_draft(draft_id, actor=security.actor())
    flash(_("Modifica chiusa: ora altri progettisti possono modificare la bozza."), "info")
    return redirect(url_for("designer.modeler", draft_id=draft_id))


@bp.post("/design/drafts/<int:draft_id>/break-lock")
@security.area("design")
def break_lock(draft_id: int) -> Response | tuple[str, int]:
    """An administrator frees a draft someone else is editing, with a reason (kept as an event)."""
    ensure_id(draft_id)
    try:
        security.engine().design.break_draft_lock(draft_id, actor=security.actor(), reason=_text("reason"))
    except errors.InvalidData:
        flash(_("Scrivi il motivo dello sblocco."), "error")
        return _view(draft_document(_draft(draft_id)), _draft(draft_id)), 422
    except errors.Conflict:
        flash(_("La bozza non è bloccata."), "info")
        return redirect(url_for("designer.modeler", draft_id=draft_id))
    flash(_("Bozza sbloccata: chi la stava modificando dovrà riaprirla."), "info")
    return redirect(url_for("designer.modeler", draft_id=draft_id))


@bp.get("/design/drafts/<int:draft_id>.json")
@security.area("design")
def draft_json(draft_id: int) -> Response:
    found = _draft(draft_id)
    response = jsonify(json_document(draft_document(found)))
    response.headers["ETag"] = etag(found.revision)
    return response


@bp.post("/design/drafts/<int:draft_id>.json")
@security.area("design")
def save(draft_id: int) -> Response:
    """Save the editor's XML: the draft back with the problems found (dangerous input: 422). The
    save names the revision it was based on (``revision`` or ``If-Match``): 409 with the other
    person's changes when the draft moved on since, 409 with the holder while someone else edits."""
    draft = _draft(draft_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not body["xml"].strip():
        raise BadRequest("Send a JSON object with the diagram XML in 'xml'.")
    xml, note = str(body["xml"]), body.get("note")
    saved = security.engine().design.save_draft(
        draft.file_name,
        xml.encode(),
        actor=security.actor(),
        note=note[:MAX_TEXT] if isinstance(note, str) else "",
        draft_id=draft_id,
        base_revision=base_revision(body),
    )
    response = jsonify(json_document(draft_document(saved)))
    response.headers["ETag"] = etag(saved.revision)
    return response


@bp.get("/design/drafts/<int:draft_id>/decision-tests.json")
@security.area("design")
def decision_tests_json(draft_id: int) -> Response:
    """The decision tests kept in a DMN draft, run: each with its article, inputs, expected and
    actual outputs (JSON texts), the rule rows that matched; and per table the tests as written
    (also those that cannot run, with why), the names a test may use."""
    found = _draft(draft_id)
    return jsonify(decision_tests_document(found, security.actor()))


def decision_tests_document(found: ProcessDraft, actor: Actor) -> dict[str, Any]:
    """The decision tests of a draft: results, and the tests as written per table (shared with the API)."""
    design = security.engine().design
    doc = test_results_document(design.draft_decision_tests(found.id, actor=actor))
    by_id = {(r["decision_id"], r["test_id"]): r for r in doc["results"]}
    doc["suites"] = [
        {
            "decision_id": s.decision_id,
            "decision_name": s.decision_name,
            "reads": list(s.reads),
            "outputs": list(s.outputs),
            "defaults": {k: _json_text(v) for k, v in s.defaults.items()},
            "titles": {k: v for k, v in s.titles.items() if k.isidentifier()},
            "tests": [
                {
                    "test_id": t.id,
                    "name": t.name,
                    "article": t.article,
                    "inputs": {k: _json_text(v) for k, v in t.inputs.items()},
                    "expected": {k: _json_text(v) for k, v in t.expected.items()},
                    "result": by_id.get((s.decision_id, t.id)),
                    "problems": [
                        problem_text(p)
                        for p in found.problems
                        if p.code.startswith("dmn.test") and (p.args or {}).get("test") == t.id
                    ],
                }
                for t in s.tests
            ],
        }
        for s in design.decision_suites(found.id, actor=actor)
    ]
    doc["not_run"] = sum(1 for s in doc["suites"] for t in s["tests"] if t["result"] is None)
    return doc


def parse_test_value(text: str) -> Any:
    """A value a designer typed for a decision test: JSON (46, "TESTO", true, ["A"], null), Python's
    True/False/None, or else the text itself as a string. ``ValueError`` (Italian) when it starts
    like JSON but is not."""
    text = text.strip()
    if not text:
        raise ValueError(_("scrivi un valore"))
    python = {"True": True, "False": False, "None": None}
    if text in python:
        return python[text]
    try:
        return input_guard.loads(text)
    except input_guard.HostileInput:
        raise ValueError(_("contiene caratteri o numeri non ammessi")) from None
    except ValueError:
        if text[0] in '[{"' or text[0].isdigit() or text[0] == "-":
            raise ValueError(_('non è un valore valido (es. 46, "TESTO", true, ["A", "B"])')) from None
        return text


def _test_values(rows: Any, field: str, errors_found: dict[str, list[str]]) -> dict[str, Any]:
    """The rows (name, value text) of a test form as a mapping; what is wrong goes into ``errors_found``."""
    values: dict[str, Any] = {}
    if not isinstance(rows, list):
        rows = []
    for number, row in enumerate(rows, start=1):
        name, text = (row + ["", ""])[:2] if isinstance(row, list) else ("", "")
        name, text = str(name or "").strip()[:100], str(text or "")[:10_000]
        if not text.strip() and (not name or field == "expected"):
            continue  # an output left empty is not checked (the form proposes every output)
        if not name:
            errors_found.setdefault(field, []).append(_("Riga %(n)s: manca il nome della variabile.", n=number))
            continue
        if name in values:
            errors_found.setdefault(field, []).append(_("«%(name)s» è indicato due volte.", name=name))
            continue
        try:
            values[name] = parse_test_value(text)
        except ValueError as err:
            errors_found.setdefault(field, []).append(f"«{name}»: {err}")
    return values


@bp.post("/design/drafts/<int:draft_id>/decision-tests.json")
@security.area("design")
def save_decision_test(draft_id: int) -> Response:
    """A decision test written on the page (rows of name and value text), added to the draft or
    put in place of ``replaces``; saved into the DMN file as a new revision. 422 with Italian
    field messages for a test badly written; the draft back with the problems its save found
    (a name the table does not read is one) and the tests run."""
    _draft(draft_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object.")
    messages: dict[str, list[str]] = {}
    inputs = _test_values(body.get("inputs"), "inputs", messages)
    expected = _test_values(body.get("expected"), "expected", messages)
    test = DecisionTestCase(
        id=str(body.get("test_id") or "").strip()[:200],
        name=str(body.get("name") or "").strip()[:1000],
        article=str(body.get("article") or "").strip()[:1000],
        inputs=inputs,
        expected=expected,
    )
    if messages:  # the engine's own checks too, so every field is answered at once
        messages = {**security.engine().design.check_decision_test(test), **messages}
        raise errors.InvalidData("invalid decision test", messages)
    replaces = body.get("replaces")
    saved = security.engine().design.save_decision_test(
        draft_id,
        test,
        actor=security.actor(),
        decision_id=str(body.get("decision_id") or "") or None,
        replaces=str(replaces) if replaces else None,
        base_revision=base_revision(body),
    )
    return _tests_saved(saved)


@bp.post("/design/drafts/<int:draft_id>/decision-tests/delete.json")
@security.area("design")
def delete_decision_test(draft_id: int) -> Response:
    """Take a decision test out of a DMN draft (a new revision); the draft and the tests back."""
    _draft(draft_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("test_id"), str):
        raise BadRequest("Send a JSON object with the test's 'test_id'.")
    saved = security.engine().design.delete_decision_test(
        draft_id,
        body["test_id"][:200],
        actor=security.actor(),
        decision_id=str(body.get("decision_id") or "") or None,
        base_revision=base_revision(body),
    )
    return _tests_saved(saved)


def _tests_saved(saved: ProcessDraft) -> Response:
    response = jsonify(
        {
            "draft": json_document(draft_document(saved)),
            "tests": decision_tests_document(saved, security.actor()),
        }
    )
    response.headers["ETag"] = etag(saved.revision)
    return response


def test_results_document(results: Iterable[DecisionTestResult]) -> dict[str, Any]:
    rows = [
        {
            "decision_id": r.decision_id,
            "test_id": r.test_id,
            "name": r.name,
            "article": r.article,
            "passed": r.passed,
            "given": {k: _json_text(v) for k, v in r.inputs.items()},
            "expected": {k: _json_text(v) for k, v in r.expected.items()},
            "actual": {k: _json_text(v) for k, v in r.actual.items()},
            "matched_rules": list(r.matched_rules),
            "error": r.error,
        }
        for r in results
    ]
    failed = sum(1 for r in rows if not r["passed"])
    return {"results": rows, "passed": len(rows) - failed, "failed": failed}


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@bp.get("/design/drafts/<int:draft_id>/rules-diff.json")
@security.area("design")
def draft_rule_diff(draft_id: int) -> Response:
    """The rules a DMN draft adds, removes or changes against the deployed file."""
    return jsonify(rule_diff_document(_draft(draft_id), security.actor()))


def rule_diff_document(found: ProcessDraft, actor: Actor) -> dict[str, Any]:
    """The rules a DMN draft changes against the deployed file (shared with the API)."""
    eng = security.engine()
    changes = eng.design.draft_rule_diff(found.id, actor=actor)
    return {
        "changes": [rule_change_fields(c) for c in changes],
        "new_file": found.file_name not in eng.design.library_files(actor=actor),
    }


@bp.get("/design/drafts/<int:draft_id>/diff.json")
@security.area("design")
def draft_diff(draft_id: int) -> Response:
    ensure_id(draft_id)
    return jsonify(security.engine().design.draft_diff(draft_id, actor=security.actor()).as_dict())


@bp.get("/design/drafts/<int:draft_id>/download")
@security.area("design")
def download_draft(draft_id: int) -> Response:
    draft = _draft(draft_id)
    return attachment(draft.content.encode(), draft.file_name)


@bp.post("/design/drafts/<int:draft_id>/delete")
@security.area("design")
def delete(draft_id: int) -> Response | tuple[str, int]:
    """A deleted draft cannot be recovered: the row's form confirms it with a box."""
    ensure_id(draft_id)
    try:
        security.engine().design.draft(draft_id, actor=security.actor())  # an unknown draft is 404 first
        ensure_confirmed(f"delete-{draft_id}")
    except errors.InvalidData as err:
        return _library(plain_keys(err.messages)), 422
    security.engine().design.delete_draft(draft_id, actor=security.actor())
    flash(_("Bozza eliminata."), "info")
    return redirect(url_for("designer.index"))


@bp.post("/design/drafts/<int:draft_id>/deploy")
@security.area("design")
def deploy(draft_id: int) -> str | tuple[str, int]:
    draft = draft_document(_draft(draft_id))
    forms = sorted(security.engine().tasks.form_keys())
    note = _text("note")
    try:
        if not note and draft["deployable"]:
            flash(_("Scrivi una nota che spieghi la modifica."), "error")
            return render_template("designer/modeler.html", draft=draft, forms=forms, note_missing=True), 422
        result = security.engine().design.deploy_draft(draft_id, actor=security.actor(), note=note)
    except errors.DraftHasProblems:
        flash(_("La bozza ha problemi: correggili e salva prima di pubblicare."), "error")
        return render_template("designer/modeler.html", draft=draft, forms=forms), 409
    except errors.InvalidProcess as err:  # the library changed since the draft was saved
        flash(_("Pubblicazione rifiutata: %(d)s", d="; ".join(_problem_texts(err))), "error")
        return render_template("designer/modeler.html", draft=draft, forms=forms), 422
    return render_template("designer/deployed.html", draft=draft, rows=deployed_rows(result), note=note)


@bp.route("/design/drafts/<int:draft_id>/dry-run", methods=["GET", "POST"])
@security.area("design")
def dry_run(draft_id: int) -> str | tuple[str, int]:
    """The dry run: each user task the process may meet has its form, filled with a proposal the
    designer changes or leaves out ("Rispondi"); answers written as JSON still go first. A run can
    be kept as a scenario of the process ("Salva come scenario") and the scenarios run again, one
    or all, after each change of the draft."""
    return _dry_run_page(draft_id)


def _dry_run_page(draft_id: int, refused: dict[str, list[str]] | None = None) -> tuple[str, int]:
    """The dry-run page; ``refused``: the messages of a step refused elsewhere (a scenario's
    delete without its box ticked), shown with nothing run."""
    eng, actor = security.engine(), security.actor()
    found = _draft(draft_id)
    draft, processes = draft_document(found), list(found.process_ids)
    form = {
        "process_id": _text("process_id", 200) or (processes[0] if processes else ""),
        "data": request.form.get("data", "{}")[:100_000],
        "answers": request.form.get("answers", "{}")[:100_000],
        "scenario_name": _text("scenario_name", 200),
    }
    posted = request.method == "POST" and refused is None
    action = request.form.get("action", "run") if posted else ""
    result: dict[str, Any] | None = None
    outcomes: list[dict[str, Any]] | None = None
    messages: dict[str, list[str]] = {}
    status = 200
    from_scenario = action == "scenario"
    if from_scenario:  # the scenario's own data and answers, nothing from the forms
        scenario = _scenario(form["process_id"], _int("scenario_id"))
        form["data"] = json.dumps(scenario.data, ensure_ascii=False, indent=1)
        form["answers"] = json.dumps(scenario.answers, ensure_ascii=False, indent=1)
    task_forms = _task_forms(draft_id, form["process_id"], posted=posted and not from_scenario)
    if from_scenario:
        for task in task_forms:
            task["use"] = False
    if action == "all":
        outcomes = [_scenario_outcome(draft_id, s) for s in eng.design.scenarios(form["process_id"], actor=actor)]
    elif refused:
        messages, status = refused, 422
    elif posted:
        try:
            data = parse_json_object(form["data"], "data")
            answers = parse_json_object(form["answers"], "answers", answers=True)
            for task in task_forms:
                if task["use"] and task["id"] not in answers:
                    answers[task["id"]] = task["values"]
            result = with_data_after(
                dry_run_document(eng.design.dry_run(draft_id, form["process_id"], data, answers, actor=actor)), data
            )
            if action == "save":
                eng.design.save_scenario(
                    form["process_id"], form["scenario_name"], data, answers, actor=actor, draft_id=draft_id
                )
                flash(_("Scenario «%(name)s» salvato.", name=form["scenario_name"]), "info")
        except errors.DraftHasProblems:
            messages, status = {"_schema": [_("La bozza ha problemi: correggili prima della simulazione.")]}, 409
        except errors.InvalidData as err:
            messages, status = {str(k): list(v) for k, v in err.messages.items()}, 422
        except errors.NotFound:
            messages, status = {"process_id": [_("Il processo non è nella libreria della bozza.")]}, 422
        except errors.InvalidProcess as err:
            messages, status = {"_schema": _problem_texts(err)}, 422
        except errors.ScriptLimitExceeded as err:
            limit = _(
                "L'elemento %(element)s ha superato i limiti degli script (tempo, memoria o quantità di dati): "
                "la simulazione è stata fermata.",
                element=err.element or "?",
            )
            messages, status = {"_schema": [limit]}, 422
    return render_template(
        "designer/dry_run.html",
        draft=draft,
        processes=processes,
        form=form,
        result=result,
        messages=messages,
        user_tasks=list(found.user_tasks),
        task_forms=task_forms,
        scenarios=eng.design.scenarios(form["process_id"], actor=actor) if form["process_id"] else [],
        outcomes=outcomes,
    ), status


def _scenario(process_id: str, scenario_id: int | None) -> DryRunScenario:
    found = [s for s in security.engine().design.scenarios(process_id, actor=security.actor()) if s.id == scenario_id]
    if not found:
        abort(404)
    return found[0]


def _scenario_outcome(draft_id: int, scenario: DryRunScenario) -> dict[str, Any]:
    """One kept scenario run again on the draft as it is now: where it got."""
    row: dict[str, Any] = {"id": scenario.id, "name": scenario.name, "outcome": "", "detail": ""}
    try:
        run = security.engine().design.dry_run(
            draft_id, scenario.process_id, scenario.data, scenario.answers, actor=security.actor()
        )
    except errors.DraftHasProblems:
        return row | {"outcome": "error", "detail": _("La bozza ha problemi: correggili prima della simulazione.")}
    except errors.EngineError as err:
        return row | {"outcome": "error", "detail": err.message}
    if run.error:
        return row | {"outcome": "error", "detail": run.error}
    if run.completed:
        return row | {"outcome": "completed", "detail": _("arrivato alla fine")}
    stopped = ", ".join(f"{s['name']} ({s['element']})" for s in run.stopped_at)
    return row | {"outcome": "stopped", "detail": _("fermo a: %(where)s", where=stopped)}


@bp.post("/design/drafts/<int:draft_id>/scenarios/<int:scenario_id>/delete")
@security.area("design")
def delete_scenario(draft_id: int, scenario_id: int) -> Response | tuple[str, int]:
    """A deleted scenario cannot be recovered: its row's step confirms it with a box."""
    ensure_id(draft_id)
    ensure_id(scenario_id)
    try:
        ensure_confirmed(f"scenario-{scenario_id}")
    except errors.InvalidData as err:
        return _dry_run_page(draft_id, refused=plain_keys(err.messages))
    security.engine().design.delete_scenario(scenario_id, actor=security.actor())
    flash(_("Scenario eliminato."), "info")
    return redirect(url_for("designer.dry_run", draft_id=draft_id))


def _checker(form_key: str) -> Callable[[dict[str, Any]], dict[str, list[str]]]:
    def check(data: dict[str, Any]) -> dict[str, list[str]]:
        return security.engine().tasks.check_form(form_key, data)

    return check


def _task_forms(draft_id: int, process_id: str, *, posted: bool) -> list[dict[str, Any]]:
    """Each user task the run may meet, with its form as widgets: the proposal on a first visit,
    what the designer posted afterwards."""
    eng = security.engine()
    try:
        tasks = eng.design.dry_run_tasks(draft_id, process_id, actor=security.actor())
    except (errors.NotFound, errors.InvalidProcess):
        return []
    known = eng.tasks.form_keys()
    today = eng.now().date()
    found = []
    for task in tasks:
        schema = eng.tasks.form_schema(task.form_key) if task.form_key in known else None
        prefix = f"dr__{task.bpmn_id}__"
        if schema is None:
            values: dict[str, Any] = {}
        elif posted:
            values = convert(schema, request.form, prefix=prefix)
        else:
            values = propose_checked(schema, today, _checker(str(task.form_key)))
        found.append(
            {
                "id": task.bpmn_id,
                "name": task.name,
                "lane": task.lane,
                "form_key": task.form_key,
                "title": (schema or {}).get("title", task.form_key or ""),
                "use": schema is not None and (not posted or request.form.get(f"use__{task.bpmn_id}") == "on"),
                "values": values,
                "fields": widgets(schema, values, {}, prefix=prefix) if schema else [],
            }
        )
    return found


# --- versions: history, visual diff, downloads ---------------------------------------------


@bp.get("/design/processes/<process_id>/versions")
@security.area("design")
def versions(process_id: str) -> str:
    rows = version_rows(security.engine().design.versions(process_id, actor=security.actor()))
    numbers = [r["version"] for r in rows]
    new = _int("to") if _int("to") in numbers else numbers[0]
    old = _int("from") if _int("from") in numbers else next((n for n in numbers if n < new), new)
    changes = (
        security.engine().design.rule_diff(process_id, int(old), int(new), actor=security.actor())
        if old and new and old != new
        else []
    )
    return render_template(
        "designer/versions.html",
        process_id=process_id,
        rows=rows,
        old=old,
        new=new,
        rule_changes=[rule_change_fields(c) for c in changes],
    )


@bp.get("/design/processes/<process_id>/diff.json")
@security.area("design")
def version_diff(process_id: str) -> Response:
    """Elements added/changed/removed between two versions, with both versions' XML to draw."""
    eng = security.engine()
    numbers = sorted(v.version for v in eng.design.versions(process_id, actor=security.actor()))
    new = _int("to") or numbers[-1]
    old = _int("from") or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    diff = eng.design.diff(process_id, old, new, actor=security.actor()).as_dict()
    return jsonify(
        diff
        | {
            "old_files": eng.design.xml(process_id, old, actor=security.actor()),
            "new_files": eng.design.xml(process_id, new, actor=security.actor()),
        }
    )


@bp.get("/design/processes/<process_id>/download")
@security.area("design")
def download_version_file(process_id: str) -> Response:
    files = security.engine().design.xml(process_id, _int("version"), actor=security.actor())
    file_name = _text("file", 130)
    if file_name not in files:
        abort(404)
    return attachment(files[file_name].encode(), file_name)


# --- migration of running cases ----------------------------------------------------------------


@bp.route("/design/processes/<process_id>/migrate", methods=["GET", "POST"])
@security.area("design")
def migrate(process_id: str) -> str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    versions = version_rows(eng.design.versions(process_id, actor=security.actor()))
    numbers = [v["version"] for v in versions]
    to_version = _int("to_version") or numbers[0]
    from_version = _int("from_version")
    mapping_text = request.form.get("mapping", "")[:10_000]
    reason = _text("reason")
    case_ids = [int(c) for c in request.form.getlist("case_id") if c.isdigit() and 0 < int(c) < 2**31]
    dry = request.form.get("action") != "migrate"
    results: list[dict[str, Any]] | None = None
    messages: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            if to_version not in numbers:
                raise errors.InvalidData("no such version", {"to_version": [_("Scegli una versione esistente.")]})
            if not dry and not reason:
                raise errors.InvalidData("reason", {"reason": [_("Scrivi il motivo della migrazione.")]})
            if not dry:
                ensure_confirmed()  # moving cases to another version cannot be undone
            mapping = parse_mapping(mapping_text)
            if case_ids:
                found = eng.cases.migrate_many(
                    case_ids, to_version, actor=actor, reason=reason, mapping=mapping, dry_run=dry
                )
            else:
                found = eng.cases.migrate_process(
                    process_id,
                    to_version,
                    actor=actor,
                    from_version=from_version,
                    reason=reason,
                    mapping=mapping,
                    dry_run=dry,
                )
            results = migration_rows(found)
            if not dry:
                done = sum(1 for r in results if r["migrated"])
                flash(_("%(done)s casi migrati su %(total)s.", done=done, total=len(results)), "info")
        except errors.InvalidData as err:
            messages, status = {str(k): list(v) for k, v in err.messages.items()}, 422
    running = eng.cases.migratable(process_id, actor=actor, limit=MAX_CASES)
    by_version: dict[int, int] = {}
    for case in running:
        by_version[case.process_version] = by_version.get(case.process_version, 0) + 1
    form = {
        "to_version": to_version,
        "from_version": from_version,
        "mapping": mapping_text,
        "reason": reason,
        "case_ids": case_ids,
    }
    processes = {p.process_id: p.name for p in eng.design.processes(actor=actor)}
    return render_template(
        "designer/migrate.html",
        process_id=process_id,
        process_name=processes.get(process_id) or (versions[0]["name"] if versions else process_id),
        processes=processes,
        versions=versions,
        running=running,
        by_version=by_version,
        form=form,
        results=results,
        dry=dry,
        messages=messages,
    ), status
