"""Hostile input is refused before any view runs: one check for every request, page and API alike.

What no field of this application can hold, wherever it arrives (path, query string, form
fields and multipart parts, uploaded file names, headers, JSON bodies), is answered 400 with the
place named, before the session is read or the engine is called:

- NUL characters (PostgreSQL refuses them in text and JSON; no form field needs one);
- lone UTF-16 surrogates (``"\\ud800"`` in JSON: not Unicode, cannot be encoded or stored);
- JSON numbers that are not numbers (NaN, Infinity, literals that overflow to infinity) or
  integers longer than ``MAX_INTEGER_DIGITS`` digits (beyond Python's 4,300-digit limit the
  number cannot even be read; no quantity of this domain comes near 100 digits);
- JSON nested deeper than ``MAX_DEPTH``;
- in the path, the query string and form fields, a number (only digits) longer than
  ``MAX_INTEGER_DIGITS``: views read such text with ``int()``.

``loads`` is the one strict JSON reader: the app's JSON provider uses it (``request.get_json``),
and so do the form fields that accept JSON typed into a textarea; it raises ``HostileInput``, a
``ValueError``, so those fields report it as a field message. Malformed JSON is left to the
parser of the view (webargs answers 400/422 with its own message). A body parsed here is kept
for the request (``checked_json``): the API's parser reads it instead of parsing it again.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

# ``checked_json()`` when the request's body was not parsed here (not JSON, empty or malformed)
NOT_PARSED = object()
MAX_INTEGER_DIGITS = 100
MAX_DEPTH = 64
# NUL, and UTF-16 surrogate code points (valid UTF-8 can never decode to one)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
LONG_DIGITS = re.compile(rf"\d{{{MAX_INTEGER_DIGITS + 1},}}")


class HostileInput(ValueError):
    """A value the application refuses outright; ``where`` names its place in the request."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason = reason
        self.where = where


class BadInput(BadRequest):
    """The 400 a ``HostileInput`` becomes (``web.errors`` renders it: problem+json or an Italian page)."""

    def __init__(self, found: HostileInput) -> None:
        super().__init__(f"The request contains a value that cannot be accepted ({found}).")
        self.found = found
        self.data = {"message": self.description, "messages": {found.where or "_schema": [found.reason]}}


def init_app(app: Flask) -> None:
    """Install the strict JSON provider and the check; the check runs before every other hook."""
    app.json = StrictJSONProvider(app)
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


class StrictJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


def loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses what ``check_value`` refuses (``HostileInput``); malformed
    JSON raises ``json.JSONDecodeError`` as usual."""
    value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    check_value(value, "")
    return value


def check_value(value: Any, where: str, depth: int = 0) -> None:
    """Walk a parsed JSON value: strings (keys too) must be storable, nesting bounded."""
    if depth > MAX_DEPTH:
        raise HostileInput("nested too deeply", where)
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            inside = f"{where}.{key}" if where else str(key)
            _check_text(key, inside)
            check_value(item, inside, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]", depth + 1)


def check_request() -> None:
    """Every place a client can put text, checked once; a JSON body is parsed strictly."""
    try:
        _check_text(request.path, "path")
        if LONG_DIGITS.search(request.path):
            raise HostileInput(f"number longer than {MAX_INTEGER_DIGITS} digits", "path")
        _check_pairs(request.args.items(multi=True), "query", numbers=True)
        _check_pairs(request.headers.items(), "header")
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _check_pairs(request.form.items(multi=True), "form", numbers=True)
            for name, upload in request.files.items(multi=True):
                _check_text(name, "form")
                _check_text(upload.filename or "", f"form.{name}.filename")
        if request.is_json:
            _check_json_body(request.get_data(cache=True))
    except HostileInput as found:
        raise BadInput(found) from None
    except RecursionError:
        raise BadInput(HostileInput("nested too deeply", "json")) from None


def checked_json() -> Any:
    """The request's JSON body as ``check_request`` parsed and accepted it, else ``NOT_PARSED``."""
    return g.get("checked_json", NOT_PARSED)


def _check_json_body(raw: bytes) -> None:
    if not raw.strip():
        return
    try:
        g.checked_json = loads(raw)
    except HostileInput as found:
        raise HostileInput(found.reason, f"json.{found.where}" if found.where else "json") from None
    except ValueError:
        return  # malformed JSON (or not UTF-8): the view's parser answers it


def _check_pairs(pairs: Iterable[tuple[str, str]], place: str, *, numbers: bool = False) -> None:
    for name, value in pairs:
        _check_text(name, place)
        _check_text(value, f"{place}.{name}")
        if numbers:
            _check_number(value, f"{place}.{name}")


def _check_number(text: str, where: str) -> None:
    if len(text) > MAX_INTEGER_DIGITS and text.strip().lstrip("+-").isdigit():
        raise HostileInput(f"number longer than {MAX_INTEGER_DIGITS} digits", where)


def _check_text(text: str, where: str) -> None:
    found = UNSTORABLE.search(text)
    if found:
        what = "a NUL character" if found.group() == "\x00" else "a lone UTF-16 surrogate"
        raise HostileInput(f"contains {what}", where)


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise HostileInput(f"integer longer than {MAX_INTEGER_DIGITS} digits")
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > MAX_INTEGER_DIGITS * 2:
        raise HostileInput("number literal too long")
    number = float(literal)
    if not math.isfinite(number):
        raise HostileInput("number out of range")
    return number


def _constant(name: str) -> Any:
    raise HostileInput(f"{name} is not a JSON number")
