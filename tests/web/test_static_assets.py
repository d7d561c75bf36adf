"""Static files are addressed with their version (``web/static_assets.py``): the pages name each
style sheet and script with ``?v=`` and a digest of its bytes, that address may be kept by the
browser for a year, and any other address of the file is revalidated at each use."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, url_for
from werkzeug.test import TestResponse

from tests.web.conftest import login_as
from web import static_assets

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def digest(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def test_the_pages_name_each_asset_with_the_digest_of_its_bytes(app: Flask) -> None:
    signed_in = login_as(app.test_client(), "coordinatore")
    for client, url in ((app.test_client(), "/login"), (signed_in, "/inbox"), (signed_in, "/monitoraggio")):
        page = client.get(url)
        assert page.status_code == 200, url
        assets = ASSET.findall(page.get_data(as_text=True))
        assert "/static/css/app.css?v=" + digest("css/app.css") in assets, url
        for asset in assets:
            path, _, version = asset.partition("?v=")
            assert version == digest(path.removeprefix("/static/")), asset


def fetch(app: Flask, url: str) -> TestResponse:
    """The answer, read whole and closed (a file's answer holds it open until then)."""
    answer = app.test_client().get(url)
    answer.get_data()
    answer.close()
    return answer


def test_the_versioned_address_is_kept_for_a_year_and_any_other_is_revalidated(app: Flask) -> None:
    current = fetch(app, f"/static/css/app.css?v={digest('css/app.css')}")
    assert current.status_code == 200
    assert current.cache_control.max_age == 365 * 24 * 3600
    assert current.cache_control.public and current.cache_control.immutable
    assert not current.cache_control.no_cache and "Expires" not in current.headers
    for other in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        answer = fetch(app, other)
        assert answer.status_code == 200 and answer.get_data() == current.get_data()
        assert answer.cache_control.no_cache and not answer.cache_control.immutable, other
        assert answer.headers["ETag"], other  # revalidated: a 304 when unchanged
    missing = fetch(app, "/static/css/nothing.css?v=000000000000")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("Cache-Control", "")


def test_a_file_changed_while_serving_gets_a_new_address_in_debug_mode(tmp_path: Path) -> None:
    (tmp_path / "note.css").write_text("a{}")
    fresh = Flask(__name__, static_folder=str(tmp_path))
    fresh.debug = True
    static_assets.init_app(fresh)
    with fresh.test_request_context():
        first = url_for("static", filename="note.css")
        (tmp_path / "note.css").write_text("b{}")
        second = url_for("static", filename="note.css")
    assert first != second and second.endswith("?v=" + hashlib.sha256(b"b{}").hexdigest()[:12])
