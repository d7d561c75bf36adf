"""The one way a command's result reaches the database: ``write_command``.

Every command that changes a case (start, complete, cancel, timer, message) ends here, inside its
unit of work: pending messages the case now waits for are delivered, the workflow state and data
snapshot are taken, and the case row (version-checked first), the inbox rows, the due timers, the
audit events and the notifications are written. The caller commits. Nothing else writes cases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from engine import errors
from engine.audit import checkpoint as checkpoints
from engine.audit.chain import GENESIS, canonical, seal, snapshot_digest
from engine.audit.digest import state_digest
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.runner import FiredTimer, ReadyTask, WaitingTimer, json_safe, json_safe_text
from engine.model import (
    SYSTEM,
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    CaseView,
    EventKind,
    StateWrite,
    TaskStatus,
    TaskView,
    TimerRow,
    TimerStatus,
)
from engine.monitoring import facts_after
from engine.ports import AbstractUnitOfWork
from engine.services.context import Context
from engine.teams import LANE_RELATION, route

PARTNERSHIP_MESSAGE = "partenariato_cambiato"
# the process whose cases watch a protocol in force (engine.services.protocol_lifecycle)
PROTOCOL_LIFECYCLE = "scadenza_protocollo"
# the process of an enterprise's own case (engine.services.enterprise_milestones)
ENTERPRISE_PROCESS = "impresa"


@dataclasses.dataclass(frozen=True, slots=True)
class DataTexts:
    """The case data's texts, made once per command: ``canonical`` for the digests sealed in its
    events, ``stored`` for the case row's JSON column. They hold only while ``record.data`` is
    still ``data`` (the case data is replaced, never changed in place)."""

    data: dict[str, Any]
    canonical: bytes
    stored: str | None  # None: the data is not the snapshot's (nothing to reuse for the row)


def event(
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
        kind=kind,
        task_id=task.id if task else None,
        task_name=task.name if task else None,
        bpmn_id=task.bpmn_id if task else None,
        data=data or {},
    )


def write_command(
    ctx: Context,
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    wf: Any,
    specs: ProcessSpecs,
    actor: Actor,
    events: list[CaseEvent],
    *,
    completed: str | None = None,
    new: bool = False,
    before: frozenset[str] = frozenset(),
    cancelled: bool = False,
    refresh: bool = False,
    fired: Sequence[FiredTimer] = (),
    closed_as: CaseStatus | None = None,
    pending_timers: Sequence[TimerRow] | None = None,
) -> CaseView:
    """Persist one command's outcome (see the module docstring); returns the case as it now is.

    ``refresh`` re-describes the open inbox rows that stay open (after a migration their element,
    name or form may have changed while the task kept its id); ``fired`` lists the timer
    occurrences the engine fired in this command (the others it no longer waits on were
    cancelled with their scope); ``pending_timers``: the case's pending timer rows, when the
    command has already read them in this transaction."""
    now = ctx.clock.now()
    if not new and not cancelled and closed_as is None and record.status is CaseStatus.RUNNING:
        deliver_pending_messages(ctx, uow, record, wf, events, now)
    had_timers = record.next_timer_due is not None  # no pending rows to look up otherwise
    data_before = record.data
    change, stored_text, waiting = _snapshot(ctx, record, wf, now)
    snapshot = record.data
    if cancelled:
        record.status = CaseStatus.CANCELLED
    elif closed_as is not None:
        record.status = closed_as
    if record.status is CaseStatus.SUSPENDED:
        # a suspended case's timers wait: no row is due, the scheduler leaves the case alone
        record.next_timer_due = None
    # the timers that fired come before the completion they caused: replay reads a command by its
    # first event, so a case a timer ended replays as the timer's command
    timers = _plan_timers(uow, record, waiting, now, events, new or not had_timers, fired, pending_timers)
    if record.process_id == ENTERPRISE_PROCESS and not new:
        # imported here: the milestones are told through this module's own event writer
        from engine.services import enterprise_milestones

        # the linked beneficiary cases learn the steps this command reached, in this transaction
        events.extend(enterprise_milestones.after_command(ctx, uow, record, data_before, actor, now))
    if record.status is CaseStatus.COMPLETED:
        _on_completed(ctx, uow, record, now, events)
    ready = ctx.runner.ready_tasks(wf, specs) if record.status is CaseStatus.RUNNING else []
    # what the next command on this live workflow finds ready (``ready_before``), unless it changes
    setattr(wf, _READY, frozenset(t.id for t in ready) if record.status is CaseStatus.RUNNING else None)
    # the data is serialized once for both digests (the state's and the case row's); the row
    # stores the snapshot's own JSON text
    texts = DataTexts(record.data, canonical(record.data), stored_text if record.data is snapshot else None)
    state = state_digest(record.status.value, texts.canonical, ready, ctx.runner.waiting_elements(wf))
    if new:
        uow.cases.add(record)  # the id the events are sealed with
        uow.teams.new_case(record.id)  # no team yet: the new tasks' routing need not read it
    if record.process_id == PROTOCOL_LIFECYCLE:
        # imported here: the lifecycle module builds on the team commands, which build on this one
        from engine.services import protocol_lifecycle

        protocol_lifecycle.sync(uow, record, actor, now)

    stored: list[bool] = []

    def checkpoint(before: int, after: int) -> str | None:
        if not checkpoints.due(before, after, ctx.settings.checkpoint_every):
            return None
        stored.append(True)
        return checkpoints.body(record.status.value, record.process_version_id, ctx.runner.dump(wf))

    # the case row first: it is version-checked
    append_events(uow, record, events, state_digest=state, checkpoint=checkpoint, texts=texts)
    if stored and ctx.settings.checkpoint_keep > 0:
        uow.case_state.prune_checkpoints(record.id, ctx.settings.checkpoint_keep)
    uow.case_state.write(record.id, change)
    closed, fresh = _sync_tasks(ctx, uow, record, ready, now, actor, completed, before, refresh)
    timers.apply(uow, record.id, now, new_case=new)
    # a new case's open rows are the ones just inserted: nothing to read back
    known = () if new else None if refresh else getattr(wf, _OPEN, None)
    return view_of(uow, record, open_tasks=_open_tasks(uow, record, wf, closed, fresh, known))


def on_running_case(
    ctx: Context,
    case_id: int,
    actor: Actor,
    action: Callable[[AbstractUnitOfWork, CaseRecord, Any], list[CaseEvent]],
    *,
    cancelled: bool = False,
    closed_as: CaseStatus | None = None,
    expect: CaseStatus = CaseStatus.RUNNING,
) -> CaseView:
    """The common shape of a command on one running case: load it (checking the actor's territory),
    fire the timers already due (except when ending it), let ``action`` change the workflow and
    say which events record it, write, commit, keep warm. ``expect`` is the status the case must
    be in (a resumption acts on a suspended case)."""
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        if not actor.covers(record.territory):
            raise errors.Forbidden(f"case {case_id} is outside your territories")
        if record.status is not expect:
            check_running(record)
            raise errors.ActionNotAvailable(f"case {case_id} is {record.status.value}")
        specs, wf = ctx.workflow_for(uow, record)
        # a suspended case has no open inbox rows: on resumption every ready task is offered anew
        before = ready_before(ctx, wf) if record.status is CaseStatus.RUNNING else frozenset()
        ending = cancelled or closed_as is not None
        fired = [] if ending or expect is not CaseStatus.RUNNING else fire_due_first(ctx, record, wf)
        events = action(uow, record, wf)
        # these commands may send a case back to earlier tasks (same ids): refresh the inbox rows
        view = write_command(
            ctx,
            uow,
            record,
            wf,
            specs,
            actor,
            events,
            before=before,
            cancelled=cancelled,
            refresh=True,
            fired=fired,
            closed_as=closed_as,
        )
        uow.commit()
    ctx.workflows.put(record.id, record.version, wf)
    return view


_READY = "_impresa_ready_ids"  # on the live workflow: the READY human tasks its last command left


def ready_before(ctx: Context, wf: Any) -> frozenset[str]:
    """The ids of a running case's READY human tasks as a command finds them, before it changes
    the workflow. A live workflow from the cache holds what its last command left (that command
    wrote them as the open inbox rows; a workflow changed since is never filed again without a
    command's ``write_command``); one loaded from its rows is walked."""
    known: frozenset[str] | None = getattr(wf, _READY, None)
    return known if known is not None else ctx.runner.ready_ids(wf)


def check_running(record: CaseRecord) -> None:
    """Refuse a command on a case that is not running: suspended (resume it first) or ended."""
    if record.status is CaseStatus.SUSPENDED:
        raise errors.CaseSuspended(f"case {record.id} is suspended")
    if record.status is not CaseStatus.RUNNING:
        raise errors.CaseClosed(f"case {record.id} is {record.status.value}")


def fire_due_first(ctx: Context, record: CaseRecord, wf: Any) -> list[FiredTimer]:
    """Before a command acts on a case, the timers already due at its instant fire, in the same
    transaction: what was due first happens first (docs/timers.md). Replay does the same."""
    if record.next_timer_due is None or record.next_timer_due >= ctx.clock.now():
        return []  # nothing due: spare the walk over the workflow
    return ctx.runner.fire_timers(wf, only_if_due=True)


def append_events(
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    events: list[CaseEvent],
    *,
    state_digest: str | None = None,
    checkpoint: Callable[[int, int], str | None] | None = None,
    texts: DataTexts | None = None,
) -> None:
    """The only way events are written: numbered, grouped as one command, sealed into the chain,
    and the case row (version-checked) moved to the new head in the same transaction.

    ``checkpoint(before, after)``: the replay checkpoint the command stores when its events take
    the case from ``before`` to ``after`` events (None: none this time); its first event seals
    the checkpoint's digest. ``texts``: the case data's texts, when the command has them."""
    if texts is not None and texts.data is not record.data:
        texts = None
    stored = texts.stored if texts is not None else None
    if not events:
        uow.cases.save(record, data_json=stored)
        return
    first = record.event_seq + 1
    new = record.event_seq == 0  # the case was created by this command: it has no monitoring row yet
    shown = snapshot_digest(record.status.value, record.data, data_text=texts.canonical if texts else None)
    body = checkpoint(record.event_seq, record.event_seq + len(events)) if checkpoint is not None else None
    kept = checkpoints.digest(body) if body is not None else None
    numbered = [
        dataclasses.replace(
            e,
            case_id=record.id,
            seq=first + i,
            cmd=first,
            state_digest=state_digest,
            data_digest=shown,
            checkpoint_digest=kept if i == 0 else None,
        )
        for i, e in enumerate(events)
    ]
    sealed = seal(numbered, record.event_head or GENESIS)
    record.event_seq = sealed[-1].seq
    record.event_head = sealed[-1].hash
    project(uow, record, sealed[-1].at, new=new)  # before the save, which carries the last activity
    uow.cases.save(record, data_json=stored)
    uow.events.append_many(sealed)
    if body is not None:
        uow.case_state.add_checkpoint(record.id, first, body)


def project(uow: AbstractUnitOfWork, record: CaseRecord, at: dt.datetime, *, new: bool = False) -> None:
    """Keep the case's monitoring row (engine.monitoring) in the command's transaction; a case
    ``new`` in this transaction has no row to read yet. The row's last activity goes on the case
    record (``last_activity_at``), saved by the caller's save of the case: no statement of its own."""
    previous = None if new else uow.reports.get(record.id)
    facts = facts_after(
        previous,
        case_id=record.id,
        process_id=record.process_id,
        territory=record.territory,
        status=record.status.value,
        phase=record.phase,
        data=record.data,
        at=at,
        created_at=record.created_at,
    )
    record.last_activity_at = facts.last_activity_at
    uow.reports.put(facts, previous=previous)


def deliver_pending_messages(
    ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord, wf: Any, events: list[CaseEvent], now: dt.datetime
) -> int:
    """Deliver stored messages the workflow now waits for, oldest first; repeat while any lands."""
    delivered = 0
    if not ctx.runner.awaited_messages(wf):
        return 0  # the case waits for no message: nothing to look up
    progress = True
    while progress and not ctx.runner.is_completed(wf):
        progress = False
        awaited = ctx.runner.awaited_messages(wf)
        for message in uow.messages.pending_for_case(record.id, now):
            if message.name in awaited and ctx.runner.deliver_message(wf, message.name, message.payload):
                uow.messages.mark_delivered(message.id, now)
                events.append(
                    CaseEvent(
                        case_id=record.id,
                        seq=0,
                        at=now,
                        actor=message.sent_by,
                        kind=EventKind.MESSAGE_RECEIVED,
                        data={
                            "message": message.name,
                            "payload": json_safe(message.payload),
                            "sent_at": message.sent_at.isoformat(),
                        },
                    )
                )
                delivered += 1
                progress = True
                break
    return delivered


def _snapshot(
    ctx: Context, record: CaseRecord, wf: Any, now: dt.datetime
) -> tuple[StateWrite, str, list[WaitingTimer]]:
    """Take the workflow's state and data onto the record; returns the state rows to write, the
    data's JSON text (the case row's column) and the timers the workflow waits on."""
    change = ctx.runner.changes(wf)
    record.state = change.header
    record.phase = ctx.runner.phase(wf)
    record.data, stored = json_safe_text(ctx.runner.data(wf))
    record.updated_at = now
    waiting: list[WaitingTimer] = []
    if ctx.runner.is_completed(wf):
        record.status = CaseStatus.COMPLETED
        record.next_timer_due = None
    else:
        waiting = ctx.runner.waiting_timers(wf)
        record.next_timer_due = min((t.due_at for t in waiting), default=None)  # Runner.next_timer_due
    return change, stored, waiting


def _on_completed(
    ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord, now: dt.datetime, events: list[CaseEvent]
) -> None:
    if any(e.kind == EventKind.COMPLETED for e in events):
        return
    events.append(event(record, now, SYSTEM, EventKind.COMPLETED, data={"data": record.data}))
    if record.process_id == ctx.settings.partnership_process and record.territory:
        # F1's outcome opens (or keeps closed) the territory for beneficiary cases, and tells them.
        active = bool(record.data.get("partenariato_attivo"))
        uow.partnerships.set(record.territory, active, record.id, now, SYSTEM.username)
        if active:
            # the signed agreement becomes (or updates) a signed protocol among the registered partners
            from engine.services import protocol_lifecycle

            protocol_lifecycle.from_partnership(uow, record, SYSTEM, now)
        events.append(
            event(
                record,
                now,
                SYSTEM,
                EventKind.PARTNERSHIP_CHANGED,
                data={"territory": record.territory, "active": active},
            )
        )
        notify_territory(
            ctx,
            uow,
            record.territory,
            PARTNERSHIP_MESSAGE,
            {"territorio": record.territory, "attivo": active},
            now,
            exclude=record.id,
        )


def notify_territory(
    ctx: Context,
    uow: AbstractUnitOfWork,
    territory: str,
    name: str,
    payload: dict[str, Any],
    now: dt.datetime,
    *,
    exclude: int | None = None,
) -> int:
    """Store a message for every running case of a territory; each gets it when it waits for it."""
    count = 0
    expires = now + dt.timedelta(days=int(ctx.param("giorni_validita_messaggi_territorio") or 90))
    offset = 0
    while True:
        batch = uow.cases.search(status=CaseStatus.RUNNING, territory=territory, limit=500, offset=offset)
        for case in batch:
            if case.id != exclude:
                uow.messages.add(case.id, name, payload, now, SYSTEM.username, expires)
                count += 1
        if len(batch) < 500:
            return count
        offset += 500


def _sync_tasks(
    ctx: Context,
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    ready_tasks: list[ReadyTask],
    now: dt.datetime,
    actor: Actor,
    completed: str | None,
    before: frozenset[str],
    refresh: bool = False,
) -> tuple[set[str], list[TaskView]]:
    """Close the inbox rows of tasks done or gone, insert the new ones; returns both."""
    # The inbox rows mirror the workflow's READY human tasks before the command (``before``);
    # diffing in memory spares reading every open row back (a 300-way multi-instance has 300).
    ready = {t.id: t for t in ready_tasks}
    gone = sorted(tid for tid in before if tid not in ready and tid != completed)
    # routed (the case team read) before any row moves: a completion then closes its row and
    # opens the next ones together (one statement on PostgreSQL)
    fresh = _routed(uow, record, [_task_view(record, t, now, ctx) for t in ready.values() if t.id not in before])
    if completed is not None and not refresh:
        uow.tasks.close_and_open(completed, TaskStatus.COMPLETED, now, actor.username, fresh)
    elif completed is not None:
        uow.tasks.close([completed], TaskStatus.COMPLETED, now, actor.username)
    uow.tasks.close(gone, TaskStatus.CANCELLED, now, None)
    if completed is None or refresh:
        uow.tasks.insert(fresh, reopen=refresh)
    if refresh:
        uow.tasks.refresh([_task_view(record, t, now, ctx) for t in ready.values() if t.id in before])
    return {*gone, *([completed] if completed is not None else [])}, fresh


_OPEN = "_impresa_open_tasks"  # on the live workflow: its case's open inbox rows after its last command


def _open_tasks(
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    wf: Any,
    closed: set[str],
    fresh: list[TaskView],
    previous: tuple[TaskView, ...] | None,
) -> tuple[TaskView, ...]:
    """The case's open inbox rows after this command, without reading them back when the rows
    before it are known (``previous``: none for a new case; a 300-way multi-instance would read
    300 rows per answer).

    A workflow taken from the cache carries the rows as its previous command left them; any other
    change to them (a claim, a release) bumps the case version, so such a workflow is never reused."""
    if previous is None:
        rows = tuple(uow.tasks.open_for_case(record.id))
    else:
        kept = [t for t in previous if t.id not in closed]
        rows = tuple(sorted([*kept, *fresh], key=lambda t: (t.created_at, t.id)))
    setattr(wf, _OPEN, rows)
    return rows


def refile_workflow(ctx: Context, record: CaseRecord, task_id: str, assignee: str | None) -> None:
    """After a committed claim, release or reassignment (one event, no workflow change): the live
    workflow kept under the case's previous version holds the state of this one too, so it is
    filed again under the new version, with the open row's holder changed; the next command on
    the case then finds it instead of loading the whole state again."""
    wf = ctx.workflows.take(record.id, record.version - 1)
    if wf is None:
        return
    rows: tuple[TaskView, ...] | None = getattr(wf, _OPEN, None)
    if rows is not None:
        setattr(wf, _OPEN, tuple(dataclasses.replace(t, assignee=assignee) if t.id == task_id else t for t in rows))
    ctx.workflows.put(record.id, record.version, wf)


def _routed(uow: AbstractUnitOfWork, record: CaseRecord, tasks: list[TaskView]) -> list[TaskView]:
    """Each new task with its audience (engine.teams.route): the case's team is read once."""
    if not any(t.role in LANE_RELATION for t in tasks):
        return tasks
    team = uow.teams.members(record.id)
    codes = {
        str(item["codice"]) for t in tasks if isinstance(item := t.context.get("item"), dict) and item.get("codice")
    }
    organisations = {code: uow.registry.organisation_id(code) for code in codes}
    found = {code: oid for code, oid in organisations.items() if oid is not None}
    result = []
    for t in tasks:
        where = route(t.role, team, t.context.get("item"), found)
        result.append(dataclasses.replace(t, audience=where.audience, organisation_id=where.organisation_id))
    return result


def still_waits(ctx: Context, record: CaseRecord, wf: Any, row: TimerRow) -> bool:
    """Whether a pending timer row stays pending after ``write_command`` (the rows it leaves are
    the ones the running workflow still waits on), without reading it back."""
    return record.status is CaseStatus.RUNNING and any(
        (t.task_id, t.due_at) == (row.task_id, row.due_at) for t in ctx.runner.waiting_timers(wf)
    )


class _TimerPlan:
    def __init__(self, fired: list[TimerRow], cancelled: list[TimerRow], new: list[Any]) -> None:
        self.fired, self.cancelled, self.new = fired, cancelled, new

    def apply(self, uow: AbstractUnitOfWork, case_id: int, now: dt.datetime, *, new_case: bool = False) -> None:
        uow.timers.mark([r.id for r in self.fired if r.id], TimerStatus.FIRED, now)
        uow.timers.insert([dataclasses.replace(r, case_id=case_id) for r in self.fired if not r.id], new_case=new_case)
        uow.timers.mark([r.id for r in self.cancelled], TimerStatus.CANCELLED, now)
        uow.timers.insert(
            [
                TimerRow(
                    id=0,
                    case_id=case_id,
                    task_id=t.task_id,
                    bpmn_id=t.bpmn_id,
                    kind=t.kind,
                    due_at=t.due_at,
                    status=TimerStatus.PENDING,
                    attempts=0,
                    created_at=now,
                )
                for t in self.new
            ],
            new_case=new_case,
        )


def _plan_timers(
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    waiting_now: Sequence[WaitingTimer],
    now: dt.datetime,
    events: list[CaseEvent],
    new: bool,
    fired_now: Sequence[FiredTimer],
    pending: Sequence[TimerRow] | None = None,
) -> _TimerPlan:
    """Mirror the timers the case waits on into ``case_timer``; the database is the schedule.

    A stored timer the workflow no longer waits on fired only if the engine fired it in this
    command (one TIMER_FIRED event each, and occurrences a catching-up cycle fired without a row
    of their own get one); every other one ended with its scope: cancelled.
    """
    waiting = {} if record.status is not CaseStatus.RUNNING else {(t.task_id, t.due_at): t for t in waiting_now}
    if new:
        stored = {}
    else:
        rows = pending if pending is not None else uow.timers.pending_for_case(record.id)
        stored = {(r.task_id, r.due_at): r for r in rows}
    ran = {(f.task_id, f.due_at): f for f in fired_now}
    fired: list[TimerRow] = []
    cancelled: list[TimerRow] = []
    for key, row in stored.items():
        if key not in waiting:
            (fired if key in ran else cancelled).append(row)
    fired += [
        TimerRow(
            id=0,
            case_id=record.id,
            task_id=f.task_id,
            bpmn_id=f.bpmn_id,
            kind=f.kind,
            due_at=f.due_at,
            status=TimerStatus.FIRED,
            attempts=0,
            created_at=now,
        )
        for key, f in ran.items()
        if key not in stored
    ]
    for row in fired:
        events.append(
            CaseEvent(
                case_id=record.id,
                seq=0,
                at=now,
                actor=SYSTEM.username,
                kind=EventKind.TIMER_FIRED,
                bpmn_id=row.bpmn_id,
                data={"timer_id": row.id, "due": row.due_at.isoformat(), "kind": row.kind},
            )
        )
    return _TimerPlan(fired, cancelled, [t for key, t in waiting.items() if key not in stored])


def _task_view(record: CaseRecord, t: ReadyTask, now: dt.datetime, ctx: Context) -> TaskView:
    return TaskView(
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
        due_at=t.boundary_due
        or _due(ctx, t.due_in_days, t.due_param, now, record.data.get("regione"))
        or t.enclosing_due,
        context=_task_context(record, t.multi_instance_item),
        priority=t.priority,
    )


def _due(ctx: Context, days: int | None, param: str | None, now: dt.datetime, region: Any = None) -> dt.datetime | None:
    if days is None and param:
        # the same regional override the diagram's timers get through fn_param(name, regione)
        value = ctx.param(param, region if isinstance(region, str) else None)
        days = int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None
    return now + dt.timedelta(days=days) if days is not None else None


def _task_context(record: CaseRecord, item: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"case_title": record.title}
    if item is not None:
        context["item"] = json_safe(item)
    return context


def view_of(
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    with_tasks: bool = True,
    *,
    open_tasks: tuple[TaskView, ...] | None = None,
) -> CaseView:
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
        open_tasks=open_tasks if open_tasks is not None else _read_open(uow, record.id, with_tasks),
        next_timer_due=record.next_timer_due,
        title=record.title,
        phase=record.phase,
    )


def _read_open(uow: AbstractUnitOfWork, case_id: int, with_tasks: bool) -> tuple[TaskView, ...]:
    return tuple(uow.tasks.open_for_case(case_id)) if with_tasks else ()
