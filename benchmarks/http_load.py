"""HTTP load on the real production server: ``impresa serve`` (gunicorn, N workers) on a fresh
database, C clients each starting cases and completing their tasks through ``/api/v1`` for a
bounded time. Reports completions per second and their latency (p50/p95/p99), and every answer
that was not a success by status. Listens on 127.0.0.1 only; the clients run on the same machine
and share its cores with the server (their cost is in the figures). Each client keeps one
connection (``http.client``: far less CPU per request than ``requests``), reopened whenever the
server closes it.

Where the CPU goes, per completion, measured over the same run: the gunicorn workers and master
(``/proc/<pid>/stat``), the PostgreSQL backends serving the run (found in ``pg_stat_activity`` by
the run's ``application_name``; they run on this machine), and the clients' threads
(``time.thread_time``). The case starts' cost is included (a case of ``--tasks`` tasks is one
start per that many completions). 2 s of CPU per second divided by that cost is the ceiling this
machine could reach with nothing else running, whatever the load on it during the run.

    .venv/bin/python -m benchmarks.http_load [--db postgresql|sqlite] [--workers 4] [--threads 2] [--clients 16]
        [--seconds 20] [--tasks 5]

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
the run works in a private schema it drops at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from typing import Any

from sqlalchemy import text

from benchmarks.common import PG_URL, ROOT, percentile
from engine import Settings, build_engine
from engine.adapters.unit_of_work import make_db_engine
from engine.bpmn.loader import SourceFile
from engine.config import Serving
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
def database(kind: str, folder: Path) -> Iterator[tuple[str, str]]:
    """A new empty database URL, migrated to the current schema by ``impresa db upgrade``, and the
    ``application_name`` its PostgreSQL connections carry (empty on SQLite)."""
    if kind == "sqlite":
        url = f"sqlite:///{folder}/load.db"
        _upgrade(url)
        yield url, ""
        return
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = make_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}&application_name={schema}"
    try:
        _upgrade(url)
        yield url, schema
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
def server(url: str, folder: Path, workers: int, threads: int) -> Iterator[tuple[str, int]]:
    """The base URL of a ready ``impresa serve`` and the pid of its gunicorn master (``impresa
    serve`` re-executes itself in place, so the pid it was started with is the master's)."""
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
            [
                str(IMPRESA),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
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
                ready = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                try:
                    ready.request("GET", "/health/ready")
                    if ready.getresponse().status == 200:
                        break
                finally:
                    ready.close()
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not become ready (see server.log)")
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rpartition(")")[2].split()  # the name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            if int(raw.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("postgres")
    except OSError:
        return False


def machine_busy() -> tuple[float, float]:
    """The machine's CPU seconds so far: (busy, total) over every core (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


class CpuMeter:
    """CPU used during the load by each group of processes: the gunicorn master, its workers and
    the PostgreSQL backends of the run (by ``application_name``). Every process is read at the
    start and every half second until the end, so one that leaves early (a backend the pool
    closes) still counts up to its last reading, and one that appears counts from zero."""

    def __init__(self, master: int, application_name: str) -> None:
        self.master = master
        self.application_name = application_name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.group: dict[int, str] = {}
        self.stop = threading.Event()
        self.admin = make_db_engine(PG_URL) if application_name else None
        self.sampler = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def start(self) -> None:
        self._sample(first=True)
        self.machine_start = machine_busy()
        self.sampler.start()

    def finish(self) -> dict[str, tuple[float, int]]:
        """Per group: (CPU seconds used during the load, processes seen)."""
        self.stop.set()
        self.sampler.join()
        self._sample()
        busy, total = machine_busy()
        self.machine = (busy - self.machine_start[0], total - self.machine_start[1])
        if self.admin is not None:
            self.admin.dispose()
        used: dict[str, tuple[float, int]] = {}
        for pid, group in self.group.items():
            seconds, count = used.get(group, (0.0, 0))
            used[group] = (seconds + self.last[pid] - self.first.get(pid, 0.0), count + 1)
        return used

    def _sample_until_stopped(self) -> None:
        while not self.stop.wait(0.5):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        found = {self.master: "gunicorn master"} | {pid: "gunicorn workers" for pid in children(self.master)}
        if self.admin is not None:
            with self.admin.connect() as conn:
                backends = conn.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": self.application_name},
                ).scalars()
                # a pid of this machine only if PostgreSQL runs here (else the row is left out)
                found |= {pid: "PostgreSQL backends" for pid in backends if _is_postgres(pid)}
        for pid, group in found.items():
            seconds = process_cpu(pid)
            if seconds is None:
                continue
            if first:
                self.first[pid] = seconds
            self.group[pid] = group
            self.last[pid] = seconds


class Load:
    """The clients' shared tally."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.started = 0
        self.errors: list[str] = []
        self.cpu = 0.0  # the client threads' CPU seconds

    def client(self, base: str, token: str, until: float) -> None:
        began = time.thread_time()
        try:
            self._work(base, token, until)
        except (OSError, http.client.HTTPException) as err:  # counted, and the run's figures say so
            with self.lock:
                self.errors.append(type(err).__name__)
        finally:
            with self.lock:
                self.cpu += time.thread_time() - began

    def _work(self, base: str, token: str, until: float) -> None:
        # http.client rather than requests: a fraction of the CPU per request on the cores the
        # server uses too. One connection per client, kept open while the server keeps it (a sync
        # gunicorn worker closes it after each answer: http.client then opens a new one).
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
            connection.request("POST", path, json.dumps(body), headers)
            answer = connection.getresponse()
            raw = answer.read()
            return answer.status, (json.loads(raw) if answer.status in (200, 201) else None)

        start = {"process_id": "carico", "data": {}}
        complete = {"data": {"conferma": True}}
        while time.monotonic() < until:
            status, case = post("/api/v1/cases", start)
            if status != 201:
                with self.lock:
                    self.statuses[status] += 1
                continue
            with self.lock:
                self.started += 1
            pending = [t["id"] for t in case["open_tasks"]]
            while pending and time.monotonic() < until:
                task = pending.pop(0)
                began = time.perf_counter()
                status, done = post(f"/api/v1/tasks/{task}/complete", complete)
                took = time.perf_counter() - began
                with self.lock:
                    self.statuses[status] += 1
                    if status == 200:
                        self.latencies.append(took)
                if status == 200:
                    pending += [t["id"] for t in done["open_tasks"]]
        connection.close()


def run(kind: str, workers: int, threads: int, clients: int, seconds: float, tasks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as (url, application_name):
        folder = Path(tmp)
        token = prepare(url, folder, tasks)
        with server(url, folder, workers, threads) as (base, master):
            load = Load()
            meter = CpuMeter(master, application_name)
            meter.start()
            until = time.monotonic() + seconds
            began = time.perf_counter()
            running = [threading.Thread(target=load.client, args=(base, token, until)) for _ in range(clients)]
            for thread in running:
                thread.start()
            for thread in running:
                thread.join()
            elapsed = time.perf_counter() - began
            used = meter.finish()
        if load.errors:
            print((folder / "server.log").read_text(errors="replace")[-3000:])
    ms = [v * 1000 for v in load.latencies]
    others = {status: n for status, n in sorted(load.statuses.items()) if status != 200}
    print(f"{kind}, {workers} workers × {threads} threads, {clients} clients, {seconds:.0f} s, {tasks} tasks per case")
    print(f"  cases started      {load.started}")
    print(f"  completions        {len(ms)}  ({len(ms) / elapsed:.1f}/s)")
    if ms:
        print(
            f"  latency ms         p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}"
        )
    print(f"  other answers      {others or 'none'}")
    print(f"  clients stopped by a connection error: {len(load.errors)}")
    if ms:
        report_cpu(used, load.cpu, clients, len(ms), meter.machine, elapsed)


def report_cpu(
    used: dict[str, tuple[float, int]],
    client_cpu: float,
    clients: int,
    completions: int,
    machine: tuple[float, float],
    elapsed: float,
) -> None:
    """CPU per completion by component, and the completions/s 2 cores could carry at that cost."""
    rows = [(f"{group} ({count})", seconds) for group, (seconds, count) in sorted(used.items())]
    rows.append((f"client threads ({clients})", client_cpu))
    total = sum(seconds for _, seconds in rows)
    server_side = total - client_cpu
    print("  CPU per completion (case starts included), ms:")
    for name, seconds in rows:
        print(f"    {name:<28} {seconds / completions * 1000:7.2f}   ({seconds:.1f} s)")
    print(f"    {'total':<28} {total / completions * 1000:7.2f}   ({total:.1f} s)")
    cores = machine[1] / elapsed
    print(
        f"  ceiling on 2 cores {2 * completions / total:.0f}/s"
        f"  (server and database alone, clients elsewhere: {2 * completions / server_side:.0f}/s)"
    )
    print(
        f"  machine busy       {machine[0] / elapsed:.2f} of {cores:.0f} cores during the load"
        f" (this run's processes {total / elapsed:.2f}; the rest is everyone else)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=Serving.threads, help="threads per worker")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tasks", type=int, default=5)
    args = parser.parse_args()
    if args.seconds <= 0 or args.seconds > 600 or args.clients < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--seconds must be in (0, 600], --clients and --workers at least 1")
    run(args.db, args.workers, args.threads, args.clients, args.seconds, args.tasks)


if __name__ == "__main__":
    main()
