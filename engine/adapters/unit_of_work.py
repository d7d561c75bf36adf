"""The SQLAlchemy unit of work: one connection, one transaction, rolled back unless committed.

On SQLite a writing unit of work starts with ``BEGIN IMMEDIATE``: two writers then queue on
the database lock instead of both reading a snapshot and failing at their first write.
Database errors that mean "someone else got there first" (unique violations, serialization
failures, a still-locked SQLite file) become ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Self

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from engine.adapters.account_repository import SqlAccessLogRepository, SqlAccountRepository
from engine.adapters.draft_repository import SqlDraftRepository
from engine.adapters.person_repository import SqlPersonRepository
from engine.adapters.registry_repository import SqlRegistryRepository
from engine.adapters.repository import (
    SqlAnchorRepository,
    SqlCaseRepository,
    SqlEventRepository,
    SqlPartnershipRepository,
    SqlProcessRepository,
    SqlTaskRepository,
    SqlUserRepository,
)
from engine.adapters.team_repository import SqlTeamRepository
from engine.adapters.timer_repository import SqlMessageRepository, SqlNotificationRepository, SqlTimerRepository
from engine.errors import Conflict, StorageUnavailable


def make_db_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    db = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": 30, "check_same_thread": False},
        # One shared connection for an in-memory database, else each connection is a new DB.
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(db, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            # Keep planner statistics fresh (SQLite's advice for long-lived connections).
            cursor.execute("PRAGMA optimize=0x10002")
        # WAL + NORMAL: a commit is durable against a process crash; fsync at checkpoints.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(db, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return db


class SqlAlchemyUnitOfWork:
    conn: Connection
    tx: RootTransaction
    cases: SqlCaseRepository
    tasks: SqlTaskRepository
    events: SqlEventRepository
    processes: SqlProcessRepository
    users: SqlUserRepository
    partnerships: SqlPartnershipRepository
    accounts: SqlAccountRepository
    access_log: SqlAccessLogRepository
    timers: SqlTimerRepository
    anchors: SqlAnchorRepository
    drafts: SqlDraftRepository
    registry: SqlRegistryRepository
    messages: SqlMessageRepository
    notifications: SqlNotificationRepository
    teams: SqlTeamRepository
    people: SqlPersonRepository

    def __init__(
        self, db: Engine, *, write: bool = True, scope: Callable[[], AbstractContextManager[Any]] | None = None
    ) -> None:
        self.db = db
        self.write = write
        self._committed = False
        # entered for the lifetime of the unit of work (the engine freezes its clock with it)
        self._scope = scope() if scope is not None else nullcontext()

    def __enter__(self) -> Self:
        self._scope.__enter__()
        try:
            self.conn = self.db.connect()
        except OperationalError as err:
            self._scope.__exit__(None, None, None)
            raise StorageUnavailable(f"cannot reach the database: {_first_line(err)}") from err
        if self.write and self.db.dialect.name == "sqlite":
            self.conn.execution_options(sqlite_immediate=True)
        try:
            self.tx = self.conn.begin()
        except OperationalError as err:
            self.conn.close()
            self._scope.__exit__(None, None, None)
            raise Conflict("the database is busy; retry") from err
        self._committed = False
        self.cases = SqlCaseRepository(self.conn)
        self.tasks = SqlTaskRepository(self.conn)
        self.events = SqlEventRepository(self.conn)
        self.processes = SqlProcessRepository(self.conn)
        self.users = SqlUserRepository(self.conn)
        self.partnerships = SqlPartnershipRepository(self.conn)
        self.accounts = SqlAccountRepository(self.conn)
        self.access_log = SqlAccessLogRepository(self.conn)
        self.timers = SqlTimerRepository(self.conn)
        self.anchors = SqlAnchorRepository(self.conn)
        self.drafts = SqlDraftRepository(self.conn)
        self.registry = SqlRegistryRepository(self.conn)
        self.messages = SqlMessageRepository(self.conn)
        self.notifications = SqlNotificationRepository(self.conn)
        self.teams = SqlTeamRepository(self.conn)
        self.people = SqlPersonRepository(self.conn)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if not self._committed and self.tx.is_active:
                self.tx.rollback()
        finally:
            self.conn.close()
            self._scope.__exit__(None, None, None)
        if isinstance(exc, IntegrityError | OperationalError) and _is_conflict(exc):
            raise Conflict("a concurrent change got there first; reload and retry") from exc
        if isinstance(exc, DBAPIError) and _is_missing_schema(exc):
            raise StorageUnavailable(
                f"the database has no schema yet; run `impresa db upgrade` ({_first_line(exc)})"
            ) from exc

    def commit(self) -> None:
        try:
            self.tx.commit()
        except DBAPIError as err:
            if _is_conflict(err):
                raise Conflict("a concurrent change got there first; reload and retry") from err
            raise
        self._committed = True

    def rollback(self) -> None:
        if self.tx.is_active:
            self.tx.rollback()


def _is_conflict(err: BaseException) -> bool:
    if isinstance(err, IntegrityError):
        text = str(err.orig).lower()
        return "unique" in text or "duplicate" in text
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


def _is_missing_schema(err: BaseException) -> bool:
    text = str(getattr(err, "orig", err)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _first_line(err: BaseException) -> str:
    return str(getattr(err, "orig", err)).strip().splitlines()[0]
