"""Read side of cases: a case, its history, lists and its diagram state, as an actor may see them.

Personal data of health (C2) and judicial (C3) classes is filtered by the viewer's roles
(``engine.privacy``); each time such data is shown, an access-log row is written in the same
transaction as the read, with who, when, which case, which fields, why and from where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from engine.bpmn.loader import ProcessSpecs
from engine.model import (
    AccessLogEntry,
    Actor,
    CaseDiagram,
    CaseEvent,
    CaseRecord,
    CaseScope,
    CaseStatus,
    CaseView,
    TaskView,
)
from engine.policy import Permission, Relation, Target, require, wide_territories
from engine.ports import AbstractUnitOfWork
from engine.privacy import RESERVED_TASK_NAME, filter_data, task_reserved
from engine.services.case_sync import view_of as _view
from engine.services.context import Context
from engine.services.teams import target_of


def authorize_read(uow: AbstractUnitOfWork, actor: Actor, record: CaseRecord, now: dt.datetime) -> Target:
    """The actor's standing on the case (``target_of``), refused unless the policy lets them read it."""
    target = target_of(uow, actor, record, now)
    require(actor, Permission.CASE_READ, target)
    return target


def log_access(
    ctx: Context,
    uow: AbstractUnitOfWork,
    actor: Actor,
    case_id: int,
    fields: Sequence[str],
    purpose: str,
    ip: str | None = None,
) -> None:
    """Record a showing of classified personal data (nothing to record when none was shown)."""
    if fields:
        uow.access_log.record(
            at=ctx.clock.now(), username=actor.username, case_id=case_id, purpose=purpose, fields=fields, ip=ip
        )


def log_showing(
    ctx: Context, actor: Actor, case_id: int, fields: Sequence[str], purpose: str, ip: str | None = None
) -> None:
    """Record a showing in its own short write, only when personal data is shown: the read itself
    never takes the write lock (a reader does not wait behind a long command on SQLite), and the
    data is handed out only once the showing is recorded."""
    if fields:
        with ctx.uow() as uow:
            log_access(ctx, uow, actor, case_id, fields, purpose, ip)
            uow.commit()


def get_case(
    ctx: Context,
    case_id: int,
    actor: Actor,
    *,
    purpose: str = "consultazione caso",
    ip: str | None = None,
) -> CaseView:
    """A case, checked and filtered for the actor (and logged when personal data shows)."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = authorize_read(uow, actor, record, ctx.clock.now())
        view = _view(uow, record)
        visible, withheld, shown = filter_data(record.data, actor, target)
    log_showing(ctx, actor, case_id, shown, purpose, ip)
    tasks = visible_tasks(view.open_tasks, actor, target)
    return dataclasses.replace(view, data=visible, withheld=tuple(withheld), open_tasks=tasks)


def visible_tasks(tasks: Sequence[TaskView], actor: Actor, target: Target) -> tuple[TaskView, ...]:
    """The case's tasks as ``actor`` may see them: a task that tells the person is in a health or
    justice service's care (``engine.privacy.task_reserved``) under a neutral name, with no form,
    lane, element or context to give it away."""
    return tuple(
        dataclasses.replace(t, name=RESERVED_TASK_NAME, bpmn_id="", form_key=None, role=None, context={})
        if task_reserved(actor, target, t.role, t.form_key)
        else t
        for t in tasks
    )


def reserved_elements(specs: ProcessSpecs, actor: Actor, target: Target) -> frozenset[str]:
    """The human tasks of a process (and those it calls) that ``actor`` sees only as reserved."""
    return frozenset(
        bpmn_id for bpmn_id, info in specs.user_tasks.items() if task_reserved(actor, target, info.lane, info.form_key)
    )


def history(
    ctx: Context, case_id: int, actor: Actor, *, purpose: str = "cronologia caso", ip: str | None = None
) -> list[CaseEvent]:
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = authorize_read(uow, actor, record, ctx.clock.now())
        events = uow.events.for_case(case_id)
        reserved = reserved_elements(ctx.specs_for(uow, record.process_version_id), actor, target)
    shown_all: set[str] = set()
    result = []
    for event in events:
        visible, _, shown = filter_data(event.data, actor, target)
        shown_all.update(shown)
        if event.bpmn_id in reserved:
            event = dataclasses.replace(event, task_name=RESERVED_TASK_NAME, bpmn_id=None)
        result.append(dataclasses.replace(event, data=visible))
    log_showing(ctx, actor, case_id, sorted(shown_all), purpose, ip)
    return result


def list_cases(
    ctx: Context,
    actor: Actor,
    *,
    status: CaseStatus | None = None,
    process_id: str | None = None,
    territory: str | None = None,
    phase: str | None = None,
    title: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseView]:
    """Case summaries (no personal data beyond the pseudonym title): of the territories where the
    actor has a territory-wide view, and elsewhere of the cases whose team names them or one of
    their organisations (or that they opened by break-glass). Nothing else is listed or counted."""
    require_any_reach(actor, Permission.CASE_LIST)
    with ctx.uow(write=False) as uow:
        records = uow.cases.search(
            status=status,
            process_id=process_id,
            territory=territory,
            territories=sorted(actor.territories) if actor.territories else None,
            scope=case_scope(uow, actor, Permission.CASE_LIST, ctx.clock.now()),
            phase=phase,
            title=title,
            limit=limit,
            offset=offset,
        )
        return [dataclasses.replace(_view(uow, r, with_tasks=False), data={}) for r in records]


def case_diagram(ctx: Context, case_id: int, actor: Actor) -> list[CaseDiagram]:
    """Per process of the case (main and called): its XML and which elements are done/active/waiting."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = authorize_read(uow, actor, record, ctx.clock.now())
        specs = ctx.specs_for(uow, record.process_version_id)
        wf = ctx.runner.load(specs, record.state, lambda: uow.case_state.rows(record.id))
        marks = ctx.runner.element_states(wf)
        files = {f.name: f.content.decode() for f in specs.files}
    # the diagram itself is the process library's (no personal data); where the case stands in a
    # health or justice service's task is not shown to whoever may not know it
    reserved = reserved_elements(specs, actor, target)
    result = []
    for process_id, states in marks.items():
        file_name = next((f.name for f in specs.files if _defines(f.content, process_id)), None)
        if file_name is None:
            continue
        result.append(
            CaseDiagram(
                process_id,
                file_name,
                files[file_name],
                completed=tuple(e for e in states["completed"] if e not in reserved),
                active=tuple(e for e in states["active"] if e not in reserved),
                waiting=tuple(e for e in states["waiting"] if e not in reserved),
            )
        )
    return result


def _defines(content: bytes, process_id: str) -> bool:
    return f'id="{process_id}"'.encode() in content and b"<bpmn:process" in content


def access_log(
    ctx: Context, actor: Actor, *, case_id: int | None = None, username: str | None = None, limit: int = 500
) -> list[AccessLogEntry]:
    """Who viewed personal data: for auditors, coordinators and administrators."""
    require_any_reach(actor, Permission.AUDIT_READ)
    with ctx.uow(write=False) as uow:
        return uow.access_log.entries(
            case_id=case_id, username=username, limit=limit, territories=sorted(actor.territories) or None
        )


def require_any_reach(actor: Actor, permission: Permission) -> None:
    """Refuse a list outright when no rule of ``permission`` names any of the actor's roles
    (in whatever relation: the list itself then shows only what each relation reaches)."""
    require(actor, permission, Target(None, frozenset({Relation.TEAM, Relation.ORGANISATION})))


def case_scope(uow: AbstractUnitOfWork, actor: Actor, permission: Permission, now: dt.datetime) -> CaseScope:
    """Which cases a list of ``permission`` may show the actor (see ``list_cases``)."""
    everywhere, territories = wide_territories(actor, permission)
    if everywhere:
        return CaseScope(everywhere=True)
    return CaseScope(
        territories=tuple(sorted(territories)),
        member=actor.username,
        organisations=tuple(uow.teams.organisations_of(actor.username)),
        glass_since=now,
    )
