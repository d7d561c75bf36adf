"""Login throttling on the real database: failures per user name and per address lock out,
successes never count, lockouts grow, a correct password is not even checked while locked out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from engine import Engine, Settings, build_engine
from engine.adapters.login_throttle_repository import SqlLoginThrottleRepository
from engine.clock import FixedClock
from engine.config import LoginLimits
from engine.errors import TooManyAttempts
from engine.model import LoginCounter
from engine.policy import CLI_OPERATOR
from engine.services.login_throttle import Key
from tests.conftest import ROOT

PASSWORD = "giusta-password"
LIMITS = LoginLimits(user_failures=3, address_failures=6, lockout_seconds=60, max_lockout_seconds=600)
pytestmark = pytest.mark.integration


@pytest.fixture
def gate(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Engine]:
    settings = Settings(database_url=db_url, processes_dir=ROOT / "processes", instance_dir=tmp_path, login=LIMITS)
    eng = build_engine(settings, clock=clock)
    for name in ("anna", "bruno", "carla"):
        eng.users.add(name, name.title(), [("assistente_sociale", "T")], password=PASSWORD, actor=CLI_OPERATOR)
    yield eng
    eng.close()


def attempt(eng: Engine, name: str, password: str, address: str = "10.0.0.1") -> str:
    try:
        return "ok" if eng.accounts.authenticate(name, password, address=address) else "wrong"
    except TooManyAttempts as refused:
        return f"locked {refused.retry_after}s"


def test_the_failure_that_reaches_the_user_limit_locks_out_and_says_for_how_long(gate: Engine) -> None:
    answers = [attempt(gate, "anna", "sbagliata") for _ in range(5)]
    assert answers == ["wrong", "wrong", "locked 60s", "locked 60s", "locked 60s"]


def test_while_locked_out_even_the_right_password_is_refused(gate: Engine, clock: FixedClock) -> None:
    for _ in range(3):
        attempt(gate, "anna", "sbagliata")
    clock.advance(seconds=30)
    assert attempt(gate, "anna", PASSWORD) == "locked 30s"
    clock.advance(seconds=31)
    assert attempt(gate, "anna", PASSWORD) == "ok"


def test_lockouts_in_a_row_grow_and_a_success_starts_over(gate: Engine, clock: FixedClock) -> None:
    lengths = []
    for _ in range(3):
        for _ in range(3):
            outcome = attempt(gate, "anna", "sbagliata", address=f"10.0.1.{len(lengths)}")
        lengths.append(outcome)
        clock.advance(minutes=10)
    assert lengths == ["locked 60s", "locked 120s", "locked 240s"]
    assert attempt(gate, "anna", PASSWORD) == "ok"
    for _ in range(3):
        outcome = attempt(gate, "anna", "sbagliata", address="10.0.2.1")
    assert outcome == "locked 60s"


def test_a_lockout_set_while_the_attempt_waited_for_its_row_is_told_from_when_the_row_was_read(
    gate: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server locks the name out while this attempt waits for the row's lock: the time to
    wait is counted from when the row was read, never longer than the lockout itself (a command's
    clock stays at the instant it began, half a second before here)."""
    real_lock = SqlLoginThrottleRepository.lock

    def waited(repo: SqlLoginThrottleRepository, keys: Sequence[Key]) -> dict[Key, LoginCounter]:
        counters = real_lock(repo, keys)
        now = clock.advance(seconds=0.5)  # the wait; meanwhile another worker locked the name out
        lockout = LoginCounter(0, 1, now + dt.timedelta(seconds=LIMITS.lockout_seconds), now)
        return {k: lockout if k[0] == "user" else c for k, c in counters.items()}

    monkeypatch.setattr(SqlLoginThrottleRepository, "lock", waited)
    assert attempt(gate, "anna", "sbagliata") == "locked 60s"


def test_another_user_from_the_same_address_still_logs_in(gate: Engine) -> None:
    for _ in range(20):
        attempt(gate, "anna", "sbagliata")
    assert attempt(gate, "bruno", PASSWORD) == "ok"  # refused attempts are not counted on the address


def test_failures_on_many_names_from_one_address_lock_the_address(gate: Engine) -> None:
    names = ["anna", "bruno", "carla", "nessuno"]
    answers = [attempt(gate, names[i % 4], "sbagliata") for i in range(6)]
    assert answers[:5] == ["wrong"] * 5 and answers[5] == "locked 60s"
    assert attempt(gate, "carla", PASSWORD) == "locked 60s"
    assert attempt(gate, "carla", PASSWORD, address="10.9.9.9") == "ok"


def test_an_office_behind_one_address_logs_in_all_at_once(gate: Engine) -> None:
    """Only failures count: correct logins from one address, well over its limit, all pass."""
    logins = [attempt(gate, ("anna", "bruno", "carla")[i % 3], PASSWORD) for i in range(LIMITS.address_failures + 4)]
    assert logins == ["ok"] * len(logins)
    assert attempt(gate, "nessuno", "x") == "wrong"  # and the address has no failure on record


def test_a_quiet_address_is_forgotten(gate: Engine, clock: FixedClock) -> None:
    for _ in range(2):
        attempt(gate, "anna", "sbagliata")
    clock.advance(seconds=LIMITS.forget_after_seconds)
    assert [attempt(gate, "anna", "sbagliata") for _ in range(3)] == ["wrong", "wrong", "locked 60s"]


def test_unknown_names_are_throttled_like_real_ones(gate: Engine) -> None:
    assert [attempt(gate, "nessuno", "x") for _ in range(3)] == ["wrong", "wrong", "locked 60s"]


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPRESA_LOGIN_USER_FAILURES", "7")
    monkeypatch.setenv("IMPRESA_LOGIN_LOCKOUT_SECONDS", "30")
    assert dataclasses.astuple(LoginLimits.from_env()) == (7, 20, 30, 3600, 3600)
