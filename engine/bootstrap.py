"""Wires the engine: settings → database engine, unit-of-work factory, clock, sandbox, caches."""

from __future__ import annotations

from engine.adapters.scheduler import build_scheduler
from engine.adapters.senders import sender_from_setting
from engine.adapters.tables import metadata
from engine.adapters.unit_of_work import Database, SqlAlchemyUnitOfWork, make_db_engine, probe
from engine.application import Engine
from engine.bpmn.runner import Runner
from engine.bpmn.script_pool import pool_for
from engine.bpmn.scripting import build_script_engine
from engine.clock import Clock, CommandClock, SystemClock
from engine.config import Settings
from engine.services.context import Context, script_limits
from engine.services.notifications import Sender
from engine.services.processes import load_parameters


def build_engine(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    sender: Sender | None = None,
) -> Engine:
    """The engine on ``settings`` (default: from the environment); ``clock``, ``db`` and the
    notification ``sender`` may be injected (tests, benchmarks), else they come from settings."""
    settings = settings or Settings.from_env()
    command_clock = CommandClock(clock or SystemClock())
    db = db or make_db_engine(settings.database_url, echo=settings.echo_sql, busy_timeout=settings.busy_timeout_seconds)
    parameters = load_parameters(settings.processes_dir)
    limits = script_limits(settings)
    runner = Runner(build_script_engine(command_clock.now, parameters, limits), command_clock.now)
    pool_for(limits).prestart()  # the first script of this process should not wait for a worker

    def uow(write: bool = True, wait: bool = True, transaction: bool = True) -> SqlAlchemyUnitOfWork:
        # One instant per command: scripts, timers and events of a transaction share its "now".
        return SqlAlchemyUnitOfWork(db, write=write, wait=wait, transaction=transaction, scope=command_clock.frozen)

    ctx = Context(
        settings=settings,
        uow=uow,
        clock=command_clock,
        runner=runner,
        parameters=parameters,
        sender=sender if sender is not None else sender_from_setting(settings.notify),
        storage_probe=lambda timeout: probe(db, timeout, settings.busy_timeout_seconds),
    )
    return Engine(ctx, db, build_scheduler)


def create_schema(engine: Engine) -> None:
    """Create all tables directly (tests); production databases use ``impresa db upgrade``."""
    metadata.create_all(engine.db)
