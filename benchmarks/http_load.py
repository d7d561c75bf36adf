"""HTTP load on the real production server: ``impresa serve`` (gunicorn, N workers) on a fresh
database, C clients each starting cases and completing their tasks through ``/api/v1`` for a
bounded time. Reports completions per second and their latency (p50/p95/p99), and every answer
that was not a success by status. Listens on 127.0.0.1 only; the clients run on the same machine
and share its cores with the server (their cost is in the figures).

    .venv/bin/python -m benchmarks.http_load [--db postgresql|sqlite] [--workers 4] [--clients 16]
        [--seconds 20] [--tasks 5]

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
the run works in a private schema it drops at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import text

from benchmarks.common import PG_URL, ROOT, percentile
from engine import Settings, build_engine
from engine.adapters.unit_of_work import make_db_engine
from engine.bpmn.loader import SourceFile
from engine.model import Actor
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import linear

IMPRESA = Path(sys.executable).with_name("impresa")
OPERATOR = Actor("carico-admin", frozenset({"progettista", "amministratore"}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A new empty database URL, migrated to the current schema by ``impresa db upgrade``."""
    if kind == "sqlite":
        url = f"sqlite:///{folder}/load.db"
        _upgrade(url)
        yield url
        return
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = make_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    try:
        _upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _upgrade(url: str) -> None:
    subprocess.run(
        [str(IMPRESA), "db", "upgrade"], env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True
    )


def prepare(url: str, folder: Path, tasks: int) -> str:
    """Deploy a diagram of ``tasks`` user tasks, add the clients' user, return its API token."""
    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes", instance_dir=folder))
    try:
        engine.design.deploy([SourceFile("carico.bpmn", linear("carico", tasks))], actor=OPERATOR)
        engine.users.add("carico", "Utente del carico", [("assistente_sociale", "")], actor=CLI_OPERATOR)
        return engine.accounts.create_token("carico", actor=engine.users.get("carico", actor=CLI_OPERATOR))[1]
    finally:
        engine.close()


@contextmanager
def server(url: str, folder: Path, workers: int) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "IMPRESA_INSTANCE_DIR": str(folder),
        "SECRET_KEY": "http-load",
        "IMPRESA_ACCESS_LOG": "0",
        "IMPRESA_NOTIFY": "console",
    }
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [str(IMPRESA), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not become ready (see server.log)")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Load:
    """The clients' shared tally."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.started = 0
        self.errors: list[str] = []

    def client(self, base: str, token: str, until: float) -> None:
        try:
            self._work(base, token, until)
        except requests.RequestException as err:  # counted, and the run's figures say so
            with self.lock:
                self.errors.append(type(err).__name__)

    def _work(self, base: str, token: str, until: float) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while time.monotonic() < until:
            answer = session.post(f"{base}/api/v1/cases", json={"process_id": "carico", "data": {}}, timeout=60)
            if answer.status_code != 201:
                with self.lock:
                    self.statuses[answer.status_code] += 1
                continue
            with self.lock:
                self.started += 1
            pending = [t["id"] for t in answer.json()["open_tasks"]]
            while pending and time.monotonic() < until:
                task = pending.pop(0)
                began = time.perf_counter()
                done = session.post(
                    f"{base}/api/v1/tasks/{task}/complete", json={"data": {"conferma": True}}, timeout=60
                )
                took = time.perf_counter() - began
                with self.lock:
                    self.statuses[done.status_code] += 1
                    if done.status_code == 200:
                        self.latencies.append(took)
                if done.status_code == 200:
                    pending += [t["id"] for t in done.json()["open_tasks"]]


def run(kind: str, workers: int, clients: int, seconds: float, tasks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        folder = Path(tmp)
        token = prepare(url, folder, tasks)
        with server(url, folder, workers) as base:
            load = Load()
            until = time.monotonic() + seconds
            began = time.perf_counter()
            threads = [threading.Thread(target=load.client, args=(base, token, until)) for _ in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
        if load.errors:
            print((folder / "server.log").read_text(errors="replace")[-3000:])
    ms = [v * 1000 for v in load.latencies]
    others = {status: n for status, n in sorted(load.statuses.items()) if status != 200}
    print(f"{kind}, {workers} workers, {clients} clients, {seconds:.0f} s, {tasks} tasks per case")
    print(f"  cases started      {load.started}")
    print(f"  completions        {len(ms)}  ({len(ms) / elapsed:.1f}/s)")
    if ms:
        print(
            f"  latency ms         p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}"
        )
    print(f"  other answers      {others or 'none'}")
    print(f"  clients stopped by a connection error: {len(load.errors)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tasks", type=int, default=5)
    args = parser.parse_args()
    if args.seconds <= 0 or args.seconds > 600 or args.clients < 1 or args.workers < 1:
        parser.error("--seconds must be in (0, 600], --clients and --workers at least 1")
    run(args.db, args.workers, args.clients, args.seconds, args.tasks)


if __name__ == "__main__":
    main()
