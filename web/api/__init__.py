"""The JSON API under ``/api/v1`` (flask-smorest): cases, tasks, processes, own tokens, the
auditors' read-only resources (replay, dossiers, verification, access log) and the evaluators'
pseudonymised export.

OpenAPI 3 document at ``/api/v1/openapi.json``, an interactive docs page at ``/api/v1/docs``
(own assets only). Errors are problem documents (``web.errors``); every operation documents
them as ``application/problem+json``.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, render_template
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from web.api import audit, cases, designer, enterprises, metrics, people, processes, registry, reports, tasks, tokens
from web.api.schemas import ProblemSchema
from web.errors import PROBLEM
from web.security import csrf

PREFIX = "/api/v1"


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest with problem+json errors; the error handlers themselves live in web.errors."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """web.errors handles every error, for the API and the HTML pages alike."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        default: dict[str, Any] = {"description": "Error (problem document)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Impresa per Noi – API dei casi",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "Cases, tasks and processes of the Impresa per Noi case engine. Authenticate with a "
                    "personal token: `Authorization: Bearer <token>` (create one under /account/tokens). "
                    "Errors are `application/problem+json` documents whose `errors` field maps each "
                    "invalid field to its messages."
                )
            },
            "security": [{"bearerAuth": []}],
            "servers": [{"url": "/"}],
        },
    )
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    modules = (cases, people, tasks, processes, designer, tokens, audit, metrics, registry, enterprises, reports)
    blueprints = [m.blueprint(PREFIX) for m in modules]
    for blp in [*blueprints, audit.exports_blueprint(PREFIX)]:
        csrf.exempt(blp)
        api.register_blueprint(blp)

    @app.get(f"{PREFIX}/docs")
    def api_docs() -> str:
        return render_template("api_docs.html", spec_url=f"{PREFIX}/openapi.json")

    app.extensions["api"] = api
