"""Token authentication of the JSON API and its role gate.

Every API call but the OpenAPI document and its docs page needs ``Authorization: Bearer
<token>`` (a per-user token from ``Engine.create_api_token``, revocable); the actor behind it
must then hold a role of the endpoint's area (``web.security.AREAS``); read-only roles (the
auditor) are refused every write but their own tokens (``web.security.permits``). No cookies are
read here, so the API is exempt from CSRF.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from engine.model import Actor
from web import security

F = TypeVar("F", bound=Callable[..., Any])
TOKEN = re.compile(r"^Bearer\s+([A-Za-z0-9_\-]{10,200})$")
# Path ids that may name something: anything else is "not found" without a database look-up.
TASK_ID = re.compile(r"^[A-Za-z0-9\-]{1,64}$")
PROCESS_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


class ApiUnauthorized(Unauthorized):
    description = "Send a valid API token: 'Authorization: Bearer <token>'."


def api_actor() -> Actor:
    found = g.get("api_actor")
    if found is None:
        header = request.headers.get("Authorization", "")
        match = TOKEN.match(header.strip())
        found = security.engine().accounts.actor_for_token(match.group(1)) if match else None
        if found is None:
            raise ApiUnauthorized()
        g.api_actor = found
    return cast(Actor, found)


def requires(area: str) -> Callable[[F], F]:
    """Guard an API view: a valid token (401), then a role of ``area`` and, for a write, a role
    that may write (403)."""
    if area not in security.AREAS:
        raise ValueError(f"unknown area {area!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            found = api_actor()
            if not security.may(found, area):
                raise Forbidden(f"Your roles do not give access to '{area}'.")
            if not security.permits(found, area, request.method):
                raise Forbidden("Your roles are read-only: they cannot change anything.")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def check_task_id(task_id: str) -> str:
    if not TASK_ID.match(task_id):
        raise NotFound(f"Task {task_id!r} not found.")
    return task_id


def check_process_id(process_id: str) -> str:
    if not PROCESS_ID.match(process_id):
        raise NotFound(f"Process {process_id!r} not found.")
    return process_id
