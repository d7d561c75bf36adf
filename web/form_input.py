"""A posted HTML form turned into the JSON the engine validates, typed by the form's JSON Schema.

Browsers send strings: a checkbox is present or absent, numbers and dates are text, repeated
rows arrive as ``key.<row>.<sub>``. This converts each property to its JSON type (boolean,
integer, number, array, nested objects) and leaves out empty inputs, so the form's own defaults
and "required" messages apply. A value that does not convert (``"12a"`` for an integer) is
passed on as typed, and the engine's validation reports it next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from web import input_guard
from web.schema_form import base_type

TRUE = frozenset({"on", "true", "1", "yes", "si", "sì"})


def convert(schema: Mapping[str, Any], form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """``prefix``: the form's inputs are named ``<prefix><key>`` (several forms on one page)."""
    return _object(schema, form, prefix=prefix)


def _object(schema: Mapping[str, Any], form: MultiDict[str, str], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, node in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        kind = base_type(node)
        if kind == "array":
            value = _array(name, node, form)
            if value is not None:
                out[key] = value
        elif kind == "boolean":
            out[key] = form.get(name, "").strip().lower() in TRUE
        else:
            raw = form.get(name, "")
            if raw.strip():
                out[key] = scalar(kind, raw)
    return out


def scalar(kind: str, raw: str) -> Any:
    text = raw.strip()
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() and "." not in text and "," not in text else number
        if kind == "object":
            return input_guard.loads(text)
    except ValueError:
        return text
    return raw.strip() if "\n" not in raw else raw.strip("\r\n ")


def _array(name: str, node: Mapping[str, Any], form: MultiDict[str, str]) -> list[Any] | None:
    items = node.get("items", {})
    kind = base_type(items)
    if kind == "object":
        return _rows(name, items, form)
    if "enum" in items:
        chosen = [scalar(kind, v) for v in form.getlist(name) if v.strip()]
        return chosen or None
    lines = [line.strip() for v in form.getlist(name) for line in v.splitlines() if line.strip()]
    return [scalar(kind, line) for line in lines] or None


def _rows(name: str, items: Mapping[str, Any], form: MultiDict[str, str]) -> list[Any] | None:
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.")
    indexes = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})
    rows = []
    for index in indexes:
        prefix = f"{name}.{index}."
        filled = any(v.strip() for key, v in form.items(multi=True) if key.startswith(prefix))
        if filled:
            rows.append(_object(items, form, prefix))
    return rows or None
