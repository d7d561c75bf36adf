"""SpiffWorkflow's script engine, bound to the sandbox: every script, gateway condition, DMN cell
and timer expression of a diagram goes through ``SandboxEnvironment``.

Expressions that ``sandbox.provably_cheap`` accepts (the usual conditions, timer and DMN
expressions) run here, in the server's process, with the guarded builtins. Everything else —
every script task, pre- and post-script, and any expression with loops, repetition, powers or
unlisted calls — runs in a script worker process under a wall-clock and a memory limit
(``script_pool``): a limit hit there is a ``ScriptLimit``, which the runner turns into
``ScriptLimitExceeded`` (the command is rolled back, the case untouched). docs/sandbox.md explains
the design and its cost.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import pickle
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.bpmn.sandbox import (
    HELPER_NAMES,
    RESTRICTED_MARKER,
    ScriptLimit,
    ScriptTooLong,
    compile_expression,
    compile_script,
    guards,
    is_reserved,
    make_helpers,
    provably_cheap,
    run_expression,
)
from engine.bpmn.script_pool import Limits, ScriptFailed, pool_for

__all__ = [
    "HELPER_NAMES",
    "RESTRICTED_MARKER",
    "Limits",
    "SandboxEnvironment",
    "ScriptLimit",
    "ScriptTooLong",
    "build_script_engine",
    "compile_expression",
    "compile_script",
    "is_reserved",
    "lint_source",
    "make_helpers",
]


class SandboxEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """TaskDataEnvironment that compiles with RestrictedPython and runs under the sandbox's limits."""

    def __init__(
        self,
        now: Callable[[], dt.datetime],
        parameters: Mapping[str, Any] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.now = now
        self.parameters = dict(parameters or {})
        self.limits = limits or Limits()
        self.parameters_key = hashlib.sha256(pickle.dumps(self.parameters)).hexdigest()
        # Guards and helpers go last in every scope, so that task data can never replace them.
        super().__init__({**guards(), **make_helpers(now, self.parameters)})

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_expression(expression)
        if provably_cheap(expression):
            return run_expression(code, {**(external_context or {}), **context, **self.globals}, traced=False)
        return self._in_worker("eval", expression, context, external_context or {})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        compile_script(script)  # syntax and refused names are reported here, with their line
        self.check_for_overwrite(context, external_context or {})
        changed, deleted = self._in_worker("exec", script, context, external_context or {})
        context.update(changed)
        for name in deleted:
            context.pop(name, None)
        return True

    def _in_worker(self, op: str, source: str, context: dict[str, Any], external: Mapping[str, Any]) -> Any:
        request = {
            "op": op,
            "source": source,
            "context": pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL),
            "external": dict(external),
            "now": self.now(),
        }
        try:
            return pool_for(self.limits).run(request, (self.parameters_key, self.parameters))
        except ScriptFailed as failed:
            raise _as_builtin_error(failed) from None

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks are not available to diagrams")


def _as_builtin_error(failed: ScriptFailed) -> Exception:
    """The worker's error as the same builtin exception, so messages read as before."""
    cls = getattr(builtins, failed.type_name, None)
    err: Exception
    try:
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise TypeError
        err = cls(failed.message)
    except TypeError:
        err = RuntimeError(f"{failed.type_name}: {failed.message}")
    err.script_line = failed.line  # type: ignore[attr-defined]
    return err


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """PythonScriptEngine that takes an error's line from the worker when it ran there."""

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        line = getattr(err, "script_line", None)
        if isinstance(line, int) and 0 < line <= len(script.splitlines()):
            return line, script.splitlines()[line - 1]
        number, content = super().get_error_line_number_and_content(script, err)
        return int(number or 0), str(content)


def build_script_engine(
    now: Callable[[], dt.datetime], parameters: Mapping[str, Any] | None = None, limits: Limits | None = None
) -> PythonScriptEngine:
    return SandboxScriptEngine(environment=SandboxEnvironment(now, parameters, limits))


def lint_source(source: str, *, expression: bool) -> str | None:
    """Return the sandbox's complaint about a script/expression, or None when it compiles."""
    try:
        (compile_expression if expression else compile_script)(source)
    except SyntaxError as err:
        return str(err.msg)
    return None
