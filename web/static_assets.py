"""Static files with their version in the address, so that a browser keeps them between pages.

Every ``url_for("static", filename=…)`` gets ``?v=`` and the first twelve hex digits of the file's
SHA-256. An answer to an address that carries the file's current version may be kept for a year
without asking again (``immutable``): the same address always means the same bytes, and a changed
file gets a new address at the next page. Without the version (a script that builds its own
address), or with an old one, the answer is revalidated at each use as before (``no-cache`` and an
ETag). Before, every page asked again for its style sheet and scripts, and waited for the
answers before it counted as loaded.

A file's version is read once per process; with ``app.debug`` (files edited while serving) it is
read at each address.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

YEAR_SECONDS = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    folder = app.static_folder
    known: dict[str, str | None] = {}

    def version(filename: object) -> str | None:
        if not isinstance(filename, str) or folder is None:
            return None
        if filename in known and not app.debug:
            return known[filename]
        path = safe_join(folder, filename)
        try:
            found = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12] if path else None
        except OSError:  # no such file: its address stays as it was, and answers 404
            found = None
        known[filename] = found
        return found

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, object]) -> None:
        if endpoint == "static" and "v" not in values and (found := version(values.get("filename"))):
            values["v"] = found

    @app.after_request
    def keep_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        asked = request.args.get("v")
        if asked is not None and asked == version((request.view_args or {}).get("filename")):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_SECONDS
            response.cache_control.immutable = True
            response.headers.pop("Expires", None)
        return response
