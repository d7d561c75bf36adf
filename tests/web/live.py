"""The real app served on a free localhost port by werkzeug in a thread, and headless Chromium
(Debian's /usr/bin/chromium; Playwright never downloads a browser here).

One Chromium is launched per test process, on first use, and closed when the session ends
(``close_chromium``, called by ``tests/web/conftest.py``): a launch costs a second or two, and
each test still gets a fresh browser context of its own (own cookies, storage and cache, like a
new profile), closed when the test is done.

The browser tests' shared steps are here too: ``login`` and ``logout`` as a person does them, and
``SHOTS``, the folder their screenshots go to. ``logout`` first waits until the page's own
requests (a diagram, a list it fetches after loading) are answered, so a test never clicks "Esci"
while its page still has a request in flight."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, expect, sync_playwright
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-output"  # screenshots for people (gitignored)
TIMEOUT = 15_000  # ms an action of the browser tests may wait
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


class _Answering:
    """The app, counting the requests it is answering: ``serve`` waits for them before the test
    goes on to close its engine, so no request is left holding a database connection.

    A request is answered once its response has been iterated to the end (everything written to
    the browser: a streamed response runs its code until then) or closed, whichever comes first.
    Not only at the close: werkzeug closes the response after draining what the browser sent
    beyond the request, and when the browser resets that connection (Chromium does, after some
    form posts) the drain raises and the close is never called; such a request, long answered,
    then kept ``serve`` waiting its whole 10 s at the end of the test."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.busy = 0
        self.idle = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        with self.idle:
            self.busy += 1
        counted = [True]  # until answered, once

        def answered() -> None:
            with self.idle:
                if counted:
                    counted.clear()
                    self.busy -= 1
                    self.idle.notify_all()

        try:
            response = self.app(environ, start_response)
        except BaseException:
            answered()
            raise
        closers = [c for c in (getattr(response, "close", None), answered) if c is not None]
        return ClosingIterator(_until_exhausted(response, answered), closers)

    def wait(self, seconds: float) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.busy == 0, timeout=seconds)


def _until_exhausted(response: Iterable[bytes], answered: Callable[[], None]) -> Iterator[bytes]:
    """``response``'s chunks, then ``answered()`` once the last one has been taken (closing this
    generator leaves ``response`` open: the ``ClosingIterator`` around it closes that)."""
    for chunk in response:  # noqa: UP028 - `yield from` would close ``response`` a second time
        yield chunk
    answered()


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    answering = _Answering(app)
    server = make_server("127.0.0.1", 0, answering, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        answering.wait(seconds=10)  # requests the page sent last, still being answered
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


# The requests each page has sent and not yet seen answered (``track_requests``).
_pending: weakref.WeakKeyDictionary[Page, set[Request]] = weakref.WeakKeyDictionary()


def track_requests(page: Page) -> None:
    """Keep count of the page's requests in flight, for ``settle`` (once per page)."""
    if page in _pending:
        return
    pending: set[Request] = set()
    _pending[page] = pending
    page.on("request", lambda request: pending.add(request))  # Playwright takes Python functions only
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))


QUIET_MS = 150  # ms without a request in flight that count as settled


def settle(page: Page, timeout_ms: int = TIMEOUT) -> None:
    """Wait until the page has loaded and none of its requests has been in flight for
    ``QUIET_MS`` (the fetches its scripts start after loading, too); a request still open after
    ``timeout_ms`` fails the test, naming it. A page whose requests are tracked (``login`` does
    it) needs no more: Playwright's own "networkidle" waits for 500 ms without traffic after the
    last answer, at every page of every walk. An untracked page still gets that rule."""
    page.wait_for_load_state("load", timeout=timeout_ms)
    pending = _pending.get(page)
    if pending is None:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        return
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        page.wait_for_timeout(25)  # lets Playwright deliver the request events
        now = time.monotonic()
        if pending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_MS / 1000:
            return
    assert not pending, f"requests still in flight: {sorted(r.url for r in pending)}"


def login(page: Page, base: str, username: str, password: str, timeout_ms: int = TIMEOUT) -> None:
    """Log in through the login form, as a person does; the page's requests are tracked from here
    on (``logout`` waits for them)."""
    track_requests(page)
    page.goto(f"{base}/login")
    page.fill("#username", username, timeout=timeout_ms)
    page.fill("#password", password, timeout=timeout_ms)
    page.click("button.primary", timeout=timeout_ms)
    expect(page.get_by_test_id("current-user")).to_contain_text(username, timeout=timeout_ms)


def logout(page: Page, timeout_ms: int = TIMEOUT) -> None:
    """Click "Esci" once the page's own requests are answered, and wait for the login form."""
    settle(page, timeout_ms)
    page.get_by_role("button", name="Esci").click(timeout=timeout_ms)
    expect(page.locator("#username")).to_be_visible(timeout=timeout_ms)
