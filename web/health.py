"""Health endpoints for load balancers and orchestrators (no login, plain JSON).

- ``/health/live``: the process answers (never touches the database): restart it if not.
- ``/health/ready``: the database answers, has its schema and (SQLite) grants the write lock
  within ``READY_TIMEOUT`` seconds: send traffic only then. 503 with Retry-After otherwise, and a
  status word only (``busy``, ``unavailable``): where the database lives is never shown.
- ``/health``: the same as ready, with the body it always had (``{"status": "ok"}``).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from engine import errors
from web import security

bp = Blueprint("health", __name__)

READY_TIMEOUT = 2.0


@bp.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/health/ready")
@bp.get("/health")
def ready() -> Response:
    try:
        security.engine().check_ready(READY_TIMEOUT)
    except errors.StorageUnavailable as err:
        current_app.logger.warning("not ready: %s (%s)", err.message, err.detail)
        response = jsonify({"status": "busy" if isinstance(err, errors.StorageBusy) else "unavailable"})
        response.status_code = 503
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    return jsonify({"status": "ok"})
