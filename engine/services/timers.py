"""Firing due timers: exactly once, each in its own transaction, retried with backoff.

The ``case_timer`` table is the schedule. A firing claims the earliest due pending row (on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two schedulers never take the same one; on SQLite the
write transaction is already exclusive), locks its case, re-checks that the row is still pending,
lets SpiffWorkflow fire everything due in that case and writes the result through
``write_command`` (which marks the rows fired and logs one TIMER_FIRED event each). A failure is
rolled back and counted on the row; after ``MAX_ATTEMPTS`` the row becomes an *incident* shown to
the coordinator instead of being retried for ever.
"""

from __future__ import annotations

import datetime as dt
import logging

from engine import errors
from engine.model import SYSTEM, Actor, CaseEvent, CaseStatus, EventKind, Incident, TimerStatus
from engine.policy import Permission, require
from engine.services.case_sync import append_events, ready_before, still_waits, write_command
from engine.services.context import Context
from engine.services.notifications import notify_role

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes between attempts, at most a day."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(days=1))


def fire_due_timers(ctx: Context, actor: Actor, limit: int = 500) -> int:
    """Fire up to ``limit`` due timers, earliest first; returns how many timer rows fired.
    The events are the engine's own (``SYSTEM``): the diagram's timer did it, whoever ran the clock."""
    require(actor, Permission.CLOCK)
    fired = 0
    for _ in range(limit):
        outcome = _fire_next(ctx)
        if outcome is None:
            break
        fired += outcome
    return fired


def _fire_next(ctx: Context) -> int | None:
    """Fire the earliest due timer's case; None when nothing is due."""
    now = ctx.clock.now()
    claimed = None
    try:
        with ctx.uow() as uow:
            claimed = uow.timers.claim_due(now)
            if claimed is None:
                return None
            uow.cases.lock(claimed.case_id)
            # read under the case lock: the case's pending rows, which the write needs too
            pending = uow.timers.pending_for_case(claimed.case_id)
            if not any(r.id == claimed.id for r in pending):
                return 0  # fired meanwhile by another scheduler or a user's command
            record = uow.cases.get(claimed.case_id)
            if record.status is not CaseStatus.RUNNING:
                uow.timers.mark([claimed.id], TimerStatus.CANCELLED, now)
                uow.commit()
                return 0
            specs, wf = ctx.workflow_for(uow, record)
            before = ready_before(ctx, wf)
            fired = ctx.runner.fire_timers(wf)
            events: list[CaseEvent] = []
            write_command(
                ctx, uow, record, wf, specs, SYSTEM, events, before=before, fired=fired, pending_timers=pending
            )
            if still_waits(ctx, record, wf, claimed):
                # SpiffWorkflow fires strictly after the due instant: look again in a moment.
                uow.timers.postpone(claimed.id, now + dt.timedelta(seconds=1))
            uow.commit()
        ctx.workflows.put(record.id, record.version, wf)
        return sum(1 for e in events if e.kind == EventKind.TIMER_FIRED)
    except errors.Conflict:
        return 0  # the case changed under us; the row is still pending and is retried
    except Exception as err:  # noqa: BLE001 - any failure of one timer must not stop the others
        if claimed is None:
            raise
        _record_failure(ctx, claimed.id, claimed.case_id, claimed.attempts, err)
        return 0


def _record_failure(ctx: Context, timer_id: int, case_id: int, attempts: int, err: Exception) -> None:
    now = ctx.clock.now()
    message = f"{type(err).__name__}: {err}"
    # a sandbox limit is hit again on every attempt: the coordinator must look at it now
    incident = attempts + 1 >= MAX_ATTEMPTS or isinstance(err, errors.ScriptLimitExceeded)
    log.warning("timer %s of case %s failed (attempt %s): %s", timer_id, case_id, attempts + 1, message)
    with ctx.uow() as uow:
        uow.timers.record_failure(timer_id, message, now + backoff(attempts + 1), incident)
        if incident:
            record = uow.cases.get(case_id)
            append_events(
                uow,
                record,
                [
                    CaseEvent(
                        case_id=case_id,
                        seq=0,
                        at=now,
                        actor=SYSTEM.username,
                        kind=EventKind.TIMER_INCIDENT,
                        data={"timer_id": timer_id, "error": message[:2000]},
                    )
                ],
            )
            notify_role(
                uow,
                "coordinatore",
                record.territory,
                kind="incident",
                case_id=case_id,
                task_id=None,
                at=now,
                subject=f"Anomalia timer nel caso {case_id}",
                body=f"Il timer {timer_id} del caso {case_id} non è scattato ({attempts + 1} tentativi): {message}",
            )
        uow.commit()


def incidents(ctx: Context, actor: Actor) -> list[Incident]:
    require(actor, Permission.CASE_ADMINISTER)
    with ctx.uow(write=False) as uow:
        return uow.timers.incidents(sorted(actor.territories) or None)


def retry_incident(ctx: Context, timer_id: int, actor: Actor) -> None:
    """After fixing the cause (data, diagram), put an incident back in the schedule."""
    require(actor, Permission.CASE_ADMINISTER)
    with ctx.uow() as uow:
        if not uow.timers.retry(timer_id, ctx.clock.now()):
            raise errors.NotFound(f"incident {timer_id} not found")
        uow.commit()
