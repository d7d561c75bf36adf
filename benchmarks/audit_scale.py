"""Audit at scale: replay time for a 500-event case, and chain verification time for 1M events.

The 500-event case is made through the real engine (a task repeated 499 times); it is replayed
from the start (every command re-executed) and from its latest checkpoint, side by side. The 1M events are
sealed with the real chain code and bulk-inserted (10,000 cases × 100 events), then every chain
and the anchor are verified by the same code ``impresa audit verify`` runs.

    .venv/bin/python -m benchmarks.audit_scale [--events 1000000] [--kind sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

from sqlalchemy import insert

from benchmarks.common import EVERYONE, case_row, deploy, fresh_engine, median_of, timed
from engine.adapters import tables
from engine.audit.chain import GENESIS, seal
from engine.audit.codec import event_to_row
from engine.clock import FixedClock
from engine.model import CaseEvent, EventKind, ReplayResult
from engine.policy import CLI_OPERATOR
from tests.fixtures.diagrams import looped


def replay_500(kind: str) -> None:
    clock = FixedClock()
    with fresh_engine(kind, clock) as engine:
        deploy(engine, ("lungo.bpmn", looped("lungo", 499)))
        case = engine.cases.start("lungo", {"n": 1}, actor=EVERYONE)
        while case.open_tasks:
            clock.advance(minutes=10)
            case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": "ok"}, actor=EVERYONE)
        events = len(engine.cases.history(case.id, actor=CLI_OPERATOR))
        for label, options in (("from the start", {"from_start": True}), ("from its checkpoint", {})):
            results: list[ReplayResult] = []
            seconds = median_of(
                3, lambda o=options, r=results: r.append(engine.audit.replay(case.id, actor=EVERYONE, **o))
            )
            result = results[-1]
            assert result.faithful
            print(
                f"{kind:10s} replay of a {events}-event case {label}: {seconds * 1000:.0f} ms "
                f"({len(result.steps)} commands re-executed, checkpoint {result.checkpoint})"
            )


def verify_million(kind: str, total: int, per_case: int = 100) -> None:
    cases = total // per_case
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rng = random.Random(7)
    with fresh_engine(kind) as engine:
        with engine.db.begin() as conn:
            conn.execute(
                insert(tables.process_version).values(
                    id=1,
                    process_id="bench",
                    version=1,
                    name="bench",
                    sha256="0" * 64,
                    deployed_at=start,
                    deployed_by="bench",
                    note="",
                )
            )
            for first in range(1, cases + 1, 500):
                ids = range(first, min(first + 500, cases + 1))
                rows, case_rows = [], []
                for case_id in ids:
                    events = [
                        CaseEvent(
                            case_id=case_id,
                            seq=s,
                            cmd=s,
                            at=start + dt.timedelta(minutes=s),
                            actor="anna",
                            kind=EventKind.TASK_COMPLETED,
                            task_name=f"Passo {s}",
                            bpmn_id=f"Task_{s}",
                            data={"conferma": True, "note": f"nota {rng.randint(0, 10**6)}", "passo": s},
                        )
                        for s in range(1, per_case + 1)
                    ]
                    sealed = seal(events, GENESIS)
                    rows += [event_to_row(e) for e in sealed]
                    case_rows.append(
                        case_row(case_id, "T1", start, title="", event_seq=per_case, event_head=sealed[-1].hash)
                    )
                conn.execute(insert(tables.cases), case_rows)
                conn.execute(insert(tables.case_event), rows)
        engine.audit.anchor(actor=EVERYONE)
        report = None

        def run() -> None:
            nonlocal report
            report = engine.audit.verify(actor=EVERYONE)

        seconds = timed(run)
        assert report is not None and report.ok and report.events == cases * per_case
        print(
            f"{kind:10s} verification of {report.events:,} events in {report.cases:,} cases + 1 anchor: "
            f"{seconds:.1f} s ({report.events / seconds:,.0f} events/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--kind", default="sqlite", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    replay_500(args.kind)
    verify_million(args.kind, args.events)


if __name__ == "__main__":
    main()
