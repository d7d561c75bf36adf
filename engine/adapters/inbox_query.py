"""The inbox page as one prebuilt statement per *shape* of filter.

A person's inbox is the union of the tasks of each audience they belong to (``engine.teams``): a
lane's tasks in one territory, the tasks of the cases whose team names them, the tasks of each of
their organisations. Each becomes one branch that an index serves *in the page's order*, so the
database reads about one page per branch and merges them, whatever the number of cases:

- a lane in one territory: ``(status, audience, role, territory, due_sort, created_at, id)``,
  one branch per territory (an ``IN`` list of territories would make the database read the whole
  lane and sort it);
- the team: the person's few ``case_team`` rows first (``(username, ended_at, case_id,
  relation)``), then their cases' open tasks of the lane (``(case_id, status, audience, role,
  territory)``), both from the index;
- an organisation: ``(organisation_id, status, audience, role, territory, due_sort, created_at,
  id)``, one branch per lane and territory as above (with role and territory filtered instead,
  PostgreSQL expects one row, reads every task of the organisation and sorts them). On
  PostgreSQL the person's organisations are read inside the statement (``organisation_member``
  ``JOIN LATERAL`` the first page of each organisation's tasks), so a page is one round trip; on
  SQLite, which has no ``LATERAL`` and no round trips, they are read first and each becomes a
  branch of its own.

The count is the same branches without the page's cut, summed (``count_statement``): the badge
counts exactly the tasks the pages list, there being one place that says who a task is for.

Building such a statement with SQLAlchemy costs more than running it, so it is built once per
shape (the sort, which filters are set, which branches) with bound parameters, and kept; a call
only fills in the values (``plan`` → ``statement(shape)`` + parameters).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, true, union_all

from engine.adapters import tables
from engine.model import TaskFilter

# Which of a filter's optional conditions are set, in this order (part of the shape).
COMMON = ("status", "assignee", "unassigned", "case_id", "process_id", "due_before", "due_after", "completed_by")

# A branch's shape: ("territory", with_territory), ("team", with_territories), ("organisation",
# with_territory) for one organisation given, ("member_organisations", with_territory) for every
# organisation of the member, read by the statement; parameters are numbered by position.
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


def plan(
    f: TaskFilter, limit: int, offset: int, organisations: Sequence[int] | None = None
) -> tuple[Shape, dict[str, Any]]:
    """The statement's shape and the values to run it with (``f.member`` set, ``f.roles`` set).

    ``organisations``: the member's organisations, each a branch; ``None``: the statement reads
    them itself (one branch over ``organisation_member``)."""
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
    _per_lane(lanes, "territory", branches, params)
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
    # an organisation's tasks, one branch per (organisation, role, territory) like the lanes; on
    # PostgreSQL one per (role, territory) over every organisation of the member
    if organisations is None:
        _per_lane(lanes, "member_organisations", branches, params, member=f.member)
    for organisation in organisations or ():
        _per_lane(lanes, "organisation", branches, params, organisation=organisation)
    return (f.sort, common, bool(f.case_title), tuple(branches)), params


def _per_lane(
    lanes: list[tuple[str, tuple[str, ...] | None]],
    kind: str,
    branches: list[Branch],
    params: dict[str, Any],
    **values: Any,
) -> None:
    """One branch of ``kind`` per lane and territory (per lane where it is held everywhere)."""
    for role, territories in lanes:
        for territory in territories if territories is not None else (None,):
            n = len(branches)
            params[f"b{n}_role"] = role
            if territory is not None:
                params[f"b{n}_territory"] = territory
            params.update({f"b{n}_{name}": value for name, value in values.items()})
            branches.append((kind, territory is not None))


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
    conditions = _conditions(common, titled)
    parts = []
    for n, branch in enumerate(branches):
        first = _branch(n, branch).where(*conditions).order_by(*order(t, sort)).limit(bindparam("page_end"))
        if branch[0] == "member_organisations":
            # each organisation's first page, read off its index in order (PostgreSQL's LATERAL)
            pages = first.lateral(f"b{n}_page")
            m = tables.organisation_member
            first = (
                select(pages)
                .select_from(m.join(pages, true()))
                .where(m.c.username == bindparam(f"b{n}_member"))
                .order_by(*order(pages.c, sort))
                .limit(bindparam("page_end"))
            )
        parts.append(select(first.subquery()))
    if not parts:  # no lane: an empty page, still one statement
        return select(tables.human_task).where(literal_column("1") == 0)
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return (
        select(merged).order_by(*order(merged.c, sort)).limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    )


@functools.lru_cache(maxsize=256)
def count_statement(shape: Shape) -> Select[Any]:
    """How many tasks the pages of ``shape`` list in all: its branches uncut, counted and summed
    (each task is in one branch: it has one audience, one role and one territory)."""
    _, common, titled, branches = shape
    conditions = _conditions(common, titled)
    counts = []
    for n, branch in enumerate(branches):
        query = _branch(n, branch).where(*conditions)
        if branch[0] == "member_organisations":
            query = query.where(tables.organisation_member.c.username == bindparam(f"b{n}_member"))
        counts.append(select(func.count()).select_from(query.subquery()).scalar_subquery())
    total: Any = literal_column("0")
    for count in counts:
        total = total + count
    return select(total)


def _conditions(common: tuple[str, ...], titled: bool) -> list[Any]:
    conditions = [_common(name) for name in common]
    if titled:
        t = tables.human_task.c
        titles = select(tables.cases.c.id).where(tables.cases.c.title.ilike(bindparam("f_title"), escape="\\"))
        conditions.append(t.case_id.in_(titles))
    return conditions


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
    query = select(tables.human_task).where(t.audience == "organisation", t.role == bindparam(f"b{n}_role"))
    if branch[1]:
        query = query.where(t.territory == bindparam(f"b{n}_territory"))
    if kind == "organisation":
        query = query.where(t.organisation_id == bindparam(f"b{n}_organisation"))
    else:  # the member's organisations: joined by the caller (LATERAL for a page, a join to count)
        query = query.where(t.organisation_id == tables.organisation_member.c.organisation_id)
    return query
