"""Flask settings: the secret key (environment or a generated instance file), cookie flags and
the trusted reverse proxies.

``SECRET_KEY`` comes from the environment when set; otherwise a random key is generated once
into ``<instance>/secret_key`` (mode 0600) so sessions survive restarts. Session cookies are
HttpOnly and SameSite=Lax; ``Secure`` is on when ``IMPRESA_SECURE_COOKIES=1`` (behind HTTPS).

``IMPRESA_TRUSTED_PROXIES`` (``TRUSTED_PROXIES``, default 0) is the number of reverse proxies in
front of the app that set ``X-Forwarded-For``/``-Proto``/``-Host``: with N, werkzeug's ProxyFix
takes the client address, scheme and host from the N-th entry from the right. With 0 the headers
are ignored (a client could forge them), so behind a proxy every user would share its address.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import Settings

SESSION_HOURS = Settings.session_hours  # a session's life after its last request: the engine's


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    secure = os.environ.get("IMPRESA_SECURE_COOKIES", "0") == "1"
    app.config.update(
        SESSION_COOKIE_NAME="impresa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,  # a request body; a process file itself: 2 MB (engine)
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        TRUSTED_PROXIES=_proxies(os.environ.get("IMPRESA_TRUSTED_PROXIES", "0")),
        BABEL_DEFAULT_LOCALE="it",
        BABEL_DEFAULT_TIMEZONE="Europe/Rome",
        PAGE_SIZE=20,
    )
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(Path(app.instance_path))


def trust_proxies(app: Flask) -> None:
    """Let ProxyFix read the forwarding headers of ``TRUSTED_PROXIES`` proxies (none: untouched)."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _proxies(raw: str) -> int:
    try:
        hops = int(raw.strip() or "0")
    except ValueError:
        raise ValueError(f"IMPRESA_TRUSTED_PROXIES must be a number of proxies, not {raw!r}") from None
    if hops < 0:
        raise ValueError("IMPRESA_TRUSTED_PROXIES cannot be negative")
    return hops


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key
