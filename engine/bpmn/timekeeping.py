"""Makes SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow computes and checks timer due times with ``datetime.now(timezone.utc)`` inside its
timer module. That module's ``datetime`` is replaced, once, by a subclass whose ``now()`` asks
the clock bound to the current context (``using_clock``), falling back to the real time outside
the engine. So one injectable clock drives scripts, audit times and BPMN timers alike, and tests
move time without sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer

_NOW: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("_engine_now", default=None)


class _ClockedDatetime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _ClockedDatetime:
        source = _NOW.get()
        current = source() if source is not None else dt.datetime.now(dt.UTC)
        # Like datetime.now(): aware in ``tz`` when given, else naive local time.
        current = current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)
        return cls(
            current.year,
            current.month,
            current.day,
            current.hour,
            current.minute,
            current.second,
            current.microsecond,
            current.tzinfo,
        )


def install() -> None:
    """Point SpiffWorkflow's timer module at the clocked datetime (idempotent)."""
    if _timer.datetime is not _ClockedDatetime:
        _timer.datetime = _ClockedDatetime


@contextmanager
def using_clock(now: Callable[[], dt.datetime]) -> Iterator[None]:
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


install()
