"""Production HTTP serving: gunicorn in the foreground, configured from ``engine.config.Serving``.

The WSGI app is named by an import string (``web:create_app()`` for ``impresa serve``), so this
module stays free of Flask; its modules are imported in the master, and each worker builds its
own app, engine and database pool after the fork (no connection is shared across a fork).

Timeouts are set so that nothing a request legitimately waits for outlives the worker: a database
lock is waited for at most ``busy_timeout_seconds`` (then the request gets 503 with Retry-After),
well inside gunicorn's ``timeout``, which only kills a worker that is truly stuck.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

from gunicorn.app.base import BaseApplication

from engine.config import Serving


class ServingError(ValueError):
    """Settings that cannot work together (a user error: the CLI says so and exits 2)."""


def check(serving: Serving) -> None:
    if serving.workers < 1:
        raise ServingError("at least one worker is needed")
    if serving.threads < 1:
        raise ServingError("at least one thread per worker is needed")
    if serving.timeout_seconds < serving.busy_timeout_seconds + serving.TIMEOUT_MARGIN_SECONDS:
        raise ServingError(
            f"the worker timeout ({serving.timeout_seconds}s) must exceed the database busy timeout "
            f"({serving.busy_timeout_seconds}s) by at least {serving.TIMEOUT_MARGIN_SECONDS}s, or a request "
            "waiting for a lock is killed instead of answered"
        )


def gunicorn_options(serving: Serving) -> dict[str, Any]:
    return {
        "bind": [serving.bind],
        "workers": serving.workers,
        "threads": serving.threads,
        # gthread even with one thread: it keeps a client's connection open between requests
        # (the sync worker closes it after each answer, and every new connection wakes each idle
        # worker to race for the accept); with two threads one request's database round trips
        # leave the process free for the other's Python. Measured with benchmarks/http_load.py:
        # CPU per task completion about a third lower than sync workers (benchmarks/README.md).
        "worker_class": "gthread",
        "timeout": serving.timeout_seconds,
        "graceful_timeout": serving.timeout_seconds,
        "keepalive": 5,
        "control_socket_disable": True,  # one shared path per user would clash between servers
        "accesslog": "-" if serving.access_log else None,
        "errorlog": "-",
        # limits on the request line and headers (the body is limited by the app: 5 MB)
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "post_worker_init": _freeze_objects,
    }


def _freeze_objects(_worker: Any = None) -> None:
    """Move every object alive now (modules, the app, the engine's caches) out of the cycle
    collector's reach: its full collections then walk only what requests create, instead of
    stopping a worker for tens of milliseconds to walk the whole heap. Reference counting still
    frees them; only a cycle among them is never collected (what exists at start-up is kept
    anyway). In the master it also keeps the pages the workers inherit shared."""
    gc.freeze()


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with options given in code (no config file, no command line of its own)."""

    def __init__(self, app_uri: str, options: dict[str, Any]) -> None:
        self.app_uri = app_uri
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from gunicorn.util import import_app

        return import_app(self.app_uri)


def serve(app_uri: str, serving: Serving) -> None:
    """Serve until stopped (SIGTERM/SIGINT: graceful).

    The app's modules are imported once here, in the master, so each forked worker starts with
    them loaded and only builds its app (its own engine and connections: none exist before the
    fork). Starting or restarting many workers then takes about as long as starting one."""
    check(serving)
    importlib.import_module(app_uri.partition(":")[0])
    _freeze_objects()
    GunicornServer(app_uri, gunicorn_options(serving)).run()
