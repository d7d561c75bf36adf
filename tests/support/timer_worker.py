"""A scheduler process for the multi-process timer tests: fires what is due at a given instant.

    python -m tests.support.timer_worker DATABASE_URL ISO_NOW
Prints the number of timers it fired.
"""

from __future__ import annotations

import datetime as dt
import sys

from engine import Settings, build_engine
from engine.clock import FixedClock
from engine.policy import SCHEDULER
from tests.conftest import ROOT


def main() -> None:
    url, now = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2])
    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes"), clock=FixedClock(now))
    total = 0
    while fired := engine.timers.fire_due(actor=SCHEDULER, limit=50):
        total += fired
    engine.close()
    print(total, flush=True)


if __name__ == "__main__":
    main()
