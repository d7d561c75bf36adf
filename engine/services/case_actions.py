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
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import errors
from engine.model import Actor, CaseAction, CaseEvent, CaseOutlook, CaseRecord, CaseStatus, CaseView, EventKind
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_queries import authorize_read
from engine.services.case_sync import event, on_running_case, view_of
from engine.services.context import Context
from engine.services.teams import target_of
from forms.plausibility import TEXT_MAX

WITHDRAWAL = "rinuncia_beneficiario"
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


def suspend(ctx: Context, case_id: int, reason: Any, actor: Actor) -> CaseView:
    text = check_reason(reason)

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, ctx.clock.now()))
        record.status = CaseStatus.SUSPENDED
        return [event(record, ctx.clock.now(), actor, EventKind.SUSPENDED, data={"reason": text})]

    return on_running_case(ctx, case_id, actor, act)


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
        now = ctx.clock.now()
        require(actor, Permission.CASE_MANAGE, target_of(uow, actor, record, now))
        changes = {"chiusura_ufficio": {"data": now.date().isoformat(), "motivo": text, "da": actor.username}}
        ctx.runner.close(wf, changes)
        return [event(record, now, actor, EventKind.CLOSED, data={"reason": text, "changes": changes})]

    return on_running_case(ctx, case_id, actor, act, closed_as=CaseStatus.CLOSED)


def outlook(ctx: Context, case_id: int, actor: Actor) -> CaseOutlook:
    """What the case waits for (timers with their due time, messages) and the actions open to
    ``actor`` now. Reads only: the live workflow goes back to the cache unchanged."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = authorize_read(uow, actor, record, ctx.clock.now())  # whoever may open the case page
        view = view_of(uow, record)
        awaited: list[Any] = []
        waits_withdrawal = False
        if record.status in (CaseStatus.RUNNING, CaseStatus.SUSPENDED):
            _specs, wf = ctx.workflow_for(uow, record)
            awaited = ctx.runner.awaited_events(wf)
            waits_withdrawal = WITHDRAWAL in ctx.runner.awaited_messages(wf)
            ctx.workflows.put(record.id, record.version, wf)
        actions = _actions(actor, target, record.status, waits_withdrawal)
    return CaseOutlook(
        case_id=case_id, status=record.status, open_tasks=view.open_tasks, awaited=tuple(awaited), actions=actions
    )


def _actions(actor: Actor, target: Target, status: CaseStatus, waits_withdrawal: bool) -> tuple[str, ...]:
    found: list[str] = []
    running = status is CaseStatus.RUNNING
    if running and waits_withdrawal and allows(actor, Permission.MESSAGE_SEND, target):
        found.append(CaseAction.WITHDRAW.value)
    if allows(actor, Permission.CASE_MANAGE, target):
        if running:
            found += [CaseAction.SUSPEND.value, CaseAction.CLOSE.value]
        elif status is CaseStatus.SUSPENDED:
            found.append(CaseAction.RESUME.value)
    if running and allows(actor, Permission.CASE_ADMINISTER, target):
        found.append(CaseAction.CANCEL.value)
    return tuple(found)
