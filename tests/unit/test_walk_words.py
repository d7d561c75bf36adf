"""Words a person reads on the task and case pages: labels, help texts and option labels of every
form, and the labels of the variables the diagrams compute, carry no internal reference (a
decision table's name such as DT-1, a section sign)."""

from __future__ import annotations

import re
from typing import Any

from engine.forms import json_schema, known_forms
from forms.variables import CODES, VARIABLES

INTERNAL = re.compile(r"\bDT-\d|§")


def _texts(node: dict[str, Any]) -> list[str]:
    found = [str(node.get(k, "")) for k in ("title", "description", "x-label_en", "x-help_en")]
    found += [str(x) for x in node.get("x-enum-labels", [])]
    for child in [*node.get("properties", {}).values(), node.get("items", {})]:
        if isinstance(child, dict) and child:
            found += _texts(child)
    return found


def test_no_internal_reference_reaches_a_form_or_a_case_variable() -> None:
    shown = {key: _texts(json_schema(key)) for key in known_forms()}
    shown["variables"] = [str(v[k]) for v in VARIABLES.values() for k in ("label", "label_en")]
    shown["codes"] = [label for pair in CODES.values() for label in pair]
    leaks = {where: [t for t in texts if INTERNAL.search(t)] for where, texts in shown.items()}
    assert not {where: texts for where, texts in leaks.items() if texts}
