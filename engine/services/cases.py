"""Case use cases: start, complete a human task, cancel, fire due timers, read.

Each public function is one transaction: it opens the unit of work, changes the workflow state,
the inbox rows and the audit log together, commits once, and returns plain values. A failure
anywhere (invalid form, script error, lost race) leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from engine import errors
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import json_safe
from engine.forms import check_free_data, validate_submission
from engine.model import (
    SYSTEM,
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    CaseView,
    EventKind,
    TaskStatus,
    TaskView,
)
from engine.ports import AbstractUnitOfWork
from engine.services.context import Context

log = logging.getLogger(__name__)


def start_case(
    ctx: Context, process_id: str, data: dict[str, Any], actor: Actor, *, territory: str | None = None
) -> CaseView:
    data = check_free_data(data, "start data")
    territory = territory or (str(data["territorio"]) if data.get("territorio") else None)
    with ctx.uow() as uow:
        version = uow.processes.latest(process_id)
        if version is None:
            raise errors.NotFound(f"process {process_id!r} is not deployed")
        specs = ctx.specs_for(uow, version.id)
        _check_may_start(specs, actor, territory)
        if process_id in ctx.settings.partnership_required_for:
            if territory is None:
                raise errors.InvalidData("territory required", {"territorio": ["Campo obbligatorio."]})
            if not uow.partnerships.is_active(territory):
                raise errors.Conflict(f"no active partnership in territory {territory!r}")
        wf = ctx.runner.start(specs, dict(data))
        now = ctx.clock.now()
        record = CaseRecord(
            id=0,
            process_id=process_id,
            process_version_id=version.id,
            process_version=version.version,
            status=CaseStatus.RUNNING,
            state="",
            data={},
            territory=territory,
            version=1,
            event_seq=0,
            created_at=now,
            updated_at=now,
            started_by=actor.username,
            title=str(data.get("titolo") or data.get("beneficiario_pseudonimo") or ""),
        )
        _snapshot(ctx, record, wf, now)
        events = [_event(record, now, actor, EventKind.STARTED, data=json_safe(data))]
        _sync(ctx, uow, record, wf, specs, now, actor, events, new=True)
        view = _view(uow, record)
        uow.commit()
        ctx.workflows.put(record.id, record.version, wf)
        return view


def complete_task(ctx: Context, task_id: str, data: dict[str, Any], actor: Actor) -> CaseView:
    with ctx.uow() as uow:
        task = uow.tasks.get(task_id)
        if task.status is not TaskStatus.READY:
            raise errors.TaskNotReady(f"task {task_id} is already {task.status.value}")
        authorize_task(task, actor)
        clean = validate_submission(task.form_key, data)
        record = uow.cases.get(task.case_id)
        if record.status is not CaseStatus.RUNNING:
            raise errors.CaseClosed(f"case {record.id} is {record.status.value}")
        specs, wf = ctx.workflow_for(uow, record)
        before = ctx.runner.ready_ids(wf)
        if ctx.runner.task_state(wf, task_id) != "READY":
            raise errors.TaskNotReady(f"task {task_id} is not ready in the workflow")
        ctx.runner.complete(wf, task_id, clean)
        now = ctx.clock.now()
        events = [
            _event(record, now, actor, EventKind.TASK_COMPLETED, task=task, data=clean),
        ]
        _snapshot(ctx, record, wf, now)
        _sync(ctx, uow, record, wf, specs, now, actor, events, completed=task_id, before=before)
        uow.accounts.delete_drafts(task_id)
        view = _view(uow, record)
        uow.commit()
        ctx.workflows.put(record.id, record.version, wf)
        return view


def cancel_case(ctx: Context, case_id: int, actor: Actor, reason: str) -> CaseView:
    if not actor.roles & {"coordinatore", "amministratore"}:
        raise errors.Forbidden("only a coordinator can cancel a case")
    if not reason.strip():
        raise errors.InvalidData("a reason is required", {"reason": ["Campo obbligatorio."]})
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        if not actor.covers(record.territory):
            raise errors.Forbidden(f"case {case_id} is outside your territories")
        if record.status is not CaseStatus.RUNNING:
            raise errors.CaseClosed(f"case {case_id} is {record.status.value}")
        specs, wf = ctx.workflow_for(uow, record)
        before = ctx.runner.ready_ids(wf)
        ctx.runner.cancel(wf)
        now = ctx.clock.now()
        events = [_event(record, now, actor, EventKind.CANCELLED, data={"reason": reason})]
        _snapshot(ctx, record, wf, now)
        record.status = CaseStatus.CANCELLED
        record.next_timer_due = None
        _sync(ctx, uow, record, wf, specs, now, actor, events, before=before)
        view = _view(uow, record)
        uow.commit()
        ctx.workflows.put(record.id, record.version, wf)
        return view


def fire_due_timers(ctx: Context, limit: int = 100) -> list[int]:
    """Fire the timers due now, each case in its own transaction; returns the cases advanced."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        due = uow.cases.due_for_timers(now, limit)
    fired = []
    for case_id in due:
        try:
            if _fire_case_timers(ctx, case_id):
                fired.append(case_id)
        except errors.EngineError as err:
            # One failing case must not block the others; the scheduler retries on its next tick.
            log.warning("timers of case %s not fired: %s", case_id, err)
    return fired


def _fire_case_timers(ctx: Context, case_id: int) -> bool:
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        now = ctx.clock.now()
        if record.status is not CaseStatus.RUNNING or not record.next_timer_due or record.next_timer_due > now:
            return False
        specs, wf = ctx.workflow_for(uow, record)
        before = ctx.runner.ready_ids(wf)
        waiting_before = ctx.runner.waiting_elements(wf)
        ctx.runner.fire_timers(wf)
        events = [
            _event(
                record,
                now,
                SYSTEM,
                EventKind.TIMER_FIRED,
                data={"due": record.next_timer_due.isoformat(), "waiting": waiting_before},
            )
        ]
        _snapshot(ctx, record, wf, now)
        _sync(ctx, uow, record, wf, specs, now, SYSTEM, events, before=before)
        uow.commit()
        ctx.workflows.put(record.id, record.version, wf)
        return True


def authorize_task(task: TaskView, actor: Actor) -> None:
    if not actor.has_role(task.role):
        raise errors.Forbidden(f"task {task.id} needs role {task.role!r}")
    if not actor.covers(task.territory):
        raise errors.Forbidden(f"task {task.id} is in territory {task.territory!r}, outside yours")
    if task.assignee and task.assignee != actor.username:
        raise errors.Forbidden(f"task {task.id} is assigned to {task.assignee}")


def _check_may_start(specs: ProcessSpecs, actor: Actor, territory: str | None) -> None:
    lanes = {t.lane for t in specs.user_tasks.values() if t.lane}
    allowed = lanes | {"coordinatore"}
    if not actor.roles & allowed:
        raise errors.Forbidden(f"starting {specs.process_id} needs one of the roles {sorted(allowed)}")
    if not actor.covers(territory):
        raise errors.Forbidden(f"territory {territory!r} is outside yours")


def _snapshot(ctx: Context, record: CaseRecord, wf: Any, now: dt.datetime) -> None:
    record.state = ctx.runner.dump(wf)
    record.phase = ctx.runner.phase(wf)
    record.data = json_safe(ctx.runner.data(wf))
    record.updated_at = now
    if ctx.runner.is_completed(wf):
        record.status = CaseStatus.COMPLETED
        record.next_timer_due = None
    else:
        record.next_timer_due = ctx.runner.next_timer_due(wf)


def _event(
    record: CaseRecord,
    now: dt.datetime,
    actor: Actor,
    kind: EventKind,
    *,
    task: TaskView | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent(
        case_id=record.id,
        seq=0,
        at=now,
        actor=actor.username,
        kind=kind.value,
        task_id=task.id if task else None,
        task_name=task.name if task else None,
        bpmn_id=task.bpmn_id if task else None,
        data=data or {},
    )


def _sync(
    ctx: Context,
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    wf: Any,
    specs: ProcessSpecs,
    now: dt.datetime,
    actor: Actor,
    events: list[CaseEvent],
    completed: str | None = None,
    new: bool = False,
    before: frozenset[str] = frozenset(),
) -> None:
    """Write state, inbox rows and events of one command; the case row goes first (version check)."""
    if record.status is CaseStatus.COMPLETED and not any(e.kind == EventKind.COMPLETED for e in events):
        events.append(_event(record, now, SYSTEM, EventKind.COMPLETED, data={"data": record.data}))
        if record.process_id == ctx.settings.partnership_process and record.territory:
            # F1's outcome opens (or keeps closed) the territory for beneficiary cases.
            active = bool(record.data.get("partenariato_attivo"))
            uow.partnerships.set(record.territory, active, None, now, SYSTEM.username)
            events.append(
                _event(
                    record,
                    now,
                    SYSTEM,
                    EventKind.PARTNERSHIP_CHANGED,
                    data={"territory": record.territory, "active": active},
                )
            )
    first = record.event_seq + 1
    record.event_seq += len(events)
    if new:
        uow.cases.add(record)
    else:
        uow.cases.save(record)
    # The inbox rows mirror the workflow's READY human tasks before the command (``before``);
    # diffing in memory spares reading every open row back (a 300-way multi-instance has 300).
    ready = {t.id: t for t in ctx.runner.ready_tasks(wf, specs)} if record.status is CaseStatus.RUNNING else {}
    if completed is not None:
        uow.tasks.close([completed], TaskStatus.COMPLETED, now, actor.username)
    gone = sorted(tid for tid in before if tid not in ready and tid != completed)
    uow.tasks.close(gone, TaskStatus.CANCELLED, now, None)
    fresh = [
        TaskView(
            id=t.id,
            case_id=record.id,
            process_id=t.process_id,
            bpmn_id=t.bpmn_id,
            name=t.name,
            role=t.lane,
            form_key=t.form_key,
            territory=record.territory,
            status=TaskStatus.READY,
            assignee=None,
            created_at=now,
            due_at=_due(ctx, t.due_in_days, t.due_param, record, now),
            context=_task_context(record, t.multi_instance_item),
            priority=t.priority,
        )
        for t in ready.values()
        if t.id not in before
    ]
    uow.tasks.insert(fresh)
    for offset, event in enumerate(events):
        uow.events.append(
            CaseEvent(
                case_id=record.id,
                seq=first + offset,
                at=event.at,
                actor=event.actor,
                kind=event.kind,
                task_id=event.task_id,
                task_name=event.task_name,
                bpmn_id=event.bpmn_id,
                data=event.data,
            )
        )


def _due(ctx: Context, days: int | None, param: str | None, record: CaseRecord, now: dt.datetime) -> dt.datetime | None:
    if days is None and param:
        value = ctx.param(param)
        days = int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None
    return now + dt.timedelta(days=days) if days is not None else None


def _task_context(record: CaseRecord, item: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"case_title": record.title}
    if item is not None:
        context["item"] = json_safe(item)
    return context


def _view(uow: AbstractUnitOfWork, record: CaseRecord, with_tasks: bool = True) -> CaseView:
    return CaseView(
        id=record.id,
        process_id=record.process_id,
        process_version=record.process_version,
        status=record.status,
        territory=record.territory,
        data=record.data,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        started_by=record.started_by,
        open_tasks=tuple(uow.tasks.open_for_case(record.id)) if with_tasks else (),
        next_timer_due=record.next_timer_due,
    )
