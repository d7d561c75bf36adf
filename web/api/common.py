"""Helpers shared by the API resources: documenting the problem responses of an operation."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

F = TypeVar("F", bound=Callable[..., Any])


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the given error statuses (plus 401) as problem documents on an operation."""

    def decorate(view: F) -> F:
        for code in sorted({401, *codes}, reverse=True):
            view = blp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorate
