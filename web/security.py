"""Who is asking and what they may open: session login state, the per-area role policy, CSRF,
the client address and the security headers of every response.

The engine authorizes every task and case by the one policy table (``engine.policy``: role, and
the actor's relation to the case: team, organisation, territory); this module adds the web's own
gate in front of it: no page or API call without a login (or a token), and each area of the UI
only for the roles the same table grants its permissions to (``AREAS``). The table-driven test in
``tests/web/test_authorization_matrix.py`` checks every endpoint against every role.

Read-only roles (``READ_ONLY_ROLES``: the auditor, *Revisore*) are refused every write (any
method but GET/HEAD/OPTIONS) whatever the area, with one exception: their own account
(``READ_ONLY_WRITABLE``), i.e. creating and revoking their own API tokens — a token carries the
same read-only roles, so it cannot write either — and logging out. A user holding a read-only
role *and* a working role (e.g. auditor and coordinator) keeps the working role's writes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Request, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from engine import Engine
from engine.model import Actor
from engine.policy import Permission, roles_with

F = TypeVar("F", bound=Callable[..., Any])

# Roles that never change anything, and the areas where they still may write (their own account).
READ_ONLY_ROLES = frozenset({"auditor"})
READ_ONLY_WRITABLE = frozenset({"account"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The session cookie's key for the server-side session id (``engine.accounts.signed_in``).
SESSION_KEY = "sid"

# Area of the UI/API → roles that may enter it, derived from the engine's one policy table
# (``engine.policy``): a role enters an area when some rule grants it the area's permissions, in
# whatever relation; which cases and tasks it then sees inside is the engine's decision (team,
# organisation, territory). Every view names its area.
AREAS: dict[str, frozenset[str]] = {
    "inbox": roles_with(Permission.TASK_WORK),  # task lists, task pages, claim/release, drafts
    "cases": roles_with(Permission.CASE_LIST, Permission.CASE_READ),  # case list, page, diagram, history
    "start": roles_with(Permission.CASE_START),  # new case (the engine checks the process' lanes)
    # reassign tasks, open or suspend a territory's partnership
    "supervise": roles_with(Permission.TASK_SUPERVISE) & roles_with(Permission.PARTNERSHIP_MANAGE),
    "processes": roles_with(Permission.PROCESS_READ),  # the process library (no personal data)
    "audit": roles_with(Permission.AUDIT_READ),  # timeline, replay, dossiers, access log, chain verification
    "export": roles_with(Permission.EXPORT_PSEUDONYMISED),  # pseudonymised export
    # process design: drafts, deploy, dry run, migration of running cases
    "design": roles_with(Permission.DESIGN) & roles_with(Permission.MIGRATE),
    # the beneficiary's identity: the person page; the identity form and the art. 15 copy (the
    # engine checks the case's team)
    "identity": roles_with(Permission.IDENTITY_READ),
    "identity_write": roles_with(Permission.IDENTITY_WRITE),
    # erasure of a person's personal data, GDPR art. 17 (the engine checks territory and retention)
    "erase": roles_with(Permission.ERASE_PERSONAL_DATA),
    # withdrawal, suspension, resumption, closure, cancellation (the engine checks the case's team)
    "case_actions": roles_with(Permission.MESSAGE_SEND, Permission.CASE_MANAGE, Permission.CASE_ADMINISTER),
    # the health service in charge alerts the case team (the engine checks the organisation)
    "health_alert": roles_with(Permission.HEALTH_ALERT),
    "account": frozenset(),  # own API tokens, logout: any logged-in user
    "metrics": roles_with(Permission.METRICS_READ),  # Prometheus metrics
    # the registry of organisations and protocols, and the network view (the engine's own lists;
    # the engine also checks the territory of each organisation and protocol)
    "registry": roles_with(Permission.REGISTRY_READ),
    "registry_manage": roles_with(Permission.REGISTRY_MANAGE),
    # track-B enterprises: record, registrations, founders, roster (the engine checks territories)
    "enterprises": roles_with(Permission.ENTERPRISE_READ),
    "enterprises_manage": roles_with(Permission.ENTERPRISE_MANAGE),
    # the monitoring cockpit: aggregates; open work and the case list; the ESF+ participant file
    "monitoring": roles_with(Permission.REPORT_AGGREGATES),
    "monitoring_operations": roles_with(Permission.REPORT_OPERATIONS),
    "monitoring_participants": roles_with(Permission.REPORT_PARTICIPANTS),
    "monitoring_documents": roles_with(Permission.REPORT_DOCUMENTS),  # the archived reports' PDFs
}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# the same names lower-cased, to test once per response which ones a view already set
_HEADERS_LOWER = [(name.lower(), name, value) for name, value in HEADERS.items()]

csrf = CSRFProtect()


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a request without the cookie (every API call) gets
    its empty session without a signer being built for it first."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    csrf.init_app(app)
    app.before_request(_load_session_actor)
    app.after_request(_headers)


def engine() -> Engine:
    return cast(Engine, current_app.extensions["engine"])


def current_actor() -> Actor | None:
    return cast(Actor | None, g.get("actor"))


def actor() -> Actor:
    """The logged-in actor of a view already guarded by ``area``."""
    found = current_actor()
    assert found is not None
    return found


def may(found: Actor | None, area: str) -> bool:
    if found is None:
        return False
    allowed = AREAS[area]
    return not allowed or bool(found.roles & allowed)


def read_only(found: Actor) -> bool:
    """Only read-only roles (e.g. an auditor who holds no working role)."""
    return bool(found.roles) and found.roles <= READ_ONLY_ROLES


def permits(found: Actor | None, area: str, method: str) -> bool:
    """``may`` for a request: a read-only user also needs a safe method (or their own account)."""
    if not may(found, area):
        return False
    assert found is not None
    return method in SAFE_METHODS or area in READ_ONLY_WRITABLE or not read_only(found)


def home(found: Actor | None) -> str:
    """Where a user starts: the inbox for those who work tasks, else the cases, else the process
    library (designers), else the monitoring cockpit (the evaluator), else the account."""
    return url_for(home_endpoint(found))


def home_endpoint(found: Actor | None) -> str:
    for name, endpoint in (
        ("inbox", "inbox.inbox"),
        ("cases", "cases.index"),
        ("design", "designer.index"),
        ("monitoring", "monitoring.index"),
    ):
        if may(found, name):
            return endpoint
    return "tokens.index"


def area(name: str) -> Callable[[F], F]:
    """Guard an HTML view: log in first (redirect), then the area's roles (403)."""
    if name not in AREAS:
        raise ValueError(f"unknown area {name!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            found = current_actor()
            if found is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not permits(found, name, request.method):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def login(found: Actor) -> None:
    """Sign the actor in: a new server-side session (``engine.accounts.open_session``) whose id is
    all the cookie carries, besides the CSRF token and the language."""
    session_id = engine().accounts.open_session(actor=found)
    session.clear()  # a new session on login: no fixation
    session.permanent = True
    session[SESSION_KEY] = session_id


def logout() -> None:
    """Revoke the server-side session, so the cookie signs nobody in again: not a copy of it, nor
    the one a request still in flight at logout sends back afterwards."""
    session_id, found = session.get(SESSION_KEY), current_actor()
    if isinstance(session_id, str) and found is not None:
        engine().accounts.close_session(session_id, actor=found)
    _forget_session()


def _forget_session() -> None:
    """Empty the cookie but for the language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def safe_next(target: str | None, default: str) -> str:
    """A redirect target only if it stays on this site (a path, not a URL elsewhere)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def client_ip() -> str | None:
    """The client's address: the socket's, or the trusted proxy's ``X-Forwarded-For`` entry
    when ``TRUSTED_PROXIES`` is set (``web.settings.trust_proxies``)."""
    return request.remote_addr


def _load_session_actor() -> None:
    """The request's actor: only a live session signs in (one indexed query); a revoked or
    expired one, or a cookie from before sessions were kept server-side, is dropped."""
    if request.blueprint in ("static", "health"):
        return
    session_id = session.get(SESSION_KEY)
    if "user" in session:  # an old cookie that named the user: it signs nobody in any more
        _forget_session()
        return
    if not session_id:
        return
    found = engine().accounts.signed_in(session_id) if isinstance(session_id, str) else None
    if found is None:
        _forget_session()
    else:
        g.actor = found


def _headers(response: Response) -> Response:
    """``HEADERS`` and ``Cache-Control: no-store``, each unless the view set its own (the set of
    names present is read once: werkzeug looks a name up by a walk over every header)."""
    present = {name.lower() for name, _ in response.headers}
    for lower, name, value in _HEADERS_LOWER:
        if lower not in present:
            response.headers.add(name, value)
    if request.blueprint != "static" and "cache-control" not in present:
        response.headers["Cache-Control"] = "no-store"
    return response
