"""A DMN file read into plain values: its decisions, and for each decision table the inputs,
outputs and rules with their cells (ids, texts, lines).

Works on any DMN 1.1/1.2/1.3 file, whatever modeler wrote it (dmn-js, Camunda's, ours): elements
are matched by local name, so the namespace version does not matter. Validation
(``dmn_check``), the rule diff (``dmn_diff``) and decision tests (``decision_tests``) read tables
through this module and never walk the XML themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bpmn.loader import read_xml
from engine.model import SourceFile

SINGLE_HIT = frozenset({"UNIQUE", "FIRST", "ANY"})


def local(node: Any) -> str:
    tag = node.tag
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def children(node: Any, name: str) -> list[Any]:
    return [c for c in node if local(c) == name]


def text_of(node: Any) -> str | None:
    """The ``<text>`` child's content, as the engine reads it (None when absent or empty)."""
    found = children(node, "text")
    return found[0].text if found else None


@dataclass(frozen=True)
class Cell:
    id: str
    text: str | None
    line: int | None


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    name: str  # output name (empty for inputs)
    expression: str | None  # input expression (None for outputs)
    expression_id: str
    type_ref: str
    allowed: str | None  # inputValues / outputValues text, e.g. '"A","B"'
    line: int | None

    @property
    def title(self) -> str:
        return self.label or self.name or self.expression or self.id


@dataclass(frozen=True)
class Rule:
    id: str
    number: int  # 1-based row number, as SpiffWorkflow counts in its messages
    description: str
    inputs: tuple[Cell, ...]
    outputs: tuple[Cell, ...]
    line: int | None


@dataclass(frozen=True)
class DecisionTable:
    file: str
    decision_id: str
    decision_name: str
    table_id: str
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Rule, ...]
    line: int | None

    @property
    def single_hit(self) -> bool:
        return self.hit_policy in SINGLE_HIT

    @property
    def output_names(self) -> tuple[str, ...]:
        """The variables the decision sets (the engine falls back to the label without a name)."""
        return tuple(o.name or o.label for o in self.outputs)


@dataclass(frozen=True)
class DmnFile:
    file: str
    root: Any
    decisions: tuple[Any, ...]  # the <decision> elements
    tables: tuple[DecisionTable, ...]


def read(source: SourceFile, root: Any | None = None) -> DmnFile:
    """Read a DMN file (already parsed ``root`` or its bytes, through the hardened parser)."""
    root = read_xml(source) if root is None else root
    decisions = tuple(n for n in root.iter() if local(n) == "decision")
    tables = []
    for decision in decisions:
        for table in children(decision, "decisionTable"):
            tables.append(_table(source.name, decision, table))
    return DmnFile(source.name, root, decisions, tuple(tables))


def _column(node: Any, *, is_input: bool) -> Column:
    allowed_node = children(node, "inputValues" if is_input else "outputValues")
    allowed = text_of(allowed_node[0]) if allowed_node else None
    if is_input:
        expr_nodes = children(node, "inputExpression")
        expr = expr_nodes[0] if expr_nodes else None
        return Column(
            id=node.get("id", ""),
            label=node.get("label", "") or "",
            name="",
            expression=text_of(expr) if expr is not None else None,
            expression_id=expr.get("id", "") if expr is not None else "",
            type_ref=(expr.get("typeRef", "") if expr is not None else "") or "",
            allowed=allowed,
            line=node.sourceline,
        )
    return Column(
        id=node.get("id", ""),
        label=node.get("label", "") or "",
        name=node.get("name", "") or "",
        expression=None,
        expression_id="",
        type_ref=node.get("typeRef", "") or "",
        allowed=allowed,
        line=node.sourceline,
    )


def _cells(rule: Any, name: str) -> tuple[Cell, ...]:
    return tuple(Cell(c.get("id", ""), text_of(c), c.sourceline) for c in children(rule, name))


def _table(file: str, decision: Any, table: Any) -> DecisionTable:
    rules = []
    for number, rule in enumerate(children(table, "rule"), start=1):
        description = children(rule, "description")
        rules.append(
            Rule(
                id=rule.get("id", ""),
                number=number,
                description=(description[0].text or "").strip() if description else "",
                inputs=_cells(rule, "inputEntry"),
                outputs=_cells(rule, "outputEntry"),
                line=rule.sourceline,
            )
        )
    return DecisionTable(
        file=file,
        decision_id=decision.get("id", ""),
        decision_name=decision.get("name", "") or "",
        table_id=table.get("id", ""),
        hit_policy=(table.get("hitPolicy") or "UNIQUE").upper(),
        aggregation=table.get("aggregation"),
        inputs=tuple(_column(c, is_input=True) for c in children(table, "input")),
        outputs=tuple(_column(c, is_input=False) for c in children(table, "output")),
        rules=tuple(rules),
        line=table.sourceline,
    )
