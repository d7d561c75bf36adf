"""Languages: Italian by default, English on request (``?lang=en`` once, then kept in the session).

Templates and code use ``_()`` (Flask-Babel gettext) with Italian message ids; the English
catalog lives in ``web/translations/en``. Form labels come from the forms' own metadata
(``title``/``x-label_en`` in their JSON Schema), role labels from ``engine.roles``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Flask, request, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
    to_user_timezone,
)
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from engine import ROLES
from engine.model import SYSTEM
from engine.policy import CLI_OPERATOR, DEMO, SCHEDULER, SERVER
from forms import present

LANGUAGES = ("it", "en")

_l = lazy_gettext


def _(text: str, **variables: Any) -> str:
    """gettext with a type: the message in the current language, %(name)s filled in."""
    return str(gettext(text, **variables))


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale, default_translation_directories="translations")
    app.before_request(_remember_language)
    app.jinja_env.globals.update(
        lang=language,
        lang_url=lang_url,
        role_label=role_label,
        label=label,
        help_text=help_text,
        LANGUAGES=LANGUAGES,
        case_groups=case_groups,
        data_rows=data_rows,
        field_label=field_label,
        field_labels=field_labels,
        decision_rows=decision_rows,
        task_facts=task_facts,
        status_label=status_label,
        process_title=process_title,
        task_instructions=task_instructions,
        received=received,
    )
    app.jinja_env.filters.update(
        when=when, day=day, who=actor_label, value=show_value, priority=priority_label, translated=translated
    )


def _remember_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted


def _select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    stored = session.get("lang")
    return stored if stored in LANGUAGES else "it"


def language() -> str:
    return str(get_locale() or "it")


def english() -> bool:
    return language() == "en"


def lang_url(code: str) -> str:
    """This page again, in another language."""
    args = MultiDict(request.args)
    args["lang"] = code
    query = urlencode(list(args.items(multi=True)))
    return f"{request.path}?{query}"


def role_label(code: str | None) -> str:
    if not code:
        return ""
    it, en = ROLES.get(code, (code, code))
    return en if english() else it


_SYSTEM_ACTORS = {
    DEMO.username: _l("Sistema (dati dimostrativi)"),
    SCHEDULER.username: _l("Sistema (scadenze automatiche)"),
    CLI_OPERATOR.username: _l("Sistema (riga di comando)"),
    SERVER.username: _l("Sistema (server)"),
    SYSTEM.username: _l("Sistema (dal processo)"),
}


def actor_label(name: str | None) -> str:
    """Who did something, as people read it: a person by login name, the engine's own actors
    (``sistema:demo``, ``sistema:scheduler``…) in words instead of their code."""
    if not name:
        return ""
    if name in _SYSTEM_ACTORS:
        return str(_SYSTEM_ACTORS[name])
    return _("Sistema") if name.startswith("sistema:") else name


def label(node: dict[str, Any], fallback: str = "") -> str:
    """A JSON Schema node's label in the current language."""
    if english() and node.get("x-label_en"):
        return str(node["x-label_en"])
    return str(node.get("title") or fallback.replace("_", " ").capitalize())


def help_text(node: dict[str, Any]) -> str:
    if english() and node.get("x-help_en"):
        return str(node["x-help_en"])
    return str(node.get("description") or "")


def when(value: dt.datetime | None) -> str:
    """An instant as ``gg/mm/aaaa HH:MM`` in the app's zone (Europe/Rome)."""
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""


def day(value: dt.datetime | dt.date | None) -> str:
    """A day as ``gg/mm/aaaa`` (an instant: the day it falls on in the app's zone)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return str(format_datetime(value, "dd/MM/yyyy"))
    return str(format_date(value, "dd/MM/yyyy"))


def received(created: dt.datetime | None, now: dt.datetime) -> str:
    """When a task arrived and how long it has waited, in words and in the app's zone:
    "Ricevuta il 3 novembre 2026, da 5 giorni" (today: "Ricevuta oggi")."""
    if created is None:
        return ""
    arrived = to_user_timezone(created).date()
    days = (to_user_timezone(now).date() - arrived).days
    if days <= 0:
        return _("Ricevuta oggi")
    return str(
        ngettext(
            "Ricevuta il %(day)s, da %(num)s giorno",
            "Ricevuta il %(day)s, da %(num)s giorni",
            days,
            day=format_date(arrived, "long"),
        )
    )


def show_value(value: Any) -> Markup | str:
    """A data value for people: yes/no, lists on lines, nested objects as key: value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Sì") if value else _("No")
    if isinstance(value, list):
        return Markup(Markup("<br>").join(show_value(v) for v in value)) if value else "—"
    if isinstance(value, dict):
        return Markup(
            Markup("; ").join(Markup("{}: {}").format(field_label(k), show_value(v)) for k, v in value.items())
        )
    return present.show(value, None, language())


def case_groups(case: Any) -> list[present.Group]:
    """A case's data grouped by phase and form, labelled and formatted (``forms.present``)."""
    return present.groups(case.data, language(), process=case.phase)


def data_rows(data: dict[str, Any] | None) -> list[present.Row]:
    """A few values (an event's data, a task's item) as labelled rows."""
    return present.rows(data or {}, language())


def translated(text: str) -> str:
    """An Italian label the engine marks with ``N_`` (registry kinds and statuses…), in the current
    language: the catalogue's English, or the Italian when it has none."""
    return str(gettext(text)) if text else text


def translated_labels(labels: dict[str, str]) -> dict[str, str]:
    """A code → label table of the engine in the current language."""
    return {code: translated(text) for code, text in labels.items()}


def field_label(name: str) -> str:
    return present.field_label(name, language())


def field_labels(names: Iterable[str]) -> list[str]:
    """The labels of several fields, each once, in alphabetical order (a list people scan)."""
    return sorted({field_label(n) for n in names}, key=str.casefold)


def decision_rows(form_key: str | None, case: Any) -> list[present.Row]:
    """For a decision task, the proposal or facts it decides on (empty for other tasks)."""
    return present.decision(form_key, case.data if case is not None else {}, language())


def task_facts(form_key: str | None, case: Any) -> tuple[str, list[present.Row]]:
    """What the task shows above its form: what it decides on, or what it needs to know."""
    return present.task_facts(form_key, case.data if case is not None else {}, language())


def task_instructions(form_key: str | None, documentation: str) -> str:
    """The task's instructions, once: the form's own description for the people doing it, else
    the diagram's documentation with variable names and codes replaced by their labels."""
    return present.form_description(form_key, language()) or present.readable_text(documentation, language())


_STATUSES = {
    "running": _l("in corso"),
    "completed": _l("concluso"),
    "cancelled": _l("annullato"),
    "suspended": _l("sospeso"),
    "closed": _l("chiuso d'ufficio"),
    "ready": _l("da svolgere"),
    "pending": _l("in attesa"),
    "fired": _l("scaduto"),
    "incident": _l("in errore"),
}


def status_label(value: Any) -> str:
    """A case, task or timer status in words (``running`` → "in corso")."""
    code = str(getattr(value, "value", value))
    return str(_STATUSES.get(code, code))


def process_title(process_id: str | None) -> str:
    """A process's name (its diagram's title) instead of its id."""
    if not process_id:
        return ""
    from web.security import current_actor, engine  # the app's engine: security imports this module

    actor = current_actor()
    if actor is None:
        return process_id
    names = {p.process_id: p.name for p in engine().design.processes(actor=actor)}
    return names.get(process_id, process_id)


def priority_label(value: int | None) -> str:
    """A task's priority in words: the diagram's number only where it is not the normal one."""
    if not value:
        return _("normale")
    return _("alta (%(n)s)", n=value) if value > 0 else _("bassa (%(n)s)", n=value)


_LANE = re.compile(r'(<(?:bpmn:)?lane\b[^>]*\bname=")([^"]*)(")')


def readable_lanes(xml: str) -> str:
    """A diagram's lanes named by their role's label ("Assistente sociale (case manager)"), not
    its code: the XML is only for drawing here, the engine keeps its own copy."""
    return _LANE.sub(lambda m: m.group(1) + escape(role_label(m.group(2)), {'"': "&quot;"}) + m.group(3), xml)
