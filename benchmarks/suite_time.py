"""Wall time of ``make test``'s pytest passes, per pass, and where it goes (the files that take longest).

    .venv/bin/python -m benchmarks.suite_time                         # this checkout, SQLite
    .venv/bin/python -m benchmarks.suite_time --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m benchmarks.suite_time --root . --root ../other --rounds 2   # A/B, interleaved
    .venv/bin/python -m benchmarks.suite_time --skip parallel      # the passes after the parallel one

The passes are the ``TEST_PASS=…`` lines that ``make -n test`` prints for the checkout (so they
stay what the Makefile runs, with CI's ``-m "not schemathesis"``), run as they are, one after the
other; the decision tests and the set-up that ``make test`` also does are left out. Each pass
writes a JUnit report, from which the per-file totals (set-up, call and tear-down of every test of
the file) are read. With several ``--root``, each round runs every root in turn (A B A B …), so
that a machine shared with others loads the variants alike; the summary gives each root's median
per pass and its ratio to the first root. A root without a ``.venv`` of its own (a ``git worktree add``
of another commit) runs on this checkout's, with its own sources first on ``PYTHONPATH``.

CPU is the passes' user + system time, with every process they started (workers, servers,
Chromium): a loaded machine stretches the wall time, much less the CPU.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CI_ARGS = '-m "not schemathesis"'


@dataclass
class PassRun:
    name: str
    wall: float
    cpu: float
    tests: int
    failures: int
    per_file: dict[str, float] = field(default_factory=dict)


def pass_commands(root: Path) -> list[tuple[str, str]]:
    """``(pass name, shell command)`` for each pytest pass of ``make test`` in ``root``."""
    dry = subprocess.run(
        ["make", "-s", "-n", "test", f"PYTEST_ARGS={CI_ARGS}"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    found = []
    for line in dry.splitlines():
        line = line.strip()
        if line.startswith("TEST_PASS="):
            found.append((line.split()[0].split("=", 1)[1], line))
        elif line.startswith(".venv/bin/pytest"):  # a Makefile of before the two passes: one
            found.append(("all", line))
    if not found:
        raise SystemExit(f"{root}: `make -n test` prints no pytest line")
    return found


def run_pass(root: Path, name: str, command: str, env: dict[str, str], extra: str = "") -> PassRun:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        # the report option goes before a trailing `|| …`
        head, sep, tail = command.partition(" ||")
        full = f"{head} {extra} --junitxml={shlex.quote(str(report))} -p no:cacheprovider{sep}{tail}"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(["bash", "-c", full], cwd=root, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        per_file: dict[str, float] = defaultdict(float)
        tests = failures = 0
        if report.exists():
            for case in ET.parse(report).getroot().iter("testcase"):
                tests += 1
                failures += any(child.tag in ("failure", "error") for child in case)
                per_file[module_of(case.get("classname", "?"))] += float(case.get("time", 0))
        if done.returncode not in (0, 1, 5):
            print(f"  {name}: pytest exited {done.returncode}", file=sys.stderr)
        return PassRun(name, wall, cpu, tests, failures, dict(per_file))


def module_of(classname: str) -> str:
    """``tests.web.test_api.TestX`` → ``tests/web/test_api.py``."""
    parts = classname.split(".")
    for i, part in enumerate(parts):
        if part.startswith("test_"):
            return "/".join(parts[: i + 1]) + ".py"
    return classname


def environment(root: Path, db: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if db:
        env["TEST_DATABASE_URL"] = db
        env["REQUIRE_POSTGRES"] = "1" if db.startswith("postgresql") else ""
    if not (root / ".venv").exists():  # this checkout's packages, the root's own sources
        env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def own_venv(root: Path, command: str) -> str:
    return command if (root / ".venv").exists() else command.replace(".venv/bin/", f"{HERE / '.venv' / 'bin'}/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", action="append", type=Path, help="a checkout to time (repeatable; default: this one)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over the roots (A B A B …)")
    parser.add_argument("--db", help="TEST_DATABASE_URL (default: SQLite)")
    parser.add_argument("--top", type=int, default=15, help="files listed per pass, longest first")
    parser.add_argument("--extra", default="", help="more pytest arguments for every pass (e.g. a few paths)")
    parser.add_argument(
        "--skip", action="append", default=[], help="a pass not to run (repeatable: --skip parallel times the rest)"
    )
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [HERE])]
    results: dict[Path, list[list[PassRun]]] = {root: [] for root in roots}
    for round_no in range(1, args.rounds + 1):
        for root in roots:
            env = environment(root, args.db)
            runs = []
            for name, command in pass_commands(root):
                if name in args.skip:
                    continue
                run = run_pass(root, name, own_venv(root, command), env, args.extra)
                runs.append(run)
                print(
                    f"round {round_no} {root.name:>12} {name:>9}: {run.tests:5d} tests ({run.failures} failed) "
                    f"wall {run.wall:7.1f} s  cpu {run.cpu:7.1f} s",
                    flush=True,
                )
            total = sum(r.wall for r in runs)
            print(f"round {round_no} {root.name:>12}     total: wall {total:7.1f} s", flush=True)
            results[root].append(runs)

    print("\nmedian per pass (wall s / cpu s), ratio of wall to the first root")
    first: dict[str, float] = {}
    for root in roots:
        by_pass: dict[str, list[PassRun]] = defaultdict(list)
        for runs in results[root]:
            for run in runs:
                by_pass[run.name].append(run)
        by_pass["total"] = [
            PassRun("total", sum(r.wall for r in runs), sum(r.cpu for r in runs), sum(r.tests for r in runs), 0)
            for runs in results[root]
        ]
        cells = []
        for name, runs in by_pass.items():
            wall = statistics.median(r.wall for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            first.setdefault(name, wall)
            cells.append(f"{name} {wall:.1f}/{cpu:.1f} (×{wall / first[name]:.2f})")
        print(f"  {root}: " + "; ".join(cells))
    for root in roots:
        for run in results[root][-1]:
            print(f"\n{root.name}, {run.name} pass, the {args.top} longest files (last round, s):")
            for name, seconds in sorted(run.per_file.items(), key=lambda kv: -kv[1])[: args.top]:
                print(f"  {seconds:7.1f}  {name}")


if __name__ == "__main__":
    main()
