"""Login and logout: ``engine.accounts.authenticate`` checks the (hashed) password; the session keeps
only the user name, and the actor (roles, territories) is read again on every request.
Login POSTs are rate-limited per client address (see ``security.limit_login``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web import security
from web.i18n import _

bp = Blueprint("auth", __name__)

MAX_FIELD = 200


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    wanted = request.values.get("next", "")
    if request.method == "GET":
        found = security.current_actor()
        if found is not None:
            return redirect(security.safe_next(wanted, security.home(found)))
        return render_template("login.html", next=security.safe_next(wanted, ""), username="")
    username = request.form.get("username", "").strip()[:MAX_FIELD]
    password = request.form.get("password", "")[:MAX_FIELD]
    found = security.engine().accounts.authenticate(username, password) if username and password else None
    if found is None:
        flash(_("Nome utente o password non corretti."), "error")
        return render_template("login.html", next=security.safe_next(wanted, ""), username=username), 401
    security.login(found)
    return redirect(security.safe_next(wanted, security.home(found)))


@bp.post("/logout")
def logout() -> Response:
    security.logout()
    flash(_("Sei uscito dall'applicazione."), "info")
    return redirect(url_for("auth.login"))
