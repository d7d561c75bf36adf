"""Rebuilding a called process on a new version whose elements moved into an embedded sub-process.

SpiffWorkflow's migration (``SpiffWorkflow.bpmn.util.diff``) swaps the spec of each task in place:
it cannot put a task that ran in a process into an embedded sub-process of the new version (a
sub-process is a workflow of its own, with its own task tree, under a task that did not exist).
A called process whose elements moved inward is therefore rebuilt instead:

1. a fresh workflow of the new version takes the old one's place under the same call activity,
   with the data the call activity handed in;
2. it runs forward on the new diagram, its scripts, gateways and decisions as the new version
   says; each human task the old run completed is completed again with the data it had then,
   and each timer the old run fired is fired again (a fired timer first: it fired while the
   element it belongs to was active). Timers never fire on their own while rebuilding;
3. every human task open in the old run must be open again: it takes the old task's id (so its
   work item, claim and assignment stay) and the old task's data, plus what only the new version
   computes. A timer the old run waits on keeps its due date when its expression did not change;
   the others are computed again on the engine's clock by the engine steps that follow.

What the new version never reaches is not carried over: a reminder whose timer the new version
no longer arms (its task completed before) stays only in the case's audit log. A completed step
of the old run that the new diagram offers nowhere refuses the rebuild (``RebuildError``), and so
does a process with multi-instance tasks (their items are not matched here).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.timekeeping import using_clock

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # the rebuild's clock: no timer is ever due on it
_MAX_STEPS = 10_000


class RebuildError(Exception):
    """The old run cannot be re-placed on the new version."""


def moved_inward(workflow: Any, target: Any, subprocess_specs: dict[str, Any]) -> list[str]:
    """The elements of ``workflow``'s tree (went through, at, or predicted ahead) that the new
    version ``target`` removed from the process itself but holds in an embedded sub-process."""
    inner = _inner_ids(target, subprocess_specs)
    top = {getattr(s, "bpmn_id", None) for s in target.task_specs.values()}
    found = {str(t.task_spec.bpmn_id) for t in workflow.tasks.values() if t.task_spec.bpmn_id}
    return sorted(b for b in found if b not in top and b in inner)


def rebuildable(workflow: Any) -> bool:
    """Only a called process is rebuilt (the case's own process and embedded ones are not)."""
    if not isinstance(workflow, BpmnSubWorkflow):
        return False
    holder = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
    return holder is not None and isinstance(holder.task_spec, CallActivity)


def family(wf: Any, workflow: Any) -> list[Any]:
    """``workflow`` and every sub-process under it, parents first."""
    result = [workflow]
    for sub in wf.subprocesses.values():
        if sub is not workflow and _under(wf, sub, workflow):
            result.append(sub)
    return sorted(result, key=lambda w: w.depth)


def multi_instance(wf: Any, old: Any) -> list[Any]:
    """The multi-instance activities (specs) of ``old`` and its sub-processes, by element: the
    rebuild does not re-place their instances (which item each completed or open one had)."""
    found = {
        s.bpmn_id: w.spec.task_specs.get(s.task_spec, s)  # the instance's spec: it has the BPMN name
        for w in family(wf, old)
        for s in w.spec.task_specs.values()
        if isinstance(s, LoopTask)
    }
    return [found[k] for k in sorted(found)]


def rebuild(wf: Any, old: Any, target: Any) -> Any:
    """Put a rebuilt ``old`` (a called process of ``wf``) on the spec ``target``; returns it."""
    if multi_instance(wf, old):
        raise RebuildError(f"{old.spec.name!r} has multi-instance tasks: it cannot be rebuilt")
    holder = wf.get_task_from_id(old.parent_task_id)
    old_tasks = [t for w in family(wf, old) for t in w.tasks.values()]
    humans = [t for t in old_tasks if t.state == TaskState.COMPLETED and _is_human(t)]
    timers = [t for t in old_tasks if t.state == TaskState.COMPLETED and _is_timer(t)]
    open_humans = [t for t in old_tasks if t.state == TaskState.READY and _is_human(t)]
    waiting = [t for t in old_tasks if t.state == TaskState.WAITING and _is_timer(t)]
    start_data = next(t.data for t in old.tasks.values() if t.task_spec.name == "Start")

    for task in old_tasks:  # the old run's waiting events are no longer awaited
        wf.event_manager.remove_task(task)
    for sub in family(wf, old)[1:]:
        del wf.subprocesses[sub.parent_task_id]
    new = BpmnSubWorkflow(target, parent_task_id=holder.id, top_workflow=wf)
    wf.subprocesses[holder.id] = new  # the same key: the call activity's sub-process keeps its place
    with using_clock(lambda: _EPOCH):
        start = new.get_next_task(new.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**copy.deepcopy(start_data))
        start.run()
        _replay_steps(wf, new, humans, timers)
    _reopen(wf, new, open_humans)
    _keep_due_dates(wf, new, waiting)
    if not old.completed:
        new.completed_event.connect(holder.task_spec._on_subworkflow_completed, holder)
    return new


def _replay_steps(wf: Any, new: Any, humans: list[Any], timers: list[Any]) -> None:
    pending_humans, pending_timers = list(humans), list(timers)
    for _ in range(_MAX_STEPS):
        _engine_steps(wf, new)
        live = [t for w in family(wf, new) for t in w.tasks.values()]
        timer = _first_match(pending_timers, [t for t in live if t.state == TaskState.WAITING and _is_timer(t)])
        if timer is not None:
            task, done = timer
            pending_timers.remove(done)
            task._set_internal_data(event_fired=True)
            task.task_spec._update(task)
            continue
        human = _first_match(pending_humans, [t for t in live if t.state == TaskState.READY and _is_human(t)])
        if human is not None:
            task, done = human
            pending_humans.remove(done)
            task.data = {**task.data, **copy.deepcopy(done.data)}
            task.run()
            continue
        break
    else:  # pragma: no cover - a diagram looping without human input
        raise RebuildError("the rebuild does not settle")
    # A timer the new version no longer arms (its element was left before it fired there) and the
    # branch it started are history only; any other completed step must have been re-placed.
    skipped = {id(t) for t in pending_timers}
    lost = [t for t in pending_humans if not any(id(a) in skipped for a in _ancestors(t))]
    if lost:
        names = ", ".join(sorted({str(t.task_spec.bpmn_id) for t in lost}))
        raise RebuildError(f"the new version does not reach the completed steps {names}")


def _reopen(wf: Any, new: Any, open_humans: list[Any]) -> None:
    """Each task open in the old run, open again under its old id with its old data."""
    live = [t for w in family(wf, new) for t in w.tasks.values() if t.state == TaskState.READY and _is_human(t)]
    for old in open_humans:
        match = next((t for t in live if t.task_spec.bpmn_id == old.task_spec.bpmn_id), None)
        if match is None:
            raise RebuildError(f"the new version does not reach the open task {old.task_spec.bpmn_id!r}")
        live.remove(match)
        match.data = {**match.data, **copy.deepcopy(old.data)}
        _rekey(match, old.id)


def _keep_due_dates(wf: Any, new: Any, waiting: list[Any]) -> None:
    """A waiting timer keeps the due date the old run computed when its expression is unchanged;
    every other is computed again (on the engine's clock) by the next engine steps."""
    pending = list(waiting)
    for task in [t for w in family(wf, new) for t in w.tasks.values() if t.state == TaskState.WAITING]:
        if not _is_timer(task):
            continue
        task.internal_data.pop("event_value", None)
        task.internal_data.pop("event_fired", None)
        same = next((o for o in pending if _same_timer(o, task)), None)
        if same is not None and "event_value" in same.internal_data:
            pending.remove(same)
            task.internal_data["event_value"] = copy.deepcopy(same.internal_data["event_value"])


def _engine_steps(wf: Any, new: Any) -> None:
    """``do_engine_steps`` limited to the rebuilt process and its sub-processes (the rest of the
    case does not move while rebuilding)."""
    for _ in range(_MAX_STEPS):
        count = 0
        for workflow in sorted(family(wf, new), key=lambda w: w.depth, reverse=True):
            for task in [t for t in workflow.tasks.values() if t.state == TaskState.READY]:
                if not task.task_spec.manual and task.state == TaskState.READY:
                    task.run()
                    count += 1
            if workflow is not new:
                holder = wf.get_task_from_id(workflow.parent_task_id)
                if holder.state == TaskState.STARTED:
                    holder.task_spec._update(holder)
                    count += holder.state != TaskState.STARTED
        if count == 0:
            return


def _first_match(done: list[Any], live: list[Any]) -> tuple[Any, Any] | None:
    """The live task matching the earliest old step (by element)."""
    for old in done:
        for task in live:
            if task.task_spec.bpmn_id == old.task_spec.bpmn_id:
                return task, old
    return None


def _rekey(task: Any, task_id: Any) -> None:
    workflow = task.workflow
    if task.id == task_id:
        return
    workflow.tasks = {(task_id if k == task.id else k): v for k, v in workflow.tasks.items()}
    for child in task.children:
        child._parent = task_id
    parent = task.parent
    if parent is not None:
        parent._children = [task_id if c == task.id else c for c in parent._children]
    task.id = task_id


def _same_timer(old: Any, new: Any) -> bool:
    if old.task_spec.bpmn_id != new.task_spec.bpmn_id:
        return False
    a, b = old.task_spec.event_definition, new.task_spec.event_definition
    return type(a) is type(b) and getattr(a, "expression", None) == getattr(b, "expression", None)


def _is_human(task: Any) -> bool:
    return bool(task.task_spec.manual and task.task_spec.bpmn_id)


def _is_timer(task: Any) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def _ancestors(task: Any) -> Iterator[Any]:
    current = task.parent
    while current is not None:
        yield current
        current = current.parent


def _under(wf: Any, sub: Any, workflow: Any) -> bool:
    current = sub
    while isinstance(current, BpmnSubWorkflow):
        parent = wf.get_task_from_id(current.parent_task_id)
        if parent is None:
            return False
        current = parent.workflow
        if current is workflow:
            return True
    return False


def _inner_ids(spec: Any, subprocess_specs: dict[str, Any], seen: set[str] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    found: set[str] = set()
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, SubWorkflowTask) and not isinstance(task_spec, CallActivity):
            name = task_spec.spec
            inner = subprocess_specs.get(name)
            if inner is None or name in seen:
                continue
            seen.add(name)
            found |= {str(s.bpmn_id) for s in inner.task_specs.values() if getattr(s, "bpmn_id", None)}
            found |= _inner_ids(inner, subprocess_specs, seen)
    return found
