"""The rules of a DMN file's decision tables compared between two versions: each rule added,
removed or changed, with its cells before and after, for the visual rule diff and for showing a
designer what a colleague changed.

Rules are matched by id within their decision (dmn-js and Camunda give every rule a stable id); a
rule without an id is matched by its row number. A rule left without its pair by id is then
matched by content: a rule deleted and typed again (or pasted) under a new id, with the same cells
and description, is unchanged, not removed and added. A rule keeping its id with other cells is
changed. Columns are matched by id too, so adding an input column shows every rule as changed
(its new cell), which is what the change means.
"""

from __future__ import annotations

from engine.bpmn import dmn_table
from engine.bpmn.dmn_table import DecisionTable, Rule
from engine.model import RuleChange, SourceFile


def _tables(file_name: str, content: bytes | None) -> dict[str, DecisionTable]:
    if not content:
        return {}
    return {t.decision_id: t for t in dmn_table.read(SourceFile(file_name, content)).tables}


def _key(rule: Rule) -> str:
    return rule.id or f"#{rule.number}"


def _columns(before: DecisionTable | None, after: DecisionTable | None) -> list[tuple[str, str]]:
    """(column id, title) of every input then output column, the current table's first."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for table in (after, before):
        if table is None:
            continue
        for column in (*table.inputs, *table.outputs):
            key = column.id or column.title
            if key not in seen:
                seen.add(key)
                found.append((key, column.title))
    return found


def _cells(table: DecisionTable | None, rule: Rule | None, columns: list[tuple[str, str]]) -> tuple[str, ...]:
    if table is None or rule is None:
        return ()
    by_column: dict[str, str] = {}
    for column, cell in zip(table.inputs, rule.inputs, strict=False):
        by_column[column.id or column.title] = (cell.text or "").strip()
    for column, cell in zip(table.outputs, rule.outputs, strict=False):
        by_column[column.id or column.title] = (cell.text or "").strip()
    return (*(by_column.get(key, "") for key, _ in columns), rule.description)


def _same_content(
    table_before: DecisionTable | None,
    rules_before: dict[str, Rule],
    table_after: DecisionTable | None,
    rules_after: dict[str, Rule],
    columns: list[tuple[str, str]],
) -> set[str]:
    """The keys of the rules whose id has no pair but whose cells and description equal a rule
    on the other side that has no pair either: each such pair is one rule, unchanged."""
    waiting: dict[tuple[str, ...], list[str]] = {}
    for key, rule in rules_before.items():
        if key not in rules_after:
            waiting.setdefault(_cells(table_before, rule, columns), []).append(key)
    same: set[str] = set()
    for key, rule in rules_after.items():
        if key in rules_before:
            continue
        found = waiting.get(_cells(table_after, rule, columns))
        if found:
            same |= {key, found.pop(0)}
    return same


def diff_rules(file_name: str, before: bytes | None, after: bytes | None) -> list[RuleChange]:
    """Every rule added, removed or changed from ``before`` to ``after`` (either may be absent)."""
    old, new = _tables(file_name, before), _tables(file_name, after)
    changes: list[RuleChange] = []
    for decision_id in [*new, *(d for d in old if d not in new)]:
        table_before, table_after = old.get(decision_id), new.get(decision_id)
        columns = _columns(table_before, table_after)
        titles = (*(title for _, title in columns), "Descrizione")
        shown = table_after or table_before
        name = shown.decision_name if shown is not None else ""
        rules_before = {_key(r): r for r in (table_before.rules if table_before else ())}
        rules_after = {_key(r): r for r in (table_after.rules if table_after else ())}
        same = _same_content(table_before, rules_before, table_after, rules_after, columns)
        for key in [*rules_after, *(k for k in rules_before if k not in rules_after)]:
            if key in same:
                continue
            rule_before, rule_after = rules_before.get(key), rules_after.get(key)
            cells_before = _cells(table_before, rule_before, columns)
            cells_after = _cells(table_after, rule_after, columns)
            if rule_before is None:
                status = "added"
            elif rule_after is None:
                status = "removed"
            elif cells_before != cells_after:
                status = "changed"
            else:
                continue
            changes.append(
                RuleChange(
                    decision_id=decision_id,
                    decision_name=name or decision_id,
                    rule_id=key,
                    status=status,
                    number_before=rule_before.number if rule_before else None,
                    number_after=rule_after.number if rule_after else None,
                    columns=titles,
                    before=cells_before,
                    after=cells_after,
                )
            )
    return changes
