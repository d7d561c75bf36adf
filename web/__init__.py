"""Flask layer: translates HTTP to ``Engine`` calls and back; no business logic lives here.

``create_app`` builds the app around one ``Engine``: the browser UI (login, inbox, task forms,
cases with their BPMN diagram, the auditor's read-only tools, API tokens; Italian first, English
on request) and the JSON API under ``/api/v1`` (token auth, OpenAPI document, problem+json
errors). Each concern sits in a module named for it: ``auth``, ``inbox``, ``tasks``, ``cases``,
``audit``, ``designer``, ``registry``, ``monitoring``, ``tokens``, ``health``, ``api/``;
``settings`` (secret key, cookie flags, trusted proxies), ``security`` (sessions, CSRF, headers,
access policy), ``input_guard`` (hostile input refused before any view), ``errors`` (engine errors
→ HTTP in one place), ``i18n``, ``schema_form`` and
``form_input`` (JSON Schema ↔ HTML form).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.wrappers import Response

from engine import Engine, build_engine
from engine.policy import SERVER
from web import (
    api,
    audit,
    auth,
    cases,
    designer,
    enterprises,
    errors,
    health,
    i18n,
    inbox,
    input_guard,
    metrics,
    monitoring,
    people,
    registry,
    schema_form,
    security,
    settings,
    static_assets,
    tasks,
    tokens,
)


def create_app(engine: Engine | None = None, config: dict[str, Any] | None = None) -> Flask:
    """The web app around ``engine`` (built from the environment when not given).

    ``config`` overrides Flask settings, e.g. ``{"SECRET_KEY": ..., "SESSION_COOKIE_SECURE": True}``.
    """
    app = Flask(__name__)
    settings.configure(app, config or {})
    settings.trust_proxies(app)
    if engine is None:
        engine = build_engine()
        engine.people.verify_keys(actor=SERVER)  # a lost or wrong data key stops the server here, with its reason
    app.extensions["engine"] = engine

    input_guard.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    metrics.init_app(app)
    errors.init_app(app)
    static_assets.init_app(app)

    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(designer.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(registry.bp)
    app.register_blueprint(enterprises.bp)
    app.register_blueprint(monitoring.bp)
    api.init_app(app)
    app.jinja_env.globals["data_labels"] = schema_form.data_labels
    app.jinja_env.globals["may"] = lambda area: security.may(security.current_actor(), area)

    @app.get("/")
    def index() -> Response:
        found = security.current_actor()
        return redirect(security.home(found) if found else url_for("auth.login"))

    return app
