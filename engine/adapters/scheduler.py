"""The clock's heartbeat: one APScheduler interval job that runs the engine's tick.

The database holds every due time (``case_timer``), so APScheduler keeps no jobs of its own: it
only wakes up every few seconds in the ``impresa scheduler`` process, never in a web worker
(``impresa serve --with-scheduler`` starts one beside the server; several may run against one
PostgreSQL; each timer still fires once). The first tick runs at start-up, so timers that fell
due during downtime fire then, in due order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.model import TickReport

log = logging.getLogger(__name__)


def build_scheduler(
    tick: Callable[[], TickReport], interval_seconds: float = 5.0, blocking: bool = False
) -> BaseScheduler:
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    scheduler.add_job(
        _safe_tick,
        "interval",
        args=[tick],
        seconds=interval_seconds,
        id="impresa-tick",
        max_instances=1,
        coalesce=True,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    return scheduler


def _safe_tick(tick: Callable[[], TickReport]) -> TickReport | None:
    try:
        report = tick()
    except Exception:  # a bad tick is logged and the next one tries again
        log.exception("scheduler tick failed")
        return None
    if report:
        log.info("scheduler tick: %s", report)
    return report
