"""API resources of the monitoring cockpit: the reports (funnel, times, ESF+ indicators, open
work), the case list and the ESF+ participant file, as JSON, CSV or XLSX. The same files as the
cockpit's downloads (``web.monitoring.download``), logged in the access log with their filters."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import fields, validate

from web import monitoring
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import Query

FILE = {"type": "string", "format": "binary"}
FILES = {
    "application/json": {"schema": {"type": "object"}},
    "text/csv": {"schema": FILE},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": FILE},
}


class ReportQuerySchema(Query):
    period = fields.String(
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "2026 (year), 2026-H1/H2 (half) or 2026-Q1…Q4 (quarter); not in the future"},
    )
    territory = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "One territory (default: all yours)"}
    )
    format = fields.String(
        load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]), metadata={"description": "File format"}
    )


class BottleneckQuerySchema(ReportQuerySchema):
    process = fields.String(
        load_default="valutazione_bisogno",
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The process whose user tasks are measured"},
    )


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_reports", __name__, url_prefix=f"{prefix}/reports", description="Monitoring: reports and exports"
    )

    def answer(kind: str, args: dict[str, Any]) -> Response:
        return monitoring.download(kind, args["format"], api_actor(), args["period"], args.get("territory"))

    @blp.route("/<any(funnel, sla, esf):kind>", methods=["GET"])
    @requires("monitoring")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, description="The report (small cells suppressed)", content_type="application/json")
    @blp.alt_response(200, description="The report as a file", content_type="text/csv", success=True)
    @problems(blp, 403, 422)
    def report(args: dict[str, Any], kind: str) -> Response:
        """The funnel, the times against their limits, or the ESF+ common indicators."""
        return answer(kind, args)

    @blp.route("/wip", methods=["GET"])
    @requires("monitoring_operations")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, description="Open work, quiet cases, clock incidents", content_type="application/json")
    @problems(blp, 403, 422)
    def work(args: dict[str, Any]) -> Response:
        """Open tasks by role and organisation, cases with no activity, clock incidents."""
        return answer("wip", args)

    @blp.route("/cases", methods=["GET"])
    @requires("monitoring_operations")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, description="The cases referred in the period", content_type="application/json")
    @problems(blp, 403, 422)
    def cases(args: dict[str, Any]) -> Response:
        """The cases referred in the period and where each stands."""
        return answer("casi", args)

    @blp.route("/participants", methods=["GET"])
    @requires("monitoring_participants")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, description="The ESF+ participant file, keyed by pseudonym", content_type="application/json")
    @problems(blp, 403, 422)
    def participants(args: dict[str, Any]) -> Response:
        """One row per person entered in the period: pseudonym and ESF+ categories, no identity."""
        return answer("partecipanti", args)

    @blp.route("/bottlenecks", methods=["GET"])
    @requires("monitoring")
    @blp.arguments(BottleneckQuerySchema, location="query")
    @blp.response(200, description="The diagram and, per user task, its figures", content_type="application/json")
    @problems(blp, 403, 404, 422)
    def bottlenecks(args: dict[str, Any]) -> Response:
        """Per user task of a process: cases passed and there now, days spent (median, 90th
        percentile), share overdue, heat level; the cases there now for coordinators."""
        document = monitoring.heat_document(api_actor(), args["process"], args["period"], args.get("territory"))
        return jsonify(document)

    return blp
