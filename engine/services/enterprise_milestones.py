"""What an enterprise's case tells the beneficiary cases linked to it (founders, workers).

The enterprise's own process (``impresa``) carries the track-B design once for all its founders
and then its incorporation; each beneficiary case waits for the step that concerns it at a message
catch event. The diagram marks its steps in ``stato_impresa``; after every command on the
enterprise's case the engine compares that state with the one the command started from and, for
each milestone newly reached, stores the message for every linked beneficiary case, recorded on
that case's chain and on the enterprise's, in the same transaction (``case_sync.write_command``).
Delivery follows the rule for every stored message: the next command on the case, or the
scheduler's sweep, hands it over once the case waits for it.

A case linked later (a worker who joins, a founder added after the design) gets, with
``impresa_collegata``, every milestone the enterprise has already reached (``reached``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.model import Actor, CaseEvent, CaseRecord, CaseStatus, Enterprise, EventKind
from engine.ports import AbstractUnitOfWork
from engine.services.case_sync import append_events, event
from engine.services.context import Context

PROCESS_ID = "impresa"
# the design of the enterprise ended: VALIDATA (business plan and statute) or NON_SOSTENIBILE
DESIGNED = "impresa_progettata"
# the deed of incorporation is recorded
INCORPORATED = "impresa_costituita"
MESSAGES = (DESIGNED, INCORPORATED)
# A message may wait long for the person's path to reach it (design and incorporation take months).
VALID_DAYS = 730
# ``stato_impresa`` in the order the enterprise's case goes through it (earlier diagram versions
# skip the first and third: their enterprise is incorporated by the time it starts its activity).
_ORDER = ("IN_PROGETTAZIONE", "IN_COSTITUZIONE", "COSTITUITA", "ACCOMPAGNAMENTO", "FOLLOW_UP", "CHIUSO")
NOT_SUSTAINABLE = "NON_SOSTENIBILE"


def reached(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The milestones the enterprise's case data shows as reached, each with what it tells."""
    state = data.get("stato_impresa")
    if state == NOT_SUSTAINABLE:
        return [(DESIGNED, {"esito": NOT_SUSTAINABLE})]
    if state not in _ORDER:
        return []
    rank = _ORDER.index(state)
    found: list[tuple[str, dict[str, Any]]] = []
    if rank >= _ORDER.index("IN_COSTITUZIONE"):
        found.append((DESIGNED, {"esito": "VALIDATA"}))
    if rank >= _ORDER.index("COSTITUITA"):
        found.append((INCORPORATED, {"data_costituzione": data.get("data_costituzione") or data.get("data_atto")}))
    return found


def payload(enterprise: Enterprise, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "impresa_id": enterprise.id,
        "impresa_caso_id": enterprise.case_id,
        "denominazione": enterprise.denominazione,
        "forma_giuridica": enterprise.forma_giuridica,
        **extra,
    }


def after_command(
    ctx: Context,
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    before: dict[str, Any],
    actor: Actor,
    now: dt.datetime,
) -> list[CaseEvent]:
    """Tell the linked cases the milestones this command reached; returns the enterprise's events."""
    already = {name for name, _ in reached(before)}
    fresh = [(name, extra) for name, extra in reached(record.data) if name not in already]
    if not fresh:
        return []
    enterprise = uow.enterprises.of_case(record.id)
    if enterprise is None:
        return []  # a case of the process started without its record (a test, a dry run)
    recipients = sorted({lk.case_id for lk in uow.enterprises.links(enterprise.id) if lk.case_id is not None})
    events = []
    for name, extra in fresh:
        body = payload(enterprise, extra)
        told = [case_id for case_id in recipients if tell(ctx, uow, case_id, name, body, actor, now)]
        told_all = {"message": name, "payload": body, "destinatari": told}
        events.append(event(record, now, actor, EventKind.MESSAGE_SENT, data=told_all))
    return events


def tell(
    ctx: Context, uow: AbstractUnitOfWork, case_id: int, name: str, body: dict[str, Any], actor: Actor, now: dt.datetime
) -> bool:
    """Store one message for a beneficiary case, recorded on its chain; False unless it is running
    (as for ``impresa_collegata``: a suspended or ended path is not told)."""
    other = uow.cases.get(case_id)
    if other.status is not CaseStatus.RUNNING:
        return False
    uow.messages.supersede(case_id, name)  # a newer word on the same step replaces one not yet taken
    uow.messages.add(case_id, name, body, now, actor.username, now + dt.timedelta(days=VALID_DAYS))
    sent = event(other, now, actor, EventKind.MESSAGE_SENT, data={"message": name, "payload": body})
    append_events(uow, other, [sent])
    return True
