"""The login throttle's arithmetic: growing lockouts with a cap, forgetting, when a failure locks."""

from __future__ import annotations

import datetime as dt

from engine.config import LoginLimits
from engine.model import LoginCounter
from engine.services.login_throttle import after_failure, current, keys_for, locked_until, lockout_length

LIMITS = LoginLimits(user_failures=3, address_failures=10, lockout_seconds=60, max_lockout_seconds=600)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_each_lockout_in_a_row_lasts_twice_the_last_up_to_the_cap() -> None:
    minutes = [lockout_length(n, LIMITS).total_seconds() / 60 for n in range(1, 7)]
    assert minutes == [1, 2, 4, 8, 10, 10]
    assert lockout_length(10_000, LIMITS) == dt.timedelta(minutes=10)


def test_the_failure_that_reaches_the_limit_locks_out_and_starts_a_new_count() -> None:
    below = after_failure(LoginCounter(failures=2, last_seen=NOW), 3, NOW, LIMITS)
    assert locked_until(below, NOW) is None and below.failures == 2
    locked = after_failure(LoginCounter(failures=3, lockouts=1, last_seen=NOW), 3, NOW, LIMITS)
    assert locked == LoginCounter(0, 2, NOW + dt.timedelta(minutes=2), NOW)
    assert locked_until(locked, NOW + dt.timedelta(minutes=2)) is None


def test_a_quiet_name_or_address_starts_over_counted_from_the_end_of_its_lockout() -> None:
    counter = LoginCounter(failures=2, lockouts=3, locked_until=NOW + dt.timedelta(minutes=8), last_seen=NOW)
    hour = dt.timedelta(seconds=LIMITS.forget_after_seconds)
    assert current(counter, NOW + hour, LIMITS) == counter  # still within an hour of the lockout's end
    assert current(counter, NOW + dt.timedelta(minutes=8) + hour, LIMITS) == LoginCounter()


def test_user_names_are_counted_case_blind_and_the_address_only_when_known() -> None:
    assert keys_for(" Mario ", "10.0.0.1") == [("user", "mario"), ("address", "10.0.0.1")]
    assert keys_for("mario", None) == [("user", "mario")]
