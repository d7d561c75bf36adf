"""Case data for people: values grouped by phase and form, with labels, in Italian formats.

A case's data is one flat dictionary of variables: what the forms collected plus what the
diagrams computed (outcomes, categories, the state history). This module is the one place that
turns it into something a social worker can read, for every page and document that shows it
(case page, task sidebar, replay, timeline, PDF dossier, access log, the API's ``labels``):

- each field gets the label of the form that collects it (``label``/``label_en`` metadata), or
  of the process variable table (``forms.variables``) for what the diagrams compute;
- each option code gets its option label (the forms' ``OneOf`` labels, the variable table's
  vocabularies); a code nobody labelled is shown in words, never as ``SNAKE_CASE``;
- dates as ``gg/mm/aaaa``, instants in Europe/Rome time with the zone named, money as
  ``€ 3.600,50``, percentages as ``45 %``, yes/no as Sì/No, lists item by item — all through
  Babel, which is the formatting library Flask-Babel wraps (this package stays Flask-free);
- fields are grouped by phase (F1 … F5, newest first) and, inside a phase, by the form that
  collects them; internal variables (counters, copies kept for the diagrams) are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from marshmallow import Schema, fields, validate

from forms.base import FORMS
from forms.labels_en import OPTION_LABELS_EN
from forms.variables import CODES, PHASES, PROCESS_PHASES, VARIABLES

ZONE = ZoneInfo("Europe/Rome")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$|^[a-z]+(_[a-z0-9]+)+$")
DASH = "—"


@dataclass(frozen=True)
class FieldInfo:
    """What the presenter knows of one variable: labels, how to show it, where it belongs."""

    name: str
    label: str
    label_en: str = ""
    kind: str = "auto"  # auto text date datetime bool int number money percent
    options: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    phase: str = ""  # "F1" … "F5", "" = the case itself
    form_key: str = ""
    hidden: bool = False
    items: Mapping[str, FieldInfo] = field(default_factory=dict)  # sub-fields of a list of objects

    def title(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label


@dataclass(frozen=True)
class Row:
    """One field as shown: its label and either a text, lines (a list) or records (objects)."""

    key: str
    label: str
    text: str = ""
    lines: tuple[str, ...] = ()
    records: tuple[tuple[Row, ...], ...] = ()


@dataclass(frozen=True)
class Section:
    """The fields one form (or the process itself) put into the case."""

    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Group:
    """One phase of the path with its sections; ``current`` for the newest phase with data."""

    phase: str
    title: str
    sections: tuple[Section, ...]
    current: bool = False


# --- the catalogue ----------------------------------------------------------------------------


def _choices(f: fields.Field[Any]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for v in f.validators:
        if isinstance(v, validate.OneOf):
            labels = list(v.labels) if v.labels else []
            labels_en = list(getattr(v, "labels_en", None) or [])
            for i, code in enumerate(v.choices):
                it = str(labels[i]) if i < len(labels) and labels[i] != code else ""
                en = str(labels_en[i]) if i < len(labels_en) else OPTION_LABELS_EN.get(it, "")
                out[str(code)] = (it, en)
    return out


def _kind(name: str, f: fields.Field[Any]) -> str:
    unit = (f.metadata or {}).get("unit")
    if unit == "EUR" or name.endswith("_euro"):
        return "money"
    if unit == "%" or name.endswith(("_perc", "_pct")) or name.startswith("percentuale"):
        return "percent"
    for cls, kind in (
        (fields.Boolean, "bool"),
        (fields.DateTime, "datetime"),
        (fields.Date, "date"),
        (fields.Integer, "int"),
        (fields.Number, "number"),
        (fields.String, "text"),
    ):
        if isinstance(f, cls):
            return kind
    return "auto"


def _field_info(name: str, f: fields.Field[Any], phase: str, form_key: str) -> FieldInfo:
    meta = f.metadata or {}
    inner = f.inner if isinstance(f, fields.List) else f
    items: dict[str, FieldInfo] = {}
    if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
        items = {n: _field_info(n, sub, phase, form_key) for n, sub in inner.schema.fields.items()}
    return FieldInfo(
        name=name,
        label=str(meta.get("label") or ""),
        label_en=str(meta.get("label_en") or ""),
        kind=_kind(name, inner),
        options=_choices(inner),
        phase=phase,
        form_key=form_key,
        items=items,
    )


def form_phase(form_key: str) -> str:
    """The phase a form belongs to, from its key (``f2_segnalazione`` → ``F2``)."""
    head = form_key.split("_", 1)[0]
    return head.upper() if head.upper() in PHASES else ""


@cache
def form_catalogue() -> dict[tuple[str, str], FieldInfo]:
    """(form key, field name) → what that form says of the field (labels differ between forms
    that share a name: ``strumento`` is a legal instrument in F1, a placement tool in F3)."""
    out: dict[tuple[str, str], FieldInfo] = {}
    for key in sorted(FORMS):
        for name, f in FORMS[key]().fields.items():
            if not f.dump_only:
                out[(key, name)] = _field_info(name, f, form_phase(key), key)
    return out


def sources(submissions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Field name → the form that last wrote it, from the case's completed-task submissions in
    order (the audit events' data): a submission is matched to the form whose fields it holds."""
    by_fields: dict[frozenset[str], str] = {}
    for form_key in sorted(FORMS, reverse=True):  # equal field sets: the earlier phase wins
        by_fields[frozenset(FORMS[form_key]().fields)] = form_key
    out: dict[str, str] = {}
    for data in submissions:
        names = frozenset(data)
        key: str | None = by_fields.get(names)
        if key is None:
            fitting = [k for f, k in by_fields.items() if names and names <= f]
            key = min(fitting, key=lambda k: len(FORMS[k]().fields)) if fitting else None
        if key is not None:
            out.update(dict.fromkeys(names, key))
    return out


def guess_sources(data: Mapping[str, Any]) -> dict[str, str]:
    """Field name → the form that most likely wrote it, from the data alone: among the forms
    declaring a field, the one with the most fields in the data (a case that went through a
    form holds all of that form's fields), then the one held most completely."""
    present = set(data)
    score: dict[str, tuple[int, float]] = {"": (-1, 0.0)}
    for key, schema in FORMS.items():
        names = set(schema().fields)
        if names:
            score[key] = (len(names & present), len(names & present) / len(names))
    out: dict[str, str] = {}
    for key, name in form_catalogue():
        if name in present and score.get(key, (0, 0.0)) > score[out.get(name, "")]:
            out[name] = key
    return out


@cache
def catalogue() -> dict[str, FieldInfo]:
    """Every variable the presenter can label: form fields first (in phase order), then the
    variables the diagrams compute. A field several forms collect belongs to the first."""
    out: dict[str, FieldInfo] = {}
    for key in sorted(FORMS):
        schema = FORMS[key]()
        for name, f in schema.fields.items():
            if f.dump_only or name in out:
                continue
            out[name] = _field_info(name, f, form_phase(key), key)
    for name, spec in VARIABLES.items():
        known = out.get(name)
        options = {**(known.options if known else {}), **{c: CODES.get(c, (c, "")) for c in spec.get("codes", ())}}
        options.update(spec.get("options", {}))  # labels of this variable's own codes only
        items = dict(known.items) if known else {}
        for sub, (sub_it, sub_en, sub_kind) in spec.get("items", {}).items():
            items[sub] = FieldInfo(sub, sub_it, sub_en, kind=sub_kind)
        out[name] = FieldInfo(
            name=name,
            label=spec.get("label") or (known.label if known else ""),
            label_en=spec.get("label_en") or (known.label_en if known else ""),
            kind=spec.get("kind") or (known.kind if known else "auto"),
            options=options,
            phase=spec.get("phase") or (known.phase if known else ""),
            form_key=known.form_key if known else "",
            hidden=bool(spec.get("hidden")),
            items=items,
        )
    return out


@cache
def code_labels() -> dict[str, tuple[str, str]]:
    """Every option code any form or vocabulary labels (the first label wins): what a code in a
    computed value (``storico_stati``'s reasons, a decision table's categories) is called."""
    out: dict[str, tuple[str, str]] = dict(CODES)
    for info in catalogue().values():
        for code, labels in info.options.items():
            if labels[0] and code not in out:
                out[code] = labels
        for sub in info.items.values():
            for code, labels in sub.options.items():
                if labels[0] and code not in out:
                    out[code] = labels
    return out


def field_label(name: str, lang: str = "it") -> str:
    """The label of a variable; an unknown one is written in words (``data_avvio`` → "Data avvio")."""
    info = catalogue().get(name)
    return info.title(lang) if info and info.label else _words(name)


def option_label(code: Any, lang: str = "it", info: FieldInfo | None = None) -> str:
    """The label of an option code (the field's own options first, then every vocabulary)."""
    text = str(code)
    labels = info.options.get(text) if info else None
    if not labels or not labels[0]:
        labels = code_labels().get(text)
    if labels and labels[0]:
        return labels[1] if lang == "en" and labels[1] else labels[0]
    return _words(text) if _CODE.match(text) else text


def _words(name: str) -> str:
    spaced = name.replace("_", " ").strip().lower()
    return spaced[:1].upper() + spaced[1:]


# --- values -----------------------------------------------------------------------------------


def format_day(value: dt.date | str | None, lang: str = "it") -> str:
    if value in (None, ""):
        return DASH
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, "dd/MM/yyyy", locale=lang)


def format_instant(value: dt.datetime | str | None, lang: str = "it") -> str:
    """An instant in Italian local time with its zone (``05/01/2026 10:00 CET``)."""
    if value in (None, ""):
        return DASH
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # the engine stores UTC
    # the zone by its abbreviation in every language (Babel's English names it "+0100")
    return f"{format_datetime(when, 'dd/MM/yyyy HH:mm', tzinfo=ZONE, locale=lang)} {when.astimezone(ZONE).tzname()}"


def format_money(value: float | int, lang: str = "it") -> str:
    return format_currency(value, "EUR", format="¤\u00a0#,##0.00", locale=lang, currency_digits=False)


def format_percent(value: float | int, lang: str = "it") -> str:
    return f"{format_decimal(value, locale=lang)}\u00a0%"


def yes_no(value: bool, lang: str = "it") -> str:
    if lang == "en":
        return "Yes" if value else "No"
    return "Sì" if value else "No"


def show(value: Any, info: FieldInfo | None = None, lang: str = "it") -> str:
    """One scalar value as text, by the field's kind (or by its look for computed values)."""
    kind = info.kind if info else "auto"
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return yes_no(value, lang)
    if isinstance(value, int | float):
        if kind == "money":
            return format_money(value, lang)
        if kind == "percent":
            return format_percent(value, lang)
        return str(format_decimal(value, locale=lang))
    if isinstance(value, dt.datetime):
        return format_instant(value, lang)
    if isinstance(value, dt.date):
        return format_day(value, lang)
    text = str(value)
    try:
        if kind == "date" or (kind in ("auto", "text") and _ISO_DAY.match(text)):
            return format_day(text, lang)
        if kind == "datetime" or (kind in ("auto", "text") and _ISO_INSTANT.match(text)):
            return format_instant(text, lang)
    except ValueError:
        return text  # looked like a date but is not one: show it as typed
    if info is not None and text in info.options or _CODE.match(text):
        return option_label(text, lang, info)
    return text


def row(name: str, value: Any, lang: str = "it", info: FieldInfo | None = None) -> Row:
    """One variable as a row: scalars as text, lists as lines, lists of objects as records."""
    info = info or catalogue().get(name)
    title = info.title(lang) if info and info.label else field_label(name, lang)
    if isinstance(value, list):
        if value and all(isinstance(v, Mapping) for v in value):
            return Row(name, title, records=tuple(_record(v, info, lang) for v in value))
        return Row(name, title, text=DASH if not value else "", lines=tuple(show(v, info, lang) for v in value))
    if isinstance(value, Mapping):
        return Row(name, title, records=(_record(value, info, lang),))
    return Row(name, title, text=show(value, info, lang))


def _record(value: Mapping[str, Any], info: FieldInfo | None, lang: str) -> tuple[Row, ...]:
    subs = info.items if info else {}
    return tuple(row(str(k), v, lang, subs.get(str(k))) for k, v in value.items() if not _internal(str(k)))


def _internal(name: str) -> bool:
    info = catalogue().get(name)
    return bool(info and info.hidden) or name.startswith("_")


def rows(data: Mapping[str, Any], lang: str = "it") -> list[Row]:
    """Rows for a handful of values (a task's item, a diff, an event), in the given order."""
    return [row(k, v, lang) for k, v in data.items() if not _internal(k)]


def labels(names: Iterable[str], lang: str = "it") -> dict[str, str]:
    """Field name → label, for the names given (the API's ``labels``, the access log)."""
    return {n: field_label(n, lang) for n in names}


def shown(data: Mapping[str, Any], lang: str = "it") -> dict[str, str]:
    """Field name → the value as one line of text (lists joined), for documents and the API."""
    out: dict[str, str] = {}
    for r in rows(data, lang):
        out[r.key] = flat_text(r)
    return out


def flat_text(r: Row) -> str:
    if r.records:
        return " | ".join("; ".join(f"{s.label}: {flat_text(s)}" for s in rec) for rec in r.records)
    if r.lines:
        return ", ".join(r.lines)
    return r.text


def groups(
    data: Mapping[str, Any],
    lang: str = "it",
    *,
    written_by: Mapping[str, str] | None = None,
    process: str | None = None,
) -> list[Group]:
    """The case data grouped by phase (newest first) and, within a phase, by form.

    ``written_by`` (from ``sources``) names the form that wrote each field, so a field that two
    forms share sits with the one that filled it; ``process`` (the case's current process)
    marks its phase as the current one, else the newest phase with data is.
    """
    cat = catalogue()
    per_form = form_catalogue()
    written_by = {**guess_sources(data), **(written_by or {})}
    by_phase: dict[str, dict[str, list[Row]]] = {}
    for name, value in data.items():
        if _internal(name):
            continue
        info = per_form.get((written_by.get(name, ""), name)) or cat.get(name)
        phase = info.phase if info else ""
        section = info.form_key if info and info.form_key else ""
        by_phase.setdefault(phase, {}).setdefault(section, []).append(row(name, value, lang, info))
    order = [p for p in PHASES if p in by_phase]
    newest = PROCESS_PHASES.get(process or "", "") or (order[-1] if order else "")
    out: list[Group] = []
    # the case's own data (pseudonym, state and its history) first, then the newest phase
    for phase in [*([""] if "" in by_phase else []), *reversed(order)]:
        sections = by_phase[phase]
        # forms in the order the case met them (the data keeps insertion order), computed last
        keys = sorted(sections, key=lambda k: k == "")
        out.append(
            Group(
                phase=phase,
                title=phase_title(phase, lang),
                sections=tuple(Section(k, _form_title(k, lang), tuple(sections[k])) for k in keys),
                current=phase in (newest, ""),
            )
        )
    return out


def phase_title(phase: str, lang: str = "it") -> str:
    it, en = PHASES.get(phase, ("Dati generali del caso", "General case data"))
    return en if lang == "en" else it


def _form_title(form_key: str, lang: str) -> str:
    if not form_key:
        return "Recorded by the process" if lang == "en" else "Registrati dal percorso"
    schema = FORMS.get(form_key)
    if schema is None:
        return _words(form_key)
    return schema.title_en if lang == "en" and schema.title_en else schema.title


# --- decision tasks and instructions ------------------------------------------------------------

_VARIABLE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_SNAKE_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def decision(form_key: str | None, data: Mapping[str, Any], lang: str = "it") -> list[Row]:
    """What a decision form decides on (its ``decide_on`` variables the case holds), as rows."""
    return task_facts(form_key, data, lang)[1] if _decides(form_key) else []


def _decides(form_key: str | None) -> bool:
    schema = FORMS.get(form_key or "")
    return bool(schema is not None and schema.decide_on)


def task_facts(form_key: str | None, data: Mapping[str, Any], lang: str = "it") -> tuple[str, list[Row]]:
    """What a task shows above its form: ``("decide", rows)`` for a decision form (its
    ``decide_on``), ``("know", rows)`` for a form that names what it needs (``shows``), else
    ``("", [])``. Only variables the case holds with a value are shown."""
    schema = FORMS.get(form_key or "")
    if schema is None:
        return "", []
    kind, names = ("decide", schema.decide_on) if schema.decide_on else ("know", schema.shows)
    rows_ = [row(name, data[name], lang) for name in names if data.get(name) not in (None, "", [])]
    return (kind, rows_) if rows_ else ("", [])


def form_description(form_key: str | None, lang: str = "it") -> str:
    schema = FORMS.get(form_key or "")
    return readable_text(schema.description, lang) if schema is not None else ""


_DOC_REFERENCE = re.compile(r"\s*\((?:vedi |cfr\. |see )?docs/[^)]*\)|\s*\b(?:vedi |cfr\. )?docs/\S+")
# a section of a document that is not part of the project, as older diagram versions still name
# them ("(NAME §n …)"): as meaningless to the people doing the task as a path in docs/
_OUTSIDE_REFERENCE = re.compile(r"\s*\([A-Z][A-Za-z_]+(?:\.md)? §[^)]*\)")
_BACKTICKED = re.compile(r"`([^`]+)`")
# a period parameter named in a sentence ("entro giorni_x giorni", "(giorni_x, 28 …)")
_PERIOD = re.compile(r"\bgiorni_[a-z0-9_]+(?:\s+giorni\b)?")


def readable_text(text: str, lang: str = "it") -> str:
    """A text written for process designers made fit for the people doing the task: references
    to the project's documents go, sentences about the diagram's variables go, period parameters
    become "the set period", variable names become their labels, option codes their labels."""
    text = _OUTSIDE_REFERENCE.sub("", _DOC_REFERENCE.sub("", text))
    sentences = re.split(r"(?<=[.;])\s+", text.strip())
    text = " ".join(x for x in sentences if not re.search(r"\bvariabil[ei]\b|\bvariables?\b", x))
    text = _PERIOD.sub("the set period" if lang == "en" else "il termine previsto", text)
    text = _BACKTICKED.sub(lambda m: field_label(m.group(1), lang).lower(), text)
    text = _VARIABLE.sub(lambda m: field_label(m.group(0), lang), text)
    return _SNAKE_CODE.sub(lambda m: option_label(m.group(0), lang), text)
