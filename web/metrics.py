"""Prometheus metrics of the web process: every request counted and timed by its route template
(never by its concrete URL, so ids do not explode the label set), and the page that exposes them.

Under ``impresa serve`` each gunicorn worker and the scheduler write their counters to files in
``PROMETHEUS_MULTIPROC_DIR`` and the page adds them up; in a single process (tests, ``flask run``)
the process's own registry is read. The deployment's figures (open work, timers due, incidents)
are read from the database at each scrape through the engine, as the scraping user.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from engine import Engine
from engine.model import Actor

REQUESTS = Counter(
    "impresa_http_requests_total", "HTTP requests by route, method and status", ["route", "method", "status"]
)
LATENCY = Histogram(
    "impresa_http_request_seconds",
    "HTTP request latency by route and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_observe)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is None or request.blueprint == "static":
        return response
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
    REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    return response


class _Deployment(Collector):
    """The engine's operational figures, read at scrape time as ``actor``."""

    def __init__(self, engine: Engine, actor: Actor) -> None:
        self.engine = engine
        self.actor = actor

    def collect(self) -> Iterator[Metric]:
        f = self.engine.operations(actor=self.actor)
        figures = {
            "impresa_running_cases": ("Cases running", f.running_cases),
            "impresa_open_tasks": ("Human tasks open in the inboxes", f.open_tasks),
            "impresa_unassigned_tasks": ("Open tasks nobody has claimed", f.unassigned_tasks),
            "impresa_overdue_tasks": ("Open tasks past their due date", f.overdue_tasks),
            "impresa_oldest_open_task_seconds": ("Age of the oldest open task (queue age)", f.oldest_open_task_seconds),
            "impresa_timers_pending": ("Timers waiting to fire", f.timers_pending),
            "impresa_timers_due": ("Timers already due and not yet fired (the clock's backlog)", f.timers_due),
            "impresa_timer_incidents": (
                "Timers stopped after repeated failures, waiting for a person",
                f.timer_incidents,
            ),
        }
        for name, (text, value) in figures.items():
            yield GaugeMetricFamily(name, text, value=value)


def exposition(engine: Engine, actor: Actor) -> Response:
    """The metrics page: this process's (or every process's) counters and the deployment's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        sources: list[CollectorRegistry] = [registry]
    else:
        sources = [REGISTRY, registry]
    registry.register(_Deployment(engine, actor))
    body = b"".join(generate_latest(source) for source in sources)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Content-Type": CONTENT_TYPE_LATEST})
