"""Helpers shared by the API resources: their ``Blueprint`` (flask-smorest's, with a parser that
repeats no work per request) and documenting the problem responses of an operation."""

from __future__ import annotations

import codecs
import functools
import http
from collections.abc import Callable
from typing import Any, TypeVar

import flask
import flask_smorest
from marshmallow import Schema
from webargs.flaskparser import FlaskParser, is_json_request

from web import input_guard

F = TypeVar("F", bound=Callable[..., Any])


class ApiParser(FlaskParser):
    """webargs' Flask parser without two repeats on every request: a schema named by its class is
    built once (webargs builds it anew, deep-copying its fields, for each request), and a JSON body
    is the value ``web.input_guard`` already parsed strictly (webargs would parse it again, to the
    same value). A body the guard did not parse (malformed) goes to webargs, which answers 400."""

    def _get_schema(self, argmap: Any, req: flask.Request) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _schema(argmap)
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: flask.Request) -> Any:
        if is_json_request(req):
            found = input_guard.checked_json()
            raw = req.get_data(cache=True)
            # The guard parsed bytes, which json.loads also reads as UTF-16/32 or with a BOM;
            # webargs reads UTF-8 text only and refuses the rest: so only such a body is reused.
            if found is not input_guard.NOT_PARSED and b"\x00" not in raw and not raw.startswith(codecs.BOM_UTF8):
                return found
        return super()._raw_load_json(req)


@functools.cache
def _schema(cls: type[Schema]) -> Schema:
    return cls()  # a schema keeps no state between loads: one instance serves every request


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The API's blueprints: flask-smorest's, with ``ApiParser`` for their arguments."""

    ARGUMENTS_PARSER = ApiParser()


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the given error statuses (plus 401) as problem documents on an operation.

    Only the documentation is kept: each ``alt_response`` would also wrap the view in one more
    function that every request then passes through, for nothing (they only document)."""

    def decorate(view: F) -> F:
        documented: Any = view
        for code in sorted({401, *codes}, reverse=True):
            documented = blp.alt_response(code, response=http.HTTPStatus(code).name)(documented)
        view._apidoc = documented._apidoc  # type: ignore[attr-defined]
        return view

    return decorate
