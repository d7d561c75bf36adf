"""How SpiffWorkflow 3.2 evaluates a decision-table input cell, and what a cell accepts.

The engine (``SpiffWorkflow/dmn/engine/DMNEngine.py``) does not speak FEEL. For each input cell:
``-`` or an empty cell matches anything; a ``?`` outside quotes stands for the input value
(``16 <= ? <= 17``); otherwise, when the cell parses as Python on its own (``46``, ``"A"``,
``True``) it is compared with ``==``; when it does not (``> 45``, ``in ("A", "B")``) it is
appended to the input expression as text. So FEEL idioms that dmn-js writes either fail at run
time (``[1..10]``) or silently never match (``"A","B"`` is a tuple, ``not("A")`` is ``False``,
``true`` is an unknown name). ``engine_expression`` rebuilds exactly the Python the engine runs;
``analyse`` turns the cells we understand into a ``Constraint`` (a set of values, a range, or
"anything") so overlapping, unreachable and missing rules can be found; cells we cannot read are
``opaque`` and never produce a finding.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Any

# SpiffWorkflow's own pattern: a "?" outside quotes.
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
SUBJECT = "dmninputexpr"
NUMERIC_TYPES = frozenset({"integer", "long", "double", "number", "int", "float", "decimal"})
_FEEL_RANGE = re.compile(r"^\s*[\[\]\(]\s*(.+?)\s*\.\.\s*(.+?)\s*[\[\]\)]\s*$")
_FEEL_NOT = re.compile(r"^\s*not\s*\((.*)\)\s*$", re.S)


def parses(text: str) -> bool:
    """``ast.parse`` as the engine calls it (exec mode: leading spaces are an error)."""
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def is_any(text: str | None) -> bool:
    return text is None or text == "-"


def engine_expression(input_expression: str, cell: str) -> tuple[str, bool]:
    """The Python the engine evaluates for ``cell`` and whether it binds ``?`` to the input.

    Raises SyntaxError where the engine raises it (at run time, on the first case to reach it).
    """
    replaced = _QUESTION.sub(SUBJECT, cell)
    if SUBJECT in replaced:
        return replaced, True
    if parses(cell):
        return f"({input_expression}) == ({cell})", False
    if parses(f"v {cell}"):
        return input_expression + cell, False
    raise SyntaxError(f"{cell!r} is neither a value nor a comparison")


def feel_hint(cell: str) -> str | None:
    """The Python to write for a FEEL idiom the engine does not understand (None: not one)."""
    text = cell.strip()
    lowered = {"true": "True", "false": "False", "null": "None"}
    if text in lowered:
        return lowered[text]
    match = _FEEL_RANGE.match(text)
    if match and ".." in text:
        low, high = match.group(1), match.group(2)
        left = "<=" if text.startswith("[") else "<"
        right = "<=" if text.endswith("]") else "<"
        return f"{low} {left} ? {right} {high}"
    match = _FEEL_NOT.match(text)
    if match:
        inner = match.group(1).strip()
        return f"? not in ({inner})" if "," in inner else f"? != {inner}"
    if parses(text):
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError:
            return None
        if isinstance(node, ast.Tuple) and node.elts:
            return f"? in ({text})"
    return None


def glued(input_expression: str, cell: str) -> bool:
    """The engine appends a comparison cell to the input expression as text: ``in ("A",)`` after
    ``x`` gives ``xin ("A",)``, a call of an unknown ``xin``. True when that happens."""
    expr = input_expression.rstrip()
    return bool(expr) and (expr[-1].isalnum() or expr[-1] == "_") and (cell[:1].isalnum() or cell[:1] == "_")


# --- what a cell accepts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """The input values a cell accepts: ``any``, ``set`` (these values), ``notset`` (all but
    these), ``range`` (between ``low`` and ``high``; None is unbounded) or ``opaque``."""

    kind: str
    values: frozenset[Any] = field(default_factory=frozenset)
    low: float | None = None
    low_closed: bool = True
    high: float | None = None
    high_closed: bool = True

    @property
    def known(self) -> bool:
        return self.kind != "opaque"

    def literals(self) -> frozenset[Any]:
        return self.values

    def accepts(self, value: Any) -> bool | None:
        if self.kind == "any":
            return True
        if self.kind == "opaque":
            return None
        if self.kind == "set":
            return value in self.values
        if self.kind == "notset":
            return value not in self.values
        if not _number(value):
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_closed)))

    def probes(self) -> list[Any]:
        """Values near this constraint's edges: enough to find any gap or overlap between cells."""
        if self.kind in ("set", "notset"):
            return list(self.values)
        if self.kind != "range":
            return []
        out: list[Any] = []
        for bound in (self.low, self.high):
            if bound is not None:
                out += [bound - 1, bound - 0.5, bound, bound + 0.5, bound + 1]
        return out


ANY = Constraint("any")
OPAQUE = Constraint("opaque")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


def _literal(node: ast.AST) -> tuple[bool, Any]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None
    if isinstance(value, list | tuple | set | frozenset | dict):
        return False, None
    return True, value


def _members(node: ast.AST) -> frozenset[Any] | None:
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return None
    values = []
    for elt in node.elts:
        ok, value = _literal(elt)
        if not ok:
            return None
        values.append(value)
    return frozenset(values)


def _compare(op: ast.cmpop, value: Any, *, subject_left: bool) -> Constraint:
    """``subject <op> value`` (or ``value <op> subject`` when ``subject_left`` is False)."""
    if isinstance(op, ast.Eq):
        return Constraint("set", frozenset([value]))
    if isinstance(op, ast.NotEq):
        return Constraint("notset", frozenset([value]))
    if not _number(value):
        return OPAQUE
    flipped = {ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.LtE: ast.GtE}
    kind = type(op) if subject_left else flipped.get(type(op))
    if kind is ast.Gt:
        return Constraint("range", low=value, low_closed=False)
    if kind is ast.GtE:
        return Constraint("range", low=value)
    if kind is ast.Lt:
        return Constraint("range", high=value, high_closed=False)
    if kind is ast.LtE:
        return Constraint("range", high=value)
    return OPAQUE


def _from_compare(node: ast.AST, subject: str) -> Constraint:
    if not isinstance(node, ast.Compare):
        return OPAQUE
    terms = [node.left, *node.comparators]
    positions = [i for i, t in enumerate(terms) if isinstance(t, ast.Name) and t.id == subject]
    if len(positions) != 1:
        return OPAQUE
    at = positions[0]
    result = ANY
    for i, op in enumerate(node.ops):
        left, right = terms[i], terms[i + 1]
        if at not in (i, i + 1):
            return OPAQUE
        other = right if at == i else left
        if isinstance(op, ast.In | ast.NotIn):
            members = _members(other) if at == i else None
            if members is None:
                return OPAQUE
            part = Constraint("set" if isinstance(op, ast.In) else "notset", members)
        else:
            ok, value = _literal(other)
            if not ok:
                return OPAQUE
            part = _compare(op, value, subject_left=at == i)
        result = intersect(result, part)
    return result


def analyse(cell: str | None, *, integer: bool = False) -> Constraint:
    """What an input cell accepts, as far as it can be read without running it."""
    if is_any(cell):
        return ANY
    assert cell is not None
    replaced = _QUESTION.sub(SUBJECT, cell)
    try:
        if SUBJECT in replaced:
            found = _from_compare(ast.parse(replaced.strip(), mode="eval").body, SUBJECT)
        elif parses(cell):
            node = ast.parse(cell, mode="eval").body
            ok, value = _literal(node)
            found = Constraint("set", frozenset([value])) if ok else OPAQUE
        else:
            found = _from_compare(ast.parse(f"v {cell}".strip(), mode="eval").body, "v")
    except SyntaxError:
        return OPAQUE
    return _integral(found) if integer else found


def _integral(c: Constraint) -> Constraint:
    """Over whole numbers, ``> 45`` is ``>= 46``: closing the bounds makes touching ranges disjoint."""
    if c.kind != "range":
        return c
    low, high = c.low, c.high
    if low is not None:
        low = math.floor(low) + 1 if (not c.low_closed or low != math.floor(low)) else low
    if high is not None:
        high = math.ceil(high) - 1 if (not c.high_closed or high != math.ceil(high)) else high
    return Constraint("range", low=low, high=high)


def intersect(a: Constraint, b: Constraint) -> Constraint:
    """Both constraints at once (opaque when either is)."""
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if "opaque" in (a.kind, b.kind):
        return OPAQUE
    if a.kind == "set":
        return Constraint("set", frozenset(v for v in a.values if b.accepts(v)))
    if b.kind == "set":
        return Constraint("set", frozenset(v for v in b.values if a.accepts(v)))
    if a.kind == b.kind == "notset":
        return Constraint("notset", a.values | b.values)
    if a.kind == b.kind == "range":
        low, low_closed = _tighter(a.low, a.low_closed, b.low, b.low_closed, max)
        high, high_closed = _tighter(a.high, a.high_closed, b.high, b.high_closed, min)
        return Constraint("range", low=low, low_closed=low_closed, high=high, high_closed=high_closed)
    rng, excluded = (a, b) if a.kind == "range" else (b, a)
    if rng.low is not None and rng.low == rng.high and rng.low in excluded.values:
        return Constraint("set")
    return rng  # a range minus a few points: still a range for our purposes


def _tighter(x: float | None, xc: bool, y: float | None, yc: bool, pick: Any) -> tuple[float | None, bool]:
    if x is None:
        return y, yc
    if y is None or x == y:
        return x, xc and (yc if x == y else True)
    return (x, xc) if pick(x, y) == x else (y, yc)
