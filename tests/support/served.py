"""The real production server for tests: ``impresa serve`` (gunicorn, several worker processes) on
the test database, started in its own process group so a test can SIGKILL all of it at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.conftest import ROOT

IMPRESA = Path(sys.executable).with_name("impresa")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """``impresa serve --workers N`` against ``db_url``; ``start``, ``kill9``, ``stop``."""

    db_url: str
    instance: Path
    workers: int = 4
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "IMPRESA_INSTANCE_DIR": str(self.instance),
            "IMPRESA_PROCESSES_DIR": str(ROOT / "processes"),
            "SECRET_KEY": "served-test",
            "IMPRESA_ACCESS_LOG": "0",
            "IMPRESA_NOTIFY": "console",
            **self.env,
        }
        with (self.instance / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(IMPRESA), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: master and workers die together
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not become ready: {self.log_tail()}")

    def kill9(self) -> None:
        """SIGKILL the master and every worker at once: no request finishes, nothing is flushed."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        path = self.instance / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@contextmanager
def served(db_url: str, instance: Path, *, workers: int = 4, env: dict[str, str] | None = None) -> Iterator[Served]:
    server = Served(db_url, instance, workers=workers, env=env or {})
    instance.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
