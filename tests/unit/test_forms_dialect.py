"""The forms speak one dialect (forms/validators.py): option lists are (code, label) pairs."""

from __future__ import annotations

import ast
from pathlib import Path

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_no_form_module_keeps_labels_in_a_parallel_list() -> None:
    parallel = [
        f"{path.name}:{node.lineno} {target.id}"
        for path in sorted(FORMS.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith("_LABELS")
    ]
    assert parallel == [], "write the options as (code, label) pairs passed to scelta"
