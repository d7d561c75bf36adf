"""Web fixtures: the demo users and the real process library on the test database (SQLite or
PostgreSQL, through the shared ``engine`` fixture), the Flask app around that engine, logged-in
test clients, and a helper that walks a beneficiary case with the forms' valid samples."""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, insert, select, text

from engine import Engine
from engine.adapters.tables import metadata
from engine.clock import FixedClock
from engine.demo import DEMO_PASSWORD, DEMO_USERS, OPERATOR, TERRITORY
from engine.model import CaseView, TaskView
from engine.policy import CLI_OPERATOR
from tests.support.people import ensure_person
from tests.unit import test_forms_f1_f2, test_forms_f3_f5
from tests.web.live import close_chromium
from web import create_app
from web.security import SESSION_KEY

VALID: dict[str, dict[str, Any]] = {**test_forms_f3_f5.VALID, **test_forms_f1_f2.VALID}
ROLE_USER = {role: username for username, (_, role, _) in DEMO_USERS.items()}
# The path of a beneficiary case from referral to the design phase (F2 → scheda ingresso → F3).
F2_STEPS = [
    "UT_segnalazione",
    "UT_informativa",
    "UT_verifica_documenti",
    "UT_analisi_preliminare",
    "UT_did_psp",
    "UT_conferma_esito",
    "UT_comunicazione_esito",
    "Task_scheda_ingresso",
]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def one_chromium_per_process() -> Iterator[None]:
    """The browser tests share one Chromium per test process (``tests/web/live.py``): closed here."""
    yield
    close_chromium()


@pytest.fixture
def demo(engine: Engine, clock: FixedClock) -> Engine:
    """The demo users (no passwords: hashing is slow; see ``with_password``), the library, and
    an active partnership in the demo territory.

    Set up through the engine by the first test of this process (per database kind and clock
    instant), whose rows are then kept; each later test gets those rows inserted into its empty
    database (a few milliseconds, where deploying the library again took ~0.3 s of 600 queries)."""
    key = (engine.db.dialect.name, clock.now())
    if key not in _DEMO_ROWS:
        for username, (name, role, territory) in DEMO_USERS.items():
            engine.users.add(username, name, [(role, territory)], actor=CLI_OPERATOR)
        engine.design.deploy(actor=OPERATOR, note="web tests")
        engine.registry.set_partnership(TERRITORY, True, actor=engine.users.get("coordinatore", actor=CLI_OPERATOR))
        with engine.db.connect() as conn:
            _DEMO_ROWS[key] = [(t, [dict(r._mapping) for r in conn.execute(select(t))]) for t in metadata.sorted_tables]
        return engine
    with engine.db.begin() as conn:
        for table, rows in _DEMO_ROWS[key]:
            if rows:
                conn.execute(insert(table), rows)
        if conn.dialect.name == "postgresql":  # the next ids follow the rows, as after the real set-up
            for table, rows in _DEMO_ROWS[key]:
                if rows and (column := table.autoincrement_column) is not None:
                    conn.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, :c), :n)"),
                        {"t": table.name, "c": column.name, "n": max(r[column.name] for r in rows)},
                    )
    return engine


# The demo set-up's rows (every table, in foreign-key order) by database kind and clock instant.
_DEMO_ROWS: dict[tuple[str, dt.datetime], list[tuple[Table, list[dict[str, Any]]]]] = {}


@pytest.fixture
def with_password(demo: Engine) -> Callable[[str], str]:
    def give(username: str) -> str:
        demo.accounts.set_password(username, DEMO_PASSWORD, actor=CLI_OPERATOR)
        return DEMO_PASSWORD

    return give


def make_app(engine: Engine, **config: Any) -> Flask:
    """The app around ``engine`` with the tests' settings and ``config``.

    Building one costs about 0.2 s of CPU (some 180 URL rules compiled, the OpenAPI document
    generated), and the app keeps no state of its own between requests but its engine
    (``app.extensions["engine"]``): so each test process builds one app per settings and lends
    it to each later test with that test's engine. Within one test an app is lent once: a second
    engine with the same settings gets an app of its own."""
    settings = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}
    settings.update(config)
    # settings.configure reads these from the environment: an app built under others is not lent
    env = tuple(os.environ.get(name) for name in ("IMPRESA_SECURE_COOKIES", "IMPRESA_TRUSTED_PROXIES"))
    key = (tuple(sorted((name, repr(value)) for name, value in settings.items())), env)
    app = _APPS.get(key)
    if app is None or (key in _LENT and app.extensions["engine"] is not engine):
        app = create_app(engine, settings)
        _APPS.setdefault(key, app)
    app.extensions["engine"] = engine
    _LENT.add(key)
    return app


# The apps built so far by their settings, and the settings whose app this test has been lent.
_APPS: dict[tuple[Any, ...], Flask] = {}
_LENT: set[tuple[Any, ...]] = set()


@pytest.fixture(autouse=True)
def apps_lent_per_test() -> Iterator[None]:
    _LENT.clear()
    yield
    _LENT.clear()


@pytest.fixture
def app(demo: Engine) -> Flask:
    return make_app(demo)


def login_as(client: FlaskClient, username: str) -> FlaskClient:
    """Sign the client in as the user, as a login would: a server-side session in the cookie."""
    engine: Engine = client.application.extensions["engine"]
    session_id = engine.accounts.open_session(actor=engine.users.get(username, actor=CLI_OPERATOR))
    with client.session_transaction() as session:
        session[SESSION_KEY] = session_id
    return client


@pytest.fixture
def client_for(app: Flask) -> Callable[[str], FlaskClient]:
    def make(username: str) -> FlaskClient:
        return login_as(app.test_client(), username)

    return make


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def start_case(engine: Engine, title: str = "BEN-0001") -> CaseView:
    return engine.cases.start(
        "percorso_beneficiario",
        {"territorio": TERRITORY, "beneficiario_pseudonimo": title},
        actor=engine.users.get("assistente", actor=CLI_OPERATOR),
    )


def open_task(engine: Engine, case_id: int, bpmn_id: str | None = None) -> TaskView:
    tasks = engine.cases.get(case_id, actor=CLI_OPERATOR).open_tasks
    found = [t for t in tasks if bpmn_id is None or t.bpmn_id == bpmn_id]
    assert found, f"{bpmn_id} is not open; open: {[t.bpmn_id for t in tasks]}"
    return found[0]


def advance(engine: Engine, case_id: int, until: str) -> TaskView:
    """Complete the F2 steps with valid samples until ``until`` is the open task; the person is
    recorded (unless the case has a record already) before the assessment is completed, which
    takes the age from the record's birth date."""
    for step in F2_STEPS:
        task = open_task(engine, case_id, step)
        if step == until:
            return task
        if step == "UT_analisi_preliminare":
            ensure_person(engine, case_id, engine.users.get(ROLE_USER["assistente_sociale"], actor=CLI_OPERATOR))
        actor = engine.users.get(ROLE_USER[task.role or ""], actor=CLI_OPERATOR)
        engine.tasks.complete(task.id, copy.deepcopy(VALID[task.form_key or ""]), actor=actor)
    return open_task(engine, case_id)
