"""Replay: rebuild a case from its recorded events on its pinned process version.

Events are grouped by the command that wrote them (``cmd``). Each command is re-executed at its
recorded time on a clock of its own (so scripts, ``fn_today`` and timers see what the live case
saw): start with the recorded data, complete the same task with the recorded submission, fire the
timers, take the delivered messages, cancel. After each command the observable state is digested
and compared with the digest stored with its events: a faithful replay matches at every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import errors
from engine.audit.digest import digest, summary
from engine.bpmn import migration
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import Runner, json_safe
from engine.bpmn.script_pool import Limits
from engine.bpmn.scripting import build_script_engine
from engine.clock import FixedClock
from engine.model import CaseEvent, EventKind, ReplayResult, ReplayStep

# Events that record something about a case without moving its workflow.
PASSIVE = {
    EventKind.TASK_CLAIMED.value,
    EventKind.TASK_RELEASED.value,
    EventKind.TASK_REASSIGNED.value,
    EventKind.PARTNERSHIP_CHANGED.value,
    EventKind.TIMER_INCIDENT.value,
    EventKind.COMPLETED.value,
    EventKind.MESSAGE_SENT.value,
    EventKind.DATA_ERASED.value,
    EventKind.TEAM_CHANGED.value,
    EventKind.PERSON_RECORDED.value,
    EventKind.BREAK_GLASS.value,
    EventKind.ENTERPRISE_CHANGED.value,
    EventKind.PROTOCOL_CHANGED.value,
}


# Commands that first fire the timers already due at their instant (``case_sync.fire_due_first``).
FIRE_DUE_FIRST = {
    EventKind.TASK_COMPLETED.value,
    EventKind.MESSAGE_SENT.value,
    EventKind.MESSAGE_RECEIVED.value,
    EventKind.DATA_CORRECTED.value,
    EventKind.CASE_RESET.value,
    EventKind.SUSPENDED.value,
}


def group_commands(events: Sequence[CaseEvent]) -> list[list[CaseEvent]]:
    groups: list[list[CaseEvent]] = []
    for event in events:
        if groups and groups[-1][0].cmd == event.cmd:
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def replay(
    specs_of: Callable[[int], ProcessSpecs],
    current_version_id: int,
    events: Sequence[CaseEvent],
    task_items: dict[str, Any],
    parameters: dict[str, Any],
    *,
    upto: int | None = None,
    with_elements: bool = False,
    limits: Limits | None = None,
) -> ReplayResult:
    """Re-run ``events`` (a whole case, in order) up to the command containing seq ``upto``.

    ``task_items`` maps live task ids to their multi-instance item, so a completion is replayed on
    the same instance even though replay creates tasks with new ids. ``specs_of`` gives the specs of
    a process version: a case migrated on the way starts on the version it was started on.
    """
    migrations = [e for e in events if e.kind == EventKind.MIGRATED]
    specs = specs_of(int(migrations[0].data["from_version_id"]) if migrations else current_version_id)
    clock = FixedClock(events[0].at if events else None)
    runner = Runner(build_script_engine(clock.now, parameters, limits), clock.now)
    wf: Any = None
    status = "running"
    steps: list[ReplayStep] = []
    previous: dict[str, Any] = {}
    first_mismatch = None
    for group in group_commands(events):
        head = group[0]
        clock.set(head.at)
        if head.kind == EventKind.STARTED:
            wf = runner.start(specs, dict(head.data))
        elif wf is None:
            raise errors.ProcessFailed(f"event {head.seq}: the case has no start event")
        elif head.kind == EventKind.MIGRATED:
            specs = specs_of(int(head.data["to_version_id"]))
            migration.apply(wf, specs, dict(head.data.get("mapping") or {}), now=clock.now)
            runner.fire_timers(wf)
        else:
            if head.kind in FIRE_DUE_FIRST:
                runner.fire_timers(wf, only_if_due=True)  # as the live command did (docs/timers.md)
            status = _apply(runner, specs, wf, head, task_items) or status
        for event in group[1:]:
            if event.kind == EventKind.MESSAGE_RECEIVED:
                runner.deliver_message(wf, str(event.data.get("message")), dict(event.data.get("payload") or {}))
        if status == "running" and runner.is_completed(wf):
            status = "completed"
        ready = runner.ready_tasks(wf, specs) if status == "running" else []
        data = json_safe(runner.data(wf))
        state = summary(status, data, ready, runner.waiting_elements(wf))
        matches = None if head.state_digest is None else digest(state) == head.state_digest
        if matches is False and first_mismatch is None:
            first_mismatch = head.seq
        steps.append(
            ReplayStep(
                cmd=head.cmd,
                seqs=[e.seq for e in group],
                kind=head.kind,
                actor=head.actor,
                at=head.at,
                task_name=head.task_name,
                matches=matches,
                status=status,
                data=data,
                changes=_diff(previous, data),
                ready=[t.name for t in ready],
                elements=runner.element_states(wf) if with_elements else {},
                phase=runner.phase(wf),
            )
        )
        previous = data
        if upto is not None and head.seq <= upto <= group[-1].seq:
            break
    final = steps[-1].data if steps else {}
    return ReplayResult(steps=steps, faithful=first_mismatch is None, first_mismatch=first_mismatch, final=final)


def _apply(runner: Runner, specs: ProcessSpecs, wf: Any, event: CaseEvent, task_items: dict[str, Any]) -> str | None:
    kind = event.kind
    if kind == EventKind.TASK_COMPLETED:
        runner.complete(wf, _matching_task(runner, specs, wf, event, task_items), dict(event.data))
    elif kind == EventKind.TIMER_FIRED:
        runner.fire_timers(wf)
    elif kind == EventKind.MESSAGE_RECEIVED:
        runner.deliver_message(wf, str(event.data.get("message")), dict(event.data.get("payload") or {}))
    elif kind == EventKind.CANCELLED:
        runner.cancel(wf)
        return "cancelled"
    elif kind == EventKind.SUSPENDED:
        return "suspended"
    elif kind == EventKind.RESUMED:
        return "running"
    elif kind == EventKind.CLOSED:
        runner.close(wf, dict(event.data.get("changes") or {}))
        return "closed"
    elif kind == EventKind.DATA_CORRECTED:
        runner.correct_data(wf, dict(event.data.get("changes") or {}))
    elif kind == EventKind.CASE_RESET:
        runner.reset_to(wf, str(event.data.get("bpmn_id")), dict(event.data.get("data") or {}) or None)
    elif kind not in PASSIVE:
        raise errors.ProcessFailed(f"event {event.seq}: cannot replay an event of kind {kind!r}")
    return None


def _matching_task(runner: Runner, specs: ProcessSpecs, wf: Any, event: CaseEvent, task_items: dict[str, Any]) -> str:
    item = json_safe(task_items.get(event.task_id or ""))
    for task in runner.ready_tasks(wf, specs):
        if task.bpmn_id == event.bpmn_id and json_safe(task.multi_instance_item) == item:
            return task.id
    raise errors.ProcessFailed(f"event {event.seq}: no ready task {event.bpmn_id!r} to replay the completion on")


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "added": {k: v for k, v in after.items() if k not in before},
        "changed": {k: {"from": before[k], "to": v} for k, v in after.items() if k in before and before[k] != v},
        "removed": {k: before[k] for k in before if k not in after},
    }
