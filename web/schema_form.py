"""A task's form JSON Schema (``Engine.form_schema``) turned into widgets the templates render.

Each property becomes one ``Widget``: enums → select (with their labels), dates → date inputs,
booleans → checkbox, integers/numbers → number inputs, lists of choices → checkboxes, lists of
dates → one date input each, lists of text → one item per line, lists of objects → repeatable
rows of nested widgets. Labels, help texts and required marks come from the schema; values and
field messages are attached so a rejected submission shows each message next to its field with
the input kept.

HTML names: ``key`` at the top level, ``key.<row>.<sub>`` inside a list of objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms import present
from web.i18n import _, english, help_text, label

ROW_PLACEHOLDER = "__index__"
LONG_TEXT = 300  # strings allowed longer than this get a textarea
# Multi-instance items name their subject by a short key; a form field "<key>_partner" or
# "<key>_ente" is prefilled from the item's "<key>" (e.g. codice_partner ← item["codice"]).
ITEM_SUFFIXES = ("_partner", "_ente")


# the id of the page's <datalist> of registry organisations, for fields holding their codes
REGISTRY_LIST = "registry-organisations"


@dataclass
class Widget:
    name: str
    key: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    value: Any = None
    errors: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    rows: list[list[Widget]] = field(default_factory=list)
    template: list[Widget] = field(default_factory=list)

    @property
    def checked_values(self) -> set[str]:
        return {str(v) for v in self.value} if isinstance(self.value, list) else set()

    @property
    def dates(self) -> list[str]:
        """A list of dates as its inputs show them: each date given, then one empty input."""
        given = [str(v) for v in self.value] if isinstance(self.value, list) else []
        return [*given, ""]

    @property
    def text(self) -> str:
        """The value as an input shows it."""
        if self.value is None:
            return ""
        if isinstance(self.value, list):
            return "\n".join(str(v) for v in self.value)
        return str(self.value)


def base_type(node: Mapping[str, Any]) -> str:
    kind = node.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def widgets(
    schema: Mapping[str, Any], values: Mapping[str, Any], messages: Mapping[str, Any], prefix: str = ""
) -> list[Widget]:
    """``prefix`` goes before every HTML name (several forms on one page, e.g. the dry run)."""
    return _object(schema, values or {}, messages or {}, prefix=prefix)


@dataclass(frozen=True)
class ErrorLink:
    """One entry of a form's error summary: the element to jump to, the field and its message."""

    anchor: str
    label: str
    message: str

    @property
    def entry(self) -> tuple[str, str]:
        """(anchor, text) for the summary macro of ``_form.html``."""
        return self.anchor, f"{self.label}: {self.message}"


def field_anchor(w: Widget) -> str:
    """The id of the element a summary link jumps to (the macros in ``_form.html`` give these
    ids): the input itself, a group's first option or date, a list's fieldset."""
    base = "field-" + w.name.replace(".", "-")
    if w.kind == "choices":
        return f"{base}-1"
    if w.kind == "dates":
        return f"{base}-0"
    return base


def error_links(found: list[Widget], row_label: str = "") -> list[ErrorLink]:
    """Every field message of a form, in the fields' order, for the summary at its top."""
    out: list[ErrorLink] = []
    for w in found:
        name = f"{row_label}{w.label}"
        out.extend(ErrorLink(field_anchor(w), name, m) for m in w.errors)
        for index, row in enumerate(w.rows):
            out.extend(error_links(row, _("%(list)s, elemento %(num)s", list=w.label, num=index + 1) + " – "))
    return out


def general_errors(messages: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Messages not attached to a field of the form (``_schema`` or unknown names)."""
    props = schema.get("properties", {})
    out: list[str] = []
    for key, value in (messages or {}).items():
        if key not in props:
            prefix = "" if key == "_schema" else f"{key}: "
            out.extend(prefix + m for m in _flat(value))
    return out


def prefill(schema: Mapping[str, Any], item: Any) -> dict[str, Any]:
    """Values a multi-instance item gives the form (same name, or ``<key>_partner`` ← ``<key>``)."""
    if not isinstance(item, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, node in schema.get("properties", {}).items():
        if base_type(node) in ("object", "array"):
            continue
        if key in item and not isinstance(item[key], dict | list):
            out[key] = item[key]
            continue
        for suffix in ITEM_SUFFIXES:
            short = key[: -len(suffix)]
            if key.endswith(suffix) and short in item and not isinstance(item[short], dict | list):
                out[key] = item[short]
    return out


def _object(
    schema: Mapping[str, Any], values: Mapping[str, Any], messages: Mapping[str, Any], prefix: str
) -> list[Widget]:
    required = set(schema.get("required", []))
    result = []
    for key, node in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        result.append(_widget(name, key, node, key in required, values.get(key), messages.get(key)))
    return result


def _widget(name: str, key: str, node: Mapping[str, Any], required: bool, value: Any, messages: Any) -> Widget:
    kind = base_type(node)
    w = Widget(name=name, key=key, kind="text", label=label(dict(node), key), help=help_text(dict(node)))
    w.required = required
    w.value = value
    if kind == "array":
        _array(w, node, value, messages)
        return w
    w.errors = _flat(messages)
    if "enum" in node:
        w.kind = "select"
        w.options = _options(node)
    elif kind == "boolean":
        w.kind = "checkbox"
        w.required = False  # unchecked means "no"
    elif kind in ("integer", "number"):
        w.kind = kind
        w.attrs = {"min": node.get("minimum"), "max": node.get("maximum"), "step": 1 if kind == "integer" else "any"}
    elif kind == "object":
        w.kind = "json"
    elif node.get("format") == "date":
        w.kind = "date"
    elif node.get("format") == "date-time":
        w.kind = "datetime"
    else:
        max_length = node.get("maxLength")
        w.kind = "textarea" if max_length is not None and max_length > LONG_TEXT else "text"
        w.attrs = {"maxlength": max_length, "minlength": node.get("minLength")}
        if node.get("format") == "email":
            w.kind = "email"
        if node.get("x-registry") == "organisation":
            w.attrs["list"] = REGISTRY_LIST  # suggestions: the registry's organisations (task page)
    return w


def _array(w: Widget, node: Mapping[str, Any], value: Any, messages: Any) -> None:
    items = node.get("items", {})
    rows_value = value if isinstance(value, list) else []
    if base_type(items) == "object":
        w.kind = "rows"
        per_row = messages if isinstance(messages, Mapping) else {}
        w.errors = _flat(messages) if isinstance(messages, list) else list(_flat(per_row.get("_schema")))
        for index, row in enumerate(rows_value or [{}]):
            row_messages = per_row.get(str(index), per_row.get(index, {}))
            if isinstance(row_messages, list):
                w.errors.extend(f"#{index + 1}: {m}" for m in row_messages)
                row_messages = {}
            w.rows.append(_object(items, row if isinstance(row, Mapping) else {}, row_messages, f"{w.name}.{index}."))
        w.template = _object(items, {}, {}, f"{w.name}.{ROW_PLACEHOLDER}.")
        return
    w.errors = _flat(messages)
    if "enum" in items:
        w.kind = "choices"
        w.options = _options(items)
    elif items.get("format") == "date":
        w.kind = "dates"  # one date input per date, "Aggiungi" for another (never typed as text)
    else:
        w.kind = "lines"
        w.help = " ".join(p for p in (w.help, _hint_lines()) if p)


def _hint_lines() -> str:
    return _("Un elemento per riga.")


def _options(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    values = [v for v in node.get("enum", []) if v is not None]
    labels = (english() and node.get("x-enum-labels_en")) or node.get("x-enum-labels") or []
    return [(str(v), str(labels[i]) if i < len(labels) else str(v)) for i, v in enumerate(values)]


def _flat(messages: Any) -> list[str]:
    """All message strings under a node (nested dicts of list items included)."""
    if messages is None:
        return []
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, Mapping):
        out: list[str] = []
        for key, value in messages.items():
            label_prefix = f"#{int(key) + 1}: " if str(key).isdigit() else ""
            out.extend(label_prefix + m for m in _flat(value))
        return out
    if isinstance(messages, list | tuple):
        return [m for item in messages for m in _flat(item)]
    return [str(messages)]


class DataLabels:
    """Field name → label for showing case data (``forms.present``: form metadata first, then the
    variables the diagrams compute; never the raw name). ``get`` keeps the dict-like use."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get(self, key: str, default: str | None = None) -> str:
        return present.field_label(key, self.lang)

    def __getitem__(self, key: str) -> str:
        return present.field_label(key, self.lang)


def data_labels() -> DataLabels:
    from web.i18n import language

    return DataLabels(language())
