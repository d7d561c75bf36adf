"""The sandbox every script, gateway condition, DMN cell and timer expression runs in.

SpiffWorkflow evaluates all of those with plain ``eval``/``exec`` and full builtins, so an
uploaded diagram would otherwise be code running on the host (../shared/SPIFFWORKFLOW.md §4).
Here they are compiled with RestrictedPython instead: no ``import``, no names or attributes
starting with ``_`` (so no ``__class__``/``__subclasses__`` walk), no ``open``/``exec``/``eval``;
only a small allow-list of builtins and the named ``fn_*`` helpers below.

Compiled code objects are cached by source text: the same condition is evaluated for every
case, and RestrictedPython's AST pass costs far more than the evaluation itself.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

MAX_RANGE = 100_000
MAX_STEPS = 1_000_000
# the file names RestrictedPython gives compiled diagram code
_DIAGRAM_FILES = frozenset({"<inline>", "<string>", "<unknown>"})
_LINE_RE = re.compile(r"Line (\d+)")

# RestrictedPython's safe_builtins minus the attribute setters; plus the harmless containers
# and reducers a process designer expects.
_BUILTINS: dict[str, Any] = {
    k: v for k, v in safe_builtins.items() if k not in {"setattr", "delattr", "__build_class__"}
}


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range() of more than {MAX_RANGE} items is not allowed in a script")
    return r


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: fn_prodotto(a, b),
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
        "|=": lambda a, b: a | b,
        "&=": lambda a, b: a & b,
    }
    if op not in ops:
        raise SyntaxError(f"operator {op} is not allowed in a script")
    return ops[op](x, y)


_BUILTINS.update(
    {
        "range": _safe_range,
        "dict": dict,
        "list": list,
        "set": set,
        "tuple": tuple,
        "frozenset": frozenset,
        "min": min,
        "max": max,
        "sum": sum,
        "any": any,
        "all": all,
        "enumerate": enumerate,
        "zip": zip,
        "sorted": sorted,
        "reversed": reversed,
        "map": map,
        "filter": filter,
        "math": math,
    }
)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile a condition/expression in restricted mode; raises SyntaxError with a line."""
    return _check(compile_restricted_eval(_guard_arithmetic(source.strip(), "eval")), source)


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script task body in restricted mode; raises SyntaxError with a line."""
    _refuse_imports(source)
    return _check(compile_restricted_exec(_guard_arithmetic(source, "exec")), source)


class _ArithmeticGuard(ast.NodeTransformer):
    """``a ** b`` and ``a * b`` become calls to size-checked helpers: one line like ``10**10**8``
    or ``"x" * 10**9`` would otherwise tie up a worker (and, on SQLite, the write lock)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = {ast.Pow: "fn_potenza", ast.Mult: "fn_prodotto"}.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)


def _guard_arithmetic(source: str, mode: str) -> Any:
    """The source as an AST with guarded arithmetic (syntax errors: left to the restricted compiler)."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return source
    return ast.fix_missing_locations(_ArithmeticGuard().visit(tree))


MAX_BITS = 100_000  # about 30,000 decimal digits
MAX_ITEMS = 1_000_000


def fn_potenza(base: Any, exponent: Any) -> Any:
    big = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if big and exponent * base.bit_length() > MAX_BITS:
        raise ValueError("the power is too large for a script")
    return base**exponent


def fn_prodotto(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
            raise ValueError("the repeated sequence is too long for a script")
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise ValueError("the product is too large for a script")
    return left * right


def _refuse_imports(source: str) -> None:
    # RestrictedPython compiles ``import`` and fails only at run time; refuse it at lint time.
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return  # the restricted compiler reports it with its line
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            err = SyntaxError(f"Line {node.lineno}: import is not allowed in a script")
            err.lineno, err.offset, err.text = node.lineno, 0, source
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


def _parse_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def make_helpers(now: Callable[[], dt.datetime], parameters: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The named functions diagrams may call. Dates travel as ISO strings in task data."""

    def fn_today() -> str:
        return now().date().isoformat()

    def fn_now() -> str:
        return now().isoformat()

    def fn_add_days(date: str, days: int) -> str:
        return (_parse_date(date) + dt.timedelta(days=int(days))).isoformat()

    def fn_add_months(date: str, months: int) -> str:
        d = _parse_date(date)
        month0 = d.month - 1 + int(months)
        year, month = d.year + month0 // 12, month0 % 12 + 1
        last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return dt.date(year, month, min(d.day, last)).isoformat()

    def fn_days_between(start: str, end: str) -> int:
        return (_parse_date(end) - _parse_date(start)).days

    def fn_months_between(start: str, end: str) -> int:
        a, b = _parse_date(start), _parse_date(end)
        return (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)

    def fn_param(name: str, region: str | None = None) -> Any:
        """Programme parameters (legal/regional numbers) live in configuration, not diagrams."""
        regional = parameters.get("regioni", {}).get(region or "", {})
        if name in regional:
            return regional[name]
        defaults = parameters.get("default", {})
        if name not in defaults:
            raise KeyError(f"unknown programme parameter {name!r}")
        return defaults[name]

    def fn_timer_in_days(days: int) -> str:
        """An ISO-8601 duration for a timer expression, from a number of days."""
        return f"P{int(days)}D"

    return {
        "fn_potenza": fn_potenza,
        "fn_prodotto": fn_prodotto,
        "fn_today": fn_today,
        "fn_now": fn_now,
        "fn_add_days": fn_add_days,
        "fn_add_months": fn_add_months,
        "fn_days_between": fn_days_between,
        "fn_months_between": fn_months_between,
        "fn_param": fn_param,
        "fn_timer_in_days": fn_timer_in_days,
    }


def _is_data(value: Any, depth: int = 0) -> bool:
    if depth > 40:
        return False
    if value is None or isinstance(value, str | int | float | bool | dt.date | dt.timedelta):
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return all(_is_data(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_data(v, depth + 1) for k, v in value.items())
    return type(value).__name__ == "Decimal"


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


class ScriptTooLong(RuntimeError):
    """A script or expression used up its step budget (an endless or huge loop)."""


@contextmanager
def step_budget(limit: int = MAX_STEPS) -> Iterator[None]:
    """Stop diagram code after ``limit`` executed lines: a ``while True`` must not hold a worker.

    Counts line events of the code compiled from diagrams only (their file name is
    ``<inline>``/``<string>``), so helpers and the engine run untraced. Nested budgets share the
    outer one.
    """
    if sys.gettrace() is not None and getattr(sys.gettrace(), "_impresa_budget", False):
        yield
        return
    previous = sys.gettrace()
    steps = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal steps
        if event == "line":
            steps += 1
            if steps > limit:
                raise ScriptTooLong(f"the script ran more than {limit} steps (an endless loop?)")
        return local

    def trace(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename in _DIAGRAM_FILES:
            return local
        return None

    trace._impresa_budget = True  # type: ignore[attr-defined]
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


class SandboxEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """TaskDataEnvironment that compiles with RestrictedPython and guards every access."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]]) -> None:
        guards: dict[str, Any] = {
            "__builtins__": _BUILTINS,
            "_getattr_": safer_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_write_": full_write_guard,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_inplacevar_": _inplacevar,
        }
        super().__init__({**guards, **helpers})

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_expression(expression)
        # Guards and helpers go last so that task data can never replace them.
        scope = {**(external_context or {}), **context, **self.globals}
        with step_budget():
            return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_script(script)
        self.check_for_overwrite(context, external_context or {})
        context.update(external_context or {})
        context.update(self.globals)
        try:
            with step_budget():
                exec(code, context)  # noqa: S102 - restricted code object, guarded globals
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        for name, value in context.items():
            if not _is_data(value):
                # a map, generator or module left in task data would make the case unstorable
                raise TypeError(f"the script left {name!r} as {type(value).__name__}, not data; use a list or dict")
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks are not available to diagrams")


def build_script_engine(
    now: Callable[[], dt.datetime], parameters: Mapping[str, Any] | None = None
) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(make_helpers(now, parameters or {})))


def lint_source(source: str, *, expression: bool) -> str | None:
    """Return the sandbox's complaint about a script/expression, or None when it compiles."""
    try:
        (compile_expression if expression else compile_script)(source)
    except SyntaxError as err:
        return str(err.msg)
    return None
