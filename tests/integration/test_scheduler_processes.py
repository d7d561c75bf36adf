"""Several scheduler processes on one database: every due timer fires exactly once, even when one
of them is killed mid-run. Runs on the suite's database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from engine import Actor, Engine
from engine.adapters import tables
from engine.clock import FixedClock
from tests.conftest import ROOT
from tests.fixtures.clock_diagrams import single_timer

AS = Actor("anna", frozenset({"assistente_sociale"}))


def _worker(db_url: str, now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.timer_worker", db_url, now],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def _fired_per_case(engine: Engine) -> Counter[int]:
    with engine.db.connect() as conn:
        rows = conn.execute(
            select(tables.case_event.c.case_id, func.count())
            .where(tables.case_event.c.kind == "timer_fired")
            .group_by(tables.case_event.c.case_id)
        )
        return Counter({r[0]: r[1] for r in rows})


def _start_cases(engine: Engine, deploy: Callable[..., None], n: int) -> list[int]:
    deploy(("un_timer.bpmn", single_timer()))
    return [engine.cases.start("un_timer", {}, actor=AS).id for _ in range(n)]


def test_two_schedulers_fire_500_timers_exactly_once(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, db_url: str
) -> None:
    cases = _start_cases(engine, deploy, 500)
    now = clock.advance(days=1, minutes=5).isoformat()

    workers = [_worker(db_url, now) for _ in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], [o[1][-2000:] for o in outputs]
    counts = [int(out.strip()) for out, _ in outputs]
    assert sum(counts) == 500
    if db_url.startswith("postgresql"):
        # Real concurrency (SKIP LOCKED); on SQLite writers queue on the file lock instead.
        assert all(c > 0 for c in counts), counts
    per_case = _fired_per_case(engine)
    assert set(per_case) == set(cases) and set(per_case.values()) == {1}
    with engine._ctx.uow(write=False) as uow:
        assert uow.timers.count("fired") == 500 and uow.timers.count("pending") == 0


def test_a_scheduler_killed_mid_run_loses_no_timer(
    engine: Engine, deploy: Callable[..., None], clock: FixedClock, db_url: str
) -> None:
    cases = _start_cases(engine, deploy, 300)
    now = clock.advance(days=1, minutes=5).isoformat()

    victim = _worker(db_url, now)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(_fired_per_case(engine).values()) < 20:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    fired_before = sum(_fired_per_case(engine).values())
    assert 0 < fired_before < 300  # it really died mid-run

    rescuer = _worker(db_url, now)
    out, err = rescuer.communicate(timeout=600)

    assert rescuer.returncode == 0, err[-2000:]
    assert int(out.strip()) == 300 - fired_before
    per_case = _fired_per_case(engine)
    assert set(per_case) == set(cases) and set(per_case.values()) == {1}
