"""kill -9 under load: nothing acknowledged is ever lost.

``impresa serve`` with four gunicorn workers; six API clients start cases of a three-step process
and complete their tasks through ``/api/v1`` as fast as they can; meanwhile the whole server
(master and workers) is killed with SIGKILL and restarted, three times. Afterwards, on the
database itself: every start and every completion a client was told succeeded (201/200) is stored,
``impresa audit verify`` passes, and replaying a sample of cases from their events matches every
stored step. Requests cut off by a kill are unknown to the client (it retries from the case's
state), never half-applied. Runs on PostgreSQL and SQLite (WAL: a commit survives a process kill).
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from engine import Engine
from engine.bpmn.loader import SourceFile
from engine.model import Actor, CaseStatus, EventKind
from engine.policy import CLI_OPERATOR
from tests.conftest import DESIGNER
from tests.fixtures.diagrams import linear
from tests.support.served import IMPRESA, Served

pytestmark = pytest.mark.integration

CLIENTS = 6
KILLS = 3
LOAD_SECONDS = 2.5  # of load before each kill
STEPS = 3
AUDITOR = Actor("revisore", frozenset({"auditor"}))


@dataclass
class Ledger:
    """What the clients were told: acknowledged starts and completions."""

    started: set[int] = field(default_factory=set)
    completed: set[tuple[int, str]] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # answers that should never happen
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(base: str, token: str, ledger: Ledger, stop: threading.Event, seed: int) -> None:
    """Start a case, complete its tasks one by one; on a cut connection, look the case up again."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    rng = random.Random(seed)
    case_id: int | None = None
    while not stop.is_set():
        try:
            if case_id is None:
                answer = http.post(f"{base}/api/v1/cases", json={"process_id": "tenuta", "territory": "T"}, timeout=20)
                if answer.status_code != 201:
                    if answer.status_code != 503:  # 503: busy, retry (nothing was written)
                        ledger.refused.append(f"start: {answer.status_code} {answer.text[:200]}")
                    continue
                case_id = int(answer.json()["id"])
                with ledger.lock:
                    ledger.started.add(case_id)
            case = http.get(f"{base}/api/v1/cases/{case_id}", timeout=20).json()
            if case["status"] != CaseStatus.RUNNING.value or not case["open_tasks"]:
                case_id = None
                continue
            task = case["open_tasks"][0]["id"]
            answer = http.post(f"{base}/api/v1/tasks/{task}/complete", json={"data": {"conferma": True}}, timeout=20)
            if answer.status_code == 200:
                with ledger.lock:
                    ledger.completed.add((case_id, task))
            elif answer.status_code not in (409, 503):  # 409: already done by a cut-off attempt
                ledger.refused.append(f"complete: {answer.status_code} {answer.text[:200]}")
            if rng.random() < 0.1:
                case_id = None  # now and then leave a case half-way
        except (requests.RequestException, ValueError):
            time.sleep(0.05)  # the server is down (or answered half a response): try again


def test_every_acknowledged_command_survives_repeated_kill_9(engine: Engine, db_url: str, tmp_path: Path) -> None:
    engine.design.deploy([SourceFile("tenuta.bpmn", linear("tenuta", STEPS, ("assistente_sociale",)))], actor=DESIGNER)
    engine.users.add("operatore", "Operatore", [("assistente_sociale", "T")], actor=CLI_OPERATOR)
    _, token = engine.accounts.create_token("carico", actor=engine.users.get("operatore", actor=CLI_OPERATOR))
    (tmp_path / "server").mkdir()
    server = Served(db_url, tmp_path / "server", workers=4)
    ledger = Ledger()
    stop = threading.Event()
    server.start()
    clients = [
        threading.Thread(target=client_loop, args=(server.url, token, ledger, stop, seed)) for seed in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(LOAD_SECONDS)
            server.kill9()
            server.start()
        time.sleep(LOAD_SECONDS)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        server.stop()

    assert not ledger.refused, ledger.refused[:5]
    assert len(ledger.completed) >= 10, "the load did not get going"
    stored_cases = {c.id for c in engine.cases.list(limit=100_000, actor=CLI_OPERATOR)}
    assert ledger.started <= stored_cases
    lost = [
        (case_id, task)
        for case_id, task in sorted(ledger.completed)
        if not any(
            e.kind == EventKind.TASK_COMPLETED and e.task_id == task
            for e in engine.cases.history(case_id, actor=CLI_OPERATOR)
        )
    ]
    assert not lost, f"acknowledged completions lost: {lost[:5]}"

    env = {**os.environ, "DATABASE_URL": db_url, "IMPRESA_INSTANCE_DIR": str(server.instance)}
    verify = subprocess.run([str(IMPRESA), "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    for case_id in random.Random(7).sample(sorted(stored_cases), min(8, len(stored_cases))):
        result = engine.audit.replay(case_id, actor=AUDITOR)
        assert result.faithful, f"case {case_id} replays differently from step {result.first_mismatch}"
