"""The real app served on a free localhost port by werkzeug in a thread, and headless Chromium
(Debian's /usr/bin/chromium; Playwright never downloads a browser here).

One Chromium is launched per test process, on first use, and closed when the session ends
(``close_chromium``, called by ``tests/web/conftest.py``): a launch costs a second or two, and
each test still gets a fresh browser context of its own (own cookies, storage and cache, like a
new profile), closed when the test is done."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_running: list[tuple[Playwright, Browser]] = []  # this process's Chromium, once launched
# How long an ``expect(…)`` waits for the page to show what it asserts (Playwright's default is
# 5 s): the browser tests run beside another pytest-xdist worker, so a page may take longer to
# get there than on a machine of its own; what must be shown is unchanged. Actions wait up to
# each file's TIMEOUT (15–20 s) already.
expect.set_options(timeout=15_000)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _browser() -> Browser:
    if _running and not _running[0][1].is_connected():  # it crashed: launch another
        close_chromium()
    if not _running:
        pw = sync_playwright().start()
        _running.append((pw, pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)))
    return _running[0][1]


def close_chromium() -> None:
    while _running:
        pw, browser = _running.pop()
        try:
            browser.close()
        finally:
            pw.stop()


@contextmanager
def chromium() -> Iterator[BrowserContext]:
    """A fresh browser context (a new profile) in Italian, 1280×900."""
    context = _browser().new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    try:
        yield context
    finally:
        context.close()


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Chromium for several users at once: each ``browser.new_context(locale="it-IT")`` is a
    separate person (own cookies); the contexts opened in the block are closed after it."""
    browser = _browser()
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        for context in browser.contexts:
            if context not in before:
                context.close()
