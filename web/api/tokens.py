"""API resource ``/tokens``: the caller's own API tokens (list, create, revoke)."""

from __future__ import annotations

from typing import Any

from engine.model import ApiToken
from web import security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import TokenCreatedSchema, TokenCreateSchema, TokenSchema
from web.errors import ensure_id


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_tokens", __name__, url_prefix=f"{prefix}/tokens", description="Own API tokens")

    @blp.route("", methods=["GET"])
    @requires("account")
    @blp.response(200, TokenSchema(many=True))
    @problems(blp)
    def list_tokens() -> list[ApiToken]:
        """The caller's tokens (never the token values)."""
        return security.engine().accounts.tokens(actor=api_actor())

    @blp.route("", methods=["POST"])
    @requires("account")
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    @problems(blp, 400, 422)
    def create_token(args: dict[str, Any]) -> dict[str, Any]:
        """A new token for the caller; its value is returned only now."""
        token_id, token = security.engine().accounts.create_token(args["name"], actor=api_actor())
        return {"id": token_id, "name": args["name"].strip(), "token": token}

    @blp.route("/<int:token_id>", methods=["DELETE"])
    @requires("account")
    @blp.response(204)
    @problems(blp, 404)
    def revoke_token(token_id: int) -> None:
        """Revoke one of the caller's tokens (it stops working at once)."""
        ensure_id(token_id)
        security.engine().accounts.revoke_token(token_id, actor=api_actor())

    return blp
