"""Read side of cases: a case, its history, lists and its diagram state, as an actor may see them.

Personal data of health (C2) and judicial (C3) classes is filtered by the viewer's roles
(``engine.privacy``); each time such data is shown, an access-log row is written in the same
transaction as the read, with who, when, which case, which fields, why and from where.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from engine import errors
from engine.model import AccessLogEntry, Actor, CaseDiagram, CaseEvent, CaseStatus, CaseView
from engine.ports import AbstractUnitOfWork
from engine.privacy import filter_data
from engine.services.case_sync import view_of as _view
from engine.services.context import Context

# Roles that may look at any case of their territories (not only those with their tasks).
CASE_READERS = frozenset(
    {
        "coordinatore",
        "assistente_sociale",
        "operatore_cpi",
        "equipe_multidisciplinare",
        "referente_sanitario",
        "referente_giustizia",
        "tutor_aziendale",
        "referente_ente_partner",
        "cabina_di_regia",
        "auditor",
        "amministratore",
        "valutatore",
    }
)


def authorize_read(actor: Actor, territory: str | None, case_id: int) -> None:
    if not actor.roles_in(territory) & CASE_READERS:
        raise errors.Forbidden("your roles do not allow reading cases")
    if not actor.covers(territory):
        raise errors.Forbidden(f"case {case_id} is outside your territories")


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


def get_case(
    ctx: Context,
    case_id: int,
    actor: Actor | None = None,
    *,
    purpose: str = "consultazione caso",
    ip: str | None = None,
) -> CaseView:
    """A case; with an actor, checked and filtered for them (and logged when personal data shows)."""
    with ctx.uow(write=actor is not None) as uow:
        record = uow.cases.get(case_id)
        view = _view(uow, record)
        if actor is None:
            return view
        authorize_read(actor, record.territory, case_id)
        visible, withheld, shown = filter_data(record.data, actor, record.territory)
        log_access(ctx, uow, actor, case_id, shown, purpose, ip)
        uow.commit()
        return dataclasses.replace(view, data=visible, withheld=tuple(withheld))


def history(
    ctx: Context, case_id: int, actor: Actor | None = None, *, purpose: str = "cronologia caso", ip: str | None = None
) -> list[CaseEvent]:
    with ctx.uow(write=actor is not None) as uow:
        record = uow.cases.get(case_id)
        events = uow.events.for_case(case_id)
        if actor is None:
            return events
        authorize_read(actor, record.territory, case_id)
        shown_all: set[str] = set()
        result = []
        for event in events:
            visible, _, shown = filter_data(event.data, actor, record.territory)
            shown_all.update(shown)
            result.append(dataclasses.replace(event, data=visible))
        log_access(ctx, uow, actor, case_id, sorted(shown_all), purpose, ip)
        uow.commit()
        return result


def list_cases(
    ctx: Context,
    actor: Actor | None = None,
    *,
    status: CaseStatus | None = None,
    process_id: str | None = None,
    territory: str | None = None,
    phase: str | None = None,
    title: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseView]:
    """Case summaries (no personal data beyond the pseudonym title)."""
    if actor is not None and not actor.roles & CASE_READERS:
        raise errors.Forbidden("your roles do not allow reading cases")
    with ctx.uow(write=False) as uow:
        records = uow.cases.search(
            status=status,
            process_id=process_id,
            territory=territory,
            territories=sorted(actor.territories) if actor is not None and actor.territories else None,
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
        authorize_read(actor, record.territory, case_id)
        specs = ctx.specs_for(uow, record.process_version_id)
        wf = ctx.runner.load(specs, record.state, lambda: uow.case_state.rows(record.id))
        marks = ctx.runner.element_states(wf)
        files = {f.name: f.content.decode() for f in specs.files}
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
                completed=tuple(states["completed"]),
                active=tuple(states["active"]),
                waiting=tuple(states["waiting"]),
            )
        )
    return result


def _defines(content: bytes, process_id: str) -> bool:
    return f'id="{process_id}"'.encode() in content and b"<bpmn:process" in content


def access_log(
    ctx: Context, actor: Actor, *, case_id: int | None = None, username: str | None = None, limit: int = 500
) -> list[AccessLogEntry]:
    """Who viewed personal data: for auditors, coordinators and administrators."""
    if not actor.roles & {"auditor", "coordinatore", "amministratore"}:
        raise errors.Forbidden("the access log is for auditors")
    with ctx.uow(write=False) as uow:
        return uow.access_log.entries(
            case_id=case_id, username=username, limit=limit, territories=sorted(actor.territories) or None
        )
