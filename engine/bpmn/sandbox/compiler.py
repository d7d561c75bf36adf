"""Restricted compilation of diagram code, with amplifying operators rewritten to checked calls.

RestrictedPython refuses ``_`` names and attributes; on top of that, ``import`` and the names that
reach the interpreter (``open``, ``eval``, ``globals``…) are refused at compile time, so a diagram
that reaches for them fails validation instead of failing when a case runs. Compiled code objects
are cached by source text: the same condition is evaluated for every case, and RestrictedPython's
AST pass costs far more than the evaluation itself.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec

_LINE_RE = re.compile(r"Line (\d+)")
# Names that reach the interpreter itself: never data, never callable from a diagram.
RESTRICTED_NAMES = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "open",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "getattr",
        "setattr",
        "delattr",
        "memoryview",
        "help",
        "exit",
        "quit",
        "super",
        "classmethod",
        "staticmethod",
    }
)
RESTRICTED_MARKER = "is a restricted name"


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile a condition/expression in restricted mode; raises SyntaxError with a line."""
    tree = _parse(source.strip(), "eval")
    if tree is not None:
        _refuse_restricted(tree, source)
    return _check(compile_restricted_eval(_guarded(tree) if tree is not None else source.strip()), source)


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script task body in restricted mode; raises SyntaxError with a line."""
    tree = _parse(source, "exec")
    if tree is not None:
        _refuse_restricted(tree, source)
    return _check(compile_restricted_exec(_guarded(tree) if tree is not None else source), source)


def _parse(source: str, mode: str) -> ast.AST | None:
    try:
        return ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # the restricted compiler reports it with its line


def _refuse_restricted(tree: ast.AST, source: str) -> None:
    # RestrictedPython compiles ``import`` and ``open(...)`` and fails only at run time; a diagram
    # that reaches for them is refused when it is checked, before anything runs.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            _syntax_error(node.lineno, "import is not allowed in a script", source)
        if isinstance(node, ast.Name) and node.id in RESTRICTED_NAMES:
            _syntax_error(node.lineno, f"{node.id!r} {RESTRICTED_MARKER}", source)


def _syntax_error(line: int, message: str, source: str) -> None:
    err = SyntaxError(f"Line {line}: {message}")
    err.lineno, err.offset, err.text = line, 0, source
    raise err


def _check(result: Any, source: str) -> CodeType:
    if result.errors or result.code is None:
        message = "; ".join(result.errors) or "invalid script"
        match = _LINE_RE.search(message)
        err = SyntaxError(message)
        # SpiffWorkflow's error path compares lineno with ints: it must never stay None.
        err.lineno = int(match.group(1)) if match else 1
        err.offset = 0
        err.text = source
        raise err
    code: CodeType = result.code
    return code


_OPERATOR_GUARDS = {
    ast.Pow: "fn_potenza",
    ast.Mult: "fn_prodotto",
    ast.LShift: "fn_scorrimento",
    ast.Mod: "fn_modulo",
    ast.Add: "fn_somma",
}


class _Guard(ast.NodeTransformer):
    """Amplifying operators become calls to size-checked helpers (``a ** b`` → ``fn_potenza(a, b)``),
    and a formatted value with a format spec (``f"{x:>{n}}"``) checks its width first."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _OPERATOR_GUARDS.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        if node.format_spec is None:
            return node
        spec = node.format_spec
        call = ast.Call(
            func=ast.Name(id="fn_formato", ctx=ast.Load()),
            args=[node.value, spec, ast.Constant(node.conversion)],
            keywords=[],
        )
        return ast.copy_location(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)


def _guarded(tree: Any) -> Any:
    return ast.fix_missing_locations(_Guard().visit(tree))
