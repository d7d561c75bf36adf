"""The SQLAlchemy unit of work: one connection, one transaction, rolled back unless committed.

On SQLite a writing unit of work starts with ``BEGIN IMMEDIATE``: two writers then queue on
the database lock instead of both reading a snapshot and failing at their first write.
Database errors that mean "someone else got there first" (unique violations, serialization
failures, deadlocks) become ``Conflict`` (409: reload and retry). A lock not granted within the
busy timeout (SQLite's ``busy_timeout``, PostgreSQL's ``lock_timeout``) is ``StorageBusy`` (503
with Retry-After: nobody changed anything, the database was just busy); an unreachable database
is ``StorageUnavailable``, whose message never names the host (the driver's text goes to the log).

A read that needs no transaction around its statements (``transaction=False``: one statement, or
statements that each stand alone, as they do under PostgreSQL's READ COMMITTED anyway) runs in
autocommit, saving the ``BEGIN`` and ``ROLLBACK`` round trips on PostgreSQL and the ``BEGIN`` on
SQLite (the inbox page, the API token of every request). A pooled PostgreSQL connection is
pinged only when it has been idle for ``PING_AFTER_IDLE`` seconds: a connection in steady use
costs no extra round trip, one left idle (across a server restart, a dropped link) is checked and
replaced before use. Should the server go away in between, the first
statement fails with ``StorageUnavailable`` and the pool replaces every connection it holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Self

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.pool import StaticPool

from engine.adapters import metrics
from engine.adapters.account_repository import SqlAccessLogRepository, SqlAccountRepository
from engine.adapters.anchor_repository import SqlAnchorRepository
from engine.adapters.case_repository import SqlCaseRepository
from engine.adapters.draft_repository import SqlDraftRepository
from engine.adapters.enterprise_repository import SqlEnterpriseRepository
from engine.adapters.event_repository import SqlEventRepository
from engine.adapters.login_throttle_repository import SqlLoginThrottleRepository
from engine.adapters.operations_repository import SqlOperationsRepository
from engine.adapters.partnership_repository import SqlPartnershipRepository
from engine.adapters.person_repository import SqlPersonRepository
from engine.adapters.process_repository import SqlProcessRepository
from engine.adapters.registry_repository import SqlRegistryRepository
from engine.adapters.report_repository import Known, SqlReportRepository, flush_counts, forget_counts
from engine.adapters.state_repository import SqlCaseStateRepository
from engine.adapters.task_repository import SqlTaskRepository
from engine.adapters.team_repository import SqlTeamRepository
from engine.adapters.timer_repository import SqlMessageRepository, SqlNotificationRepository, SqlTimerRepository
from engine.adapters.user_repository import SqlUserRepository
from engine.errors import Conflict, StorageBusy, StorageUnavailable

log = logging.getLogger(__name__)

# The SQLAlchemy engine the application holds (``Engine.db``), named here so that layer types it
# without importing SQLAlchemy itself.
Database = Engine

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds; engine.config.Serving.busy_timeout_seconds
CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL before the request is answered 503
NO_WAIT_MS = 50  # PostgreSQL has no "do not wait": a lock not granted in 50 ms counts as busy
PING_AFTER_IDLE = 5.0  # seconds a pooled PostgreSQL connection may sit unused before it is pinged


def make_db_engine(url: str, *, echo: bool = False, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """The database engine; a command waits at most ``busy_timeout`` seconds for a lock."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return _postgres(url, echo, busy_timeout)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    db = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
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
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(db, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("sqlite_no_begin", False):
            return  # a read needing no transaction: each statement stands alone (autocommit)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")

    return db


def _postgres(url: str, echo: bool, busy_timeout: float) -> Engine:
    db = create_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )

    @event.listens_for(db, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(db, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # SQLAlchemy's pool_pre_ping would cost a round trip (two, with its BEGIN) on every
        # checkout; ping only a connection that sat idle. Raising DisconnectionError makes the
        # pool discard it and try another (SQLAlchemy's "pessimistic disconnect handling").
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            dbapi_connection.autocommit = True  # the ping opens no transaction
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.autocommit = False
        except db.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(_first_line(err)) from err

    @event.listens_for(db, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # A row lock not granted in time fails the statement (55P03 → StorageBusy) instead of
        # holding the request until the server's worker timeout kills it.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
        dbapi_connection.commit()

    return db


def probe(db: Engine, timeout: float, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
    """Readiness: the database answers, has its schema, and grants the write lock (SQLite) within
    ``timeout`` seconds; else ``StorageUnavailable``/``StorageBusy``."""
    try:
        with db.connect() as conn:
            if db.dialect.name == "sqlite":
                _sqlite_busy(conn, timeout * 1000)
                try:
                    with conn.execution_options(sqlite_immediate=True).begin():
                        conn.exec_driver_sql("SELECT count(*) FROM cases WHERE id = 0")
                finally:
                    _sqlite_busy(conn, busy_timeout * 1000)
            else:
                with conn.begin():
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                    conn.exec_driver_sql("SELECT count(*) FROM cases WHERE id = 0")
    except DBAPIError as err:
        raise storage_error(err) or StorageUnavailable("the database does not answer", _first_line(err)) from err


def _sqlite_busy(conn: Connection, milliseconds: float) -> float:
    """Set a pooled SQLite connection's busy timeout outside any transaction; returns the old one."""
    raw = conn.connection.driver_connection
    assert raw is not None
    old = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
    return float(old)


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
    login_throttle: SqlLoginThrottleRepository
    teams: SqlTeamRepository
    people: SqlPersonRepository
    enterprises: SqlEnterpriseRepository
    operations: SqlOperationsRepository
    reports: SqlReportRepository

    def __init__(
        self,
        db: Engine,
        *,
        write: bool = True,
        wait: bool = True,
        transaction: bool = True,
        scope: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        if write and not transaction:
            raise ValueError("a command runs in a transaction")
        self.db = db
        self.write = write
        # False: a read whose statements need no transaction around them (module docstring)
        self.transaction = transaction
        # wait=False: a lock that is not free at once is StorageBusy (best-effort bookkeeping)
        self.wait = wait
        self._busy_ms = 0.0
        self._committed = False
        # entered for the lifetime of the unit of work (the engine freezes its clock with it)
        self._scope = scope() if scope is not None else nullcontext()

    def __enter__(self) -> Self:
        self._scope.__enter__()
        try:
            self.conn = self.db.connect()
        except DBAPIError as err:
            self._scope.__exit__(None, None, None)
            raise storage_error(err) or StorageUnavailable("cannot reach the database", _first_line(err)) from err
        sqlite = self.db.dialect.name == "sqlite"
        if self.write and sqlite:
            self.conn.execution_options(sqlite_immediate=True)
        if not self.wait and sqlite:
            self._busy_ms = _sqlite_busy(self.conn, 0)
        if not self.transaction and not sqlite:
            # no BEGIN, no ROLLBACK: the pool puts the connection back in its default mode
            self.conn.execution_options(isolation_level="AUTOCOMMIT")
        elif not self.write and not sqlite:
            # BEGIN READ ONLY (in the same round trip): a read that tried to write would fail
            # here, so ending it with COMMIT (``__exit__``) can never keep a stray write
            self.conn.execution_options(postgresql_readonly=True)
        elif not self.transaction:
            # SQLite: the module leaves transactions to us ("begin" below), so without our BEGIN
            # each statement is its own, as on PostgreSQL in autocommit
            self.conn.execution_options(sqlite_no_begin=True)
        try:
            self.tx = self.conn.begin()
            if not self.wait and not sqlite:
                self.conn.exec_driver_sql(f"SET LOCAL lock_timeout = {NO_WAIT_MS}")
        except DBAPIError as err:
            self.conn.close()
            self._scope.__exit__(None, None, None)
            raise storage_error(err) or StorageBusy("the database is busy; retry", _first_line(err)) from err
        self._committed = False
        self._read_only_pg = not sqlite and not self.write and self.transaction
        forget_counts(self.conn)  # nothing left over from the connection's last user
        self._started = time.perf_counter()
        known: Known = {}  # the monitoring rows of the cases this command loads (written ones too)
        self.cases = SqlCaseRepository(self.conn, known if self.write else None)
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
        self.login_throttle = SqlLoginThrottleRepository(self.conn)
        self.case_state = SqlCaseStateRepository(self.conn)
        self.teams = SqlTeamRepository(self.conn)
        self.people = SqlPersonRepository(self.conn)
        self.enterprises = SqlEnterpriseRepository(self.conn)
        self.operations = SqlOperationsRepository(self.conn)
        self.reports = SqlReportRepository(self.conn, known)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if not self._committed and self.tx.is_active:
                if self._read_only_pg and exc is None:
                    # psycopg drops every statement it has prepared on the connection at each
                    # ROLLBACK (and sends DEALLOCATE ALL, one more round trip), so a read ended
                    # that way would make the next commands parse and plan again; a read-only
                    # transaction's COMMIT writes nothing
                    self.tx.commit()
                else:
                    self.tx.rollback()
            if not self.wait and self.db.dialect.name == "sqlite":
                _sqlite_busy(self.conn, self._busy_ms)  # the connection goes back to the pool as it came
        finally:
            forget_counts(self.conn)
            self.conn.close()
            self._scope.__exit__(None, None, None)
            if self.write:
                metrics.COMMAND_SECONDS.observe(time.perf_counter() - self._started)
                metrics.COMMANDS.labels("committed" if self._committed else "refused").inc()
        if isinstance(exc, DBAPIError):
            translated = storage_error(exc)
            if translated is not None:
                raise translated from exc

    def commit(self) -> None:
        try:
            flush_counts(self.conn)  # the open-task counters' moves of this transaction, summed
            self.tx.commit()
        except DBAPIError as err:
            translated = storage_error(err)
            if translated is not None:
                raise translated from err
            raise
        self._committed = True

    def rollback(self) -> None:
        if self.tx.is_active:
            self.tx.rollback()


BUSY_STATES = frozenset({"55P03", "57014"})  # lock_not_available, query_canceled (statement timeout)
CONFLICT_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
UNIQUE_VIOLATION = "23505"
UNDEFINED_TABLE = "42P01"


def storage_error(err: DBAPIError) -> Conflict | StorageUnavailable | None:
    """The engine error a database error means, or None (a bug: let it surface).

    PostgreSQL names every error by its SQLSTATE, which does not depend on the server's language;
    SQLite has none, so its errors are recognised by their (fixed, English) message.
    """
    text = str(err.orig).lower()
    state = getattr(err.orig, "sqlstate", None) or ""
    if isinstance(err, IntegrityError):
        duplicate = state == UNIQUE_VIOLATION if state else "unique" in text
        return Conflict("a concurrent change got there first; reload and retry") if duplicate else None
    if state in CONFLICT_STATES or (not state and "deadlock" in text):
        return Conflict("a concurrent change got there first; reload and retry")
    if state in BUSY_STATES or (not state and ("database is locked" in text or "database is busy" in text)):
        return StorageBusy("the database is busy; retry in a few seconds", _first_line(err))
    if state == UNDEFINED_TABLE or (not state and "no such table" in text):
        return StorageUnavailable("the database has no schema yet; run `impresa db upgrade`", _first_line(err))
    if err.connection_invalidated or state.startswith("08") or state.startswith("57P"):
        log.warning("database unreachable: %s", _first_line(err))
        return StorageUnavailable("cannot reach the database", _first_line(err))
    return None


def _first_line(err: BaseException) -> str:
    return str(getattr(err, "orig", err)).strip().splitlines()[0]
