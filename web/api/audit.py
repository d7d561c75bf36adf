"""API resources for auditors (read-only): a case's step-through replay, its dossier as PDF and
as a signed JSON bundle, the verification of every hash chain and the personal-data access log;
and, for evaluators, the pseudonymised export. The data comes from ``web.audit``'s helpers, so
the API and the pages say the same thing."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response

from engine.model import AccessLogEntry
from web import audit, security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import (
    AccessLogEntrySchema,
    AccessLogQuerySchema,
    DossierSchema,
    PseudonymisedSchema,
    ReplayQuerySchema,
    ReplaySchema,
    VerifySchema,
)
from web.errors import ensure_id

PDF = {"type": "string", "format": "binary"}


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_audit", __name__, url_prefix=prefix, description="Audit (read-only): replay, dossiers, verification"
    )

    @blp.route("/cases/<int:case_id>/replay", methods=["GET"])
    @requires("audit")
    @blp.arguments(ReplayQuerySchema, location="query")
    @blp.response(200, ReplaySchema)
    @problems(blp, 403, 404, 422)
    def replay(args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Re-run the case from its events: each step's element states per process, data diff
        and digest check (health/judicial fields withheld); ``upto`` stops at an event."""
        ensure_id(case_id)
        return audit.replay_document(case_id, api_actor(), args.get("upto"))

    @blp.route("/cases/<int:case_id>/dossier.pdf", methods=["GET"])
    @requires("audit")
    @blp.response(200, PDF, content_type="application/pdf", description="The dossier (attachment)")
    @problems(blp, 403, 404)
    def dossier_pdf(case_id: int) -> Response:
        """The case dossier as PDF: summary, chain verification, full timeline."""
        ensure_id(case_id)
        return audit.dossier_pdf_response(case_id, api_actor())

    @blp.route("/cases/<int:case_id>/dossier.json", methods=["GET"])
    @requires("audit")
    @blp.response(200, DossierSchema, description="The signed bundle (attachment)")
    @problems(blp, 403, 404)
    def dossier_json(case_id: int) -> Response:
        """The case dossier as a signed JSON bundle, verifiable offline."""
        ensure_id(case_id)
        return audit.dossier_json_response(case_id, api_actor())

    @blp.route("/audit/verify", methods=["GET"])
    @requires("audit")
    @blp.response(200, VerifySchema)
    @problems(blp, 403)
    def verify() -> dict[str, Any]:
        """Re-check every case's hash chain and every anchor now; ``first_break`` is the first broken link."""
        report = security.engine().audit.verify(actor=api_actor())
        breaks = [dataclasses.asdict(b) for b in report.breaks]
        return {
            "ok": report.ok,
            "cases": report.cases,
            "events": report.events,
            "anchors": report.anchors,
            "first_break": breaks[0] if breaks else None,
            "breaks": breaks,
        }

    @blp.route("/audit/access-log", methods=["GET"])
    @requires("audit")
    @blp.arguments(AccessLogQuerySchema, location="query")
    @blp.response(200, AccessLogEntrySchema(many=True))
    @problems(blp, 403, 422)
    def access_log(args: dict[str, Any]) -> list[AccessLogEntry]:
        """Who was shown personal (health/judicial) data, newest first, by case and/or user."""
        return security.engine().audit.access_log(
            case_id=args.get("case_id"), username=args.get("username"), limit=args["limit"], actor=api_actor()
        )

    return blp


def exports_blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_exports", __name__, url_prefix=f"{prefix}/exports", description="Exports for evaluators")

    @blp.route("/pseudonymised", methods=["GET"])
    @requires("export")
    @blp.response(200, PseudonymisedSchema(many=True))
    @problems(blp, 403)
    def pseudonymised() -> list[dict[str, Any]]:
        """One record per case: stable pseudonym, no identity, health/judicial categories generalised."""
        return security.engine().audit.export_pseudonymised(actor=api_actor())

    return blp
