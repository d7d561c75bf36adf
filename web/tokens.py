"""The user's own API tokens: create (the plain token is shown once), list and revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from web import security
from web.errors import ensure_confirmed, ensure_id, plain_keys
from web.i18n import _

bp = Blueprint("tokens", __name__)


@bp.get("/account/tokens")
@security.area("account")
def index() -> str:
    return _page()


@bp.post("/account/tokens")
@security.area("account")
def create() -> str | tuple[str, int]:
    name = request.form.get("name", "").strip()[:200]
    try:
        token_id, token = security.engine().accounts.create_token(name, actor=security.actor())
    except errors.InvalidData:
        flash(_("Dai un nome al token (ad esempio il sistema che lo userà)."), "error")
        return _page(), 422
    return _page(new_token=token, new_id=token_id)


@bp.post("/account/tokens/<int:token_id>/revoke")
@security.area("account")
def revoke(token_id: int) -> Response | tuple[str, int]:
    """A revoked token cannot be used again: the row's form confirms it with a box."""
    ensure_id(token_id)
    try:
        if token_id not in {t.id for t in security.engine().accounts.tokens(actor=security.actor())}:
            raise errors.NotFound(f"token {token_id}")  # someone else's, or none: not found either way
        ensure_confirmed(f"revoke-{token_id}")
        security.engine().accounts.revoke_token(token_id, actor=security.actor())
    except errors.NotFound:
        abort(404)
    except errors.InvalidData as err:
        return _page(messages=plain_keys(err.messages)), 422
    flash(_("Token revocato."), "info")
    return redirect(url_for("tokens.index"))


def _page(new_token: str = "", new_id: int | None = None, messages: dict[str, list[str]] | None = None) -> str:
    tokens = security.engine().accounts.tokens(actor=security.actor())
    return render_template("tokens.html", tokens=tokens, new_token=new_token, new_id=new_id, messages=messages or {})
