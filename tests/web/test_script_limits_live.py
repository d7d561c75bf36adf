"""On the real server (threaded, as ``make run`` serves), a diagram's attack on the CPU or memory
is answered with a 422 within 2 s, and other requests are answered meanwhile."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.fixtures import hostile
from tests.web.conftest import make_app
from tests.web.live import serve

# One C call that the sandbox's guards do not foresee: a gigabyte of text built by ``%``.
ATTACK = "s = 'x' * 1000000\nx = len('%s' * 1000 % ((s,) * 1000))"


def call(url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_one_script_no_longer_freezes_every_request(engine: Engine, deploy: Callable[..., None]) -> None:
    engine.users.add("anna", "Anna", [("assistente_sociale", "")], actor=CLI_OPERATOR)
    anna = engine.users.get("anna", actor=CLI_OPERATOR)
    deploy(("p.bpmn", hostile.after_a_task("p", "script", ATTACK)))
    case = engine.cases.start("p", {}, actor=anna)
    task_id = case.open_tasks[0].id
    _, token = engine.accounts.create_token("test", actor=anna)

    with serve(make_app(engine)) as base:
        outcome: list[tuple[int, dict[str, Any], float]] = []

        def attack() -> None:
            started = time.monotonic()
            status, body = call(f"{base}/api/v1/tasks/{task_id}/complete", token, {"data": {"conferma": True}})
            outcome.append((status, body, time.monotonic() - started))

        thread = threading.Thread(target=attack)
        thread.start()
        time.sleep(0.1)
        reads = []
        while thread.is_alive() and len(reads) < 5:
            started = time.monotonic()
            # a page that needs no database: before the script worker, a C call in a script held
            # the interpreter lock and even this waited (SQLite writers also queue behind the
            # attack's transaction, which is the database's rule, not the script's)
            with urllib.request.urlopen(f"{base}/login", timeout=30) as page:  # noqa: S310 - test server
                reads.append((page.status, time.monotonic() - started))
        thread.join(30)

    [(status, problem, took)] = outcome
    assert status == 422 and problem["type"].endswith("problem-script_limit"), problem
    assert took < 2.0
    assert reads and all(s == 200 and t < 1.0 for s, t in reads), reads
    assert engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks[0].id == task_id
