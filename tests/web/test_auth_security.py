"""Login, logout, sessions and the security gate: hashed-password login, cookie flags, CSRF on
every HTML form, login throttling and the trusted proxy, safe redirects, security headers, the secret key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from engine import Engine
from engine.clock import FixedClock
from tests.web.conftest import csrf_token, login_as, make_app, start_case
from web import create_app
from web.security import HEADERS, SESSION_KEY
from web.settings import _instance_secret


def test_login_logout_and_session_cookie_flags(demo: Engine, with_password: Callable[[str], str]) -> None:
    password = with_password("assistente")
    client = make_app(demo, WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login?next=/cases")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    bad = client.post("/login", data={"username": "assistente", "password": "wrong", "csrf_token": token})
    assert bad.status_code == 401 and "Nome utente o password non corretti." in bad.get_data(as_text=True)
    ok = client.post(
        "/login", data={"username": "assistente", "password": password, "csrf_token": token, "next": "/cases"}
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/cases"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/inbox").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_token(client.get("/inbox").get_data(as_text=True))})
    assert out.status_code == 302
    assert client.get("/inbox").status_code == 302


def test_the_cookie_from_before_logout_signs_nobody_in_again(demo: Engine, with_password: Callable[[str], str]) -> None:
    """Logout revokes the session on the server: the old cookie, whether copied or sent back by a
    request the page started before logging out, only reaches the login page."""
    password = with_password("assistente")
    app = make_app(demo)
    client = app.test_client()
    assert client.post("/login", data={"username": "assistente", "password": password}).status_code == 302
    old = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert old is not None and client.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/inbox").status_code == 302

    client.set_cookie(old.key, old.value)  # the pre-logout cookie, replayed
    refused = client.get("/inbox")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    page = client.get("/login")
    assert page.status_code == 200 and 'id="username"' in page.get_data(as_text=True)
    stolen = make_app(demo).test_client()  # on another machine
    stolen.set_cookie(old.key, old.value)
    assert stolen.get("/cases").status_code == 302


def test_a_cookie_that_names_a_user_but_no_session_signs_nobody_in(demo: Engine) -> None:
    """Cookies from before sessions were kept on the server carried the user name: not enough."""
    client = make_app(demo).test_client()
    with client.session_transaction() as session:
        session["user"] = "assistente"
    assert client.get("/inbox").status_code == 302
    with client.session_transaction() as session:
        assert "user" not in session


def test_secure_cookie_flag_is_configurable(demo: Engine) -> None:
    app = make_app(demo, SESSION_COOKIE_SECURE=True)
    with app.test_client() as client:
        login_as(client, "assistente")
        response = client.get("/inbox")
        assert response.status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_anonymous_is_sent_to_login_and_redirects_stay_local(demo: Engine, with_password: Callable[[str], str]) -> None:
    password = with_password("cpi")
    client = make_app(demo).test_client()
    response = client.get("/cases?title=x")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        done = client.post("/login", data={"username": "cpi", "password": password, "next": evil})
        assert done.headers["Location"] == "/inbox"
        client.post("/logout")


def test_every_html_form_needs_the_csrf_token(demo: Engine) -> None:
    client = login_as(make_app(demo, WTF_CSRF_ENABLED=True).test_client(), "coordinatore")
    for url in ("/logout", "/inbox/filters", "/cases/new", "/account/tokens", "/partnerships", "/tasks/x/claim"):
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        assert "text/html" in response.content_type
    # the API is token-authenticated and exempt
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 401


def test_each_role_starts_where_its_work_is(client_for: Callable[[str], FlaskClient]) -> None:
    """The evaluator, who works on the cockpit alone, starts there, not on the API tokens page."""
    starts = {
        "assistente": "/inbox",
        "auditor": "/cases",
        "progettista": "/design",
        "valutatore": "/monitoraggio",
    }
    for user, start in starts.items():
        assert client_for(user).get("/login").headers["Location"] == start, user
    # and an error page leads the evaluator back there, by name
    missing = client_for("valutatore").get("/monitoraggio/documenti/999.pdf").get_data(as_text=True)
    assert 'href="/monitoraggio"' in missing and "Vai al monitoraggio del programma" in missing


def test_failed_logins_lock_out_with_retry_after_and_say_when_in_italian(
    demo: Engine, with_password: Callable[[str], str], clock: FixedClock
) -> None:
    password = with_password("assistente")
    client = make_app(demo).test_client()
    wrong = {"username": "assistente", "password": "sbagliata"}
    codes = [client.post("/login", data=wrong).status_code for _ in range(4)]
    locked = client.post("/login", data=wrong)
    assert codes == [401] * 4 and locked.status_code == 429
    assert locked.headers["Retry-After"] == "60"
    page = locked.get_data(as_text=True)
    assert "Troppi tentativi di accesso non riusciti. Riprova tra 1 minuto, alle " in page
    right = client.post("/login", data={"username": "assistente", "password": password})
    assert right.status_code == 429  # the right password waits too: guessing gains nothing
    english = client.post("/login?lang=en", data=wrong).get_data(as_text=True)
    assert "Too many failed login attempts. Try again in 1 minute, at " in english
    clock.advance(seconds=61)
    assert client.post("/login", data={"username": "assistente", "password": password}).status_code == 302
    assert client.get("/login").status_code == 302  # logged in; GETs were never counted


def test_the_client_address_comes_from_trusted_proxies_only(demo: Engine, with_password: Callable[[str], str]) -> None:
    """Behind one proxy the forwarded address is the client's; without trusted proxies the header
    is ignored, so a client cannot pick a fresh address for each guess."""
    password = with_password("cpi")
    forged = [{"X-Forwarded-For": f"10.0.0.{i}"} for i in range(25)]
    direct = make_app(demo).test_client()
    codes = [
        direct.post("/login", data={"username": f"u{i}", "password": "x"}, headers=h).status_code
        for i, h in enumerate(forged)
    ]
    assert codes == [401] * 19 + [429] * 6  # the 20th failure from one real address locks it, whatever the header
    proxied = make_app(demo, TRUSTED_PROXIES=1).test_client()
    ok = proxied.post("/login", data={"username": "cpi", "password": password}, headers={"X-Forwarded-For": "10.1.1.1"})
    assert ok.status_code == 302  # the proxy's own address is locked out, the client's is not


def test_security_headers_on_pages_api_and_assets(app: Flask) -> None:
    client = login_as(app.test_client(), "coordinatore")
    for url in ("/login", "/inbox", "/api/v1/openapi.json", "/static/css/app.css", "/nope"):
        response = client.get(url)
        headers = response.headers
        response.close()
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        # each once; a caching header the response already had (the asset's) is kept, not joined
        for name in (*HEADERS, "Cache-Control"):
            assert len(headers.getlist(name)) == 1, (url, name)
        assert (headers["Cache-Control"] == "no-store") == (url != "/static/css/app.css"), url
    assert client.get("/inbox").headers["Cache-Control"] == "no-store"


def test_a_security_header_a_response_already_has_is_kept_and_not_repeated(app: Flask) -> None:
    with app.test_request_context("/inbox"):
        own = Response("", headers={"x-frame-options": "SAMEORIGIN", "Cache-Control": "private"})
        headers = app.process_response(own).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("Cache-Control") == ["private"]
    assert headers.getlist("X-Content-Type-Options") == ["nosniff"]


def test_pages_have_no_inline_scripts_or_styles(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    client = login_as(app.test_client(), "coordinatore")
    for url in ("/login", "/inbox", "/cases", f"/cases/{case.id}", "/cases/new", "/account/tokens", "/api/v1/docs"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url
        assert "onclick" not in html and "http://" not in html.replace("http://www.w3.org", ""), url


def test_secret_key_from_env_or_a_generated_instance_file(
    demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert create_app(demo).config["SECRET_KEY"] == "from-env"
    first = _instance_secret(tmp_path / "instance")
    assert len(first) == 64 and _instance_secret(tmp_path / "instance") == first
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode)[-3:] == "600"


def test_a_session_the_server_does_not_know_is_logged_out(app: Flask) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = "not-a-session-of-this-server"
        session["lang"] = "en"
    assert client.get("/inbox").status_code == 302
    with client.session_transaction() as session:
        assert SESSION_KEY not in session and session["lang"] == "en"  # the language stays
