"""Login throttling by user name and by client address, with its state in the database.

Every server process and every server share the counters (``login_throttle`` rows), so the limits
hold however many workers answer. Only failures count: an office of thirty people behind one
address can all log in at nine.

An attempt is checked in three steps, so the password hash (slow on purpose) is never computed
inside a database transaction:

1. ``reserve`` (one short transaction, the rows locked): refused with ``TooManyAttempts`` when the
   name or the address is locked out, or when the failures already counted plus the attempts
   still being checked reach a limit; otherwise the attempt is counted as a failure in advance.
   Attempts on other workers therefore cannot slip past a limit while this one is checked.
2. the password is checked (no transaction);
3. ``settle``: a success gives the reservation back (and clears the user name's record); a
   failure that reaches a limit locks the name or address out, for ``lockout_seconds`` the first
   time and twice as long at each further lockout in a row, up to ``max_lockout_seconds``.

A name or address quiet for ``forget_after_seconds`` (after its last failure or lockout) starts
over. A refused attempt checks no password and is not counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from engine import errors
from engine.clock import unfrozen_now
from engine.config import LoginLimits
from engine.model import LoginCounter
from engine.services.context import Context

Key = tuple[str, str]  # (scope, key): ("user", name) or ("address", client address)
MAX_KEY = 200


def keys_for(username: str, address: str | None) -> list[Key]:
    keys: list[Key] = [("user", username.strip().lower()[:MAX_KEY])]
    if address:
        keys.append(("address", address[:MAX_KEY]))
    return keys


def limit_for(scope: str, limits: LoginLimits) -> int:
    return limits.user_failures if scope == "user" else limits.address_failures


def current(counter: LoginCounter, now: dt.datetime, limits: LoginLimits) -> LoginCounter:
    """The counter as it stands now: a quiet one starts over."""
    quiet_since = max((t for t in (counter.last_seen, counter.locked_until) if t is not None), default=None)
    if quiet_since is not None and now - quiet_since >= dt.timedelta(seconds=limits.forget_after_seconds):
        return LoginCounter()
    return counter


def locked_until(counter: LoginCounter, now: dt.datetime) -> dt.datetime | None:
    return counter.locked_until if counter.locked_until is not None and counter.locked_until > now else None


def lockout_length(lockouts: int, limits: LoginLimits) -> dt.timedelta:
    """The ``lockouts``-th lockout in a row (1, 2, …) lasts twice the one before."""
    seconds = limits.lockout_seconds * 2 ** min(max(lockouts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, limits.max_lockout_seconds))


def after_failure(counter: LoginCounter, limit: int, now: dt.datetime, limits: LoginLimits) -> LoginCounter:
    """A failure confirmed (its reservation already counted): lock out once the limit is reached."""
    if locked_until(counter, now) is not None or counter.failures < limit:
        return dataclasses.replace(counter, last_seen=now)
    lockouts = counter.lockouts + 1
    return LoginCounter(0, lockouts, now + lockout_length(lockouts, limits), now)


def reserve(ctx: Context, keys: Sequence[Key]) -> None:
    """Step 1: refuse a locked-out name or address, else count this attempt as a failure."""
    limits = ctx.settings.login
    with ctx.uow() as uow:
        locked = uow.login_throttle.lock(keys)
        now = unfrozen_now(ctx.clock)  # after the wait for the rows: a lockout set meanwhile began before it
        counters = {k: current(c, now, limits) for k, c in locked.items()}
        retry_at = max((t for c in counters.values() if (t := locked_until(c, now))), default=None)
        if retry_at is None and any(c.failures >= limit_for(k[0], limits) for k, c in counters.items()):
            # as many attempts as the limit are still being checked: one of them will lock out
            retry_at = now + lockout_length(1, limits)
        if retry_at is not None:
            raise errors.TooManyAttempts("too many failed logins; retry later", retry_at, now)
        for key, counter in counters.items():
            uow.login_throttle.save(key, dataclasses.replace(counter, failures=counter.failures + 1, last_seen=now))
        uow.commit()


def settle(ctx: Context, keys: Sequence[Key], *, success: bool | None) -> None:
    """Step 3: give the reservation back after a success (``None``: no answer, e.g. the database
    failed); after a failure, lock out at a limit (``TooManyAttempts`` tells this very attempt
    when to retry)."""
    limits = ctx.settings.login
    with ctx.uow() as uow:
        counters = uow.login_throttle.lock(keys)
        now = unfrozen_now(ctx.clock)  # after the wait for the rows, as in ``reserve``
        retry_at = None
        for key, counter in counters.items():
            if success and key[0] == "user":
                counter = LoginCounter(last_seen=now)
            elif success is not False:
                counter = dataclasses.replace(counter, failures=max(counter.failures - 1, 0))
            else:
                counter = after_failure(counter, limit_for(key[0], limits), now, limits)
                retry_at = max(filter(None, (retry_at, locked_until(counter, now))), default=None)
            uow.login_throttle.save(key, counter)
        uow.commit()
    if retry_at is not None:
        raise errors.TooManyAttempts("too many failed logins; retry later", retry_at, now)
