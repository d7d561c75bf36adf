"""Errors in one place: engine errors → HTTP status, and every error rendered either as an
Italian/English HTML page or, under ``/api/`` and for the pages' ``….json`` resources, as an
RFC 9457 problem document (``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``errors``).

The API never answers with HTML and never turns bad input into a 500.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Any, cast

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from engine import errors
from web import security
from web.i18n import _, _l, when
from web.input_guard import BadInput, HostileInput

# Most specific first: the first matching class decides the status.
STATUS: list[tuple[type[errors.EngineError], int]] = [
    (errors.NotFound, 404),
    (errors.InvalidData, 422),
    (errors.Forbidden, 403),
    (errors.Conflict, 409),  # also TaskNotReady, CaseClosed and DraftHasProblems
    (errors.InvalidProcess, 422),
    (errors.ProcessFailed, 422),
    (errors.StorageUnavailable, 503),
    (errors.TooManyAttempts, 429),
    (errors.EngineError, 400),
]
PROBLEM = "application/problem+json"


def status_for(err: errors.EngineError) -> int:
    return next(status for cls, status in STATUS if isinstance(err, cls))


def engine_error_fields(err: errors.EngineError) -> dict[str, Any]:
    """Field messages an engine error carries (form validation, process defects)."""
    if isinstance(err, errors.InvalidData | errors.RegistryConflict):
        return cast(dict[str, Any], plain_keys(err.messages))
    if isinstance(err, errors.DraftHasProblems):
        return {"problems": err.problems}
    if isinstance(err, errors.DraftLocked):
        return {"lock": lock_fields(err.holder, err.since, err.expires_at)}
    if isinstance(err, errors.StaleDraft):
        return {"conflict": conflict_fields(err.conflict)}
    if isinstance(err, errors.InvalidProcess):
        return {"_schema": [str(p) for p in err.problems] or [err.message]}
    if isinstance(err, errors.ProcessFailed):
        return {"_schema": [err.message], **({"element": [err.element]} if err.element else {})}
    return {}


def lock_fields(holder: str, since: dt.datetime, expires_at: dt.datetime) -> dict[str, Any]:
    """A draft's edit lock for the pages' scripts and the API, with an Italian sentence to show."""
    return {
        "holder": holder,
        "since": since.isoformat(),
        "expires_at": expires_at.isoformat(),
        "message": _(
            "La bozza è in modifica da %(who)s dal %(since)s; il blocco scade il %(until)s.",
            who=holder,
            since=when(since),
            until=when(expires_at),
        ),
    }


def conflict_fields(conflict: Any) -> dict[str, Any]:
    """What a refused stale save shows: who saved since, and their changes (lines, elements, rules)."""
    return {
        "your_revision": conflict.your_revision,
        "current_revision": conflict.current_revision,
        "saved_by": conflict.saved_by,
        "saved_at": conflict.saved_at.isoformat(),
        "message": _(
            "Salvataggio rifiutato: %(who)s ha salvato la bozza (revisione %(rev)s, %(at)s) dopo che l'hai aperta "
            "(revisione %(yours)s). Le sue modifiche sono qui sotto: ricarica la bozza e rifai le tue.",
            who=conflict.saved_by,
            rev=conflict.current_revision,
            at=when(conflict.saved_at),
            yours=conflict.your_revision,
        ),
        "lines": list(conflict.lines),
        "elements": conflict.elements.as_dict()["processes"],
        "rules": [rule_change_fields(r) for r in conflict.rules],
    }


def rule_change_fields(change: Any) -> dict[str, Any]:
    return {
        "decision_id": change.decision_id,
        "decision_name": change.decision_name,
        "rule_id": change.rule_id,
        "status": change.status,
        "status_label": str(RULE_STATUS.get(change.status, change.status)),
        "number_before": change.number_before,
        "number_after": change.number_after,
        "columns": list(change.columns),
        "before": list(change.before),
        "after": list(change.after),
    }


RULE_STATUS = {"added": _l("aggiunta"), "removed": _l("rimossa"), "changed": _l("modificata")}


def plain_keys(value: Any) -> Any:
    """Marshmallow keys list items by int: make every key a string (JSON objects, templates)."""
    if isinstance(value, dict):
        return {str(k): plain_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_keys(v) for v in value]
    return value


def problem(
    status: int, detail: str = "", *, code: str | None = None, fields: dict[str, Any] | None = None
) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": f"/api/v1/docs#problem-{code}" if code else "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
        "errors": fields or {},
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="impresa-per-noi"'
    return response


def wants_problem() -> bool:
    """The API, and the JSON resources the pages' scripts fetch (``….json``), answer problems."""
    return request.path.startswith("/api/") or request.path.endswith(".json")


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.EngineError, handle_engine_error)
    app.register_error_handler(HTTPException, handle_http_exception)


def handle_engine_error(err: errors.EngineError) -> Response | tuple[str, int, dict[str, str]]:
    status = status_for(err)
    retry = getattr(err, "retry_after", None)  # busy or unreachable database, too many logins
    headers = {"Retry-After": str(retry)} if retry is not None else {}
    if isinstance(err, errors.StorageUnavailable):
        current_app.logger.warning("%s on %s %s: %s", err.code, request.method, request.path, err.detail)
    if wants_problem():
        response = problem(status, err.message, code=err.code, fields=engine_error_fields(err))
        response.headers.update(headers)
        return response
    page, status = render_error(status, engine_message(err))
    return page, status, headers


def handle_http_exception(err: HTTPException) -> Response | tuple[str, int]:
    status = err.code or 500
    if status >= 500:
        current_app.logger.error("server error on %s %s", request.method, request.path, exc_info=err)
    if wants_problem():
        data = getattr(err, "data", None) or {}
        fields = _webargs_messages(data.get("messages") or data.get("errors"))
        detail = data.get("message") or (err.description if status < 500 else "")
        if fields and not data.get("message"):
            detail = "The request is not valid: see errors."
        response = problem(status, str(detail or ""), fields=fields)
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # e.g. Allow on 405, Retry-After on 429
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        return response
    if isinstance(err, BadInput):
        return render_error(status, bad_input_message(err.found))
    return render_error(status, http_message(status))


def bad_input_message(found: HostileInput) -> str:
    """The Italian (or English) page for a refused value, naming the field when it is a form field."""
    place, _dot, field = found.where.partition(".")
    if place in ("form", "query") and field:
        return _("Il campo «%(field)s» contiene caratteri o numeri non ammessi: correggilo e riprova.", field=field)
    return _("La richiesta contiene caratteri o numeri non ammessi e non può essere accettata.")


def _webargs_messages(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}, "query": {...}}): merge them."""
    if not isinstance(messages, dict):
        return {}
    merged: dict[str, Any] = {}
    for location, value in messages.items():
        if location in ("json", "query", "path", "headers", "form", "view_args") and isinstance(value, dict):
            merged.update(plain_keys(value))
        else:
            merged[str(location)] = plain_keys(value)
    return merged


def render_error(status: int, message: str) -> tuple[str, int]:
    """An error page for people: a plain heading, what happened, what to do, and the way back to
    the page they start from (their inbox, the cases, …; the login page when not signed in)."""
    found = security.current_actor()
    page = render_template(
        "error.html",
        status=status,
        heading=error_heading(status),
        message=message,
        advice=error_advice(status, signed_in=found is not None),
        home=security.home(found) if found is not None else url_for("auth.login"),
        home_label=home_label(security.home_endpoint(found)) if found is not None else _("Vai alla pagina di accesso"),
    )
    return page, status


def home_label(endpoint: str) -> str:
    """The way back, named for the page it leads to (the person's start page)."""
    labels = {
        "inbox.inbox": _("Vai alle tue attività"),
        "cases.index": _("Vai all'elenco dei casi"),
        "designer.index": _("Vai alla progettazione dei processi"),
        "monitoring.index": _("Vai al monitoraggio del programma"),
    }
    return labels.get(endpoint, _("Vai al tuo account"))


def error_heading(status: int) -> str:
    """The page's heading: what happened, in plain words (never "Errore 404")."""
    headings = {
        400: _("La richiesta non è valida"),
        401: _("Accedi per continuare"),
        403: _("Non hai accesso a questa pagina"),
        404: _("Pagina non trovata"),
        405: _("Operazione non consentita"),
        409: _("L'operazione non è più possibile"),
        413: _("I dati inviati sono troppo grandi"),
        422: _("Alcuni dati non sono validi"),
        429: _("Troppi tentativi"),
        503: _("Servizio momentaneamente non disponibile"),
    }
    return headings.get(status, _("Si è verificato un problema"))


def error_advice(status: int, *, signed_in: bool) -> str:
    """What the person can do now."""
    if status == 403:
        return _(
            "Questa pagina è riservata ad altri ruoli. Se pensi di doverla usare per il tuo lavoro, chiedi "
            "al coordinatore del tuo territorio di assegnarti il ruolo adatto."
        )
    if status == 404:
        return _(
            "L'indirizzo potrebbe essere incompleto oppure l'elemento è stato chiuso o rimosso. Controlla "
            "l'indirizzo oppure riparti dalla tua pagina iniziale."
        )
    if status == 409:
        return _("Ricarica la pagina per vedere la situazione aggiornata, poi riprova se serve ancora.")
    if status == 422:
        return _("Torna alla pagina precedente, correggi i dati e invia di nuovo.")
    if status in (429, 503):
        return _("Attendi qualche minuto e riprova. Nessun dato è andato perso.")
    if status >= 500:
        return _(
            "Non dipende da te. Riprova tra qualche minuto; se il problema continua, avvisa l'assistenza "
            "indicando l'ora e la pagina."
        )
    return _("Torna alla pagina precedente e riprova.") if signed_in else ""


def http_message(status: int) -> str:
    messages = {
        400: _("La richiesta non è valida. Se la sessione è scaduta, ricarica la pagina e riprova."),
        403: _("Il tuo ruolo non consente di aprire questa pagina."),
        404: _("La pagina o l'elemento richiesto non esiste."),
        405: _("Operazione non consentita su questa pagina."),
        413: _("I dati inviati sono troppo grandi."),
        429: _("Troppi tentativi. Attendi un minuto e riprova."),
    }
    return messages.get(status, _("Si è verificato un errore imprevisto. Riprova più tardi."))


def engine_message(err: errors.EngineError) -> str:
    """A message for people, in their language (the engine's own text is for logs and the API)."""
    if isinstance(err, errors.DeadlinePassed):
        return _(
            "Il termine di questa attività è scaduto prima del tuo invio: il caso è proseguito per la strada "
            "prevista alla scadenza e la risposta non è stata registrata."
        )
    if isinstance(err, errors.TaskNotReady):
        return _("Questa attività è già stata completata o non è più disponibile.")
    if isinstance(err, errors.TaskTaken):
        return _("Questa attività è già stata presa in carico da un'altra persona.")
    if isinstance(err, errors.CaseSuspended):
        return _("Il caso è sospeso: le attività riprendono quando il caso viene ripreso.")
    if isinstance(err, errors.CaseClosed):
        return _("Il caso è chiuso: non si possono più completare attività.")
    if isinstance(err, errors.ActionNotAvailable):
        return _("Nella fase attuale del caso questa operazione non è prevista.")
    if isinstance(err, errors.DraftHasProblems):
        return _("La bozza ha problemi: correggili e salva prima di pubblicare.")
    if isinstance(err, errors.DraftLocked):
        return str(lock_fields(err.holder, err.since, err.expires_at)["message"])
    if isinstance(err, errors.StaleDraft):
        return str(conflict_fields(err.conflict)["message"])
    if isinstance(err, errors.Conflict):
        return _("Qualcun altro ha modificato il caso nel frattempo. Ricarica la pagina e riprova.")
    if isinstance(err, errors.Forbidden):
        return _("Non hai il ruolo o il territorio richiesto per questa operazione.")
    if isinstance(err, errors.NotFound):
        return _("L'elemento richiesto non esiste.")
    if isinstance(err, errors.InvalidData):
        return _("Alcuni dati non sono validi: correggi i campi indicati.")
    if isinstance(err, errors.ScriptLimitExceeded):
        return _(
            "Il processo si è fermato: un calcolo del diagramma ha superato i limiti di tempo o di memoria. "
            "Nulla è stato salvato; avvisa chi cura i processi."
        )
    if isinstance(err, errors.StorageBusy):
        return _("Il sistema è momentaneamente occupato: riprova tra qualche secondo. Nessun dato è andato perso.")
    if isinstance(err, errors.StorageUnavailable):
        return _("Il database non è raggiungibile. Riprova più tardi.")
    return _("L'operazione non è riuscita: %(detail)s", detail=err.message)


MAX_ID = 2**31 - 1  # database ids are 32-bit integers: a larger one cannot exist


def ensure_id(value: int) -> int:
    """A path id that cannot exist in the database is simply not found (never a database error)."""
    if not 0 < value <= MAX_ID:
        from flask import abort

        abort(404)
    return value


def ensure_confirmed(key: str = "confirm") -> None:
    """An irreversible step posted without its ``confirm`` box ticked is refused with a message
    under ``key`` (the box's id where a page has several): the pages' confirmations are a box and
    a button in the step's own form (web/templates/_confirm.html), so they work without
    JavaScript, and a stray click never does the step."""
    if request.form.get("confirm") != "1":
        raise errors.InvalidData("not confirmed", {key: [_("Conferma l'operazione spuntando la casella.")]})
