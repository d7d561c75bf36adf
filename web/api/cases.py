"""API resource ``/cases``: list with filters, start, show (data filtered by role, access
logged by the engine) and history."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine import CaseStatus
from engine.model import CaseEvent, CaseView
from web import security
from web.api.auth import api_actor, requires
from web.api.common import problems
from web.api.schemas import (
    CaseQuerySchema,
    CaseSchema,
    CaseStartedSchema,
    CaseStartSchema,
    CaseSummarySchema,
    EventSchema,
)
from web.errors import ensure_id


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_cases", __name__, url_prefix=f"{prefix}/cases", description="Cases (one per beneficiary or territory)"
    )

    @blp.route("", methods=["GET"])
    @requires("cases")
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @problems(blp, 403, 422)
    def list_cases(args: dict[str, Any]) -> list[CaseView]:
        """Cases the caller may see, newest first (no personal data beyond the title)."""
        return security.engine().cases.list(
            status=CaseStatus(args["status"]) if args.get("status") else None,
            process_id=args.get("process_id"),
            territory=args.get("territory"),
            phase=args.get("phase"),
            title=args.get("title"),
            limit=args["limit"],
            offset=args["offset"],
            actor=api_actor(),
        )

    @blp.route("", methods=["POST"])
    @requires("start")
    @blp.arguments(CaseStartSchema)
    @blp.response(201, CaseStartedSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def start_case(args: dict[str, Any]) -> CaseView:
        """Start a case of a deployed process (beneficiary paths need an active partnership: 409)."""
        return security.engine().cases.start(
            args["process_id"], args["data"], actor=api_actor(), territory=args.get("territory")
        )

    @blp.route("/<int:case_id>", methods=["GET"])
    @requires("cases")
    @blp.response(200, CaseSchema)
    @problems(blp, 403, 404)
    def show_case(case_id: int) -> CaseView:
        """A case with the data the caller's roles may see, its open tasks and withheld fields."""
        ensure_id(case_id)
        return security.engine().cases.get(
            case_id, purpose="consultazione caso (API)", ip=security.client_ip(), actor=api_actor()
        )

    @blp.route("/<int:case_id>/history", methods=["GET"])
    @requires("cases")
    @blp.response(200, EventSchema(many=True))
    @problems(blp, 403, 404)
    def case_history(case_id: int) -> list[CaseEvent]:
        """The case's audit trail, oldest first (personal data filtered by role)."""
        ensure_id(case_id)
        return security.engine().cases.history(
            case_id, purpose="cronologia caso (API)", ip=security.client_ip(), actor=api_actor()
        )

    return blp
