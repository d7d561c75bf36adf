"""Serving for many users: health endpoints, a busy database answered 503 with Retry-After (never
409), reads that never wait for writers, ``impresa serve``'s settings, and login throttling that
holds across four gunicorn worker processes."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask.testing import FlaskClient

from engine import Engine, Settings, build_engine
from engine.cli import main as cli
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.conftest import ROOT
from tests.support.served import served
from web import create_app

pytestmark = pytest.mark.integration
PASSWORD = "password-giusta"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _app(db_url: str, tmp_path: Path, busy: float = 10.0) -> tuple[Engine, FlaskClient]:
    """An app on its own engine, whose commands wait ``busy`` seconds for a lock."""
    settings = Settings(
        database_url=db_url, processes_dir=ROOT / "processes", instance_dir=tmp_path, busy_timeout_seconds=busy
    )
    eng = build_engine(settings, clock=FixedClock())
    return eng, create_app(eng, {"SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}).test_client()


@contextmanager
def sqlite_write_lock(db_url: str) -> Iterator[None]:
    """Another process's writer holding SQLite's write lock (a stuck or very long command)."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def test_live_ready_and_the_old_health_answer_when_the_database_does(db_url: str, tmp_path: Path) -> None:
    eng, client = _app(db_url, tmp_path)
    for path in ("/health/live", "/health/ready", "/health"):
        response = client.get(path)
        assert (response.status_code, response.get_json()) == (200, {"status": "ok"}), path
    eng.close()


def test_an_unreachable_database_is_not_ready_and_nobody_learns_where_it_lives(tmp_path: Path) -> None:
    url = "postgresql+psycopg://impresa@127.0.0.1:9/impresa"  # nothing listens on port 9
    eng, client = _app(url, tmp_path)
    assert client.get("/health/live").status_code == 200  # the process itself is fine
    for path in ("/health/ready", "/health", "/api/v1/cases", "/login"):
        if path == "/login":
            response = client.post(path, data={"username": "a", "password": "b"})
        else:
            response = client.get(path, headers={"Authorization": "Bearer ipn_abcdefghijklmnop"})
        body = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30", path
        assert "127.0.0.1" not in body and ":9" not in body and "psycopg" not in body, path
    eng.close()


@pytest.mark.sqlite_only  # SQLite's single write lock (PostgreSQL: row locks, tested below)
def test_a_locked_sqlite_database_is_503_with_retry_after_and_reads_do_not_wait(db_url: str, tmp_path: Path) -> None:
    eng, client = _app(db_url, tmp_path, busy=0.5)
    eng.users.add("op", "Operatore", [("coordinatore", "")], actor=CLI_OPERATOR)
    _, token = eng.accounts.create_token("t", actor=eng.users.get("op", actor=CLI_OPERATOR))
    auth = {"Authorization": f"Bearer {token}"}
    with sqlite_write_lock(db_url):
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.get_json() == {"status": "busy"}
        started = time.monotonic()
        assert client.get("/api/v1/cases", headers=auth).status_code == 200  # a read with a token
        assert client.get("/api/v1/tokens", headers=auth).status_code == 200
        assert time.monotonic() - started < 0.5  # never waited for the lock
        write = client.post("/api/v1/tokens", json={"name": "nuovo"}, headers=auth)
        assert write.status_code == 503 and write.headers["Retry-After"] == "5"
        assert write.get_json()["type"].endswith("storage_busy")
    assert client.post("/api/v1/tokens", json={"name": "nuovo"}, headers=auth).status_code == 201
    eng.close()


def test_a_token_records_its_last_use_at_most_once_a_minute(engine: Engine, clock: FixedClock) -> None:
    engine.users.add("op", "Operatore", [("coordinatore", "")], actor=CLI_OPERATOR)
    op = engine.users.get("op", actor=CLI_OPERATOR)
    _, token = engine.accounts.create_token("t", actor=op)
    engine.accounts.actor_for_token(token)
    first = engine.accounts.tokens(actor=op)[0].last_used_at
    clock.advance(seconds=30)
    engine.accounts.actor_for_token(token)
    assert engine.accounts.tokens(actor=op)[0].last_used_at == first
    clock.advance(seconds=31)
    engine.accounts.actor_for_token(token)
    assert engine.accounts.tokens(actor=op)[0].last_used_at > first


def test_serve_refuses_a_worker_timeout_that_would_kill_requests_waiting_for_a_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMPRESA_DB_BUSY_SECONDS", "30")
    result = CliRunner().invoke(cli, ["serve", "--timeout", "40"])
    assert result.exit_code == 2
    assert "worker timeout (40s) must exceed the database busy timeout (30s) by at least 20s" in result.output


def test_sixty_wrong_passwords_over_four_workers_are_throttled_as_configured(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """Four gunicorn workers, eight clients guessing at once: the failures are counted in the
    database, so at most the configured number of guesses is ever checked; the same address
    still logs another user in."""
    engine.users.add("anna", "Anna", [("assistente_sociale", "T")], password=PASSWORD, actor=CLI_OPERATOR)
    engine.users.add("bruno", "Bruno", [("assistente_sociale", "T")], password=PASSWORD, actor=CLI_OPERATOR)
    limit = 6
    with served(db_url, tmp_path / "server", workers=4, env={"IMPRESA_LOGIN_USER_FAILURES": str(limit)}) as server:

        def login(username: str, password: str) -> requests.Response:
            session = requests.Session()
            token = CSRF.search(session.get(f"{server.url}/login", timeout=30).text)
            assert token is not None
            form = {"username": username, "password": password, "csrf_token": token.group(1)}
            return session.post(f"{server.url}/login", data=form, allow_redirects=False, timeout=30)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: login("anna", f"tentativo-{i}"), range(60)))
        codes = [a.status_code for a in answers]
        assert set(codes) == {401, 429} and codes.count(401) <= limit - 1, codes
        assert codes.count(429) >= 60 - (limit - 1)
        assert all(0 < int(a.headers["Retry-After"]) <= 60 for a in answers if a.status_code == 429)
        told = re.compile(r"Riprova tra \d+ (secondi|minuto|minuti), alle \d\d:\d\d\.")
        assert all(told.search(a.text) for a in answers if a.status_code == 429)
        assert login("bruno", PASSWORD).status_code == 302
        assert login("anna", PASSWORD).status_code == 429  # still locked out


@pytest.mark.postgres_only  # PostgreSQL's lock timeout (SQLite: its write lock, above)
def test_a_row_lock_held_too_long_on_postgresql_is_503_not_a_hang(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """A new token references its user: while another transaction holds that row for update,
    the insert waits for the lock only ``busy`` seconds, then 503 with Retry-After."""
    engine.users.add("op", "Operatore", [("coordinatore", "")], actor=CLI_OPERATOR)
    _, token = engine.accounts.create_token("t", actor=engine.users.get("op", actor=CLI_OPERATOR))
    eng, client = _app(db_url, tmp_path, busy=0.5)
    with engine.db.begin() as conn:
        conn.exec_driver_sql("SELECT 1 FROM app_user WHERE username = 'op' FOR UPDATE")
        started = time.monotonic()
        response = client.post("/api/v1/tokens", json={"name": "x"}, headers={"Authorization": f"Bearer {token}"})
        waited = time.monotonic() - started
    eng.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert waited < 5
