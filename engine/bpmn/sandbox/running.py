"""Running compiled diagram code: the step budget, the data-only rule, the size of what it leaves."""

from __future__ import annotations

import datetime as dt
import decimal
import pickle
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import CodeType
from typing import Any

from .limits import MAX_STEPS, ScriptLimit, ScriptTooLong

# the file names RestrictedPython gives compiled diagram code
DIAGRAM_FILES = frozenset({"<inline>", "<string>", "<unknown>"})


@contextmanager
def step_budget(limit: int = MAX_STEPS) -> Iterator[None]:
    """Stop diagram code after ``limit`` executed lines: a ``while True`` must not hold a worker.

    Counts line events of the code compiled from diagrams only (their file name is
    ``<inline>``/``<string>``), so helpers and the engine run untraced. Nested budgets share the
    outer one. Once spent, every further line raises again, so ``except`` cannot swallow it.
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
        if event == "call" and frame.f_code.co_filename in DIAGRAM_FILES:
            return local
        return None

    trace._impresa_budget = True  # type: ignore[attr-defined]
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


_LEAVES = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.timedelta, decimal.Decimal})
_SEQUENCES = frozenset({list, tuple, set, frozenset})


def is_data(value: Any, depth: int = 0) -> bool:
    """Plain data a case can store: JSON-like values, dates, durations, decimals (exact types:
    this runs on every value a script leaves, so it avoids ``isinstance`` chains)."""
    kind = type(value)
    if kind in _LEAVES:
        return True
    if depth > 40:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _LEAVES and not is_data(item, depth + 1)):
                return False
        return True
    if kind in _SEQUENCES:
        return all(type(item) in _LEAVES or is_data(item, depth + 1) for item in value)
    return False


def run_expression(code: CodeType, scope: dict[str, Any], *, traced: bool = True) -> Any:
    if not traced:
        return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals
    with step_budget():
        return eval(code, scope)  # noqa: S307 - restricted code object, guarded globals


def run_script(
    code: CodeType, context: dict[str, Any], env_globals: Mapping[str, Any], external: Mapping[str, Any]
) -> None:
    """``exec`` in the task data as SpiffWorkflow's TaskDataEnvironment does, then take out the
    builtins, the helpers, the functions the script defined and the external context
    (``delta`` then says what changed, and checks that it is data)."""
    context.update(external)
    context.update(env_globals)
    try:
        with step_budget():
            exec(code, context)  # noqa: S102 - restricted code object, guarded globals
    finally:
        for key in list(context):
            if key == "__builtins__" or callable(context[key]) or key in env_globals or key in external:
                context.pop(key)


def check_output(values: Mapping[str, Any], limit: int, what: str) -> None:
    """Refuse more than ``limit`` bytes of new or changed data left by one script/expression."""
    size = len(pickle.dumps(dict(values), protocol=pickle.HIGHEST_PROTOCOL))
    if size > limit:
        raise ScriptLimit(
            f"{what} left {size // 1024} KB of data in the case, more than the {limit // 1024} KB allowed"
        )


def delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What a script changed in task data: the new or changed entries, and the names it deleted.

    ``before`` must be a separate copy (a script may change a list in place). Equal values that
    differ in type (``1`` and ``True``) count as changed: their pickles differ. Only the changed
    entries are checked to be data — the rest came from the case."""
    changed = {
        k: v
        for k, v in after.items()
        if k not in before or before[k] != v or pickle.dumps(before[k]) != pickle.dumps(v)
    }
    for name, value in changed.items():
        if not is_data(value):
            # a map, generator or module left in task data would make the case unstorable
            raise TypeError(f"the script left {name!r} as {type(value).__name__}, not data; use a list or dict")
    return changed, [k for k in before if k not in after]
