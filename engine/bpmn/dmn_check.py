"""Validation of decision tables as the engine will run them: every problem names its cell.

- cells: each input cell is rebuilt into the Python SpiffWorkflow evaluates (``dmn_cells``) and
  compiled in our sandbox; FEEL idioms get the Python to write instead; leading spaces (which the
  engine refuses) and blank cells are caught; output cells and input expressions compile;
- types: literals in a cell must fit the column's ``typeRef`` (a "45" in a number column never
  equals 45);
- allowed values: a literal outside the column's predefined values (DMN ``inputValues``, or the
  options of the form field the input reads) is a typo that would never match;
- rules (single-hit tables): under UNIQUE two rules that can match together, under UNIQUE/FIRST/
  ANY a rule an earlier one always shadows, and input combinations no rule answers;
- hit policies and aggregations the engine does not implement (it would silently behave as
  FIRST, or collect instead of summing).

Rule findings come from probing each column at the edges of every cell's constraint (and at
every allowed value), so they are exact for the cells ``dmn_cells.analyse`` can read; a table
with a cell it cannot read gets no rule finding at all rather than a guess.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.bpmn import dmn_cells
from engine.bpmn.dmn_cells import Constraint
from engine.bpmn.dmn_table import Column, DecisionTable, DmnFile
from engine.bpmn.scripting import lint_source
from engine.errors import ProcessProblem

SUPPORTED_POLICIES = frozenset({"UNIQUE", "FIRST", "ANY", "COLLECT"})
MAX_COMBINATIONS = 20_000
MAX_SHOWN = 3
OTHER = "\x00other"  # stands for "a value no cell names" in a column without predefined values


class _Out:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ProcessProblem] = []
        # while a cell is checked: its rule's and column's ids, so an editor finds the cell even
        # when the file gives the cell itself no id
        self.cell: dict[str, str] = {}

    def add(self, element: str, line: int | None, code: str, message: str, **args: Any) -> None:
        args = {**self.cell, **args}
        self.problems.append(ProcessProblem(message, file=self.file, element=element, line=line, code=code, args=args))


def check_dmn(dmn: DmnFile, choices: Mapping[str, Sequence[Any]] | None = None) -> list[ProcessProblem]:
    """Every problem of a DMN file's decision tables; ``choices`` maps a variable name to the
    options of the form field that sets it."""
    out = _Out(dmn.file)
    for table in dmn.tables:
        _check_table(out, table, choices or {})
    return out.problems


def _check_table(out: _Out, table: DecisionTable, choices: Mapping[str, Sequence[Any]]) -> None:
    if table.hit_policy not in SUPPORTED_POLICIES:
        out.add(
            table.table_id,
            table.line,
            "dmn.hit_policy",
            f"hit policy {table.hit_policy} is not implemented by the engine (it would act as FIRST)",
            policy=table.hit_policy,
        )
    if table.aggregation:
        out.add(
            table.table_id,
            table.line,
            "dmn.aggregation",
            f"aggregation {table.aggregation} is not implemented by the engine (it returns the list)",
            aggregation=table.aggregation,
        )
    domains = [_domain(out, column, choices) for column in table.inputs]
    for column in table.inputs:
        _check_input_expression(out, column)
    for rule in table.rules:
        for column, cell, domain in zip(table.inputs, rule.inputs, domains, strict=False):
            out.cell = {"rule_id": rule.id, "column_id": column.id}
            _check_input_cell(out, column, cell.id, cell.line, cell.text, domain)
        for column, cell in zip(table.outputs, rule.outputs, strict=False):
            out.cell = {"rule_id": rule.id, "column_id": column.id}
            _check_output_cell(out, column, cell.id, cell.line, cell.text)
        out.cell = {}
    if table.single_hit and not out.problems:
        _check_rules(out, table, domains)


# --- columns and cells ---------------------------------------------------------------------------


def _domain(out: _Out, column: Column, choices: Mapping[str, Sequence[Any]]) -> tuple[Any, ...] | None:
    """The values an input can take, when known: predefined values, a form field's options, or
    True/False for a boolean."""
    if column.allowed and column.allowed.strip():
        members = _literal_list(column.allowed)
        if members is not None:
            return members
        out.add(
            column.id,
            column.line,
            "dmn.allowed_values",
            f"predefined values {column.allowed!r} are not a list of literals",
            input=column.title,
            values=column.allowed,
        )
    expr = (column.expression or "").strip()
    if column.type_ref == "boolean":
        return (True, False)
    if expr.isidentifier() and expr in choices and column.type_ref in ("string", ""):
        return tuple(choices[expr])
    return None


def _literal_list(text: str) -> tuple[Any, ...] | None:
    try:
        value = ast.literal_eval(f"({text},)")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return tuple(value) if isinstance(value, tuple) else None


def _check_input_expression(out: _Out, column: Column) -> None:
    expr = (column.expression or "").strip()
    if not expr:
        out.add(
            column.id,
            column.line,
            "dmn.input_expression_missing",
            "the input has no expression: the engine cannot know which value to test",
            input=column.title,
        )
        return
    complaint = lint_source(expr, expression=True)
    if complaint:
        out.add(
            column.expression_id or column.id,
            column.line,
            "dmn.input_expression",
            f"input expression {expr!r} is refused by the script sandbox: {complaint}",
            input=column.title,
            expression=expr,
            detail=complaint,
        )


def _check_input_cell(
    out: _Out, column: Column, cell_id: str, line: int | None, text: str | None, domain: tuple[Any, ...] | None
) -> None:
    if dmn_cells.is_any(text):
        return
    assert text is not None
    if not text.strip() or text.strip() == "-":
        out.add(
            cell_id,
            line,
            "dmn.cell_blank",
            f"cell {text!r} holds only spaces: write - (any value) without spaces",
            cell=text,
            input=column.title,
        )
        return
    hint = dmn_cells.feel_hint(text)
    if hint is not None:
        out.add(
            cell_id,
            line,
            "dmn.feel",
            f"cell {text!r} is FEEL, which the engine does not understand: write {hint!r}",
            cell=text,
            hint=hint,
            input=column.title,
        )
        return
    expr = (column.expression or "x").strip() or "x"
    try:
        python, binds = dmn_cells.engine_expression(expr, text)
    except SyntaxError:
        spaced = text != text.lstrip() and _evaluable(expr, text.strip())
        out.add(
            cell_id,
            line,
            "dmn.cell_spaces" if spaced else "dmn.cell_syntax",
            f"cell {text!r} starts with spaces, which the engine refuses"
            if spaced
            else f"cell {text!r} is neither a value nor a comparison the engine can evaluate",
            cell=text,
            input=column.title,
        )
        return
    if not binds and python == expr + text and dmn_cells.glued(expr, text):
        out.add(
            cell_id,
            line,
            "dmn.cell_glued",
            f"cell {text!r} is glued to the input expression ({python!r}): write {'? ' + text!r}",
            cell=text,
            hint=f"? {text}",
            input=column.title,
        )
        return
    complaint = lint_source(python, expression=True)
    if complaint:
        out.add(
            cell_id,
            line,
            "dmn.cell_sandbox",
            f"cell {text!r} is refused by the script sandbox: {complaint}",
            cell=text,
            input=column.title,
            detail=complaint,
        )
        return
    found = dmn_cells.analyse(text, integer=column.type_ref in ("integer", "long", "int"))
    _check_literals(out, column, cell_id, line, text, found, domain)


def _evaluable(expr: str, text: str) -> bool:
    try:
        dmn_cells.engine_expression(expr, text)
    except SyntaxError:
        return False
    return True


def _check_literals(
    out: _Out,
    column: Column,
    cell_id: str,
    line: int | None,
    text: str,
    found: Constraint,
    domain: tuple[Any, ...] | None,
) -> None:
    literals = sorted(found.values, key=repr)
    if found.kind == "range":
        literals += [b for b in (found.low, found.high) if b is not None]
    fits = _type_test(column.type_ref)
    for value in literals:
        if fits is not None and not fits(value):
            out.add(
                cell_id,
                line,
                "dmn.cell_type",
                f"{value!r} in cell {text!r} is not of type {column.type_ref}",
                cell=text,
                value=repr(value),
                type=column.type_ref,
                input=column.title,
            )
            return
    if domain is not None and found.kind in ("set", "notset"):
        for value in literals:
            if value not in domain:
                out.add(
                    cell_id,
                    line,
                    "dmn.cell_value",
                    f"{value!r} is not one of the values {column.title!r} can take: {list(domain)!r}",
                    cell=text,
                    value=repr(value),
                    input=column.title,
                    allowed=", ".join(repr(v) for v in domain),
                )
                return


def _type_test(type_ref: str) -> Callable[[Any], bool] | None:
    kind = type_ref.lower()
    if kind in dmn_cells.NUMERIC_TYPES:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if kind == "boolean":
        return lambda v: isinstance(v, bool)
    if kind in ("string", "date", "datetime", "time"):
        return lambda v: isinstance(v, str)
    return None


def _check_output_cell(out: _Out, column: Column, cell_id: str, line: int | None, text: str | None) -> None:
    if text is None or not text.strip():
        return
    complaint = lint_source(text.strip(), expression=True)
    if complaint:
        hint = dmn_cells.feel_hint(text)
        out.add(
            cell_id,
            line,
            "dmn.output_syntax",
            f"output {text!r} is not an expression the engine can evaluate: {complaint}",
            cell=text,
            output=column.title,
            detail=complaint if hint is None else f"→ {hint}",
        )
        return
    try:
        ok, value = True, ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        ok, value = False, None
    fits = _type_test(column.type_ref)
    if ok and fits is not None and value is not None and not fits(value):
        out.add(
            cell_id,
            line,
            "dmn.output_type",
            f"output {text!r} is not of type {column.type_ref}",
            cell=text,
            type=column.type_ref,
            output=column.title,
        )


# --- rules ------------------------------------------------------------------------------------


def _check_rules(out: _Out, table: DecisionTable, domains: list[tuple[Any, ...] | None]) -> None:
    integer = [c.type_ref in ("integer", "long", "int") for c in table.inputs]
    grid = [
        [dmn_cells.analyse(cell.text, integer=integer[i]) for i, cell in enumerate(rule.inputs)] for rule in table.rules
    ]
    if any(len(row) != len(table.inputs) or not all(c.known for c in row) for row in grid):
        return
    probes = [_probes(table, i, grid, domains[i]) for i in range(len(table.inputs))]
    names = [(c.expression or c.title).strip() for c in table.inputs]
    for j, rule in enumerate(table.rules):
        shadow = next((i for i in range(j) if _covers(grid[i], grid[j], probes)), None)
        if shadow is not None:
            other = table.rules[shadow]
            out.add(
                rule.id,
                rule.line,
                "dmn.rule_unreachable",
                f"rule {rule.number} never applies: rule {other.number} comes first and covers all its cases",
                rule=rule.number,
                other=other.number,
            )
            continue
        if table.hit_policy == "UNIQUE":
            for i in range(j):
                example = _overlap(grid[i], grid[j], probes)
                if example is not None:
                    out.add(
                        rule.id,
                        rule.line,
                        "dmn.rule_overlap",
                        f"rules {table.rules[i].number} and {rule.number} can both match under UNIQUE, "
                        f"e.g. {_show(names, example)}",
                        rule=rule.number,
                        other=table.rules[i].number,
                        example=_show(names, example),
                    )
                    break
    _check_gaps(out, table, grid, probes, names)


def _probes(
    table: DecisionTable, column: int, grid: list[list[Constraint]], domain: tuple[Any, ...] | None
) -> list[Any]:
    if domain is not None:
        return list(domain)
    values: list[Any] = []
    for row in grid:
        values += row[column].probes()
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        values += [-(10**12), 10**12]
    elif table.inputs[column].type_ref.lower() not in dmn_cells.NUMERIC_TYPES:
        values.append(OTHER)
    else:
        values.append(0)
    if table.inputs[column].type_ref in ("integer", "long", "int"):
        values = [v for v in values if not isinstance(v, float) or v.is_integer()]
    unique: list[Any] = []
    for v in values:
        if not any(v == u and type(v) is type(u) for u in unique):
            unique.append(v)
    return unique


def _covers(earlier: list[Constraint], later: list[Constraint], probes: list[list[Any]]) -> bool:
    return all(
        all(a.accepts(p) for p in column if b.accepts(p)) for a, b, column in zip(earlier, later, probes, strict=True)
    ) and all(any(b.accepts(p) for p in column) for b, column in zip(later, probes, strict=True))


def _overlap(a: list[Constraint], b: list[Constraint], probes: list[list[Any]]) -> list[Any] | None:
    example = []
    for x, y, column in zip(a, b, probes, strict=True):
        both = next((p for p in column if x.accepts(p) and y.accepts(p)), _NONE)
        if both is _NONE:
            return None
        example.append(both)
    return example


_NONE = object()


def _check_gaps(
    out: _Out, table: DecisionTable, grid: list[list[Constraint]], probes: list[list[Any]], names: list[str]
) -> None:
    total = 1
    for column in probes:
        total *= max(len(column), 1)
    if not grid or total > MAX_COMBINATIONS:
        return
    missing = []
    for combination in itertools.product(*probes):
        if not any(all(c.accepts(v) for c, v in zip(row, combination, strict=True)) for row in grid):
            missing.append(_show(names, list(combination)))
            if len(missing) >= MAX_SHOWN:
                break
    if missing:
        out.add(
            table.table_id,
            table.line,
            "dmn.table_gap",
            f"no rule answers some inputs, e.g. {'; '.join(missing)}",
            example="; ".join(missing),
        )


def _show(names: list[str], values: list[Any]) -> str:
    shown = ("another value" if v == OTHER else repr(v) for v in values)
    return ", ".join(f"{n} = {v}" for n, v in zip(names, shown, strict=True))
