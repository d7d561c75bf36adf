"""The inbox page's statement (engine/adapters/inbox_query.py) against a plain reading of who a
task is for: for people of every kind of standing (a lane in one territory or in all, named in
case teams, members of organisations, several roles at once), under every sort and filter, the
page lists exactly the tasks ``engine.services.teams.may_work`` offers them that match the filter,
in the sort's order, the pages of any size add up to the whole list, and the count is its length. Rows are written
straight into the tables, with ties on the due date, tasks of no territory and history rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import insert

from engine import Actor, Engine
from engine.adapters import tables
from engine.adapters.task_repository import NO_DUE
from engine.model import TaskFilter, TaskStatus, TaskView
from engine.policy import CLI_OPERATOR
from engine.services.teams import may_work

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
TERRITORIES = ["T1", "T2", ""]
LANES = {
    "assistente_sociale": "responsabile",
    "operatore_cpi": "cpi",
    "tutor_aziendale": "ospitante",
    "referente_sanitario": "sanitario",
    "coordinatore": None,
}
PEOPLE = ["anna", "bruno", "carla"]
FIRMS = [1, 2, 3]
CASES = 40


def grant(username: str, *pairs: tuple[str, str]) -> Actor:
    roles = frozenset(r for r, _ in pairs)
    territories = frozenset() if any(t == "" for _, t in pairs) else frozenset(t for _, t in pairs)
    return Actor(username, roles, territories, frozenset(pairs))


ACTORS = [
    grant("anna", ("assistente_sociale", "T1")),
    grant("bruno", ("operatore_cpi", "T1"), ("tutor_aziendale", "T2")),
    grant("carla", ("tutor_aziendale", "T1"), ("referente_sanitario", "T1")),
    grant("dora", ("coordinatore", "T2")),
    grant("ezio", ("coordinatore", ""), ("operatore_cpi", "")),
    grant("anna", ("assistente_sociale", "T1"), ("tutor_aziendale", "T1")),
]


def populate(engine: Engine) -> None:
    rng = random.Random(11)
    with engine.db.begin() as conn:
        conn.execute(
            insert(tables.organisation),
            [
                {"id": n, "code": f"F{n}", "name": f"Impresa {n}", "kind": "impresa_mentor", "created_at": NOW}
                for n in FIRMS
            ],
        )
        users = sorted({a.username for a in ACTORS})
        conn.execute(
            insert(tables.app_user),
            [{"username": u, "display_name": u, "password_hash": None, "created_at": NOW} for u in users],
        )
        # anna and bruno work for firm 1, carla for firms 2 and 3
        members = [("anna", 1), ("bruno", 1), ("carla", 2), ("carla", 3)]
        conn.execute(
            insert(tables.organisation_member),
            [{"organisation_id": o, "username": u, "position": ""} for u, o in members],
        )
        conn.execute(
            insert(tables.process_version).values(
                id=1, process_id="p", version=1, name="p", sha256="0" * 64, deployed_at=NOW, deployed_by="t", note=""
            )
        )
        for i in range(1, CASES + 1):
            territory = TERRITORIES[i % 3]
            conn.execute(
                insert(tables.cases).values(
                    id=i,
                    process_id="p" if i % 4 else "q",
                    process_version_id=1,
                    status="running",
                    state="{}",
                    data={},
                    territory=territory or None,
                    title=f"Caso {'rosso' if i % 5 == 0 else 'verde'} {i}",
                    version=1,
                    event_seq=1,
                    created_at=NOW,
                    updated_at=NOW,
                    started_by="t",
                    phase="p",
                )
            )
            team = [
                {"relation": relation, "username": rng.choice(PEOPLE), "organisation_id": None}
                for relation in ("responsabile", "cpi", "sanitario")
                if rng.random() < 0.7
            ]
            team.append({"relation": "ospitante", "username": None, "organisation_id": rng.choice(FIRMS)})
            ended = NOW if rng.random() < 0.2 else None  # some people left the team
            conn.execute(
                insert(tables.case_team),
                [
                    {**m, "case_id": i, "added_at": NOW, "added_by": "t", "ended_at": ended if m["username"] else None}
                    for m in team
                ],
            )
            tasks = []
            for k in range(6):
                role = rng.choice(list(LANES))
                audience = rng.choice(["territory", "team", "organisation", "supervisor"])
                due = None if rng.random() < 0.15 else NOW + dt.timedelta(days=rng.randint(1, 6))
                status = rng.choice(["ready", "ready", "ready", "completed"])
                tasks.append(
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "case_id": i,
                        "process_id": "p" if i % 4 else "q",
                        "bpmn_id": f"Task_{k}",
                        "name": f"Passo {rng.randint(1, 4)}",
                        "role": role,
                        "form_key": "f",
                        "territory": territory,
                        "status": status,
                        "assignee": rng.choice([None, None, "anna", "bruno"]),
                        "priority": rng.choice([0, 0, 1, -1]),
                        "created_at": NOW - dt.timedelta(hours=rng.randint(0, 3)),
                        "due_at": due,
                        "due_sort": due or NO_DUE,
                        "completed_at": NOW if status == "completed" else None,
                        "completed_by": "bruno" if status == "completed" else None,
                        "context": {},
                        "audience": audience,
                        "organisation_id": rng.choice(FIRMS) if audience == "organisation" else None,
                    }
                )
            conn.execute(insert(tables.human_task), tasks)


FILTERS = [
    TaskFilter(),
    TaskFilter(sort="-due"),
    TaskFilter(sort="priority"),
    TaskFilter(sort="-priority"),
    TaskFilter(sort="created"),
    TaskFilter(sort="-created"),
    TaskFilter(sort="name"),
    TaskFilter(status=None),
    TaskFilter(status=TaskStatus.COMPLETED, completed_by="bruno", sort="-completed"),
    TaskFilter(assignee="anna"),
    TaskFilter(unassigned=True),
    TaskFilter(process_id="q"),
    TaskFilter(case_id=7),
    TaskFilter(due_before=NOW + dt.timedelta(days=3)),
    TaskFilter(due_after=NOW + dt.timedelta(days=3), sort="-due"),
    TaskFilter(case_title="rosso"),
    TaskFilter(roles=("tutor_aziendale",)),
]


def matches(t: TaskView, f: TaskFilter, titles: dict[int, str]) -> bool:
    due = t.due_at
    return (
        (f.status is None or t.status is f.status)
        and (f.roles is None or t.role in f.roles)
        and (f.assignee is None or t.assignee == f.assignee)
        and (not f.unassigned or t.assignee is None)
        and (f.case_id is None or t.case_id == f.case_id)
        and (f.process_id is None or t.process_id == f.process_id)
        and (f.due_before is None or (due is not None and due <= f.due_before))
        and (f.due_after is None or (due is not None and due >= f.due_after))
        and (f.completed_by is None or t.completed_by == f.completed_by)
        and (not f.case_title or f.case_title in titles[t.case_id])
    )


def ordered(tasks: list[TaskView], sort: str) -> list[TaskView]:
    def due(t: TaskView) -> dt.datetime:
        return t.due_at or NO_DUE

    out = sorted(tasks, key=lambda t: (t.created_at, t.id))
    keys: dict[str, list[tuple[Callable[[TaskView], object], bool]]] = {
        "due": [(due, False)],
        "-due": [(due, True)],
        "priority": [(due, False), (lambda t: t.priority, True)],
        "-priority": [(due, False), (lambda t: t.priority, False)],
        "created": [(lambda t: t.created_at, False)],
        "-created": [(lambda t: t.created_at, True)],
        "name": [(lambda t: t.name, False)],
        "-completed": [(lambda t: t.completed_at, True)],
    }
    for key, reverse in keys[sort]:  # least significant first: each sort is stable
        out.sort(key=key, reverse=reverse)  # type: ignore[arg-type]
    return out


@pytest.fixture
def filled(engine: Engine) -> Engine:
    populate(engine)
    return engine


def expected(engine: Engine, actor: Actor, f: TaskFilter) -> list[str]:
    everything = engine.tasks.query(TaskFilter(status=None), actor=CLI_OPERATOR, limit=10_000)
    titles = {c.id: c.title for c in engine.cases.list(actor=CLI_OPERATOR, limit=10_000)}
    ctx = engine.tasks._ctx
    with ctx.uow(write=False) as uow:
        offered = [t for t in everything if may_work(uow, actor, t) and matches(t, f, titles)]
    return [t.id for t in ordered(offered, f.sort)]


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: "+".join(f"{r}@{t or '*'}" for r, t in sorted(a.grants)))
def test_the_page_lists_exactly_what_is_offered_in_the_sorts_order(filled: Engine, actor: Actor) -> None:
    shown_any = False
    for f in FILTERS:
        if f.roles is not None and not set(f.roles) <= actor.roles:
            continue
        want = expected(filled, actor, f)
        got = [t.id for t in filled.tasks.query(f, actor=actor, limit=10_000)]
        assert got == want, f
        assert filled.tasks.count(f, actor=actor) == len(want), f  # the badge counts what is listed
        shown_any = shown_any or bool(want)
        pages = [filled.tasks.query(f, actor=actor, limit=7, offset=o) for o in range(0, len(want) + 7, 7)]
        assert [t.id for page in pages for t in page] == want, f
    assert shown_any


def test_the_statement_is_built_once_per_shape(filled: Engine) -> None:
    from engine.adapters import inbox_query

    actor = ACTORS[1]
    filled.tasks.query(TaskFilter(), actor=actor, limit=5)
    before = inbox_query.statement.cache_info()
    for offset in (0, 5, 10):
        filled.tasks.query(TaskFilter(), actor=actor, limit=5, offset=offset)
    another = dataclasses.replace(TaskFilter(), unassigned=True, process_id="q", sort="name")
    filled.tasks.query(another, actor=actor, limit=5)
    after = inbox_query.statement.cache_info()
    assert after.hits - before.hits == 3
    assert after.misses - before.misses == 1  # the other filters are another shape


@pytest.mark.postgres_only  # round trips to a server (SQLite: no wire protocol to trace)
def test_an_inbox_page_and_its_count_are_one_round_trip_each_on_postgresql(
    filled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ping of a connection in use, no BEGIN/ROLLBACK, the person's organisations read inside
    the statement: one round trip, whatever the load (libpq's trace of the wire protocol)."""
    assert filled.db.dialect.name == "postgresql"
    from benchmarks.common import round_trips
    from engine.adapters import unit_of_work
    from engine.adapters.unit_of_work import make_db_engine

    carla = ACTORS[2]  # two lanes, case teams and two organisations
    want = filled.tasks.query(TaskFilter(), actor=carla, limit=7)
    with round_trips(filled) as page:
        assert filled.tasks.query(TaskFilter(), actor=carla, limit=7) == want
    with round_trips(filled) as count:
        filled.tasks.count(TaskFilter(), actor=carla)
    assert (page[0], count[0]) == (1, 1)
    with filled.tasks._ctx.uow() as uow:  # the same pooled connection, back in a transaction for a command
        assert uow.conn.connection.driver_connection.autocommit is False

    # a connection left idle is pinged first; one the server dropped meanwhile is replaced
    monkeypatch.setattr(unit_of_work, "PING_AFTER_IDLE", 0.0)
    with round_trips(filled) as pinged:
        filled.tasks.query(TaskFilter(), actor=carla, limit=7)
    assert pinged[0] == 2
    with filled.db.connect() as pooled:  # the pool's one connection, dropped by the server
        admin = make_db_engine(filled.db.url.render_as_string(hide_password=False))
        with admin.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({pooled.connection.driver_connection.info.backend_pid})")
        admin.dispose()
    assert filled.tasks.query(TaskFilter(), actor=carla, limit=7) == want


@pytest.mark.parametrize("sort", ["due", "-created", "name"])
def test_a_coordinator_supervises_every_task_of_their_territories(filled: Engine, sort: str) -> None:
    """The coordinator's "all" list (``supervised``): every open task of the territories where
    they supervise the work, whatever its lane, audience or assignee (what they may reassign or
    route); a coordinator of every territory sees them all; who supervises nothing is refused."""
    from engine.errors import Forbidden

    everything = filled.tasks.query(TaskFilter(sort=sort), actor=CLI_OPERATOR, limit=10_000)
    supervised = TaskFilter(sort=sort, supervised=True)
    dora = ACTORS[3]  # coordinator of T2
    got = [t.id for t in filled.tasks.query(supervised, actor=dora, limit=10_000)]
    assert got == [t.id for t in everything if (t.territory or "") in ("T2", "")]
    assert {t.role for t in everything if t.id in got} > {"coordinatore"}  # not only the coordinator's lane
    assert filled.tasks.count(supervised, actor=dora) == len(got)
    ezio = ACTORS[4]  # coordinator everywhere
    assert [t.id for t in filled.tasks.query(supervised, actor=ezio, limit=10_000)] == [t.id for t in everything]
    with pytest.raises(Forbidden):
        filled.tasks.query(supervised, actor=ACTORS[0], limit=10)
