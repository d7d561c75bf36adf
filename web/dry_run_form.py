"""The dry run answered from the forms: each user task a run may meet gets its form, filled with a
proposal the designer can change, instead of hand-written JSON.

The proposal follows the form's JSON Schema: a field's default when it has one; otherwise, for the
required fields only, the first option of a choice, "yes" for a checkbox, the minimum (or 1) for a
number, the run's day for a date, a short text for a text, and the first option (or one proposed
row) for a required list. Optional fields stay empty, as a person would leave them, unless the
form's own check asks for them (a field required by another's value): the proposal is checked by
the form (``check``) and each field it names gets a value (a list one more item, a date a month
later or 35 years back), a few rounds at most.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from web.schema_form import base_type

SAMPLE_TEXT = "Prova"
SAMPLE_EMAIL = "prova@example.org"
ROUNDS = 6
DATE_TRIES: tuple[Callable[[dt.date], dt.date], ...] = (
    lambda today: today + dt.timedelta(days=30),
    lambda today: today.replace(year=today.year - 35),
)


def propose(schema: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Values for the form ``schema`` that a dry run can submit."""
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for key, node in schema.get("properties", {}).items():
        if "default" in node:
            out[key] = node["default"]
        elif key in required or node.get("minItems"):
            value = _value(node, today)
            if value is not None:
                out[key] = value
    return out


def propose_checked(
    schema: Mapping[str, Any], today: dt.date, check: Callable[[dict[str, Any]], Mapping[str, Any]]
) -> dict[str, Any]:
    """``propose``, then a value for each field the form's check still asks for."""
    values = propose(schema, today)
    properties = schema.get("properties", {})
    moved: dict[str, int] = {}
    for _ in range(ROUNDS):
        asked = [k for k in check(values) if k in properties]
        changed = False
        for key in asked:
            if key not in values:
                value = _value(properties[key], today)
            elif isinstance(values[key], list) and base_type(properties[key]) == "array":
                value = _longer(properties[key], values[key], today)  # refused as too short
            elif properties[key].get("format") == "date" and moved.get(key, 0) < len(DATE_TRIES):
                # a date refused against another or the calendar (a review after the minutes, a
                # birth date): a month later, then 35 years back
                value = DATE_TRIES[moved.get(key, 0)](today).isoformat()
                moved[key] = moved.get(key, 0) + 1
            else:
                value = None  # a value the form refuses for a reason of its own: the designer sees it
            if value is not None:
                values[key], changed = value, True
        if not changed:
            break
    return values


def _longer(node: Mapping[str, Any], current: list[Any], today: dt.date) -> list[Any] | None:
    """``current`` with one more item (the next unused choice, or one more proposed row)."""
    items = node.get("items", {})
    if "enum" in items:
        unused = [o for o in items["enum"] if o is not None and o not in current]
        return [*current, unused[0]] if unused else None
    item = propose(items, today) if base_type(items) == "object" else _value(items, today)
    return [*current, item] if item is not None else None


def _value(node: Mapping[str, Any], today: dt.date) -> Any:
    kind = base_type(node)
    if "enum" in node:
        options = [o for o in node["enum"] if o is not None]
        return options[0] if options else None
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return node.get("minimum", node.get("exclusiveMinimum", 0) + 1)
    if kind == "array":
        items = node.get("items", {})
        count = max(int(node.get("minItems") or 0), 1)
        if base_type(items) == "object":
            return [propose(items, today) for _ in range(count)]
        if "enum" in items:  # distinct choices
            return [o for o in items["enum"] if o is not None][:count] or None
        item = _value(items, today)
        return [item] * count if item is not None else None
    if kind == "object":
        return None
    if node.get("format") == "date":
        return today.isoformat()
    if node.get("format") == "date-time":
        return dt.datetime.combine(today, dt.time(9, 0)).isoformat()
    if node.get("format") == "email":
        return SAMPLE_EMAIL
    digits = re.fullmatch(r"\^\\d\{(\d+)\}\$", str(node.get("pattern", "")))
    if digits:  # a code of n digits (ISTAT, postcode)
        return "1" * int(digits.group(1))
    return SAMPLE_TEXT.ljust(int(node.get("minLength") or 0), "o")
