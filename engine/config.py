"""Engine settings from the environment (no Flask): database URL, where the library lives, login
limits, and how ``impresa serve`` serves (workers, address, timeouts)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from engine.passwords import N as PASSWORD_HASH_N

ROOT = Path(__file__).resolve().parent.parent


def default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'impresa.db'}"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class LoginLimits:
    """Login throttling (``engine.services.login_throttle``): failed logins counted per user name
    and per client address; reaching a limit locks that name or address out for ``lockout_seconds``,
    twice as long at each further lockout (up to ``max_lockout_seconds``); a name or address quiet
    for ``forget_after_seconds`` starts over. Successful logins are not counted."""

    user_failures: int = 5
    address_failures: int = 20
    lockout_seconds: int = 60
    max_lockout_seconds: int = 3600
    forget_after_seconds: int = 3600

    @classmethod
    def from_env(cls) -> LoginLimits:
        return cls(
            user_failures=_env_int("IMPRESA_LOGIN_USER_FAILURES", cls.user_failures),
            address_failures=_env_int("IMPRESA_LOGIN_ADDRESS_FAILURES", cls.address_failures),
            lockout_seconds=_env_int("IMPRESA_LOGIN_LOCKOUT_SECONDS", cls.lockout_seconds),
            max_lockout_seconds=_env_int("IMPRESA_LOGIN_MAX_LOCKOUT_SECONDS", cls.max_lockout_seconds),
            forget_after_seconds=_env_int("IMPRESA_LOGIN_FORGET_AFTER_SECONDS", cls.forget_after_seconds),
        )


@dataclass(frozen=True)
class Serving:
    """``impresa serve`` (gunicorn): ``IMPRESA_BIND``, ``IMPRESA_WORKERS``, ``IMPRESA_THREADS``,
    ``IMPRESA_WORKER_TIMEOUT``; ``IMPRESA_DB_BUSY_SECONDS`` is how long a command waits for a
    database lock (SQLite's busy timeout, PostgreSQL's lock timeout) before it is answered 503 with
    Retry-After. The worker timeout must exceed it by ``TIMEOUT_MARGIN_SECONDS``: a request waiting
    for a lock is then answered, never killed mid-way. Two threads per worker: see
    ``engine.adapters.http_server.gunicorn_options``."""

    TIMEOUT_MARGIN_SECONDS: ClassVar[int] = 20

    bind: str = "127.0.0.1:8000"
    workers: int = 4
    threads: int = 2
    timeout_seconds: int = 60
    busy_timeout_seconds: int = 10
    access_log: bool = True

    @classmethod
    def from_env(cls) -> Serving:
        return cls(
            bind=os.environ.get("IMPRESA_BIND", cls.bind),
            workers=_env_int("IMPRESA_WORKERS", cls.workers),
            threads=_env_int("IMPRESA_THREADS", cls.threads),
            timeout_seconds=_env_int("IMPRESA_WORKER_TIMEOUT", cls.timeout_seconds),
            busy_timeout_seconds=busy_timeout_from_env(),
            access_log=os.environ.get("IMPRESA_ACCESS_LOG", "1") != "0",
        )


def busy_timeout_from_env() -> int:
    return _env_int("IMPRESA_DB_BUSY_SECONDS", Serving.busy_timeout_seconds)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    processes_dir: Path = ROOT / "processes"
    # Processes whose cases need an active partnership in their territory (docs/domain.md, phase F1 → F2).
    partnership_required_for: frozenset[str] = frozenset({"percorso_beneficiario", "valutazione_bisogno"})
    partnership_process: str = "accordo_partenariato"
    # Processes that are a person's path: their cases need the beneficiary's pseudonym to start.
    pseudonym_required_for: frozenset[str] = frozenset({"percorso_beneficiario"})
    # The path "Nuovo caso" offers first.
    default_entry_process: str = "percorso_beneficiario"
    # Cases their own command opens together with their record (an enterprise when it is
    # registered, a protocol's lifecycle when it comes into force): never from "Nuovo caso".
    service_started: frozenset[str] = frozenset({"impresa", "scadenza_protocollo"})
    # console | file:PATH | smtp://host:port (engine.adapters.senders)
    notify: str = "console"
    # keys the server keeps: the dossier signing key, the pseudonymisation key
    instance_dir: Path = ROOT / "instance"
    # years after closure before personal data may be erased (ESF+: 5 years, docs/domain.md, "Data classes")
    retention_years: int = 5
    # hours between the anchors the scheduler takes over every chain (0: none on a schedule)
    anchor_interval_hours: float = 24.0
    echo_sql: bool = False
    # hard limits for diagram code (docs/sandbox.md): wall clock per evaluation, memory a script
    # worker may use, data one script may leave in the case, script workers per server process
    script_seconds: float = 1.0
    script_memory_mb: int = 256
    script_output_kb: int = 256
    script_workers: int = 4
    login: LoginLimits = field(default_factory=LoginLimits)
    # hours a signed-in session lives after its last request (engine.services.accounts.signed_in)
    session_hours: int = 8
    # seconds a command waits for a database lock before it is refused as busy (StorageBusy → 503)
    busy_timeout_seconds: int = Serving.busy_timeout_seconds
    # minutes a draft's edit lock lasts after it is taken or the draft saved (then anyone may take it)
    draft_lock_minutes: int = 30
    # a case's command stores a replay checkpoint each time its events pass a multiple of this
    # (engine/audit/checkpoint.py); 0: none
    checkpoint_every: int = 50
    # scrypt's work factor for new password hashes (engine/passwords.py). Not read from the
    # environment, so every server hashes at full cost; the test suite builds its engines with a
    # cheap one (tests/conftest.py), where each login would otherwise spend ~0.2 s of CPU twice.
    # A hash keeps its N: any server verifies it at the cost it was made with.
    password_hash_n: int = PASSWORD_HASH_N
    # the checkpoints a case keeps: its newest few (older ones are dropped as a command stores a
    # new one; 0: all). Replay of the case as it is starts from the newest one, or from the one
    # before when the newest is in the last command, so two bound the commands it re-executes to
    # about 2 × checkpoint_every events; a replay to an earlier event starts from an earlier kept
    # checkpoint or from the first event (engine/audit/checkpoint.py)
    checkpoint_keep: int = 2

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=default_database_url(),
            processes_dir=Path(os.environ.get("IMPRESA_PROCESSES_DIR", ROOT / "processes")),
            echo_sql=os.environ.get("IMPRESA_ECHO_SQL") == "1",
            notify=os.environ.get("IMPRESA_NOTIFY", "console"),
            instance_dir=Path(os.environ.get("IMPRESA_INSTANCE_DIR", ROOT / "instance")),
            anchor_interval_hours=float(os.environ.get("IMPRESA_ANCHOR_HOURS", 24.0)),
            script_seconds=float(os.environ.get("IMPRESA_SCRIPT_SECONDS", 1.0)),
            script_memory_mb=int(os.environ.get("IMPRESA_SCRIPT_MEMORY_MB", 256)),
            script_output_kb=int(os.environ.get("IMPRESA_SCRIPT_OUTPUT_KB", 256)),
            script_workers=int(os.environ.get("IMPRESA_SCRIPT_WORKERS", 4)),
            login=LoginLimits.from_env(),
            busy_timeout_seconds=busy_timeout_from_env(),
            draft_lock_minutes=_env_int("IMPRESA_DRAFT_LOCK_MINUTES", 30),
        )
