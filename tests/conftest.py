"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL
says so), a movable clock, the engine built on both, and actors."""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Actor, Engine, Settings, build_engine
from engine.adapters.tables import metadata
from engine.adapters.unit_of_work import make_db_engine
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
# CI's PostgreSQL run sets it: a run that would silently fall back to SQLite stops instead.
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES", "") == "1"
# pytest-xdist's worker name (gw0, gw1 …; "main" without workers): each worker has its own databases.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


# Files whose every test is slow (real processes, threads, fuzzing); browser tests are the
# test_browser_*.py files and the tests named …in_the_browser.
SLOW_FILES = {
    "test_scheduler_processes.py",
    "test_cli.py",
    "test_api_schemathesis.py",
    "test_scheduler.py",
    "test_serving.py",
    "test_kill9.py",
}
# Files whose tests build databases of their own (an old schema, then `impresa db upgrade`).
OWN_DATABASE_FILES = {"test_migrations.py", "test_state_format.py"}
# Files whose tests measure wall-clock limits or run a production server of their own: with the
# slow and the browser tests they are ``serial``, run after the parallel pass with the machine to
# themselves. The browser tests ran in the parallel pass for a while: each worker then served its
# app to its own Chromium while the other worker ran CPU-bound tests on the same 2 cores, and the
# idle CI's total grew from 377 s to 498 s (README, "Tests"); in a pass of their own, two browser
# tests share the cores well (both mostly wait on their Chromium and live server).
TIMED_FILES = {"test_script_limits.py", "test_script_limits_live.py", "test_metrics.py"}
# `make test` runs three passes: TEST_PASS=parallel (pytest-xdist workers, no serial test), then
# TEST_PASS=browser (the browser tests, in two workers of their own: each mostly waits for its
# Chromium and live server, which two of them share the cores well with), then TEST_PASS=alone
# (one process: the other serial tests, with the machine to themselves). TEST_PASS=serial
# selects every serial test (browser and alone); unset: every test, as selected.
TEST_PASS = os.environ.get("TEST_PASS", "")
PASSES = ("parallel", "browser", "alone", "serial")
# A real-process test that mostly waits, like a browser test, and whose assertions hold at any speed
# (no wall-clock limit, no race that the machine's load could tip): it runs in the browser pass, in
# the core the browser tests leave idle, instead of alone after it. kill -9 under load is about 20 s
# of waiting on its own server and clients.
BESIDE_BROWSER_FILES = {"test_kill9.py"}
# The browser pass hands its files out longest first (seconds each took in an idle run on SQLite,
# `benchmarks.suite_time`; a file not listed goes last): a long walk left for last would keep one
# worker busy while the other has nothing more to do.
BROWSER_PASS_SECONDS = {
    "test_browser_walk.py": 27,
    "test_kill9.py": 20,
    "test_browser_e2e.py": 15,
    "test_browser_layout.py": 15,
    "test_browser_findings.py": 13,
    "test_browser_modeler.py": 11,
    "test_browser_decision_tests.py": 10,
    "test_browser_dmn_editor.py": 10,
    "test_browser_person.py": 6,
    "test_browser_registry.py": 6,
    "test_browser_monitoring.py": 6,
    "test_browser_accessibility.py": 6,
    "test_browser_case_actions.py": 4,
    "test_audit_ui.py": 4,
}


def in_pass(item: pytest.Item, name: str) -> bool:
    serial = item.get_closest_marker("serial") is not None
    browser = item.get_closest_marker("browser") is not None or item.path.name in BESIDE_BROWSER_FILES
    return {"parallel": not serial, "browser": browser, "alone": serial and not browser, "serial": serial}[name]


def could_hold(path: Path, name: str) -> bool:
    """Whether the test file ``path`` may hold a test of pass ``name``, from its name and, for the
    markers a test's own name sets, its text (a word there that names no test only costs the import)."""
    if name == "parallel":  # all but the files whose every test is serial
        return not (
            path.name in SLOW_FILES | TIMED_FILES | BESIDE_BROWSER_FILES or path.name.startswith("test_browser_")
        )
    if path.name in BESIDE_BROWSER_FILES:
        return name == "browser"
    text = path.read_text(encoding="utf-8")
    browser = path.name.startswith("test_browser_") or "in_the_browser" in text
    if name == "browser":
        return browser
    slow = path.name in SLOW_FILES | TIMED_FILES or "concurrent" in text or "another_process" in text
    return name != "alone" or slow


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Each pass of ``make test`` leaves out the test files that hold none of its tests, without
    importing them: collecting the whole suite cost every pass about 4 s before its first test."""
    if TEST_PASS not in ("parallel", "browser", "alone") or collection_path.suffix != ".py":
        return None
    if not collection_path.name.startswith("test_") or could_hold(collection_path, TEST_PASS):
        return None
    return True


# scrypt's work factor for the passwords the tests' engines hash (``Settings.password_hash_n``):
# a real one costs ~0.2 s of CPU per hash and again per login, and the demo seed hashes twelve.
# Servers never use it: ``Settings.from_env`` does not read it (tests/unit/test_passwords.py).
TEST_PASSWORD_HASH_N = 2**4


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not ON_POSTGRES:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL names no PostgreSQL database")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tier markers from what each test uses: a database fixture → ``db`` (and ``postgres`` on
    PostgreSQL); a live browser → ``browser``; real processes, threads or fuzzing → ``slow``;
    those and the timed ones → ``serial``. ``TEST_PASS`` keeps one side of ``serial``. A test of
    one database's behaviour (``sqlite_only``/``postgres_only``) is deselected on the other, never
    skipped: each of CI's two runs reports its tests as passed or deselected, and no skip hides."""
    other = "sqlite_only" if ON_POSTGRES else "postgres_only"
    elsewhere = [i for i in items if i.get_closest_marker(other) is not None]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [i for i in items if i.get_closest_marker(other) is None]
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        name = item.path.name
        if fixtures & {"engine", "db_url", "pg_url", "demo"} or name in OWN_DATABASE_FILES:
            item.add_marker(pytest.mark.db)
            if ON_POSTGRES:  # this run's database tests are PostgreSQL tests (`-m postgres`)
                item.add_marker(pytest.mark.postgres)
        if name.startswith("test_browser_") or "in_the_browser" in item.name:
            item.add_marker(pytest.mark.browser)
        if name in SLOW_FILES or "concurrent" in item.name or "another_process" in item.name:
            item.add_marker(pytest.mark.slow)
        if name == "test_api_schemathesis.py":
            item.add_marker(pytest.mark.schemathesis)
        if name in TIMED_FILES or item.get_closest_marker("slow") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.serial)
    if TEST_PASS in PASSES:
        keep = [i for i in items if in_pass(i, TEST_PASS)]
        dropped = [i for i in items if i not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    if TEST_PASS == "browser":
        items.sort(key=lambda i: (-BROWSER_PASS_SECONDS.get(i.path.name, 0), str(i.path)))
    elif TEST_PASS not in ("serial", "alone"):
        # The order the workers take the files in (the Makefile passes --no-loadscope-reorder): the
        # files with most tests first; a long file left for last would keep one worker busy while
        # the other has nothing more to do.
        per_file = Counter(i.path for i in items)
        items.sort(key=lambda i: (-per_file[i.path], str(i.path)))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A private schema in the test PostgreSQL database for this session, so for each pytest-xdist
    worker (None on SQLite).

    Its connections commit without waiting for the write-ahead log to reach the disk
    (``synchronous_commit=off``, a setting of the connection): a commit is still atomic and seen
    by every later transaction, only a crash of the PostgreSQL server itself could lose the last
    few, which no test does. The tests commit thousands of times (each engine command is a
    transaction), and on a machine shared with other databases each wait for the disk is long."""
    if not ON_POSTGRES:
        yield None
        return
    schema = f"t_{WORKER}_{uuid.uuid4().hex[:12]}"
    admin = make_db_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in TEST_DATABASE_URL else "?"
    url = f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    db = make_db_engine(url)
    metadata.create_all(db)
    db.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with the current schema, created once per session: each test
    gets a copy of the file (about 1 ms) instead of creating every table again (about 100 ms)."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    db = make_db_engine(f"sqlite:///{path}")
    metadata.create_all(db)
    db.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


@pytest.fixture
def db_url(tmp_path: Path, pg_url: str | None, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database with the current schema: a copy of the session's SQLite template,
    or the session's PostgreSQL schema with every table emptied."""
    if pg_url is None:
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    request.getfixturevalue("pg_emptying")()
    return pg_url


@pytest.fixture(scope="session")
def pg_emptying(pg_url: str) -> Iterator[Callable[[], None]]:
    """Empties every table of the session's schema and restarts the id sequences that were used,
    as ``TRUNCATE … RESTART IDENTITY`` would, in one round trip on a connection of the session.

    DELETE on a handful of rows takes a few milliseconds where TRUNCATE of forty tables takes a few
    hundred (it recreates their files), and so did ``ALTER SEQUENCE … RESTART`` (about 5 ms for
    the twenty sequences, each given a new file, and a commit that waits for them): ``setval`` to
    the start value writes the sequence in place, and only the sequences used since
    (``pg_sequences.last_value`` is NULL until a value is taken). The connection is the session's
    (an engine built per test paid a new connection and SQLAlchemy's first-connect queries); the
    statements run in autocommit, so as one implicit transaction, and leave no transaction open."""
    deletes = [f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables)]
    restarts = (
        "SELECT setval(quote_ident(sequencename)::regclass, start_value, false) FROM pg_sequences "
        "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    statement = "; ".join([*deletes, restarts])
    db = make_db_engine(pg_url)

    def empty() -> None:
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(statement)

    yield empty
    db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def engine_factory(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Builds engine instances on the test database and clock, as separate server processes would
    (each parses its own specs and keeps its own caches); all are closed at the end of the test."""
    settings = Settings(
        database_url=db_url,
        processes_dir=ROOT / "processes",
        instance_dir=tmp_path / "instance",
        password_hash_n=TEST_PASSWORD_HASH_N,
    )
    built: list[Engine] = []

    def make() -> Engine:
        built.append(build_engine(settings, clock=clock))
        return built[-1]

    yield make
    for eng in built:
        eng.close()


@pytest.fixture
def engine(engine_factory: Callable[[], Engine]) -> Engine:
    return engine_factory()


DESIGNER = Actor("designer", frozenset({"progettista", "coordinatore"}))


@pytest.fixture
def actor() -> Callable[..., Actor]:
    def make(*roles: str, territory: str | None = None, name: str | None = None) -> Actor:
        return Actor(
            name or f"user_{'_'.join(roles)}", frozenset(roles), frozenset({territory}) if territory else frozenset()
        )

    return make


@pytest.fixture
def deploy(engine: Engine) -> Callable[..., None]:
    """Deploy generated or given diagrams: deploy(("name.bpmn", xml_bytes), ...)."""

    def run(*files: tuple[str, bytes]) -> None:
        engine.design.deploy([SourceFile(n, c) for n, c in files], actor=DESIGNER)

    return run
