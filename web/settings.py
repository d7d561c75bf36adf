"""Flask settings: the secret key (environment or a generated instance file) and cookie flags.

``SECRET_KEY`` comes from the environment when set; otherwise a random key is generated once
into ``<instance>/secret_key`` (mode 0600) so sessions survive restarts. Session cookies are
HttpOnly and SameSite=Lax; ``Secure`` is on when ``IMPRESA_SECURE_COOKIES=1`` (behind HTTPS).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

SESSION_HOURS = 8


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
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_RATE_LIMIT=os.environ.get("IMPRESA_LOGIN_RATE_LIMIT", "10 per minute"),
        BABEL_DEFAULT_LOCALE="it",
        BABEL_DEFAULT_TIMEZONE="Europe/Rome",
        PAGE_SIZE=20,
    )
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(Path(app.instance_path))


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
