"""``/api/v1/metrics``: Prometheus metrics for the operators (a token of an administrator; point
the scraper's ``metrics_path`` here with ``authorization: {credentials: …}``)."""

from __future__ import annotations

from flask import Response

from web import metrics, security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems

TEXT = {"type": "string"}


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_metrics", __name__, url_prefix=prefix, description="Operations: Prometheus metrics")

    @blp.route("/metrics", methods=["GET"])
    @requires("metrics")
    @blp.response(200, TEXT, content_type="text/plain", description="Prometheus text exposition format")
    @problems(blp, 403)
    def scrape() -> Response:
        """Commands and their latency, HTTP requests, what the clock did, and (read now from the
        database) open tasks, their age, overdue tasks, timers due and in incident, running cases."""
        return metrics.exposition(security.engine(), api_actor())

    return blp
