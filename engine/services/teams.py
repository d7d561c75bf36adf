"""Case teams and break-glass: who works on a case, how an actor stands to it, and opening a case
outside one's team with a reason.

``target_of`` turns "this actor, this case" into the policy's ``Target`` (territory and the
relations found in the team); every case read and command asks ``engine.policy.require`` with it.
A change of team re-routes the case's open tasks (engine.teams.route) in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from engine import errors
from engine.model import (
    PROTOCOL_ENDED,
    PROTOCOL_IN_FORCE,
    Actor,
    BreakGlass,
    CaseRecord,
    EventKind,
    TaskView,
    TeamMember,
)
from engine.policy import Permission, Relation, Target, allows, is_system, require
from engine.ports import AbstractUnitOfWork
from engine.services.case_sync import append_events, event
from engine.services.context import Context
from engine.teams import LANE_RELATION, OPEN_WHILE_UNSTAFFED, RELATIONS, route

# How long a break-glass opening lasts: one working day, then the reason must be given again.
GLASS_HOURS = 12


def target_of(
    uow: AbstractUnitOfWork, actor: Actor, record: CaseRecord, now: dt.datetime, *, intake: bool = True
) -> Target:
    """The policy target for ``actor`` on a case: its territory and the actor's relations to it.
    ``intake=False`` leaves out the standing of whoever is only offered an intake task (they
    read the case to take it, not the person's identity)."""
    if is_system(actor):
        return Target(record.territory)
    organisations = uow.teams.organisations_of(actor.username)
    named, through_organisation = uow.teams.standing(record.id, actor.username, organisations)
    relations = set()
    if named:
        relations.add(Relation.TEAM)
    if through_organisation:
        relations.add(Relation.ORGANISATION)
    if not relations and intake and _offered_intake(uow, actor, record):
        # an intake task of the case is in the actor's queue: they read the case to take it
        relations.add(Relation.TEAM)
    if not relations and uow.teams.glass_open(record.id, actor.username, now):
        # a reasoned emergency opening stands for whichever relation the actor's role reads through
        relations = {Relation.TEAM, Relation.ORGANISATION}
    return Target(record.territory, frozenset(relations))


def _offered_intake(uow: AbstractUnitOfWork, actor: Actor, record: CaseRecord) -> bool:
    """Whether an open task of the case is in the actor's intake queue (a team lane nobody in the
    team holds yet, offered to the territory's holders: engine.teams)."""
    return any(
        t.audience == "territory" and t.role in OPEN_WHILE_UNSTAFFED and actor.holds(t.role, t.territory)
        for t in uow.tasks.open_for_case(record.id)
    )


def may_work(uow: AbstractUnitOfWork, actor: Actor, task: TaskView) -> bool:
    """Whether the task is offered to ``actor``: their lane in the task's territory, and its
    audience (engine.teams) includes them. A task for nobody yet (``supervisor``) is nobody's
    until the coordinator names the organisation in the team."""
    if is_system(actor):
        return allows(actor, Permission.TASK_WORK, Target(task.territory))
    if not actor.holds(task.role, task.territory):
        return False
    if task.audience == "territory":
        return True
    if task.audience == "team":
        relation = LANE_RELATION.get(task.role or "")
        return any(m.username == actor.username and m.relation == relation for m in uow.teams.members(task.case_id))
    if task.audience == "organisation":
        return task.organisation_id is not None and task.organisation_id in uow.teams.organisations_of(actor.username)
    return False


def team(ctx: Context, case_id: int, *, actor: Actor) -> list[TeamMember]:
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.CASE_READ, target_of(uow, actor, record, ctx.clock.now()))
        return uow.teams.members(case_id)


def add_to_team(
    ctx: Context,
    case_id: int,
    relation: str,
    *,
    username: str | None = None,
    organisation: str | None = None,
    actor: Actor,
) -> list[TeamMember]:
    """Name a person or an organisation in a relation; a new case manager replaces the previous one."""
    if relation not in RELATIONS:
        raise errors.InvalidData("unknown relation", {"relation": [f"Relazione sconosciuta: {relation}."]})
    label, kind, kinds = RELATIONS[relation]
    if (username is None) == (organisation is None):
        raise errors.InvalidData("name one member", {"username": ["Indicare una persona oppure un'organizzazione."]})
    if username is not None and kind == "organisation":
        raise errors.InvalidData("an organisation is expected", {"username": [f"«{label}» è un'organizzazione."]})
    if organisation is not None and kind == "person":
        raise errors.InvalidData("a person is expected", {"organisation": [f"«{label}» è una persona."]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.TEAM_MANAGE, target_of(uow, actor, record, now))
        organisation_id = None
        if organisation is not None:
            found = uow.registry.organisation(organisation)
            if kinds and found.kind not in kinds:
                raise errors.InvalidData(
                    "wrong kind of organisation", {"organisation": [f"«{found.name}» non può essere {label}."]}
                )
            if record.territory is not None and not found.serves(record.territory):
                raise errors.InvalidData(
                    "organisation of another territory",
                    {"organisation": ["L'organizzazione è di un altro territorio."]},
                )
            organisation_id = found.id
            # a party whose protocol here lapsed or was withdrawn gets no new case (its old ones keep their data)
            here = uow.registry.protocols(record.territory, organisation_id=found.id)
            if any(p.status in PROTOCOL_ENDED for p in here) and not any(p.status in PROTOCOL_IN_FORCE for p in here):
                raise errors.RegistryConflict(
                    "no protocol in force with this organisation",
                    {
                        "organisation": [
                            f"Con «{found.name}» non c'è più un protocollo in vigore: non si condividono nuovi casi."
                        ]
                    },
                )
        if username is not None:
            uow.users.get_actor(username)
        current = uow.teams.members(case_id)
        if relation == "responsabile":
            uow.teams.end([m.id for m in current if m.relation == "responsabile"], now)
        elif any(
            m.relation == relation and (m.username, m.organisation_id) == (username, organisation_id) for m in current
        ):
            return current
        uow.teams.add(case_id, relation, username=username, organisation_id=organisation_id, at=now, by=actor.username)
        reroute_open_tasks(uow, record)
        record.updated_at = now
        change = {"relazione": relation, "utente": username, "organizzazione": organisation}
        append_events(uow, record, [event(record, now, actor, EventKind.TEAM_CHANGED, data=change)])
        members = uow.teams.members(case_id)
        uow.commit()
        return members


def remove_from_team(ctx: Context, case_id: int, member_id: int, *, actor: Actor) -> list[TeamMember]:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.TEAM_MANAGE, target_of(uow, actor, record, now))
        member = next((m for m in uow.teams.members(case_id) if m.id == member_id), None)
        if member is None:
            raise errors.NotFound(f"team member {member_id} not found in case {case_id}")
        uow.teams.end([member_id], now)
        reroute_open_tasks(uow, record)
        record.updated_at = now
        change = {"relazione": member.relation, "utente": member.username, "rimosso": True}
        change["organizzazione"] = member.organisation_code
        append_events(uow, record, [event(record, now, actor, EventKind.TEAM_CHANGED, data=change)])
        members = uow.teams.members(case_id)
        uow.commit()
        return members


def join_as_case_manager(
    uow: AbstractUnitOfWork,
    record: CaseRecord,
    actor: Actor,
    now: dt.datetime,
    open_tasks: Sequence[TaskView] | None = None,
) -> None:
    """A social worker who refers or takes a case without a case manager becomes it (intake).
    ``open_tasks``: the case's open inbox rows, when the caller has them."""
    if is_system(actor) or not actor.holds("assistente_sociale", record.territory):
        return
    if any(m.relation == "responsabile" for m in uow.teams.members(record.id)):
        return
    uow.teams.add(record.id, "responsabile", username=actor.username, at=now, by=actor.username)
    reroute_open_tasks(uow, record, open_tasks)


def join_on_taking(uow: AbstractUnitOfWork, record: CaseRecord, actor: Actor, task: TaskView) -> None:
    """Who completes an intake task of their lane joins the case's team in that lane's relation,
    when nobody holds it yet (a claim alone does not: the others racing for it get a conflict).
    The social worker becomes the case manager, the job-centre officer the case's CPI operator;
    from then on the case is theirs to read and its tasks of that lane are theirs (engine.teams)."""
    relation = LANE_RELATION.get(task.role or "")
    if is_system(actor) or task.audience != "territory" or task.role not in OPEN_WHILE_UNSTAFFED or relation is None:
        return
    if any(m.relation == relation for m in uow.teams.members(record.id)):
        return
    uow.teams.add(record.id, relation, username=actor.username, at=record.updated_at, by=actor.username)
    reroute_open_tasks(uow, record)


def reroute_open_tasks(
    uow: AbstractUnitOfWork, record: CaseRecord, open_tasks: Sequence[TaskView] | None = None
) -> None:
    """Route the case's open tasks (``open_tasks``, else read) to the audience its team now gives them."""
    members = uow.teams.members(record.id)
    for task in open_tasks if open_tasks is not None else uow.tasks.open_for_case(record.id):
        if task.role not in LANE_RELATION:
            continue
        item = task.context.get("item")
        codes: dict[str, int] = {}
        if isinstance(item, dict) and item.get("codice"):
            found = uow.registry.organisation_id(str(item["codice"]))
            codes = {str(item["codice"]): found} if found is not None else {}
        where = route(task.role, members, item, codes)
        if (where.audience, where.organisation_id) != (task.audience, task.organisation_id):
            uow.tasks.reroute(task, where.audience, where.organisation_id)


def break_glass(ctx: Context, case_id: int, reason: str, *, actor: Actor, ip: str | None = None) -> BreakGlass:
    """Open a case outside one's team for ``GLASS_HOURS``: the reason is required (422 without),
    the opening is an event of the case and waits for the coordinator's or auditor's review."""
    if len(reason.strip()) < 10:
        raise errors.InvalidData(
            "a reason is required", {"reason": ["Indicare il motivo dell'accesso (almeno 10 caratteri)."]}
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        record = uow.cases.get(case_id)
        require(actor, Permission.BREAK_GLASS, Target(record.territory))
        row: dict[str, Any] = {
            "case_id": case_id,
            "username": actor.username,
            "reason": reason.strip(),
            "at": now,
            "expires_at": now + dt.timedelta(hours=GLASS_HOURS),
            "territory": record.territory or "",
            "ip": ip,
        }
        glass_id = uow.teams.open_glass(row)
        record.updated_at = now
        append_events(uow, record, [event(record, now, actor, EventKind.BREAK_GLASS, data={"motivo": reason.strip()})])
        uow.access_log.record(
            at=now,
            username=actor.username,
            case_id=case_id,
            purpose=f"accesso straordinario: {reason.strip()}",
            fields=["*"],
            ip=ip,
        )
        uow.commit()
    return BreakGlass(id=glass_id, **row)


def glass_log(ctx: Context, *, actor: Actor, unreviewed: bool = False) -> list[BreakGlass]:
    """Break-glass openings in the actor's territories, newest first, for review."""
    require(actor, Permission.BREAK_GLASS_REVIEW)
    with ctx.uow(write=False) as uow:
        return uow.teams.glass_log(sorted(actor.territories) or None, unreviewed=unreviewed)


def review_glass(ctx: Context, glass_id: int, *, actor: Actor) -> BreakGlass:
    with ctx.uow() as uow:
        found = uow.teams.glass(glass_id)
        if found is None:
            raise errors.NotFound(f"break-glass opening {glass_id} not found")
        require(actor, Permission.BREAK_GLASS_REVIEW, Target(found.territory or None))
        uow.teams.review_glass(glass_id, ctx.clock.now(), actor.username)
        uow.commit()
    return dataclasses.replace(found, reviewed_at=ctx.clock.now(), reviewed_by=actor.username)
