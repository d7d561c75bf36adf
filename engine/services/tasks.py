"""Inbox use cases: list human tasks from the ``human_task`` table (never from workflow state),
claim, release and reassign them. Every command checks the actor's role and territory."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine import errors
from engine.forms import check_free_data
from engine.model import (
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    EventKind,
    JsonObject,
    TaskFilter,
    TaskStatus,
    TaskView,
)
from engine.policy import Permission, Target, allows, is_system, require, roles_with
from engine.ports import AbstractUnitOfWork
from engine.services.case_sync import append_events, refile_workflow
from engine.services.cases import authorize_task
from engine.services.context import Context
from engine.services.notifications import notify_user
from engine.services.teams import may_work
from engine.teams import LANE_RELATION


def _scope(actor: Actor, f: TaskFilter) -> TaskFilter:
    """Restrict a filter to what the actor may see: their roles, their territories, and the
    tasks whose audience includes them (their team's, their organisations', which the query
    reads). A system actor the policy grants ``TASK_WORK`` (the console) sees every task."""
    if is_system(actor):
        require(actor, Permission.TASK_WORK)
        return f
    if f.supervised:
        return _supervised(actor, f)
    if f.roles is not None and not set(f.roles) <= actor.roles:
        raise errors.Forbidden(f"you do not hold the roles {sorted(set(f.roles) - actor.roles)}")
    roles = f.roles if f.roles is not None else tuple(sorted(actor.roles))
    grants = tuple(sorted(g for g in actor.grants if g[0] in roles)) or None
    team_lanes = tuple(sorted((lane, LANE_RELATION[lane]) for lane in roles if lane in LANE_RELATION))
    return dataclasses.replace(
        f,
        roles=roles,
        territories=tuple(sorted(actor.territories)) or None,
        grants=grants,
        member=actor.username,
        team_lanes=team_lanes,
    )


def _supervised(actor: Actor, f: TaskFilter) -> TaskFilter:
    """Every task of the territories where ``actor`` supervises the work (``TASK_SUPERVISE``),
    whatever its lane, audience or assignee: the tasks a coordinator may reassign, release or
    route. A grant for every territory ("") reads them all; refused without any."""
    staff = actor.roles & roles_with(Permission.TASK_SUPERVISE)
    places = {where for role, where in actor.grants if role in staff} if actor.grants else set(actor.territories)
    if not staff:
        raise errors.Forbidden(f"{actor.username} supervises no territory")
    everywhere = "" in places or (not actor.grants and not actor.territories)
    return dataclasses.replace(
        f,
        roles=None,
        territories=None if everywhere else tuple(sorted(places)),
        grants=None,
        member=None,
        team_lanes=(),
    )


def list_tasks(ctx: Context, actor: Actor, f: TaskFilter, *, limit: int = 100, offset: int = 0) -> list[TaskView]:
    """Tasks offered to the actor: of the roles they hold, in the territories they cover, for
    the territory, their case team or their organisations (``engine.teams``). One statement,
    outside any transaction (on PostgreSQL a page is one round trip)."""
    with ctx.uow(write=False, transaction=False) as uow:
        return uow.tasks.query(_scope(actor, f), limit=limit, offset=offset)


def count_tasks(ctx: Context, actor: Actor, f: TaskFilter) -> int:
    """How many tasks ``list_tasks`` pages through: the same branches, uncut."""
    with ctx.uow(write=False, transaction=False) as uow:
        return uow.tasks.count(_scope(actor, f))


def save_draft(ctx: Context, task_id: str, data: dict[str, Any], actor: Actor) -> None:
    """Keep a half-filled form for later; not validated, never seen by the workflow."""
    clean = check_free_data(data, "draft")
    with ctx.uow() as uow:
        task, _ = _open_task(uow, task_id)
        authorize_task(uow, task, actor)
        uow.accounts.save_draft(task_id, actor.username, clean, ctx.clock.now())
        uow.commit()


def get_draft(ctx: Context, task_id: str, actor: Actor) -> dict[str, Any] | None:
    with ctx.uow(write=False) as uow:
        task = uow.tasks.get(task_id)
        authorize_task(uow, task, actor)
        return uow.accounts.draft(task_id, actor.username)


def instructions(ctx: Context, task_id: str, actor: Actor) -> str:
    """The user task's documentation in the version the case is pinned to ("" when none)."""
    task = get_task(ctx, task_id, actor)
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(task.case_id)
        specs = ctx.specs_for(uow, record.process_version_id)
    info = specs.user_tasks.get(task.bpmn_id)
    return info.documentation.strip() if info is not None else ""


def get_task(ctx: Context, task_id: str, actor: Actor) -> TaskView:
    with ctx.uow(write=False) as uow:
        task = uow.tasks.get(task_id)
        if not may_work(uow, actor, task):
            raise errors.Forbidden(f"task {task_id} is not visible to you")
    return task


def claim_task(ctx: Context, task_id: str, actor: Actor) -> TaskView:
    """Take an open task. With the case row locked, the task must still be open and unassigned
    (or already the actor's: claiming again changes nothing and logs nothing); the assignment is
    a conditional update, so of several users claiming at once exactly one wins, the others get
    ``Conflict``, and a task completed a moment before is never claimed."""
    with ctx.uow() as uow:
        task, record = _open_task(uow, task_id)
        if not may_work(uow, actor, task):
            raise errors.Forbidden(f"task {task_id} is not offered to {actor.username}")
        if task.assignee == actor.username:
            return task
        if task.assignee is not None:
            raise errors.TaskTaken(f"task {task_id} was claimed by {task.assignee} meanwhile")
        if not uow.tasks.set_assignee(task_id, actor.username, expected=None, read=task):
            raise errors.Conflict(f"task {task_id} changed meanwhile; reload and retry")
        _log(ctx, uow, task, record, actor, EventKind.TASK_CLAIMED, {"assignee": actor.username})
        uow.commit()
        refile_workflow(ctx, record, task.id, actor.username)
        return _with_assignee(task, actor.username)


def release_task(ctx: Context, task_id: str, actor: Actor) -> TaskView:
    with ctx.uow() as uow:
        task, record = _open_task(uow, task_id)
        if not actor.covers(task.territory):
            raise errors.Forbidden(f"task {task_id} is in territory {task.territory!r}, outside yours")
        if task.assignee != actor.username and not allows(actor, Permission.TASK_SUPERVISE, Target(task.territory)):
            raise errors.Forbidden(f"task {task_id} is not assigned to you")
        if task.assignee is None:
            return task  # nothing to release: no event
        if not uow.tasks.set_assignee(task_id, None, expected=task.assignee, read=task):
            raise errors.Conflict(f"task {task_id} changed meanwhile; reload and retry")
        _log(ctx, uow, task, record, actor, EventKind.TASK_RELEASED, {"previous": task.assignee})
        uow.commit()
        refile_workflow(ctx, record, task.id, None)
        return _with_assignee(task, None)


def reassign_task(ctx: Context, task_id: str, assignee: str, actor: Actor) -> TaskView:
    require(actor, Permission.TASK_SUPERVISE)
    with ctx.uow() as uow:
        task, record = _open_task(uow, task_id)
        if not actor.covers(task.territory):
            raise errors.Forbidden(f"task {task_id} is in territory {task.territory!r}, outside yours")
        target = uow.users.get_actor(assignee)
        if not may_work(uow, target, task):
            raise errors.InvalidData(
                f"{assignee} cannot take this task",
                {"assignee": ["L'utente non ha il ruolo o il territorio richiesto."]},
            )
        if task.assignee == assignee:
            return task
        if not uow.tasks.set_assignee(task_id, assignee, expected=task.assignee, read=task):
            raise errors.Conflict(f"task {task_id} changed meanwhile; reload and retry")
        _log(
            ctx, uow, task, record, actor, EventKind.TASK_REASSIGNED, {"previous": task.assignee, "assignee": assignee}
        )
        notify_user(
            uow,
            assignee,
            kind="assigned",
            case_id=task.case_id,
            task_id=task.id,
            at=ctx.clock.now(),
            subject=f"Nuova attività assegnata: {task.name} (caso {task.case_id})",
            body=f"{actor.username} ti ha assegnato l'attività «{task.name}» del caso {task.case_id}.",
        )
        uow.commit()
        refile_workflow(ctx, record, task.id, assignee)
        return _with_assignee(task, assignee)


def _open_task(uow: AbstractUnitOfWork, task_id: str) -> tuple[TaskView, CaseRecord]:
    """The task and its case, read under the case's row lock in one statement; refused (409)
    unless the task is still open."""
    task, record, _ = uow.cases.get_for_task(task_id)
    if task.status is not TaskStatus.READY:
        raise errors.TaskNotReady(f"task {task_id} is already {task.status.value}")
    return task, record


def _log(
    ctx: Context,
    uow: AbstractUnitOfWork,
    task: TaskView,
    record: CaseRecord,
    actor: Actor,
    kind: EventKind,
    data: JsonObject,
) -> None:
    """Claims change no workflow state, but they are case history: bump the case and log."""
    if record.status is not CaseStatus.RUNNING:
        raise errors.CaseClosed(f"case {record.id} is {record.status.value}")
    record.updated_at = ctx.clock.now()
    append_events(
        uow,
        record,
        [
            CaseEvent(
                case_id=task.case_id,
                seq=0,
                at=record.updated_at,
                actor=actor.username,
                kind=kind,
                task_id=task.id,
                task_name=task.name,
                bpmn_id=task.bpmn_id,
                data=dict(data),
            )
        ],
    )


def _with_assignee(task: TaskView, assignee: str | None) -> TaskView:
    from dataclasses import replace

    return replace(task, assignee=assignee)
