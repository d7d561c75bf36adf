"""Specs are fully wired when parsed: running cases of any shape never changes them.

A server shares its parsed specs between every case and loads cases saved by other servers, so a
spec that a run changes would make the same command behave differently on different servers (the
loss of multi-instance answers this guards against). Each shape is run to its end in memory and
the wiring of every spec it used compared before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.loader import Library, ProcessSpecs, SourceFile
from engine.bpmn.prewiring import spec_fingerprint
from engine.bpmn.runner import Runner
from engine.bpmn.scripting import build_script_engine
from tests.fixtures import clock_diagrams as cd
from tests.fixtures.diagrams import looped, multi_instance

ITEMS = {"items": ["Comune", "ASL", "CPI"]}
SHAPES: dict[str, tuple[list[tuple[str, bytes]], str, dict[str, Any]]] = {
    "parallel multi-instance": ([("mi.bpmn", multi_instance("mi"))], "mi", ITEMS),
    "sequential multi-instance": ([("seq.bpmn", multi_instance("seq", sequential=True))], "seq", ITEMS),
    "standard loop": ([("loop.bpmn", looped("loop", 3))], "loop", {}),
    "event sub-process started by a message": (
        [("listen.bpmn", cd.partnership_and_listener()[1])],
        "ascolto_partenariato",
        {},
    ),
    "call activity with a message boundary event": (
        list(zip(["p.bpmn", "t.bpmn"], cd.traineeship_with_withdrawal(), strict=True)),
        "percorso_prova",
        {},
    ),
    "interrupting boundary timer": ([("docs.bpmn", cd.missing_documents())], "attesa_documenti", {}),
    "non-interrupting boundary timer": ([("late.bpmn", cd.escalation())], "sollecito", {}),
    "timer cycle": ([("cycle.bpmn", cd.monthly_cycle('"R2/P30D"'))], "ciclo_mensile", {}),
}


def fingerprints(specs: ProcessSpecs) -> dict[str, Any]:
    return {name: spec_fingerprint(s) for name, s in [("", specs.spec), *specs.subprocess_specs.items()]}


def run_to_the_end(specs: ProcessSpecs, start: dict[str, Any]) -> None:
    """Complete every human task, deliver every awaited message once and let time pass."""
    now = [dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)]
    runner = Runner(build_script_engine(lambda: now[0], {}), lambda: now[0])
    wf = runner.start(specs, dict(start))
    delivered: set[str] = set()
    for _ in range(50):
        if runner.is_completed(wf):
            return
        awaited = runner.awaited_messages(wf) - delivered
        if awaited:
            name = sorted(awaited)[0]
            delivered.add(name)
            runner.deliver_message(wf, name, {})
            continue
        ready = runner.ready_tasks(wf, specs)
        if ready:
            runner.complete(wf, ready[0].id, {"conferma": True})
            continue
        now[0] += dt.timedelta(days=40)
        runner.fire_timers(wf)
    raise AssertionError("the case did not end")


@pytest.mark.parametrize("shape", SHAPES)
def test_running_a_case_leaves_its_freshly_parsed_specs_unchanged(shape: str) -> None:
    files, pid, start = SHAPES[shape]
    specs = Library([SourceFile(n, c) for n, c in files]).specs(pid)
    fresh = fingerprints(specs)

    run_to_the_end(specs, start)
    run_to_the_end(specs, start)

    assert fingerprints(specs) == fresh


def test_specs_parsed_without_the_wiring_would_change_on_their_first_run() -> None:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(multi_instance("mi"))
    raw = ProcessSpecs("mi", "mi", parser.get_spec("mi"), parser.get_subprocess_specs("mi"), ())
    before = fingerprints(raw)

    run_to_the_end(raw, ITEMS)

    assert fingerprints(raw) != before
    assert fingerprints(raw) == fingerprints(Library([SourceFile("mi.bpmn", multi_instance("mi"))]).specs("mi"))
