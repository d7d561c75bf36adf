"""``Engine``: the one object web/, the CLI, the scheduler and tests hold.

It owns the private context (database, clock, script sandbox, caches, notification sender) and
exposes it through small area objects — ``engine.cases``, ``engine.tasks``, ``engine.design``,
``engine.audit``, ``engine.accounts``, ``engine.users``, ``engine.registry``, ``engine.messages``,
``engine.timers``, ``engine.people``, ``engine.teams``, ``engine.enterprises``, ``engine.reports`` — plus
``tick()``, the scheduler's one use case. ``bootstrap.build_engine`` builds it; nothing here holds
business logic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import Protocol

from engine.adapters import metrics
from engine.adapters.unit_of_work import Database
from engine.areas.accounts import Accounts, Users
from engine.areas.audit import Audit
from engine.areas.cases import Cases
from engine.areas.clock import Messages, Timers
from engine.areas.design import Design
from engine.areas.enterprises import Enterprises
from engine.areas.people import People
from engine.areas.registry import Registry
from engine.areas.reports import Reports
from engine.areas.tasks import Tasks
from engine.areas.teams import Teams
from engine.model import Actor, OperationalFigures, TickReport
from engine.policy import SCHEDULER
from engine.services import operations
from engine.services.context import Context


class Heartbeat(Protocol):
    """A running scheduler: started once, shut down at exit."""

    def start(self) -> None: ...
    def shutdown(self, wait: bool = True) -> None: ...


SchedulerFactory = Callable[[Callable[[], TickReport], float, bool], Heartbeat]


class Engine:
    cases: Cases
    tasks: Tasks
    design: Design
    audit: Audit
    accounts: Accounts
    users: Users
    registry: Registry
    messages: Messages
    timers: Timers
    people: People
    teams: Teams
    enterprises: Enterprises
    reports: Reports
    # the SQLAlchemy engine, for tests and benchmarks that set up rows directly
    db: Database

    def __init__(self, ctx: Context, db: Database, scheduler: SchedulerFactory) -> None:
        self._ctx = ctx
        self._scheduler = scheduler
        self.db = db
        self.cases = Cases(ctx)
        self.tasks = Tasks(ctx)
        self.design = Design(ctx)
        self.audit = Audit(ctx)
        self.accounts = Accounts(ctx)
        self.users = Users(ctx)
        self.registry = Registry(ctx)
        self.messages = Messages(ctx)
        self.timers = Timers(ctx)
        self.people = People(ctx)
        self.teams = Teams(ctx)
        self.enterprises = Enterprises(ctx)
        self.reports = Reports(ctx)

    def now(self) -> dt.datetime:
        """The engine clock's current instant (aware, UTC)."""
        return self._ctx.clock.now()

    def tick(self, *, actor: Actor) -> TickReport:
        """One pass of the clock: fire due timers, deliver waiting messages, announce overdue
        tasks, send queued notices, take the scheduled anchor. The scheduler runs it as itself
        (``engine.policy.SCHEDULER``); the console's ``impresa tick`` as its operator."""
        report = TickReport(
            timers_fired=self.timers.fire_due(actor=actor),
            messages_delivered=self.messages.deliver(actor=actor),
            overdue_announced=self.timers.queue_overdue(actor=actor),
            notifications_sent=self.timers.dispatch_notifications(actor=actor),
            anchors_taken=self.audit.anchor_on_schedule(actor=actor),
        )
        for kind, count in dataclasses.asdict(report).items():
            if count:
                metrics.TICK_WORK.labels(kind).inc(count)
        return report

    def operations(self, *, actor: Actor) -> OperationalFigures:
        """Open work and its age, the clock's backlog, running cases: counts for the metrics page."""
        return operations.figures(self._ctx, actor)

    def scheduler(self, *, interval_seconds: float = 5.0, blocking: bool = False) -> Heartbeat:
        """A scheduler that runs ``tick`` now and then every ``interval_seconds`` (not started),
        acting as the named system actor ``SCHEDULER``."""
        return self._scheduler(functools.partial(self.tick, actor=SCHEDULER), interval_seconds, blocking)

    def check_ready(self, timeout: float = 2.0) -> None:
        """Readiness: the database answers within ``timeout`` seconds (else ``StorageUnavailable``,
        or ``StorageBusy`` when it is locked)."""
        if self._ctx.storage_probe is not None:
            self._ctx.storage_probe(timeout)

    def close(self) -> None:
        """Release database connections (end of a CLI command, a test, a worker)."""
        self.db.dispose()
