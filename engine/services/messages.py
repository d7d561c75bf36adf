"""Messages to cases: stored first, delivered when the case waits for them.

SpiffWorkflow 3.2 drops an event sent before its catch event is reached, so a message is a row
in ``case_message`` that every command on the case tries to deliver (``case_sync``) and that the
scheduler's tick sweeps. Routing is by case id (a beneficiary's withdrawal) or by territory (a
partnership becoming active or lapsing reaches every running case there).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine import errors
from engine.forms import check_free_data
from engine.model import SYSTEM, Actor, CaseEvent, CaseMessage, CaseRecord, CaseStatus, CaseView, EventKind
from engine.policy import Permission, Target, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_sync import event, fire_due_first, notify_territory, on_running_case, write_command
from engine.services.context import Context
from engine.services.teams import target_of

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def send_message(ctx: Context, case_id: int, name: str, payload: dict[str, Any], actor: Actor) -> CaseView:
    """Record a message for a case (e.g. ``rinuncia_beneficiario``) and deliver it if awaited."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.MESSAGE_SEND, target_of(uow, actor, record, ctx.clock.now()))
    if not _NAME.match(name):
        raise errors.InvalidData("invalid message name", {"name": ["Nome del messaggio non valido."]})
    clean = check_free_data(payload, "payload")

    def send(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        now = ctx.clock.now()
        # A message the case never comes to wait for must not act years later (e.g. a withdrawal
        # reaching a traineeship started after a redesign): it expires.
        days = int(ctx.param("giorni_validita_messaggi_caso") or 180)
        uow.messages.add(case_id, name, clean, now, actor.username, now + dt.timedelta(days=days))
        return [event(record, now, actor, EventKind.MESSAGE_SENT, data={"message": name, "payload": clean})]

    return on_running_case(ctx, case_id, actor, send)


def broadcast_to_territory(ctx: Context, territory: str, name: str, payload: dict[str, Any], actor: Actor) -> int:
    require(actor, Permission.PARTNERSHIP_MANAGE, Target(territory))
    clean = check_free_data(payload, "payload")
    with ctx.uow() as uow:
        count = notify_territory(ctx, uow, territory, name, clean, ctx.clock.now())
        uow.commit()
    return count


def deliver_pending(ctx: Context, actor: Actor, limit: int = 200) -> int:
    """The scheduler's sweep: cases holding messages get a chance to take them; returns deliveries."""
    require(actor, Permission.CLOCK)
    with ctx.uow(write=False) as uow:
        case_ids = uow.cases.with_pending_messages(limit)
    delivered = 0
    for case_id in case_ids:
        try:
            delivered += _deliver_case(ctx, case_id)
        except errors.Conflict:
            continue  # the case is busy; the next sweep tries again
    return delivered


def _deliver_case(ctx: Context, case_id: int) -> int:
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        if record.status is not CaseStatus.RUNNING:
            return 0
        specs, wf = ctx.workflow_for(uow, record)
        awaited = ctx.runner.awaited_messages(wf)
        if not any(m.name in awaited for m in uow.messages.pending_for_case(case_id, ctx.clock.now())):
            ctx.workflows.put(record.id, record.version, wf)  # unchanged: keep it warm
            return 0
        before = ctx.runner.ready_ids(wf)
        fired = fire_due_first(ctx, record, wf)
        events: list[Any] = []
        write_command(ctx, uow, record, wf, specs, SYSTEM, events, before=before, fired=fired)
        uow.commit()
    ctx.workflows.put(record.id, record.version, wf)
    return sum(1 for e in events if e.kind == EventKind.MESSAGE_RECEIVED)


def messages_of(ctx: Context, case_id: int, actor: Actor) -> list[CaseMessage]:
    with ctx.uow(write=False) as uow:
        require(actor, Permission.CASE_READ, target_of(uow, actor, uow.cases.get(case_id), ctx.clock.now()))
        return uow.messages.for_case(case_id)
