"""The sandbox every script, gateway condition, DMN cell and timer expression of a diagram runs in.

SpiffWorkflow would ``eval``/``exec`` diagram code with full builtins (docs/sandbox.md). Here it
is compiled with RestrictedPython (``compiler``: no ``import``, no ``_`` names, none of the names
that reach the interpreter), runs with an allow-list of builtins whose amplifying operations are
size-checked (``guards``) and the ``fn_*`` helpers (``helpers``), counts its steps and leaves
only data (``running``). The hard guarantee — a wall clock and a memory limit even inside one C
call — is the worker process (``worker``, supervised by ``engine.bpmn.script_pool``); ``cheap``
proves which expressions may run in the server's own process instead.

This package imports only the standard library and RestrictedPython, never the rest of the
engine: the worker loads it on its own, so that a replacement worker starts in a fraction of a
second.
"""

from .cheap import provably_cheap
from .compiler import RESTRICTED_MARKER, RESTRICTED_NAMES, compile_expression, compile_script
from .guards import BUILTINS, guards
from .helpers import HELPER_NAMES, is_reserved, make_helpers
from .limits import MAX_RANGE, MAX_STEPS, ScriptLimit, ScriptTooLong
from .running import check_output, delta, is_data, run_expression, run_script, step_budget

__all__ = [
    "BUILTINS",
    "HELPER_NAMES",
    "MAX_RANGE",
    "MAX_STEPS",
    "RESTRICTED_MARKER",
    "RESTRICTED_NAMES",
    "ScriptLimit",
    "ScriptTooLong",
    "check_output",
    "delta",
    "compile_expression",
    "compile_script",
    "guards",
    "is_data",
    "is_reserved",
    "make_helpers",
    "provably_cheap",
    "run_expression",
    "run_script",
    "step_budget",
]
