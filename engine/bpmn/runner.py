"""Drives SpiffWorkflow workflows: create, restore, complete a human task, fire timers, read state.

This is the only module that handles live SpiffWorkflow objects for the services. It returns
plain values (``ReadyTask``, dicts, datetimes) and turns every SpiffWorkflow failure into
``ProcessFailed`` naming the element and line, so callers can roll back cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity as CallActivityMixin
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import state_rows
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.sandbox import ScriptLimit
from engine.bpmn.serializer import dump_state, load_state
from engine.bpmn.timekeeping import using_clock
from engine.errors import ProcessFailed, ScriptLimitExceeded
from engine.model import AwaitedEvent, StateWrite, TaskRow


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
    # From an attached boundary timer, when the diagram gives the task one.
    boundary_due: dt.datetime | None = None
    # From a boundary timer on the embedded sub-process holding the task (F2's outcome deadline
    # over the whole assessment): the due date of a task that has none of its own.
    enclosing_due: dt.datetime | None = None
    # the item as the state digest writes it (canonical JSON), computed once per task
    item_key: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    bpmn_id: str
    kind: str
    due_at: dt.datetime
    period: dt.timedelta | None = None
    catch_up_all: bool = False
    cycles: int | None = None  # occurrences a cycle has left (negative: for ever)


@dataclass(frozen=True)
class FiredTimer:
    """One occurrence of a timer that the engine fired: its task and the due time it fired for."""

    task_id: str
    bpmn_id: str
    kind: str
    due_at: dt.datetime


@contextmanager
def _spiff_errors(now: Callable[[], dt.datetime] | None = None) -> Iterator[None]:
    try:
        if now is None:
            yield
        else:
            with using_clock(now):
                yield
    except ProcessFailed:
        raise
    except ScriptLimit as err:
        raise ScriptLimitExceeded(str(err)) from err
    except (SpiffWorkflowException, WorkflowException) as err:
        task_spec = getattr(err, "task_spec", None)
        element = str(getattr(task_spec, "bpmn_id", "") or getattr(task_spec, "name", "") or "")
        line = getattr(err, "line_number", None)
        limit = _limit_behind(err)
        message = str(limit) if limit is not None else str(err).split("\n")[0]
        raise (ScriptLimitExceeded if limit is not None else ProcessFailed)(
            f"{element}: {message}" if element else message,
            element=element,
            line=line if isinstance(line, int) and line > 0 else None,
        ) from err
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as err:
        raise ProcessFailed(f"{type(err).__name__}: {err}") from err


def _limit_behind(err: BaseException) -> ScriptLimit | None:
    """The sandbox limit that SpiffWorkflow wrapped into its own exception, if that was the cause."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ScriptLimit):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


class Runner:
    """Workflow operations bound to one script engine (the sandbox, with its clock)."""

    def __init__(self, script_engine: Any, now: Callable[[], dt.datetime] | None = None) -> None:
        self.script_engine = script_engine
        self.now = now or (lambda: dt.datetime.now(dt.UTC))

    def start(self, specs: ProcessSpecs, data: dict[str, Any]) -> BpmnWorkflow:
        with _spiff_errors(self.now):
            wf = _lean(BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=self.script_engine))
            wf.get_next_task(spec_name="Start").data.update(data)
            wf.do_engine_steps()
        return wf

    def load(self, specs: ProcessSpecs, state: str, rows: Callable[[], list[TaskRow]]) -> BpmnWorkflow:
        """A case's workflow from its stored header and task rows (``rows`` is read only when the
        state is in rows: a state stored whole, in the older format, loads from itself)."""
        with _spiff_errors(self.now):
            if state_rows.is_row_header(state):
                wf = state_rows.load(state, rows(), specs.spec, specs.subprocess_specs)
            else:
                wf = load_state(state, specs.spec, specs.subprocess_specs)
        wf.script_engine = self.script_engine
        return _lean(wf)

    @staticmethod
    def changes(wf: BpmnWorkflow) -> StateWrite:
        """What to store of the workflow now: its header and the rows of the tasks that changed."""
        try:
            return state_rows.changes(wf)
        except (TypeError, ValueError) as err:
            raise ProcessFailed(f"the case data cannot be stored: {err}") from err

    @staticmethod
    def dump(wf: BpmnWorkflow) -> str:
        """The whole workflow as one document (a check that it can be stored and reloaded)."""
        try:
            return dump_state(wf)
        except (TypeError, ValueError) as err:
            raise ProcessFailed(f"the case data cannot be stored: {err}") from err

    @staticmethod
    def ready_tasks(wf: BpmnWorkflow, specs: ProcessSpecs) -> list[ReadyTask]:
        """The READY human tasks, in creation order. Each task's description is kept on the task
        and reused while its element and multi-instance item stay the same (a 300-way
        multi-instance would otherwise describe every open instance again at each completion)."""
        result = []
        for task in _all_tasks(wf):
            if task._state != TaskState.READY or not task.task_spec.manual:
                continue
            known: _Described | None = getattr(task, _DESCRIBED, None)
            if (
                known is None
                or known.spec is not task.task_spec
                or known.specs is not specs
                or (known.item_name is not None and task.data.get(known.item_name) is not known.item)
            ):
                known = _describe(task, specs)
                setattr(task, _DESCRIBED, known)
            ready = known.ready
            if known.timed:  # timers on the task or around it may have moved since
                boundary, enclosing = _boundary_due(task), _enclosing_due(task)
                if boundary != ready.boundary_due or enclosing != ready.enclosing_due:
                    ready = known.ready = replace(ready, boundary_due=boundary, enclosing_due=enclosing)
            result.append(ready)
        return result

    @staticmethod
    def ready_ids(wf: BpmnWorkflow) -> frozenset[str]:
        ids = []
        for task in _all_tasks(wf):
            if task._state == TaskState.READY and task.task_spec.manual:
                known: _Described | None = getattr(task, _DESCRIBED, None)
                ids.append(known.ready.id if known is not None else str(task.id))
        return frozenset(ids)

    @staticmethod
    def _task(wf: BpmnWorkflow, task_id: str) -> Any:
        try:
            return wf.get_task_from_id(UUID(task_id))
        except (ValueError, TaskNotFoundException):
            return None

    def task_state(self, wf: BpmnWorkflow, task_id: str) -> str | None:
        task = self._task(wf, task_id)
        return TaskState.get_name(task.state) if task is not None else None

    def task_data(self, wf: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        """The data a human task sees (what the case knows when its form is submitted)."""
        task = self._task(wf, task_id)
        return dict(task.data) if task is not None else {}

    def complete(self, wf: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
        """Put the validated form data into a READY human task, run it and the engine steps."""
        task = self._task(wf, task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise ProcessFailed(f"task {task_id} is not a ready human task")
        parent_spec = task.parent.task_spec if task.parent is not None else None
        with _spiff_errors(self.now):
            self._skip_missed_cycles(wf)
            task.set_data(**data)
            if isinstance(parent_spec, MultiInstanceTask) and parent_spec.output_item is not None:
                name = parent_spec.output_item.bpmn_id
                if name not in data:
                    # The form is the child's answer: without it SpiffWorkflow would complete the
                    # child and silently drop its output (docs/spiffworkflow.md §8).
                    task.data[name] = dict(data)
            task.run()
            self._steps(wf)

    def fire_timers(self, wf: BpmnWorkflow, *, only_if_due: bool = False) -> list[FiredTimer]:
        """Fire every timer due now and run the steps that follow; returns the occurrences fired.

        A timer counts as fired only if the engine ran it: one made ready but cancelled by another
        that fired first (two boundary timers due together, the interrupting one wins) did not.
        With ``only_if_due`` nothing is touched when no timer is due (commands call this before
        their own action, so a timer due before a person's command acts first; see
        docs/timers.md)."""
        now = self.now()
        with _spiff_errors(self.now):
            self._skip_missed_cycles(wf)
            due = [t for t in self.waiting_timers(wf) if t.due_at < now]
            if only_if_due and not due:
                return []
            wf.refresh_timers()
            self._steps(wf)
            for _ in range(_MAX_ROUNDS):  # cycles catching up every missed occurrence fire in rounds
                if not any(t.state == TaskState.READY and not t.task_spec.manual for t in _all_tasks(wf)):
                    break
                self._steps(wf)
        return [fired for timer in due for fired in _occurrences_fired(wf, timer)]

    def _skip_missed_cycles(self, wf: BpmnWorkflow) -> None:
        """Catch-up policy: after downtime a cycle fires once, then realigns to its schedule.

        SpiffWorkflow would fire every missed occurrence (a burst). Before the workflow runs, each
        overdue cycle is moved to its latest missed occurrence, so exactly one fires and the next
        is on the original schedule. A timer whose element has the property ``timerCatchUp`` =
        ``all`` keeps the burst. Every runner operation calls this first.
        """
        now = self.now()
        for task in _all_tasks(wf):
            if task._state != TaskState.WAITING:
                continue
            ed = getattr(task.task_spec, "event_definition", None)
            if not isinstance(ed, CycleTimerEventDefinition):
                continue
            props = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {}) or {}
            value = task.internal_data.get("event_value")
            if props.get("timerCatchUp") == "all" or not isinstance(value, dict) or not value.get("duration"):
                continue
            due = dt.datetime.fromisoformat(value["next"])
            step = dt.timedelta(seconds=value["duration"])
            # the periods missed, counted (a tiny period over years must not loop billions of times)
            missed = max(0, math.ceil((now - due) / step) - 1)
            if value["cycles"] >= 0:  # a negative count repeats for ever
                missed = min(missed, value["cycles"])
                value["cycles"] -= missed
            value["next"] = (due + missed * step).isoformat()

    def deliver_message(self, wf: BpmnWorkflow, name: str, payload: dict[str, Any]) -> bool:
        """Hand a message to the case if it waits for one of that name; False when it does not."""
        if name not in self.awaited_messages(wf):
            return False
        with _spiff_errors(self.now):
            self._skip_missed_cycles(wf)
            try:
                wf.send_event(BpmnEvent(MessageEventDefinition(name), dict(payload)))
            except WorkflowException:
                return False  # nothing caught it: the workflow is unchanged
            self._steps(wf)
        return True

    @staticmethod
    def awaited_messages(wf: BpmnWorkflow) -> set[str]:
        """Message names the case can take now: waiting catch events and message-started event subprocesses."""
        names = {e.name for e in wf.waiting_events() if e.event_type == "MessageEventDefinition"}
        if _completed(wf):
            return names
        for workflow in [wf, *wf.subprocesses.values()]:
            if _completed(workflow):
                continue
            for spec_name in getattr(workflow.spec.start, "trigger_specs", []):
                sub_spec = wf.subprocess_specs.get(spec_name)
                for start in getattr(sub_spec, "bpmn_start_events", []):
                    definition = getattr(start, "event_definition", None)
                    # bpmn and spiff message classes differ; both name the message the same way
                    if definition is not None and type(definition).__name__ == "MessageEventDefinition":
                        names.add(str(definition.name))
        return names

    @staticmethod
    def waiting_timers(wf: BpmnWorkflow) -> list[WaitingTimer]:
        result = []
        for task in _all_tasks(wf):
            if task._state != TaskState.WAITING:
                continue
            ed = getattr(task.task_spec, "event_definition", None)
            if not isinstance(ed, TimerEventDefinition):
                continue
            due = _timer_due(task, ed)
            if due is not None:
                kind = type(ed).__name__.replace("TimerEventDefinition", "").replace("EventDefinition", "").lower()
                value = task.internal_data.get("event_value")
                period = (
                    dt.timedelta(seconds=value["duration"])
                    if isinstance(value, dict) and value.get("duration")
                    else None
                )
                props = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {}) or {}
                result.append(
                    WaitingTimer(
                        str(task.id),
                        str(task.task_spec.bpmn_id),
                        kind or "timer",
                        due,
                        period,
                        props.get("timerCatchUp") == "all",
                        value.get("cycles") if isinstance(value, dict) else None,
                    )
                )
        return result

    def _steps(self, wf: BpmnWorkflow) -> None:
        if (
            wf.event_manager.tasks
            or wf.get_active_subprocesses()
            or any(t._state == TaskState.READY and not t.task_spec.manual for t in wf.tasks.values())
        ):
            wf.do_engine_steps()
        # else there is nothing it would do (no engine task ready, no sub-process to update, no
        # event or timer to refresh), and it would walk the whole task tree to find that out: at
        # each answer of a 300-way multi-instance, past every open instance

    def correct_data(self, wf: BpmnWorkflow, changes: dict[str, Any]) -> None:
        """An administrator's correction: the live tasks carry the corrected values from now on."""
        with _spiff_errors(self.now):
            for task in _all_tasks(wf):
                if task.state & _LIVE:
                    task.data.update(changes)

    def reset_to(self, wf: BpmnWorkflow, bpmn_id: str, data: dict[str, Any] | None = None) -> None:
        """Go back to the latest completed instance of an element and run on from there."""
        done = [t for t in _all_tasks(wf) if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id == bpmn_id]
        if not done:
            raise ProcessFailed(f"{bpmn_id}: no completed task of this element to go back to", element=bpmn_id)
        target = max(done, key=lambda t: t.last_state_change)
        with _spiff_errors(self.now):
            wf.reset_from_task_id(target.id, data=data)
            self._steps(wf)

    def cancel(self, wf: BpmnWorkflow) -> None:
        """Cancel the case keeping its data: cancelling alone leaves the case with the data of
        whichever task changed last (a correction or a completed task's answers were lost)."""
        self.close(wf, {})

    def close(self, wf: BpmnWorkflow, extra: dict[str, Any]) -> None:
        """End the workflow now (a closure d'ufficio) keeping every datum recorded so far plus
        ``extra``: cancelling alone would leave only the last task's data as the case's data."""
        data = {**self.data(wf), **extra}
        with _spiff_errors(self.now):
            wf.cancel()
        wf.data.clear()
        wf.data.update(data)

    def awaited_events(self, wf: BpmnWorkflow) -> list[AwaitedEvent]:
        """The timers and messages the case waits for now, each once, in the diagram's order."""
        if _completed(wf):
            return []
        timers = {t.task_id: t for t in self.waiting_timers(wf)}
        found: dict[tuple[str, str, str], AwaitedEvent] = {}
        for task in _all_tasks(wf):
            definition = getattr(task.task_spec, "event_definition", None)
            if task.state != TaskState.WAITING or definition is None:
                continue
            bpmn_id = str(task.task_spec.bpmn_id or "")
            name = str(getattr(task.task_spec, "bpmn_name", None) or bpmn_id)
            timer = timers.get(str(task.id))
            if timer is not None:
                key = ("timer", bpmn_id, timer.due_at.isoformat())
                found.setdefault(key, AwaitedEvent("timer", name, bpmn_id, due_at=timer.due_at))
            elif type(definition).__name__ == "MessageEventDefinition":
                message = str(definition.name)
                found.setdefault(("message", message, ""), AwaitedEvent("message", name, bpmn_id, message=message))
        last = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted(found.values(), key=lambda e: (e.kind != "timer", e.due_at or last))

    @staticmethod
    def is_completed(wf: BpmnWorkflow) -> bool:
        return _completed(wf)

    @staticmethod
    def data(wf: BpmnWorkflow) -> dict[str, Any]:
        """The case's current data: the end data once finished, else the live tasks' data."""
        if _completed(wf):
            return dict(wf.data) or (dict(wf.last_task.data) if wf.last_task else {})
        # The frontier (READY and WAITING tasks) carries the current data; merged in creation order,
        # never by timestamp, so a replay or a reloaded case computes exactly the same dict.
        merged: dict[str, Any] = {}
        for task in _all_tasks(wf):
            if task.state & _FRONTIER:
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
            slot = marks.setdefault(process_of(task), {"completed": set(), "active": set(), "waiting": set()})
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
        if _completed(wf):
            return None
        waiting = TaskState.READY | TaskState.WAITING
        # Prefer where a person must act; among those, the innermost (called) process: the first
        # live task in creation order of the best rank (a waiting start event is a listener, an
        # event subprocess, not where the case is).
        best, best_rank = None, (True, True)
        # the best rank any task can have: without sub-processes every task is the case's own
        # (a 300-way multi-instance would otherwise be walked to its end at every command)
        first_best = (False, not wf.subprocesses)
        for task in _all_tasks(wf):
            if not task._state & waiting or type(task.task_spec).__name__ == "StartEvent":
                continue
            rank = (not task.task_spec.manual, task.workflow is wf)
            if best is None or rank < best_rank:
                best, best_rank = task, rank
                if rank == first_best:
                    break
        return process_of(best) if best is not None else str(wf.spec.name)

    def next_timer_due(self, wf: BpmnWorkflow) -> dt.datetime | None:
        return min((t.due_at for t in self.waiting_timers(wf)), default=None)

    @staticmethod
    def waiting_elements(wf: BpmnWorkflow) -> list[str]:
        return sorted(
            {str(t.task_spec.bpmn_id) for t in _all_tasks(wf) if t.state == TaskState.WAITING and t.task_spec.bpmn_id}
        )


_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_MAX_ROUNDS = 10_000
_FRONTIER = TaskState.READY | TaskState.WAITING


def _lean(wf: BpmnWorkflow) -> BpmnWorkflow:
    """The workflow with SpiffWorkflow's per-completion walk skipped when it has nothing to do.

    After every task it completes, SpiffWorkflow walks the whole task tree for WAITING tasks to
    update (listing every task's children on the way: a 300-way multi-instance or a 500-pass loop
    lists them all at each completion). When none of the workflow's tasks is WAITING the walk
    finds nothing, so it is skipped; otherwise it runs as before, in the same order."""
    walk = wf.update_waiting_tasks

    def update_waiting_tasks() -> None:
        if any(t._state == TaskState.WAITING for t in wf.tasks.values()):
            walk()

    wf.update_waiting_tasks = update_waiting_tasks
    return wf


def _completed(workflow: Any) -> bool:
    """``workflow.is_completed()`` without its walk down the task tree.

    SpiffWorkflow looks for an unfinished task depth first and lists the children of every task
    it passes (a 300-way multi-instance lists 300 at each call); any unfinished task in the
    workflow's own tasks answers the same question, and one is usually among the first few."""
    if not workflow.completed and not any(t._state & TaskState.NOT_FINISHED_MASK for t in workflow.tasks.values()):
        workflow.completed = True  # as is_completed() records it
    return bool(workflow.completed)


def _all_tasks(wf: BpmnWorkflow) -> Iterator[Any]:
    """Every task of the workflow and of its called/embedded subprocesses, in creation order.

    Walking the task dicts directly is several times cheaper than ``get_tasks`` (which runs a
    filtered tree iterator), and the engine reads the whole tree a few times per command.
    """
    yield from wf.tasks.values()
    for sub in wf.subprocesses.values():
        yield from sub.tasks.values()


_DESCRIBED = "_impresa_ready"  # on a READY human task: its description (``Runner.ready_tasks``)


@dataclass
class _Described:
    spec: Any  # the task spec and specs it was described with (a migration changes them)
    specs: Any
    item_name: str | None  # the data key holding its multi-instance item, and the item then
    item: Any
    timed: bool  # whether its due dates come from timers (re-read at each call)
    ready: ReadyTask


def _describe(task: Any, specs: ProcessSpecs) -> _Described:
    ts = task.task_spec
    info = specs.user_tasks.get(ts.bpmn_id)
    item_name = _multi_instance_name(task)
    item = task.data.get(item_name) if item_name is not None else None
    parent = task.parent
    timed = (parent is not None and isinstance(parent.task_spec, BoundaryEventSplit)) or isinstance(
        task.workflow, BpmnSubWorkflow
    )
    ready = ReadyTask(
        id=str(task.id),
        bpmn_id=str(ts.bpmn_id),
        name=str(ts.bpmn_name or ts.bpmn_id),
        lane=ts.lane,
        form_key=info.form_key if info else None,
        due_in_days=info.due_in_days if info else None,
        due_param=info.due_param if info else None,
        process_id=process_of(task),
        multi_instance_item=item,
        priority=info.priority if info else 0,
        boundary_due=_boundary_due(task) if timed else None,
        enclosing_due=_enclosing_due(task) if timed else None,
        item_key=item_key(item),
    )
    return _Described(ts, specs, item_name, item, timed, ready)


def item_key(item: Any) -> str:
    """A multi-instance item as the state digest writes it: canonical JSON of its JSON-safe form."""
    return json.dumps(json_safe(item), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def process_of(task: Any) -> str:
    """The process a task belongs to: its called process, never an embedded sub-process."""
    workflow = task.workflow
    while isinstance(workflow, BpmnSubWorkflow):
        parent = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if isinstance(parent.task_spec, CallActivityMixin):
            break
        workflow = parent.workflow
    return str(workflow.spec.name)


def _timer_due(task: Any, ed: Any) -> dt.datetime | None:
    """When the timer a task waits on is due; None for a cycle with no occurrence left."""
    value = ed.details(task).value
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    return _as_utc(dt.datetime.fromisoformat(value))


def _as_utc(due: dt.datetime) -> dt.datetime:
    return due.astimezone(dt.UTC) if due.tzinfo else due.replace(tzinfo=dt.UTC)


def _occurrences_fired(wf: BpmnWorkflow, timer: WaitingTimer) -> list[FiredTimer]:
    """The occurrences of ``timer`` (due before the firing) that the firing actually ran."""
    try:
        task = wf.get_task_from_id(UUID(timer.task_id))
    except TaskNotFoundException:
        return []
    if task is None or task.state == TaskState.CANCELLED:
        return []
    fired = FiredTimer(timer.task_id, timer.bpmn_id, timer.kind, timer.due_at)
    if task.state == TaskState.COMPLETED or timer.period is None:
        return [fired] if task.state == TaskState.COMPLETED else []
    # a cycle stays WAITING: each occurrence it fired moved its next due time one period on
    value = task.internal_data.get("event_value")
    if isinstance(value, dict) and value.get("next"):
        after = _as_utc(dt.datetime.fromisoformat(value["next"]))
        count = 0
        while timer.due_at + count * timer.period < after and count < _MAX_ROUNDS:
            count += 1
    else:  # it ran out of occurrences in this firing
        count = timer.cycles if timer.cycles is not None and timer.cycles > 0 else 1
    return [FiredTimer(timer.task_id, timer.bpmn_id, timer.kind, timer.due_at + i * timer.period) for i in range(count)]


def _multi_instance_name(task: Any) -> str | None:
    """The data key of the item a task works on when it is one instance of a multi-instance task,
    or sits in one instance of a multi-instance embedded sub-process (e.g. one partner's answer and
    its reminder); None when it has none."""
    parent_spec = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent_spec, MultiInstanceTask) and parent_spec.input_item is not None:
        return str(parent_spec.input_item.bpmn_id)
    workflow = task.workflow
    if isinstance(workflow, BpmnSubWorkflow):
        holder = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if isinstance(holder.task_spec, CallActivityMixin) or holder.parent is None:
            return None
        spec = holder.parent.task_spec
        if isinstance(spec, MultiInstanceTask) and spec.input_item is not None:
            return str(spec.input_item.bpmn_id)
    return None


def _boundary_due(task: Any) -> dt.datetime | None:
    """Due date of a human task from a timer attached to it (its siblings under the boundary split)."""
    parent = task.parent
    # Boundary events hang, with their task, under a BoundaryEventSplit; any other parent (e.g. a
    # 300-way multi-instance) has no timers among its children worth scanning.
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    dues = []
    for sibling in parent.children:
        ed = getattr(sibling.task_spec, "event_definition", None)
        if sibling is not task and sibling.state == TaskState.WAITING and isinstance(ed, TimerEventDefinition):
            due = _timer_due(sibling, ed)
            if due is not None:
                dues.append(due)
    return min(dues, default=None)


def _enclosing_due(task: Any) -> dt.datetime | None:
    """The earliest timer attached to the embedded sub-processes around a task (not beyond a
    called process: its call activity's timers are the caller's business)."""
    dues = []
    workflow = task.workflow
    while isinstance(workflow, BpmnSubWorkflow):
        holder = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if holder is None or isinstance(holder.task_spec, CallActivityMixin):
            break
        due = _boundary_due(holder)
        if due is not None:
            dues.append(due)
        workflow = holder.workflow
    return min(dues, default=None)


def json_safe(value: Any) -> Any:
    """Task data made JSON-safe for the case snapshot and the audit log."""
    return json_safe_text(value)[0]


def json_safe_text(value: Any) -> tuple[Any, str]:
    """``json_safe(value)`` and its JSON text, in ``json.dumps``'s default form: the text a JSON
    column stores for it (the case row's data is then not serialized again to be saved)."""
    text = json.dumps(value, default=_default)
    return json.loads(text), text


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
