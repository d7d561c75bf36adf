"""Which expressions may run in the server's own process: those whose shape proves them cheap."""

from __future__ import annotations

import ast
from functools import lru_cache

_CHEAP_FUNCTIONS = frozenset(
    {
        "len",
        "abs",
        "bool",
        "int",
        "float",
        "str",
        "min",
        "max",
        "any",
        "all",
        "fn_today",
        "fn_now",
        "fn_add_days",
        "fn_add_months",
        "fn_days_between",
        "fn_months_between",
        "fn_param",
        "fn_timer_in_days",
    }
)
_CHEAP_METHODS = frozenset(
    {
        "get",
        "keys",
        "values",
        "items",
        "startswith",
        "endswith",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "isoformat",
        "weekday",
        "isoweekday",
    }
)
_CHEAP_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.Attribute,
    ast.JoinedStr,
    ast.boolop,
    ast.cmpop,
    ast.unaryop,
    ast.Add,
    ast.Sub,
    ast.Div,
    ast.FloorDiv,
    ast.BitAnd,
    ast.BitOr,
    ast.BitXor,
)
_CHEAP_OPERATORS = (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor)
MAX_CHEAP_SOURCE = 2_000


@lru_cache(maxsize=4096)
def provably_cheap(source: str) -> bool:
    """True when an expression cannot take time or memory out of proportion to its inputs.

    Then it may run in the server's own process (no round trip to the script worker). The proof
    is structural: no loops, comprehensions, lambdas or assignments (so no value is reused to
    double itself); only operators whose result is at most as large as their operands together
    (``+``/``-`` concatenate, comparisons, boolean logic, subscripts and slices, ``/``, ``//``,
    bit operations) — never ``*``, ``**``, ``<<`` or ``%``; calls only to a list of functions and
    methods that are linear in their arguments (``len``, ``min``, ``str``, ``d.get``, the date
    helpers…), positional and without ``*``; formatted values without a format spec. Each node
    is then at most linear in the case data it reads, and there are at most a few thousand nodes
    (the source is short), so evaluation is linear in the case data. Anything else runs in the
    worker, under the wall-clock and memory limits.
    """
    if len(source) > MAX_CHEAP_SOURCE:
        return False
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                return False
            func = node.func
            if isinstance(func, ast.Name) and func.id in _CHEAP_FUNCTIONS:
                continue
            if isinstance(func, ast.Attribute) and func.attr in _CHEAP_METHODS:
                continue
            return False
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _CHEAP_OPERATORS):
                return False
            continue
        if isinstance(node, ast.FormattedValue):
            if node.format_spec is not None:
                return False
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            return False
        if isinstance(node, ast.Attribute | ast.Subscript) and not isinstance(node.ctx, ast.Load):
            return False
        if not isinstance(node, _CHEAP_NODES):
            return False
    return True
