"""Erasure of a person's personal data (GDPR art. 17), decided by the policy
(``ERASE_PERSONAL_DATA``) and bounded by the legal retention (docs/access.md, "Erasure").

The identity belongs to the person, not to one case: the request made from one case considers
every case linked to the same person record. Each must be finished (not running nor suspended)
and past its retention period, in a territory where the requester may erase; then all of them
are blanked and the person record removed in one transaction. Otherwise nothing is erased and
the plan says which case keeps the data and until when.
"""

from __future__ import annotations

from engine import errors
from engine.model import Actor, CaseRecord, Erasure, ErasureBlock, ErasureCase, ErasurePlan
from engine.policy import Permission, Target, allows, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_actions import check_reason
from engine.services.context import Context
from engine.services.dossier import ALIVE, erase_case, retention_end


def erasure_plan(ctx: Context, case_id: int, *, actor: Actor) -> ErasurePlan:
    """Which of the person's cases could be erased now, and what keeps the others (no personal
    data in it: case numbers, states, territories and dates)."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.ERASE_PERSONAL_DATA, Target(record.territory))
        return _plan(ctx, uow, record, actor)


def erase_person(ctx: Context, case_id: int, *, actor: Actor, reason: str) -> Erasure:
    """Erase the personal data of the case's person in every case of theirs, and the person
    record, when all of them allow it; ``Conflict`` naming what keeps the data otherwise."""
    text = check_reason(reason)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.ERASE_PERSONAL_DATA, Target(record.territory))
        plan = _plan(ctx, uow, record, actor)
        if not plan.allowed:
            kept = ", ".join(f"{c.case_id} ({c.blocked})" for c in plan.cases if c.blocked)
            raise errors.Conflict(f"the personal data of case {case_id}'s person is still needed: {kept}")
        person = uow.people.of_case(case_id)
        fields = 0
        for item in plan.cases:
            fields += len(erase_case(ctx, uow, uow.cases.get(item.case_id), actor, text, now))
        removed = person is not None and uow.people.get(person["id"]) is None
        uow.commit()
    return Erasure(tuple(c.case_id for c in plan.cases), fields, removed)


def _plan(ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor) -> ErasurePlan:
    person = uow.people.of_case(record.id)
    ids = [int(c["id"]) for c in uow.people.cases_of(person["id"])] if person is not None else [record.id]
    cases = []
    for case_id in ids:
        found = record if case_id == record.id else uow.cases.get(case_id)
        kept_until = None if found.status in ALIVE else retention_end(found.updated_at, ctx.settings.retention_years)
        blocked = None
        if found.status in ALIVE:
            blocked = ErasureBlock.ALIVE
        elif not allows(actor, Permission.ERASE_PERSONAL_DATA, Target(found.territory)):
            blocked = ErasureBlock.TERRITORY
        elif kept_until is not None and ctx.clock.now().date() < kept_until:
            blocked = ErasureBlock.RETENTION
        cases.append(ErasureCase(found.id, found.status, found.territory, kept_until, blocked))
    return ErasurePlan(record.id, person is not None, tuple(cases))
