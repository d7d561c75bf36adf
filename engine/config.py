"""Engine settings from the environment (no Flask): database URL and where the library lives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'impresa.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    processes_dir: Path = ROOT / "processes"
    # Processes whose cases need an active partnership in their territory (DOMAIN.md F1 → F2).
    partnership_required_for: frozenset[str] = frozenset({"percorso_beneficiario", "valutazione_bisogno"})
    partnership_process: str = "accordo_partenariato"
    # console | file:PATH | smtp://host:port (engine.adapters.senders)
    notify: str = "console"
    # keys the server keeps: the dossier signing key, the pseudonymisation key
    instance_dir: Path = ROOT / "instance"
    # years after closure before personal data may be erased (ESF+: 5 years, DOMAIN.md §5)
    retention_years: int = 5
    echo_sql: bool = False
    # hard limits for diagram code (docs/sandbox.md): wall clock per evaluation, memory a script
    # worker may use, data one script may leave in the case, script workers per server process
    script_seconds: float = 1.0
    script_memory_mb: int = 256
    script_output_kb: int = 256
    script_workers: int = 4

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=default_database_url(),
            processes_dir=Path(os.environ.get("IMPRESA_PROCESSES_DIR", ROOT / "processes")),
            echo_sql=os.environ.get("IMPRESA_ECHO_SQL") == "1",
            notify=os.environ.get("IMPRESA_NOTIFY", "console"),
            instance_dir=Path(os.environ.get("IMPRESA_INSTANCE_DIR", ROOT / "instance")),
            script_seconds=float(os.environ.get("IMPRESA_SCRIPT_SECONDS", 1.0)),
            script_memory_mb=int(os.environ.get("IMPRESA_SCRIPT_MEMORY_MB", 256)),
            script_output_kb=int(os.environ.get("IMPRESA_SCRIPT_OUTPUT_KB", 256)),
            script_workers=int(os.environ.get("IMPRESA_SCRIPT_WORKERS", 4)),
        )
