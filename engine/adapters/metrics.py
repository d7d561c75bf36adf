"""Prometheus instruments of the engine process: commands (one per writing unit of work) with
their outcome and duration, and what each clock tick did.

These counters live in each process. Under ``impresa serve`` (several gunicorn workers and the
scheduler process) ``PROMETHEUS_MULTIPROC_DIR`` is set before anything is imported, so every
process writes its values to files there and the ``/metrics`` page adds them up. The figures that
describe the whole deployment (open tasks, timers due, incidents, queue age) are not counted here:
they are read from the database at each scrape (``Engine.operations``), so they hold whichever
server or scheduler did the work.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

COMMANDS = Counter(
    "impresa_commands_total",
    "Engine commands (writing transactions) by outcome: committed, or refused (an error undid it)",
    ["outcome"],
)
COMMAND_SECONDS = Histogram(
    "impresa_command_seconds",
    "Duration of engine commands, from the transaction's start to its commit or rollback",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TICK_WORK = Counter(
    "impresa_tick_work_total",
    "What the clock's ticks did: timers fired, messages delivered, overdue notices, notices sent, anchors",
    ["kind"],
)
