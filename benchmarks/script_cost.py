"""Cost of one evaluation of diagram code, side by side in one run: a typical condition in the
server's process (proved cheap) and the same condition sent to the script worker; a typical script
task in the worker, on small and on case-sized task data; and, for comparison, the script run in
the server's process as it was before the worker existed (no wall-clock or memory limit).

    .venv/bin/python -m benchmarks.script_cost [--n 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

from benchmarks.common import ROOT
from engine.bpmn.sandbox import compile_script, guards, is_data, make_helpers, run_script
from engine.bpmn.scripting import SandboxEnvironment
from engine.services.processes import load_parameters

CONDITION = 'esito in ("IDONEO_LAVORO", "IDONEO_PREVIA_INCLUSIONE") and n < fn_param("max_riprogettazioni", regione)'
SCRIPT = (
    'traccia = "A"\nprevia_inclusione = esito == "IDONEO_PREVIA_INCLUSIONE"\nstato_caso = "IN_PROGETTAZIONE"\n'
    'storico_stati = storico_stati + [{"stato": stato_caso, "data": fn_now(), "motivo": esito}]'
)


def _context(size_kb: int) -> dict[str, Any]:
    history = [{"stato": f"S{i}", "data": "2026-01-01T00:00:00", "motivo": "x" * 40} for i in range(size_kb * 10)]
    return {"esito": "IDONEO_LAVORO", "n": 1, "regione": None, "storico_stati": history}


def per_call_us(n: int, call: Any) -> float:
    call()  # warm-up: compile caches, a started worker
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    params = load_parameters(ROOT / "processes")
    env = SandboxEnvironment(lambda: now, params)
    small, large = _context(0), _context(30)
    print(f"task data: small {len(json.dumps(small))} B, case-sized {len(json.dumps(large)) // 1024} KB")

    rows = [
        ("condition, server process (proved cheap)", per_call_us(args.n, lambda: env.evaluate(CONDITION, small))),
        ("condition, script worker", per_call_us(args.n, lambda: env._in_worker("eval", CONDITION, small, {}))),
        ("script task, worker, small data", per_call_us(args.n, lambda: env.execute(SCRIPT, dict(small), {}))),
        ("script task, worker, 30 KB data", per_call_us(args.n // 4, lambda: env.execute(SCRIPT, dict(large), {}))),
    ]
    helpers = {**guards(), **make_helpers(lambda: now, params)}
    code = compile_script(SCRIPT)

    def in_process(context: dict[str, Any]) -> None:
        """The script as it ran before the worker: in the server's process, no hard limits."""
        run_script(code, context, helpers, {})
        assert all(is_data(v) for v in context.values())

    rows.append(("script task, server process, small (before)", per_call_us(args.n, lambda: in_process(dict(small)))))
    rows.append(
        ("script task, server process, 30 KB (before)", per_call_us(args.n // 4, lambda: in_process(dict(large))))
    )
    base = rows[0][1]
    print(f"{'evaluation':55s} {'µs':>9s} {'× cheap condition':>18s}")
    for name, cost in rows:
        print(f"{name:55s} {cost:9.1f} {cost / base:18.1f}")


if __name__ == "__main__":
    main()
