"""Where the engine gets "now": one injectable source, so tests move time without sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that only moves when told to (tests, replays, benchmarks)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when


class CommandClock:
    """The engine's clock: one instant per command.

    While a unit of work is open the time is frozen at the moment it began, so a command's
    scripts, timers and audit events all carry the same "now" — exactly what replay re-creates
    from the event's recorded time. Outside a command it reads the underlying clock.
    """

    def __init__(self, base: Clock) -> None:
        self.base = base
        self._frozen: ContextVar[dt.datetime | None] = ContextVar(f"frozen_now_{id(self)}", default=None)

    def now(self) -> dt.datetime:
        frozen = self._frozen.get()
        return frozen if frozen is not None else self.base.now()

    @contextmanager
    def frozen(self) -> Iterator[dt.datetime]:
        current = self._frozen.get()
        if current is not None:  # nested unit of work: keep the command's instant
            yield current
            return
        token = self._frozen.set(self.base.now())
        try:
            yield self.now()
        finally:
            self._frozen.reset(token)


def unfrozen_now(clock: Clock) -> dt.datetime:
    """The time now even inside a command, whose ``now`` stays at the instant it began: for what
    must be measured from the moment it happens, not from the command's start (a lockout read
    after waiting for its row's lock)."""
    return clock.base.now() if isinstance(clock, CommandClock) else clock.now()
