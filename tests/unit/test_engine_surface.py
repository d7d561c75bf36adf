"""The engine's public surface: every area method names its actor keyword-only where it takes
one, and no value crossing the boundary is typed ``dict[str, Any]``, a dict keyed by ``Any``, a
bare ``dict`` or ``Any`` (results are frozen dataclasses or enums of ``engine.model``; free JSON
documents are ``JsonObject``)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import engine.areas
from engine import Engine, model
from engine.areas.base import Area


def areas() -> dict[str, type[Area]]:
    """The area objects ``Engine`` exposes, by attribute name."""
    return {
        name: hint
        for name, hint in typing.get_type_hints(Engine).items()
        if inspect.isclass(hint) and issubclass(hint, Area)
    }


def public_methods() -> Iterator[tuple[str, Any]]:
    for area_name, cls in sorted(areas().items()):
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                yield f"{area_name}.{name}", function
    for name, function in inspect.getmembers(Engine, inspect.isfunction):
        if not name.startswith("_"):
            yield name, function


def mentions_any_dict(annotation: Any) -> bool:
    """Whether ``annotation`` is, or contains, ``Any``, a bare dict/mapping, or a dict/mapping
    whose keys or values are ``Any``."""
    if annotation is Any or annotation in (dict, Mapping):
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (dict, Mapping) and (not args or Any in args):
        return True
    return any(mentions_any_dict(a) for a in args if not isinstance(a, str | typing.ForwardRef))


def area_classes() -> set[type]:
    """Every class the modules of ``engine.areas`` define (the base ``Area`` aside)."""
    found = set()
    for info in pkgutil.iter_modules(engine.areas.__path__):
        module = importlib.import_module(f"engine.areas.{info.name}")
        found |= {c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__}
    return found - {Area}


def test_every_area_is_reached_from_the_engine() -> None:
    assert set(areas()) >= {"cases", "tasks", "design", "audit", "accounts", "registry"}


def test_every_area_class_is_declared_on_the_engine() -> None:
    """An area the engine holds but does not declare would escape the checks below, and so would
    a class of ``engine/areas`` that is not an area."""
    declared = set(areas().values())
    assert area_classes() <= declared, sorted(c.__name__ for c in area_classes() - declared)


def test_no_area_method_takes_or_returns_a_dict_of_any() -> None:
    offenders = []
    for name, function in public_methods():
        hints = typing.get_type_hints(function, localns=vars(model))
        offenders += [f"{name}: {key}" for key, hint in hints.items() if mentions_any_dict(hint)]
    assert offenders == []


def test_the_actor_is_always_keyword_only() -> None:
    for name, function in public_methods():
        parameters = inspect.signature(function).parameters
        if "actor" in parameters:
            assert parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY, name


def test_every_result_dataclass_of_the_model_is_frozen() -> None:
    classes = [c for c in vars(model).values() if inspect.isclass(c) and dataclasses.is_dataclass(c)]
    mutable = {c.__name__ for c in classes if not c.__dataclass_params__.frozen}  # type: ignore[attr-defined]
    assert mutable == {"CaseRecord"}, "only the stored record, which the engine edits, may be mutable"


def test_the_check_catches_a_dict_of_any() -> None:
    assert mentions_any_dict(dict[str, Any]) and mentions_any_dict(list[dict[str, Any]] | None)
    assert mentions_any_dict(tuple[dict[Any, int], int]) and mentions_any_dict(Mapping[str, Any])
    assert mentions_any_dict(dict) and mentions_any_dict(Any) and mentions_any_dict(list[Any] | None)
    assert not mentions_any_dict(dict[str, str]) and not mentions_any_dict(model.JsonObject)
