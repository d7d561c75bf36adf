"""Wires at parse time what SpiffWorkflow 3.2 would otherwise connect to shared specs at run time.

A server parses each process version once and shares the spec objects between every case it
runs, and a case's stored state holds no specs: whichever server process loads a case binds it to
*its own* parsed specs. SpiffWorkflow, however, finishes wiring some specs only when a workflow
first uses them:

- a loop or multi-instance task (standard loop, parallel and sequential multi-instance) connects
  its child spec's ``completed_event`` to ``merge_child`` when it creates its first child. A process
  whose specs never created a child would complete the children of a case that another process
  started without ever merging them: the answers are lost and the parent never finishes (the
  library's own spec deserializer makes the same connection, for the same reason);
- a message-started event sub-process connects itself to the process start the first time a
  message triggers it;
- a conditional path of an ad-hoc sub-process connects itself to the sub-process start the first
  time it is added.

Here every one of those connections is made right after parsing, so a freshly parsed spec behaves
exactly like one that has already run cases, on every server and in every replay. For the last two
the start is recorded only among the target's inputs (what the run-time code tests before
connecting), never among the start's outputs: that would make every case start the sub-process
or path at its very beginning. ``spec_fingerprint`` describes this wiring so a test can prove that
running cases leaves specs unchanged.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.util.event import Event


def prewire(spec: Any) -> None:
    """Make every run-time connection of one process spec now (idempotent)."""
    _merge_loop_children(spec)
    _message_started_subprocesses(spec)
    _ad_hoc_conditional_paths(spec)


def _merge_loop_children(spec: Any) -> None:
    for task_spec in list(spec.task_specs.values()):
        if not isinstance(task_spec, LoopTask):
            continue
        child = spec.task_specs.get(task_spec.task_spec)
        if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
            child.completed_event.connect(task_spec.merge_child)


def _message_started_subprocesses(spec: Any) -> None:
    start = getattr(spec, "start", None)
    if start is None:
        return
    for name in list(getattr(start, "trigger_specs", []) or []):
        target = spec.task_specs.get(name)
        if target is not None and start not in target.inputs:
            target.inputs = [*target.inputs, start]  # (the property returns a copy: assign, not append)
            target.connect(spec.end)


def _ad_hoc_conditional_paths(spec: Any) -> None:
    if not isinstance(spec, AdHocSubprocessSpec):
        return
    for task_spec in spec.conditional_paths:
        if spec.start not in task_spec.inputs:
            task_spec.inputs = [*task_spec.inputs, spec.start]


def spec_fingerprint(spec: Any) -> dict[str, Any]:
    """The wiring of a process spec: per task spec, its links, its event subscribers and its
    plain attributes. Two specs that will run cases alike have equal fingerprints."""
    return {name: _task_spec_fingerprint(ts) for name, ts in sorted(spec.task_specs.items())}


def _task_spec_fingerprint(task_spec: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for attr, value in sorted(vars(task_spec).items()):
        if isinstance(value, Event):
            result[attr] = sorted(_subscriber(cb) for cb, _args, _kwargs in value.hard_subscribers or [])
            result[attr] += sorted(_subscriber(ref.get_function()) for ref, _a, _k in value.weak_subscribers or [])
        elif isinstance(value, TaskSpec):
            result[attr] = f"spec:{value.name}"
        elif isinstance(value, list | tuple) and value and all(isinstance(v, TaskSpec) for v in value):
            result[attr] = [f"spec:{v.name}" for v in value]
        elif isinstance(value, str | int | float | bool | type(None)) or (
            isinstance(value, list | tuple) and all(isinstance(v, str | int | float | bool) for v in value)
        ):
            result[attr] = list(value) if isinstance(value, list | tuple) else value  # a copy: lists grow
    return result


def _subscriber(callback: Any) -> str:
    owner = getattr(callback, "__self__", None)
    return f"{getattr(owner, 'name', type(owner).__name__)}.{getattr(callback, '__name__', repr(callback))}"
