"""Deploy check: every category an eligibility table can give is mapped by the category table.

The eligibility tables (COLLECT tables with an output column named ``cat_…``) give category codes;
the incentive table ``dt5_incentivi_categorie`` has one row per code (``"CODE" in ?``) saying which
incentives the category allows. A table change that adds a code without its row would silently
offer no incentive to those people, so it is a problem at validation, named on the rule that
gives the code. Kept apart from ``lint.py``: it reads DMN outputs only.
"""

from __future__ import annotations

import re
from typing import Any

from engine.bpmn.loader import Library
from engine.errors import ProcessProblem

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
NS = {"dmn": DMN}
MAP_DECISION = "dt5_incentivi_categorie"
_MAPPED = re.compile(r'^\s*"([A-Z0-9_]+)"\s+in\s+\?\s*$')
_CODE = re.compile(r'^\s*"([A-Z0-9_]+)"\s*$')


def category_map_problems(library: Library) -> list[ProcessProblem]:
    """One problem per category code some eligibility table gives and the map has no row for."""
    dmn_roots = {name: root for name, root in library.roots.items() if library.files[name].kind == "dmn"}
    mapped: set[str] | None = None
    for root in dmn_roots.values():
        if root.find(f".//dmn:decision[@id='{MAP_DECISION}']", NS) is not None:
            mapped = _mapped_codes(root)
    if mapped is None:  # a library without the map has nothing to check against
        return []
    problems = []
    for name, root in sorted(dmn_roots.items()):
        for rule, code in _given_codes(root):
            if code not in mapped:
                problems.append(
                    ProcessProblem(
                        f"category {code} has no row in the category table {MAP_DECISION}",
                        file=name,
                        element=rule.get("id", ""),
                        line=rule.sourceline,
                    )
                )
    return problems


def _mapped_codes(root: Any) -> set[str]:
    codes = set()
    for text in root.iterfind(".//dmn:rule/dmn:inputEntry/dmn:text", NS):
        match = _MAPPED.match(text.text or "")
        if match:
            codes.add(match.group(1))
    return codes


def _given_codes(root: Any) -> list[tuple[Any, str]]:
    found = []
    for table in root.iterfind(".//dmn:decisionTable", NS):
        names = [o.get("name", "") for o in table.iterfind("dmn:output", NS)]
        columns = [i for i, n in enumerate(names) if n.startswith("cat_")]
        if table.get("hitPolicy") != "COLLECT" or not columns:
            continue
        for rule in table.iterfind("dmn:rule", NS):
            entries = rule.findall("dmn:outputEntry/dmn:text", NS)
            for col in columns:
                match = _CODE.match(entries[col].text or "") if col < len(entries) else None
                if match:
                    found.append((rule, match.group(1)))
    return found
