"""Scripts, conditions and expressions cannot reach the host, even when a diagram skips lint."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.bpmn.loader import Library, SourceFile
from engine.bpmn.runner import Runner
from engine.bpmn.sandbox import ScriptLimit
from engine.bpmn.scripting import SandboxEnvironment, build_script_engine
from engine.errors import ProcessFailed
from tests.fixtures.diagrams import linear

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ESCAPES = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd').read()",
    "import os",
    "getattr([], '__class__')",
    "eval('1')",
    "exec('x = 1')",
    "type([]).__mro__",
    "[].__class__",
    "globals()",
    "list(range(10 ** 9))",
]


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment(lambda: NOW, {"default": {"soglia": 3}, "regioni": {"Marche": {"soglia": 5}}})


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_fail_in_scripts(env: SandboxEnvironment, source: str) -> None:
    context: dict[str, object] = {}
    with pytest.raises((SyntaxError, NameError, ImportError, ValueError)):
        env.execute(source, context, {})
    assert "os" not in context


@pytest.mark.parametrize("source", [s for s in ESCAPES if not s.startswith("import")])
def test_escape_attempts_fail_in_expressions(env: SandboxEnvironment, source: str) -> None:
    with pytest.raises((SyntaxError, NameError, ImportError, ValueError)):
        env.evaluate(source, {})


def test_task_data_cannot_replace_guards_or_builtins(env: SandboxEnvironment) -> None:
    hostile = {"__builtins__": __builtins__, "_getattr_": getattr}
    with pytest.raises(SyntaxError):
        env.evaluate("[].__class__", dict(hostile))
    with pytest.raises(NameError):
        env.evaluate("bytearray(3)", dict(hostile))


def test_ordinary_scripts_and_helpers_work(env: SandboxEnvironment) -> None:
    context = {"voti": [3, 4, 5], "inizio": "2026-01-31"}
    env.execute(
        "media = sum(voti) / len(voti)\nfine = fn_add_months(inizio, 1)\n"
        "soglie = {'base': fn_param('soglia'), 'marche': fn_param('soglia', 'Marche')}\n"
        "giorni = fn_days_between(inizio, fn_today())\nfor v in voti:\n    media = media + 0\n",
        context,
        {},
    )
    assert context["media"] == 4
    assert context["fine"] == "2026-02-28"
    assert context["soglie"] == {"base": 3, "marche": 5}
    assert context["giorni"] == 29
    assert env.evaluate("media > 3 and fn_timer_in_days(30) == 'P30D'", context) is True


def test_a_diagram_that_skipped_lint_still_cannot_escape_at_run_time() -> None:
    runner = Runner(build_script_engine(lambda: NOW))
    xml = linear("esc", 0, ("assistente_sociale",), script="x = ().__class__.__base__.__subclasses__()")
    specs = Library([SourceFile("esc.bpmn", xml)]).specs("esc")
    with pytest.raises(ProcessFailed) as exc:
        runner.start(specs, {})
    assert exc.value.element == "Script_1"
    assert "__class__" in exc.value.message


def test_an_endless_loop_is_stopped_instead_of_holding_the_worker(env: SandboxEnvironment) -> None:
    context = {"n": 0}
    with pytest.raises(ScriptLimit):  # its step budget or its wall clock, whichever ends first
        env.execute("while True:\n    n = n + 1", context, {})
    assert context == {"n": 0}  # a failed script leaves the task data as it was


def test_an_endless_loop_in_a_diagram_fails_the_command_cleanly() -> None:
    runner = Runner(build_script_engine(lambda: NOW))
    specs = Library(
        [SourceFile("loop.bpmn", linear("loop", 0, ("assistente_sociale",), script="while True:\n    x = 1"))]
    ).specs("loop")
    with pytest.raises(ProcessFailed) as exc:
        runner.start(specs, {})
    assert exc.value.element == "Script_1" and ("steps" in exc.value.message or "longer than" in exc.value.message)


@pytest.mark.parametrize("source", ["10**10**8", "len('ab' * 10**9)", "[0] * 10**8", "(10**20000) * (10**20000)"])
def test_one_line_that_would_eat_the_cpu_or_memory_is_refused(env: SandboxEnvironment, source: str) -> None:
    with pytest.raises(ValueError, match="too"):
        env.evaluate(source, {})


def test_ordinary_arithmetic_is_unchanged(env: SandboxEnvironment) -> None:
    assert env.evaluate("2**10 * 3 + 3.5 * 2 - len('ab' * 3) + len([0] * 4)", {}) == 3072 + 7.0 - 6 + 4
