"""Timer throughput: how many due timers one scheduler fires per second, on SQLite and PostgreSQL.

N cases each wait on one timer; the clock jumps past them all and one scheduler drains them
(each firing is its own transaction: claim, lock, fire, write state/timers/events, commit).

    .venv/bin/python -m benchmarks.timer_throughput [--timers 1000] [--no-postgres]
"""

from __future__ import annotations

import argparse

from benchmarks.common import EVERYONE, deploy, fresh_engine, timed
from engine.clock import FixedClock
from engine.policy import SCHEDULER
from tests.fixtures.clock_diagrams import single_timer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timers", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    for kind in ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]:
        clock = FixedClock()
        with fresh_engine(kind, clock) as engine:
            deploy(engine, ("un_timer.bpmn", single_timer()))
            for _ in range(args.timers):
                engine.cases.start("un_timer", {}, actor=EVERYONE)
            clock.advance(days=1, minutes=1)
            engine._ctx.workflows.clear()  # a scheduler process starts cold
            fired = 0

            def drain() -> None:
                nonlocal fired
                while n := engine.timers.fire_due(actor=SCHEDULER, limit=100):
                    fired += n

            seconds = timed(drain)
            assert fired == args.timers, fired
            print(f"{kind:10s}: {fired} timers in {seconds:.2f} s = {fired / seconds:7.1f} timers/s (one scheduler)")


if __name__ == "__main__":
    main()
