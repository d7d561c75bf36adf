"""Case actions: a person's withdrawal, suspension and resumption, closure d'ufficio, and what a
case waits for.

Each command is one transaction through ``case_sync.on_running_case`` (state, inbox rows, timers
and audit events written together) and is allowed by ``engine.policy``: a withdrawal is a message
to the case (``MESSAGE_SEND``), suspension, resumption and closure are ``CASE_MANAGE`` (staff in
the territory, the case manager of the case's team), cancelling is ``CASE_ADMINISTER``.

- **Withdrawal** (``rinuncia_beneficiario``): delivered where the diagram waits for it (F2, the
  ESF+ entry form, F3 in ``percorso_beneficiario``; F4 inside ``attuazione``); every one of those
  leads to the exit, i.e. the ESF+ exit form and the follow-ups. Where nothing waits for it (the
  exit itself) it is refused, not stored for later.
- **Suspension**: the case offers no tasks (its inbox rows close) and its timers wait: their rows
  are cancelled and nothing fires. On resumption the tasks come back and the timers are scheduled
  again with their original due times; one that fell due meanwhile fires at the next tick.
- **Closure d'ufficio**: the workflow ends at once; every datum recorded so far (the ESF+ entry
  and exit answers included) is kept, with the closure's date, reason and author.
- **Health alert** (``allerta_sanitaria``): the health service in charge tells the case team of a
  relapse or an incompatibility; the path's event sub-process gives the case manager a task.
- **Decided in a task**: a task of the diagram may decide a suspension or a closure (the
  continuity check after a partnership change); the engine carries it out right after the answer,
  in the same transaction (``carry_out_decision``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import errors
from engine.bpmn.loader import ProcessSpecs, UserTaskInfo
from engine.forms import validate_submission
from engine.model import (
    Actor,
    CaseAction,
    CaseEvent,
    CaseOutlook,
    CaseRecord,
    CaseStatus,
    CaseView,
    EventKind,
    TaskView,
)
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_queries import authorize_read, visible_tasks
from engine.services.case_sync import event, fire_due_first, on_running_case, view_of, write_command
from engine.services.context import Context
from engine.services.teams import target_of
from forms.plausibility import TEXT_MAX

WITHDRAWAL = "rinuncia_beneficiario"
HEALTH_ALERT = "allerta_sanitaria"  # the message, and the form its payload is checked with
ALERT_FORM = "allerta_sanitaria"
# The one limit of every free text (forms, reasons): refused when longer, never cut.
REASON_MAX = TEXT_MAX
# A date typed today in another time zone, or just after midnight, is still "today".
FUTURE_MARGIN = dt.timedelta(days=1)


def check_reason(reason: Any) -> str:
    """The reason of a case action: required, at most ``REASON_MAX`` characters, never cut."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise errors.InvalidData("a reason is required", {"reason": ["Indica il motivo."]})
    if len(text) > REASON_MAX:
        message = f"Il motivo può avere al massimo {REASON_MAX} caratteri ({len(text)} inseriti)."
        raise errors.InvalidData("reason too long", {"reason": [message]})
    return text


def check_event_date(value: Any, today: dt.date, *, field: str, not_before: dt.date | None = None) -> dt.date:
    """A date of something that happened: a real date, not in the future, not before ``not_before``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise errors.InvalidData("a date is required", {field: ["Inserisci una data valida (gg/mm/aaaa)."]})
    if value > today + FUTURE_MARGIN:
        raise errors.InvalidData("date in the future", {field: ["Inserisci una data non successiva a oggi."]})
    if not_before is not None and value < not_before:
        raise errors.InvalidData(
            "date too early",
            {field: [f"Inserisci una data non precedente al {not_before.strftime('%d/%m/%Y')}."]},
        )
    return value


def withdraw(ctx: Context, case_id: int, when: Any, reason: Any, actor: Actor) -> CaseView:
    """Record the person's withdrawal: the message reaches the diagram where it waits for it."""
    text = check_reason(reason)
    today = ctx.clock.now().date()
    check_event_date(when, today, field="date")  # the bad-input checks before any case is read

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.MESSAGE_SEND, target_of(uow, actor, record, ctx.clock.now()))
        date = check_event_date(when, today, field="date", not_before=record.created_at.date())
        if WITHDRAWAL not in ctx.runner.awaited_messages(wf):
            raise errors.ActionNotAvailable(f"case {case_id} does not wait for a withdrawal now")
        now = ctx.clock.now()
        payload = {"data_rinuncia": date.isoformat(), "motivo": text}
        # delivered by write_command in this same transaction (the case waits for it now)
        uow.messages.add(case_id, WITHDRAWAL, payload, now, actor.username, now + dt.timedelta(days=1))
        return [event(record, now, actor, EventKind.MESSAGE_SENT, data={"message": WITHDRAWAL, "payload": payload})]

    return on_running_case(ctx, case_id, actor, act)


def health_alert(ctx: Context, case_id: int, alert: dict[str, Any], actor: Actor) -> CaseView:
    """The health service in charge alerts the case team (a relapse, an incompatibility with the
    activity): the message ``allerta_sanitaria`` reaches the event sub-process of the path, which
    gives the case manager a task. Only a health referent of an organisation the case's team names
    may send it (``HEALTH_ALERT``); it is health data (class C2): whoever may not see that class
    sees neither the alert nor the task's data."""
    clean = validate_submission(ALERT_FORM, alert)
    today = ctx.clock.now().date()

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.HEALTH_ALERT, target_of(uow, actor, record, ctx.clock.now()))
        check_event_date(clean["data_allerta"], today, field="data_allerta", not_before=record.created_at.date())
        if HEALTH_ALERT not in ctx.runner.awaited_messages(wf):
            raise errors.ActionNotAvailable(f"case {case_id} does not take health alerts")
        services = sorted(
            m.organisation_code or ""
            for m in uow.teams.members(case_id)
            if m.ended_at is None
            and m.organisation_id is not None
            and uow.registry.is_member(m.organisation_id, actor.username)
        )
        now = ctx.clock.now()
        payload = {**clean, "servizio": ", ".join(services)}
        # delivered by write_command in this same transaction (the case waits for it now)
        uow.messages.add(case_id, HEALTH_ALERT, payload, now, actor.username, now + dt.timedelta(days=1))
        return [event(record, now, actor, EventKind.MESSAGE_SENT, data={"message": HEALTH_ALERT, "payload": payload})]

    return on_running_case(ctx, case_id, actor, act)


def suspend(ctx: Context, case_id: int, reason: Any, actor: Actor) -> CaseView:
    text = check_reason(reason)

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, ctx.clock.now()))
        return _suspension(ctx, record, actor, {"reason": text})

    return on_running_case(ctx, case_id, actor, act)


def _suspension(ctx: Context, record: CaseRecord, actor: Actor, data: dict[str, Any]) -> list[CaseEvent]:
    record.status = CaseStatus.SUSPENDED
    return [event(record, ctx.clock.now(), actor, EventKind.SUSPENDED, data=data)]


def resume(ctx: Context, case_id: int, reason: Any, actor: Actor) -> CaseView:
    text = check_reason(reason)

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, ctx.clock.now()))
        record.status = CaseStatus.RUNNING
        return [event(record, ctx.clock.now(), actor, EventKind.RESUMED, data={"reason": text})]

    return on_running_case(ctx, case_id, actor, act, expect=CaseStatus.SUSPENDED)


def close(ctx: Context, case_id: int, reason: Any, actor: Actor) -> CaseView:
    """Close d'ufficio: the workflow ends now, the data recorded so far stays with the closure."""
    text = check_reason(reason)

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, ctx.clock.now()))
        return _closure(ctx, record, wf, actor, text, {})

    return on_running_case(ctx, case_id, actor, act, closed_as=CaseStatus.CLOSED)


# the ESF+ exit reason a closure d'ufficio records for a participant without an exit form
CLOSURE_EXIT_REASON = "CHIUSURA_UFFICIO"


def _closure(
    ctx: Context, record: CaseRecord, wf: Any, actor: Actor, text: str, extra: dict[str, Any]
) -> list[CaseEvent]:
    now = ctx.clock.now()
    changes: dict[str, Any] = {
        "chiusura_ufficio": {"data": now.date().isoformat(), "motivo": text, "da": actor.username}
    }
    data = ctx.runner.data(wf)
    if data.get("data_ingresso") and not data.get("data_uscita"):
        # An ESF+ participant leaves the operation here: the exit's date and reason are recorded for
        # the report; the immediate results (EECR01–04) stay unknown, nobody surveyed them.
        changes.update(data_uscita=now.date().isoformat(), motivo_uscita=CLOSURE_EXIT_REASON)
    ctx.runner.close(wf, changes)
    return [event(record, now, actor, EventKind.CLOSED, data={"reason": text, "changes": changes, **extra})]


# --- decisions the engine carries out -----------------------------------------------------------
# A user task whose diagram names ``caseAction`` (a field of its form) and ``caseActionReason``
# (the field giving the reason) decides on the case as a whole: when the answer's decision is one
# of these codes, the engine suspends or closes the case d'ufficio in the same transaction as the
# answer, as the completing person, through the same policy check (``CASE_MANAGE``) as the action
# taken from "Azioni". It is recorded as its own command after the answer (``suspended`` /
# ``closed`` naming the task and the decision), so replay rebuilds it as it rebuilds the actions.
DECISION_ACTIONS = {"DA_SOSPENDERE": CaseAction.SUSPEND, "DA_CHIUDERE": CaseAction.CLOSE}


def decided(info: UserTaskInfo | None, answer: dict[str, Any]) -> CaseAction | None:
    """The case action the answer to this task decides, if any."""
    if info is None or info.case_action is None:
        return None
    return DECISION_ACTIONS.get(str(answer.get(info.case_action)))


def authorize_decision(ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor) -> None:
    """Before the answer is taken: whoever decides a suspension or closure must be allowed it."""
    require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, ctx.clock.now()))


def carry_out_decision(
    ctx: Context,
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    wf: Any,
    specs: ProcessSpecs,
    actor: Actor,
    task: TaskView,
    info: UserTaskInfo,
    answer: dict[str, Any],
) -> CaseView:
    """The decided action as the command after the answer, in its transaction (the caller commits)."""
    action = decided(info, answer)
    assert action is not None and info.case_action is not None
    reason = str(answer.get(info.case_action_reason or "") or "").strip()
    text = check_reason(f"{task.name}: {reason}" if reason else task.name)
    origin = {"decision": {"task": task.bpmn_id, "field": info.case_action, "value": answer[info.case_action]}}
    before = ctx.runner.ready_ids(wf)
    if action is CaseAction.SUSPEND:
        fired = fire_due_first(ctx, record, wf)  # as a suspension from "Azioni" does
        events = _suspension(ctx, record, actor, {"reason": text, **origin})
        return write_command(ctx, uow, record, wf, specs, actor, events, before=before, refresh=True, fired=fired)
    events = _closure(ctx, record, wf, actor, text, origin)
    return write_command(
        ctx, uow, record, wf, specs, actor, events, before=before, refresh=True, closed_as=CaseStatus.CLOSED
    )


def outlook(ctx: Context, case_id: int, actor: Actor) -> CaseOutlook:
    """What the case waits for (timers with their due time, messages) and the actions open to
    ``actor`` now. Reads only: the live workflow goes back to the cache unchanged."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = authorize_read(uow, actor, record, ctx.clock.now())  # whoever may open the case page
        view = view_of(uow, record)
        awaited: list[Any] = []
        messages: frozenset[str] = frozenset()
        if record.status in (CaseStatus.RUNNING, CaseStatus.SUSPENDED):
            _specs, wf = ctx.workflow_for(uow, record)
            awaited = ctx.runner.awaited_events(wf)
            messages = frozenset(ctx.runner.awaited_messages(wf))
            ctx.workflows.put(record.id, record.version, wf)
        actions = _actions(actor, target, record.status, messages)
    return CaseOutlook(
        case_id=case_id,
        status=record.status,
        open_tasks=visible_tasks(view.open_tasks, actor, target),
        awaited=tuple(awaited),
        actions=actions,
    )


def _actions(actor: Actor, target: Target, status: CaseStatus, messages: frozenset[str]) -> tuple[str, ...]:
    found: list[str] = []
    running = status is CaseStatus.RUNNING
    if running and WITHDRAWAL in messages and allows(actor, Permission.MESSAGE_SEND, target):
        found.append(CaseAction.WITHDRAW.value)
    if running and HEALTH_ALERT in messages and allows(actor, Permission.HEALTH_ALERT, target):
        found.append(CaseAction.HEALTH_ALERT.value)
    if allows(actor, Permission.CASE_MANAGE, target):
        if running:
            found += [CaseAction.SUSPEND.value, CaseAction.CLOSE.value]
        elif status is CaseStatus.SUSPENDED:
            found.append(CaseAction.RESUME.value)
    if running and allows(actor, Permission.CASE_ADMINISTER, target):
        found.append(CaseAction.CANCEL.value)
    return tuple(found)
