"""Dry run: drive a (draft) process in memory on sample data and report the path it takes.

Nothing is stored and no real case is touched. Human tasks are answered from the sample answers
given per element id (a list gives one answer per occurrence), each validated by its form; timers
are reached by moving a private clock to their due time. Scripts run in the same sandbox as live
cases. The run stops at the end, at a task with no sample answer, or after ``max_steps``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import Runner, _all_tasks, json_safe, process_of
from engine.bpmn.script_pool import Limits
from engine.bpmn.scripting import build_script_engine
from engine.clock import FixedClock
from engine.errors import EngineError, InvalidData, ScriptLimitExceeded
from engine.model import DryRunResult


@dataclass
class _Run:
    """The run's outcome while it is being built (frozen into a ``DryRunResult`` at the end)."""

    path: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False
    stopped_at: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    timers_fired: int = 0
    # after each answer (or timer), the data it and the automatic steps that followed changed
    steps: list[dict[str, Any]] = field(default_factory=list)


def dry_run(
    specs: ProcessSpecs,
    data: dict[str, Any],
    answers: Mapping[str, Any],
    validate: Callable[[str | None, Any], dict[str, Any]],
    parameters: Mapping[str, Any],
    *,
    max_steps: int = 500,
    start: dt.datetime | None = None,
    limits: Limits | None = None,
) -> DryRunResult:
    """Run ``specs`` in memory. A sandbox limit hit by the draft's code is raised (as for a live
    case: ``ScriptLimitExceeded``), other failures are reported in the result."""
    clock = FixedClock(start)
    runner = Runner(build_script_engine(clock.now, parameters, limits), clock.now)
    result = _Run()
    used: dict[str, int] = {}
    wf: Any = None
    failing = ""  # the task whose sample answer is being submitted
    seen = json_safe(dict(data))
    after: dict[str, Any] = {"element": "", "name": "", "type": "start"}  # what the next changes follow

    reached = 0  # how many elements of the path were done at the last step

    def note_changes() -> None:
        nonlocal seen, reached
        now = json_safe(runner.data(wf))
        changes = {k: v for k, v in now.items() if k not in seen or seen[k] != v}
        removed = sorted(k for k in seen if k not in now)
        done = len(_path(wf))
        if changes or removed or done > reached:
            # path_length: the run's path so far is the first path_length elements of its path
            result.steps.append({**after, "changes": changes, "removed": removed, "path_length": done})
        seen, reached = now, done

    try:
        wf = runner.start(specs, dict(data))
        for _ in range(max_steps):
            note_changes()  # the data the last answer (and the steps it led to) changed
            if runner.is_completed(wf):
                result.completed = True
                break
            ready = runner.ready_tasks(wf, specs)
            if ready:
                task = ready[0]
                answer = _answer(answers.get(task.bpmn_id), used.get(task.bpmn_id, 0))
                if answer is None:
                    result.stopped_at = [{"element": t.bpmn_id, "name": t.name, "role": t.lane} for t in ready]
                    break
                used[task.bpmn_id] = used.get(task.bpmn_id, 0) + 1
                clock.advance(minutes=1)
                failing = f"{task.name} ({task.bpmn_id})"
                runner.complete(wf, task.id, validate(task.form_key, answer))
                failing = ""
                after = {"element": task.bpmn_id, "name": task.name, "type": "user_task"}
                continue
            due = runner.next_timer_due(wf)
            if due is None:
                result.stopped_at = [{"element": e, "name": e, "role": None} for e in runner.waiting_elements(wf)]
                break
            clock.set(max(due, clock.now()) + dt.timedelta(seconds=1))
            runner.fire_timers(wf)
            result.timers_fired += 1
            after = {"element": "", "name": "", "type": "timer"}
    except ScriptLimitExceeded:
        raise
    except InvalidData as err:  # a sample answer the form refuses: which task, which fields
        fields = "; ".join(
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in err.messages.items()
        )
        result.error = f"{failing}: {fields}" if failing else fields or err.message
    except EngineError as err:
        result.error = err.message
    if wf is not None:  # also after an error: the designer sees how far it got
        result.data = json_safe(runner.data(wf))
        result.path = _path(wf)
    return DryRunResult(**vars(result))


def _answer(given: Any, occurrence: int) -> Any:
    if isinstance(given, list):
        return given[occurrence] if occurrence < len(given) else None
    return given


def _path(wf: Any) -> list[dict[str, Any]]:
    done = [t for t in _all_tasks(wf) if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id]
    done.sort(key=lambda t: t.last_state_change)
    return [
        {
            "element": str(t.task_spec.bpmn_id),
            "name": str(t.task_spec.bpmn_name or t.task_spec.bpmn_id),
            "type": type(t.task_spec).__name__,
            "process": process_of(t),
        }
        for t in done
    ]
