"""Login and logout: ``engine.accounts.authenticate`` checks the (hashed) password and
``engine.accounts.open_session`` opens a server-side session; the cookie keeps only its random id,
and the actor (roles, territories) is read again with the session on every request. Logout
revokes the session (``engine.accounts.close_session``), so the old cookie signs nobody in again.

Failed logins are throttled by the engine per user name and per client address, with the
counters in the database (so every worker and server shares them): a locked-out attempt gets
429 with ``Retry-After`` and the page says, in the user's language, when to try again. The client
address is ``request.remote_addr``, which ``IMPRESA_TRUSTED_PROXIES`` makes the proxy's
``X-Forwarded-For`` (``web.settings``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_time, format_timedelta
from werkzeug.wrappers import Response

from engine import errors
from web import security
from web.i18n import _

bp = Blueprint("auth", __name__)

MAX_FIELD = 200


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    wanted = request.values.get("next", "")
    if request.method == "GET":
        found = security.current_actor()
        if found is not None:
            return redirect(security.safe_next(wanted, security.home(found)))
        return render_template("login.html", next=security.safe_next(wanted, ""), username="")
    username = request.form.get("username", "").strip()[:MAX_FIELD]
    password = request.form.get("password", "")[:MAX_FIELD]
    try:
        found = (
            security.engine().accounts.authenticate(username, password, address=security.client_ip())
            if username and password
            else None
        )
    except errors.TooManyAttempts as refused:
        flash(retry_message(refused), "error")
        page = render_template("login.html", next=security.safe_next(wanted, ""), username=username)
        return page, 429, {"Retry-After": str(refused.retry_after)}
    if found is None:
        flash(_("Nome utente o password non corretti."), "error")
        return render_template("login.html", next=security.safe_next(wanted, ""), username=username), 401
    security.login(found)
    return redirect(security.safe_next(wanted, security.home(found)))


def retry_message(refused: errors.TooManyAttempts) -> str:
    """When to try again, in words and as a time of day (the user's language and time zone)."""
    return _(
        "Troppi tentativi di accesso non riusciti. Riprova %(wait)s, alle %(time)s.",
        wait=format_timedelta(dt.timedelta(seconds=refused.retry_after), add_direction=True, threshold=1),
        time=format_time(refused.retry_at, "HH:mm"),
    )


@bp.post("/logout")
def logout() -> Response:
    security.logout()
    flash(_("Sei uscito dall'applicazione."), "info")
    return redirect(url_for("auth.login"))
