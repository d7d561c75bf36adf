"""Drives SpiffWorkflow workflows: create, restore, complete a human task, fire timers, read state.

This is the only module that handles live SpiffWorkflow objects for the services. It returns
plain values (``ReadyTask``, dicts, datetimes) and turns every SpiffWorkflow failure into
``ProcessFailed`` naming the element and line, so callers can roll back cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.serializer import dump_state, load_state
from engine.errors import ProcessFailed

MAX_TASKS_PER_STEP = 100_000


@dataclass(frozen=True)
class ReadyTask:
    """A human task waiting for an actor, as the inbox table stores it."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form_key: str | None
    due_in_days: int | None
    due_param: str | None
    process_id: str
    multi_instance_item: Any = None
    priority: int = 0


@contextmanager
def _spiff_errors() -> Iterator[None]:
    try:
        yield
    except ProcessFailed:
        raise
    except (SpiffWorkflowException, WorkflowException) as err:
        task_spec = getattr(err, "task_spec", None)
        element = str(getattr(task_spec, "bpmn_id", "") or getattr(task_spec, "name", "") or "")
        line = getattr(err, "line_number", None)
        message = str(err).split("\n")[0]
        raise ProcessFailed(
            f"{element}: {message}" if element else message,
            element=element,
            line=line if isinstance(line, int) else None,
        ) from err
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as err:
        raise ProcessFailed(f"{type(err).__name__}: {err}") from err


class Runner:
    """Workflow operations bound to one script engine (the sandbox, with its clock)."""

    def __init__(self, script_engine: Any) -> None:
        self.script_engine = script_engine

    def start(self, specs: ProcessSpecs, data: dict[str, Any]) -> BpmnWorkflow:
        with _spiff_errors():
            wf = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=self.script_engine)
            wf.get_next_task(spec_name="Start").data.update(data)
            wf.do_engine_steps()
        return wf

    def load(self, specs: ProcessSpecs, state: str) -> BpmnWorkflow:
        with _spiff_errors():
            wf = load_state(state, specs.spec, specs.subprocess_specs)
        wf.script_engine = self.script_engine
        return wf

    @staticmethod
    def dump(wf: BpmnWorkflow) -> str:
        return dump_state(wf)

    @staticmethod
    def ready_tasks(wf: BpmnWorkflow, specs: ProcessSpecs) -> list[ReadyTask]:
        result = []
        for task in _all_tasks(wf):
            ts = task.task_spec
            if task.state != TaskState.READY or not ts.manual:
                continue
            info = specs.user_tasks.get(ts.bpmn_id)
            item = None
            parent_spec = task.parent.task_spec if task.parent is not None else None
            if isinstance(parent_spec, MultiInstanceTask) and parent_spec.input_item is not None:
                item = task.data.get(parent_spec.input_item.bpmn_id)
            result.append(
                ReadyTask(
                    id=str(task.id),
                    bpmn_id=str(ts.bpmn_id),
                    name=str(ts.bpmn_name or ts.bpmn_id),
                    lane=ts.lane,
                    form_key=info.form_key if info else None,
                    due_in_days=info.due_in_days if info else None,
                    due_param=info.due_param if info else None,
                    process_id=str(task.workflow.spec.name),
                    multi_instance_item=item,
                    priority=info.priority if info else 0,
                )
            )
        return result

    @staticmethod
    def ready_ids(wf: BpmnWorkflow) -> frozenset[str]:
        return frozenset(str(t.id) for t in _all_tasks(wf) if t.state == TaskState.READY and t.task_spec.manual)

    @staticmethod
    def _task(wf: BpmnWorkflow, task_id: str) -> Any:
        try:
            return wf.get_task_from_id(UUID(task_id))
        except (ValueError, TaskNotFoundException):
            return None

    def task_state(self, wf: BpmnWorkflow, task_id: str) -> str | None:
        task = self._task(wf, task_id)
        return TaskState.get_name(task.state) if task is not None else None

    def complete(self, wf: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
        """Put the validated form data into a READY human task, run it and the engine steps."""
        task = self._task(wf, task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise ProcessFailed(f"task {task_id} is not a ready human task")
        parent_spec = task.parent.task_spec if task.parent is not None else None
        with _spiff_errors():
            task.set_data(**data)
            if isinstance(parent_spec, MultiInstanceTask) and parent_spec.output_item is not None:
                name = parent_spec.output_item.bpmn_id
                if name not in data:
                    # The form is the child's answer: without it SpiffWorkflow would complete the
                    # child and silently drop its output (SPIFFWORKFLOW.md §8).
                    task.data[name] = dict(data)
            task.run()
            self._steps(wf)

    def fire_timers(self, wf: BpmnWorkflow) -> None:
        with _spiff_errors():
            wf.refresh_timers()
            self._steps(wf)

    def _steps(self, wf: BpmnWorkflow) -> None:
        wf.do_engine_steps()

    @staticmethod
    def cancel(wf: BpmnWorkflow) -> None:
        with _spiff_errors():
            wf.cancel()

    @staticmethod
    def is_completed(wf: BpmnWorkflow) -> bool:
        return bool(wf.is_completed())

    @staticmethod
    def data(wf: BpmnWorkflow) -> dict[str, Any]:
        """The case's current data: the end data once finished, else the live tasks' data."""
        if wf.is_completed():
            return dict(wf.data) or (dict(wf.last_task.data) if wf.last_task else {})
        merged: dict[str, Any] = {}
        live = [t for t in _all_tasks(wf) if t.state & _LIVE]
        for task in sorted(live, key=lambda t: t.last_state_change):
            merged.update(task.data)
        if not merged and wf.last_task is not None:
            merged.update(wf.last_task.data)
        return merged

    @staticmethod
    def element_states(wf: BpmnWorkflow) -> dict[str, dict[str, list[str]]]:
        """Per process spec: bpmn ids completed, active (ready/started) and waiting."""
        marks: dict[str, dict[str, set[str]]] = {}
        for task in _all_tasks(wf):
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            slot = marks.setdefault(
                str(task.workflow.spec.name), {"completed": set(), "active": set(), "waiting": set()}
            )
            if task.state == TaskState.COMPLETED:
                slot["completed"].add(bpmn_id)
            elif task.state in (TaskState.READY, TaskState.STARTED):
                slot["active"].add(bpmn_id)
            elif task.state == TaskState.WAITING:
                slot["waiting"].add(bpmn_id)
        return {pid: {k: sorted(v) for k, v in slot.items()} for pid, slot in marks.items()}

    @staticmethod
    def phase(wf: BpmnWorkflow) -> str | None:
        """The process where the case's open work is: the deepest workflow with a live task."""
        if wf.is_completed():
            return None
        waiting = TaskState.READY | TaskState.WAITING
        live = [t for t in _all_tasks(wf) if t.state & waiting]
        # Prefer where a person must act; among those, the innermost (called) process.
        for task in sorted(live, key=lambda t: (not t.task_spec.manual, t.workflow is wf)):
            return str(task.workflow.spec.name)
        return str(wf.spec.name)

    @staticmethod
    def next_timer_due(wf: BpmnWorkflow) -> dt.datetime | None:
        dues = []
        for task in _all_tasks(wf):
            if task.state != TaskState.WAITING:
                continue
            ed = getattr(task.task_spec, "event_definition", None)
            if isinstance(ed, TimerEventDefinition):
                value = ed.details(task).value
                if isinstance(value, str):
                    dues.append(TimerEventDefinition.get_datetime(value))
                elif isinstance(value, dict) and isinstance(value.get("next"), str):
                    dues.append(TimerEventDefinition.get_datetime(value["next"]))
        return min(dues, default=None)

    @staticmethod
    def waiting_elements(wf: BpmnWorkflow) -> list[str]:
        return sorted(
            {str(t.task_spec.bpmn_id) for t in _all_tasks(wf) if t.state == TaskState.WAITING and t.task_spec.bpmn_id}
        )


_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _all_tasks(wf: BpmnWorkflow) -> Iterator[Any]:
    """Every task of the workflow and of its called/embedded subprocesses, in creation order.

    Walking the task dicts directly is several times cheaper than ``get_tasks`` (which runs a
    filtered tree iterator), and the engine reads the whole tree a few times per command.
    """
    yield from wf.tasks.values()
    for sub in wf.subprocesses.values():
        yield from sub.tasks.values()


def json_safe(value: Any) -> Any:
    """Task data made JSON-safe for the case snapshot and the audit log."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
