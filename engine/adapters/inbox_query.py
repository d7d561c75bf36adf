"""The inbox page as one prebuilt statement per *shape* of filter.

A person's inbox is the union of the tasks of each audience they belong to (``engine.teams``): a
lane's tasks in one territory, the tasks of the cases whose team names them, the tasks of each of
their organisations. Each becomes one branch that an index serves *in the page's order*, so the
database reads about one page per branch and merges them, whatever the number of cases:

- a lane in one territory: ``(status, audience, role, territory, due_sort, created_at, id)``,
  one branch per territory (an ``IN`` list of territories would make the database read the whole
  lane and sort it);
- the team: the person's few ``case_team`` rows first, then their cases' open tasks
  (``(case_id, status)``);
- an organisation: ``(organisation_id, status, due_sort, created_at, id)``, one branch per
  organisation.

Building such a statement with SQLAlchemy costs more than running it, so it is built once per
shape (the sort, which filters are set, which branches) with bound parameters, and kept; a call
only fills in the values (``plan`` → ``statement(shape)`` + parameters).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, literal_column, or_, select, union_all

from engine.adapters import tables
from engine.model import TaskFilter

# Which of a filter's optional conditions are set, in this order (part of the shape).
COMMON = ("status", "assignee", "unassigned", "case_id", "process_id", "due_before", "due_after", "completed_by")

# A branch's shape: ("territory", role_param, territory_param | None), ("team", with_territories),
# ("organisation",); the parameters are numbered by the branch's position.
Branch = tuple[Any, ...]
Shape = tuple[str, tuple[str, ...], bool, tuple[Branch, ...]]


def lane_territories(f: TaskFilter) -> list[tuple[str, tuple[str, ...] | None]]:
    """Per role of the filter, the territories where its tasks are the actor's (``None``: all):
    those of the (role, territory) grants, within the filter's territories, plus tasks of no
    territory (``""``)."""
    out: list[tuple[str, tuple[str, ...] | None]] = []
    for role in f.roles or ():
        allowed: set[str] | None = None
        if f.grants is not None:
            granted = {t for r, t in f.grants if r == role}
            if not granted:
                continue
            allowed = None if "" in granted else granted | {""}
        if f.territories:
            wanted = set(f.territories) | {""}
            allowed = wanted if allowed is None else allowed & wanted
        out.append((role, None if allowed is None else tuple(sorted(allowed))))
    return out


def plan(f: TaskFilter, limit: int, offset: int) -> tuple[Shape, dict[str, Any]]:
    """The statement's shape and the values to run it with (``f.member`` set, ``f.roles`` set)."""
    params: dict[str, Any] = {"page_end": limit + offset, "page_limit": limit, "page_offset": offset}
    common = tuple(name for name in COMMON if getattr(f, name) not in (None, False))
    for name in common:
        value = getattr(f, name)
        if name != "unassigned":
            params[f"f_{name}"] = value.value if name == "status" else value
    if f.case_title:
        params["f_title"] = "%" + f.case_title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    lanes = lane_territories(f)
    branches: list[Branch] = []
    for role, territories in lanes:
        for territory in territories if territories is not None else (None,):
            n = len(branches)
            params[f"b{n}_role"] = role
            if territory is not None:
                params[f"b{n}_territory"] = territory
            branches.append(("territory", territory is not None))
    by_role = dict(lanes)
    for lane, relation in f.team_lanes:
        if lane not in by_role:
            continue
        n = len(branches)
        params.update({f"b{n}_role": lane, f"b{n}_relation": relation, f"b{n}_member": f.member})
        territories = by_role[lane]
        if territories is not None:
            params[f"b{n}_territories"] = list(territories)
        branches.append(("team", territories is not None))
    for organisation in f.organisations if lanes else ():
        n = len(branches)
        params[f"b{n}_organisation"] = organisation
        # the roles whose tasks an organisation's member works, each where it is held
        for k, (role, territories) in enumerate(lanes):
            params[f"b{n}_r{k}"] = role
            if territories is not None:
                params[f"b{n}_t{k}"] = list(territories)
        branches.append(("organisation", tuple(territories is not None for _, territories in lanes)))
    return (f.sort, common, bool(f.case_title), tuple(branches)), params


def order(c: Any, sort: str) -> list[Any]:
    orders: dict[str, list[Any]] = {
        "due": [c.due_sort],
        "-due": [c.due_sort.desc()],
        "priority": [c.priority.desc(), c.due_sort],
        "-priority": [c.priority, c.due_sort],
        "created": [c.created_at],
        "-created": [c.created_at.desc()],
        "name": [c.name],
        "-completed": [c.completed_at.desc()],
    }
    return [*orders.get(sort, orders["due"]), c.created_at, c.id]


@functools.lru_cache(maxsize=256)
def statement(shape: Shape) -> Select[Any]:
    """The page's statement for ``shape`` (see ``plan``), built once."""
    sort, common, titled, branches = shape
    t = tables.human_task.c
    conditions = [_common(name) for name in common]
    if titled:
        titles = select(tables.cases.c.id).where(tables.cases.c.title.ilike(bindparam("f_title"), escape="\\"))
        conditions.append(t.case_id.in_(titles))
    parts = []
    for n, branch in enumerate(branches):
        query = _branch(n, branch).where(*conditions).order_by(*order(t, sort)).limit(bindparam("page_end"))
        parts.append(select(query.subquery()))
    if not parts:  # no lane: an empty page, still one statement
        return select(tables.human_task).where(literal_column("1") == 0)
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return (
        select(merged).order_by(*order(merged.c, sort)).limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    )


def _common(name: str) -> Any:
    t = tables.human_task.c
    value: Any = bindparam(f"f_{name}")
    if name == "unassigned":
        return t.assignee.is_(None)
    if name == "due_before":
        return t.due_at <= value
    if name == "due_after":
        return t.due_at >= value
    column = {"status": t.status, "assignee": t.assignee, "case_id": t.case_id}.get(name)
    return (column if column is not None else getattr(t, name)) == value


def _branch(n: int, branch: Branch) -> Select[Any]:
    t, ct = tables.human_task.c, tables.case_team.c
    kind = branch[0]
    if kind == "territory":
        query = select(tables.human_task).where(t.audience == "territory", t.role == bindparam(f"b{n}_role"))
        return query.where(t.territory == bindparam(f"b{n}_territory")) if branch[1] else query
    if kind == "team":
        named = tables.case_team.join(tables.human_task, t.case_id == ct.case_id)
        query = (
            select(tables.human_task)
            .select_from(named)
            .where(
                ct.username == bindparam(f"b{n}_member"),
                ct.relation == bindparam(f"b{n}_relation"),
                ct.ended_at.is_(None),
                t.audience == "team",
                t.role == bindparam(f"b{n}_role"),
            )
        )
        if branch[1]:
            query = query.where(t.territory.in_(bindparam(f"b{n}_territories", expanding=True)))
        return query
    lanes: Sequence[bool] = branch[1]
    roles = [
        and_(t.role == bindparam(f"b{n}_r{k}"), t.territory.in_(bindparam(f"b{n}_t{k}", expanding=True)))
        if restricted
        else t.role == bindparam(f"b{n}_r{k}")
        for k, restricted in enumerate(lanes)
    ]
    return select(tables.human_task).where(
        t.organisation_id == bindparam(f"b{n}_organisation"), t.audience == "organisation", or_(*roles)
    )
