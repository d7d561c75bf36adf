"""Replay: rebuild a case from its recorded events on its pinned process version.

Events are grouped by the command that wrote them (``cmd``). Each command is re-executed at its
recorded time on a clock of its own (so scripts, ``fn_today`` and timers see what the live case
saw): start with the recorded data, complete the same task with the recorded submission, fire the
timers, take the delivered messages, cancel. After each command the observable state is digested
and compared with the digest stored with its events: a faithful replay matches at every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine import errors
from engine.audit.checkpoint import Checkpoint
from engine.audit.digest import digest, summary
from engine.bpmn import migration
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import Runner, json_safe
from engine.bpmn.script_pool import Limits
from engine.bpmn.scripting import build_script_engine
from engine.clock import FixedClock
from engine.model import CaseEvent, EventKind, ReplayResult, ReplayStep, json_int, json_object

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
    start: Checkpoint | None = None,
    stored: Mapping[int, Checkpoint] | None = None,
) -> ReplayResult:
    """Re-run ``events`` (a whole case, in order) up to the command containing seq ``upto``.

    ``task_items`` maps live task ids to their multi-instance item, so a completion is replayed on
    the same instance even though replay creates tasks with new ids. ``specs_of`` gives the specs of
    a process version: a case migrated on the way starts on the version it was started on.

    ``start``: a checkpoint (its digest already checked against the chain) stored by the command
    ``events`` begin with: that command is not re-executed, its state is loaded and checked
    against the step digest it sealed, and the steps are those of the commands after it.
    ``stored``: checkpoints by command, when replaying from the start: each one is compared with
    the state replay rebuilt there (``ReplayResult.bad_checkpoints``).
    """
    clock = FixedClock(events[0].at if events else None)
    runner = Runner(build_script_engine(clock.now, parameters, limits), clock.now)
    wf: Any = None
    status = "running"
    steps: list[ReplayStep] = []
    previous: dict[str, Any] = {}
    first_mismatch = None
    bad: list[int] = []
    groups = group_commands(events)
    if start is not None:
        specs = specs_of(start.version_id)
        wf, status = _resume(runner, specs, start, groups[0][0]), start.status
        previous = json_safe(runner.data(wf))
        groups = groups[1:]
    else:
        migrations = [e for e in events if e.kind == EventKind.MIGRATED]
        specs = specs_of(json_int(migrations[0].data["from_version_id"]) if migrations else current_version_id)
    for group in groups:
        head = group[0]
        clock.set(head.at)
        if head.kind == EventKind.STARTED:
            wf = runner.start(specs, dict(head.data))
        elif wf is None:
            raise errors.ProcessFailed(f"event {head.seq}: the case has no start event")
        elif head.kind == EventKind.MIGRATED:
            specs = specs_of(json_int(head.data["to_version_id"]))
            mapping = json_object(head.data.get("mapping"))  # old element id -> new element id
            migration.apply(wf, specs, {old: str(new) for old, new in mapping.items()}, now=clock.now)
            runner.fire_timers(wf)
        else:
            if head.kind in FIRE_DUE_FIRST:
                runner.fire_timers(wf, only_if_due=True)  # as the live command did (docs/timers.md)
            status = _apply(runner, specs, wf, head, task_items) or status
        for event in group[1:]:
            if event.kind == EventKind.MESSAGE_RECEIVED:
                runner.deliver_message(wf, str(event.data.get("message")), json_object(event.data.get("payload")))
        if status == "running" and runner.is_completed(wf):
            status = "completed"
        ready = runner.ready_tasks(wf, specs) if status == "running" else []
        data = json_safe(runner.data(wf))
        state = summary(status, data, ready, runner.waiting_elements(wf), safe=True)
        matches = None if head.state_digest is None else digest(state) == head.state_digest
        if matches is False and first_mismatch is None:
            first_mismatch = head.seq
        kept = (stored or {}).get(head.seq)
        if kept is not None and not _same_as_stored(runner, specs_of, kept, wf, status, specs):
            bad.append(head.seq)
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
    final = steps[-1].data if steps else previous
    return ReplayResult(
        steps=steps,
        faithful=first_mismatch is None and not bad,
        first_mismatch=first_mismatch,
        final=final,
        checkpoint=start.seq if start is not None else None,
        bad_checkpoints=tuple(bad),
    )


def _resume(runner: Runner, specs: ProcessSpecs, start: Checkpoint, head: CaseEvent) -> Any:
    """The workflow a checkpoint stored, refused unless it is the state its command sealed."""
    if head.seq != start.seq:
        raise errors.ProcessFailed(f"the events do not begin with the command of checkpoint {start.seq}")
    wf = runner.load(specs, start.state, list)
    if head.state_digest is not None and _state_digest(runner, specs, wf, start.status) != head.state_digest:
        raise errors.CheckpointRefused(
            f"checkpoint at event {start.seq} does not hold the state its command sealed: replay from the start"
        )
    return wf


def _state_digest(runner: Runner, specs: ProcessSpecs, wf: Any, status: str) -> str:
    ready = runner.ready_tasks(wf, specs) if status == "running" else []
    return digest(summary(status, json_safe(runner.data(wf)), ready, runner.waiting_elements(wf), safe=True))


def _same_as_stored(
    runner: Runner, specs_of: Callable[[int], ProcessSpecs], kept: Checkpoint, wf: Any, status: str, specs: Any
) -> bool:
    """Whether a stored checkpoint holds what replay rebuilt at its command: the same status,
    observable state, element states and timers (task ids differ: replay makes new ones)."""
    if not kept.state:
        return False  # its body did not match the digest its command sealed
    try:
        stored_specs = specs_of(kept.version_id)
        stored = runner.load(stored_specs, kept.state, list)
    except errors.EngineError:
        return False
    return (
        kept.status == status
        and stored_specs is specs
        and _state_digest(runner, specs, stored, status) == _state_digest(runner, specs, wf, status)
        and runner.element_states(stored) == runner.element_states(wf)
        and _timers(runner, stored) == _timers(runner, wf)
    )


def _timers(runner: Runner, wf: Any) -> list[tuple[str, str]]:
    return sorted((t.bpmn_id, t.due_at.isoformat()) for t in runner.waiting_timers(wf))


def _apply(runner: Runner, specs: ProcessSpecs, wf: Any, event: CaseEvent, task_items: dict[str, Any]) -> str | None:
    kind = event.kind
    if kind == EventKind.TASK_COMPLETED:
        runner.complete(wf, _matching_task(runner, specs, wf, event, task_items), dict(event.data))
    elif kind == EventKind.TIMER_FIRED:
        runner.fire_timers(wf)
    elif kind == EventKind.MESSAGE_RECEIVED:
        runner.deliver_message(wf, str(event.data.get("message")), json_object(event.data.get("payload")))
    elif kind == EventKind.CANCELLED:
        runner.cancel(wf)
        return "cancelled"
    elif kind == EventKind.SUSPENDED:
        return "suspended"
    elif kind == EventKind.RESUMED:
        return "running"
    elif kind == EventKind.CLOSED:
        runner.close(wf, json_object(event.data.get("changes")))
        return "closed"
    elif kind == EventKind.DATA_CORRECTED:
        runner.correct_data(wf, json_object(event.data.get("changes")))
    elif kind == EventKind.CASE_RESET:
        runner.reset_to(wf, str(event.data.get("bpmn_id")), json_object(event.data.get("data")) or None)
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
