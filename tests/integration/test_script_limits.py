"""Attacks by diagram code on the server: each ends within 2 s with a clean error, the case is left
exactly as it was, and a request made meanwhile on another thread is answered at once.

Scripts, gateway conditions, timer expressions, pre-scripts, DMN cells and the designer's dry run
of a draft; amplifiers the sandbox guards, and single C calls and loops that only the script
worker's hard limits (wall clock, memory) can stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from engine import Actor, Engine, errors
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures import hostile
from tests.fixtures.diagrams import linear

WORKER = Actor("anna", frozenset({"assistente_sociale"}))
DESIGNER = Actor("dora", frozenset({"progettista"}))
OK = {"conferma": True}
LIMIT = 2.0  # seconds an attack may take, end to end

ATTACKS = [
    ("script", "x = 10 ** 10 ** 8"),
    ("script", "x = pow(7, 10 ** 9)"),
    ("script", "x = math.factorial(10 ** 6)"),
    ("script", "x = math.comb(10 ** 7, 5 * 10 ** 6)"),
    ("script", "x = 1 << 10 ** 9"),
    ("script", "x = 'a'.ljust(10 ** 9)"),
    ("script", "x = '%0999999999d' % 1"),
    ("script", "x = f'{1:>999999999}'"),
    ("script", "x = sum([[0] * 1000] * 1000, [])"),
    ("script", "x = sorted(list(range(100000)) * 10)"),
    ("script", "s = 'ab'\nfor i in range(40):\n    s = s + s"),
    ("script", "x = 'y' * 300000"),  # more than 256 KB left in the case
    ("script", "while True:\n    pass"),
    ("script", "d = list(range(100000))\nfor i in range(100000):\n    y = sorted(d)"),  # only the wall clock
    ("script", "s = 'x' * 1000000\nx = len('%s' * 1000 % ((s,) * 1000))"),  # one C call: memory or clock
    ("condition", "len(str(10 ** 10 ** 8)) > 0"),
    ("condition", "len('a'.center(10 ** 9)) > 0"),
    ("condition", "sum(1 for i in range(100000) for j in range(100000)) > 0"),
    ("timer", "'P' + '1' * 10 ** 9 + 'D'"),
    ("timer", "fn_timer_in_days(math.factorial(10 ** 6))"),
    ("prescript", "x = 'z'.zfill(10 ** 9)"),
    ("dmn", "'x' * 10 ** 9"),
]


def attack_files(kind: str, source: str) -> list[tuple[str, bytes]]:
    if kind == "dmn":
        return [
            ("attacco.dmn", hostile.decision_attack("attacco", source)),
            ("p.bpmn", hostile.with_decision("p", "attacco")),
        ]
    return [("p.bpmn", hostile.after_a_task("p", kind, source))]


def while_running(attack: Callable[[], Any], probe: Callable[[], Any]) -> tuple[Any, float, float | None]:
    """Run ``attack`` on a thread; meanwhile time one ``probe`` call on this thread.

    Returns the attack's result (or error), how long it took, and how long the probe took when
    it was made while the attack still ran (None if the attack had already ended)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(attack())
        except errors.EngineError as err:
            outcome.append(err)

    started = time.monotonic()
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)
    probe_time = None
    if thread.is_alive():
        t0 = time.monotonic()
        probe()
        probe_time = time.monotonic() - t0
    thread.join(30)
    return outcome[0], time.monotonic() - started, probe_time


@pytest.mark.parametrize(("kind", "source"), ATTACKS, ids=[f"{k}:{s[:40]}" for k, s in ATTACKS])
def test_an_attack_in_diagram_code_ends_within_two_seconds_with_a_clean_error(
    engine: Engine, deploy: Callable[..., None], kind: str, source: str
) -> None:
    deploy(*attack_files(kind, source))
    case = engine.cases.start("p", {"valore": 1}, actor=WORKER)
    [first] = case.open_tasks
    before = engine.cases.get(case.id, actor=CLI_OPERATOR)
    events = len(engine.cases.history(case.id, actor=CLI_OPERATOR))

    result, took, probe = while_running(
        lambda: engine.tasks.complete(first.id, dict(OK), actor=WORKER),
        lambda: engine.cases.get(case.id, actor=CLI_OPERATOR),
    )

    assert isinstance(result, errors.ScriptLimitExceeded), result
    assert result.element == ("Task_last" if kind == "prescript" else "Attack"), result.message
    assert took < LIMIT, f"the attack took {took:.2f} s"
    assert probe is None or probe < 1.0, f"a concurrent read waited {probe:.2f} s"
    after = engine.cases.get(case.id, actor=CLI_OPERATOR)
    assert (after.version, after.data, [t.id for t in after.open_tasks]) == (
        before.version,
        before.data,
        [first.id],
    )
    assert len(engine.cases.history(case.id, actor=CLI_OPERATOR)) == events


@pytest.mark.parametrize("script", ["x = 10 ** 10 ** 8", "while True:\n    pass"])
def test_the_dry_run_of_a_draft_obeys_the_same_limits(engine: Engine, deploy: Callable[..., None], script: str) -> None:
    draft = engine.design.save_draft("bozza.bpmn", linear("bozza", 1, script=script), actor=DESIGNER)
    assert draft.problems == ()

    result, took, probe = while_running(
        lambda: engine.design.dry_run(draft.id, "bozza", {}, {"Task_1": OK}, actor=DESIGNER),
        lambda: engine.design.drafts(actor=DESIGNER),
    )

    assert isinstance(result, errors.ScriptLimitExceeded), result
    assert took < LIMIT and (probe is None or probe < 1.0)


def test_ordinary_scripts_still_run_and_their_errors_keep_their_line(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", hostile.after_a_task("p", "script", "a = 1\nb = [a] * 3\nc = b[a] / (a - 1)")))
    case = engine.cases.start("p", {}, actor=WORKER)
    with pytest.raises(errors.ProcessFailed) as failed:
        engine.tasks.complete(case.open_tasks[0].id, dict(OK), actor=WORKER)
    assert not isinstance(failed.value, errors.ScriptLimitExceeded)
    assert failed.value.element == "Attack" and failed.value.line == 3
    assert "ZeroDivisionError" in failed.value.message

    deploy(("q.bpmn", hostile.after_a_task("q", "script", "a = 1\nb = [a] * 3\nc = f'{a:>5}' + '%03d' % a")))
    case = engine.cases.start("q", {}, actor=WORKER)
    done = engine.tasks.complete(case.open_tasks[0].id, dict(OK), actor=WORKER)
    assert done.data["b"] == [1, 1, 1] and done.data["c"] == "    1001"


def test_a_timer_whose_expression_hits_a_limit_becomes_an_incident_at_once(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock
) -> None:
    from tests.fixtures.clock_diagrams import failing_after_timer

    xml = failing_after_timer().replace(b"quota = 1 / divisore", b"quota = 10 ** 10 ** 8")
    deploy(("timer_fallito.bpmn", xml))
    engine.cases.start("timer_fallito", {"divisore": 1}, actor=Actor("carla", frozenset({"coordinatore"})))
    clock.advance(days=2)
    engine.timers.fire_due(actor=SCHEDULER)
    with engine._ctx.uow(write=False) as uow:
        assert uow.timers.count("incident") == 1
