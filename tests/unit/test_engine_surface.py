"""The engine's public surface: every area method names its actor keyword-only where it takes
one, and no value crossing the boundary is typed ``dict[str, Any]``, a dict keyed by ``Any``, a
bare ``dict`` or ``Any`` (results are frozen dataclasses or enums of ``engine.model``; free JSON
documents are ``JsonObject``): not in a method's signature, not in a field of a value it hands out
or takes, not anywhere in the source of ``engine/model.py``, ``engine/areas/`` and
``engine/application.py``."""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import engine.areas
from engine import Engine, errors, model
from engine.areas.base import Area

ENGINE = Path(engine.__file__).parent
BOUNDARY_SOURCES = [ENGINE / "model.py", ENGINE / "application.py", *sorted((ENGINE / "areas").glob("*.py"))]


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
    mutable = {c.__name__ for c in classes if not c.__dataclass_params__.frozen}
    assert mutable == {"CaseRecord"}, "only the stored record, which the engine edits, may be mutable"


def test_the_check_catches_a_dict_of_any() -> None:
    assert mentions_any_dict(dict[str, Any]) and mentions_any_dict(list[dict[str, Any]] | None)
    assert mentions_any_dict(tuple[dict[Any, int], int]) and mentions_any_dict(Mapping[str, Any])
    assert mentions_any_dict(dict) and mentions_any_dict(Any) and mentions_any_dict(list[Any] | None)
    assert not mentions_any_dict(dict[str, str]) and not mentions_any_dict(model.JsonObject)


def classes_in(annotation: Any) -> Iterator[type]:
    """The classes an annotation names, at any depth (``list[CaseView] | None`` → CaseView…)."""
    if inspect.isclass(annotation) and not typing.get_args(annotation):
        yield annotation
    for arg in typing.get_args(annotation):
        if not isinstance(arg, str | typing.ForwardRef):
            yield from classes_in(arg)


def boundary_values() -> set[type]:
    """Every class of the engine an area method takes or hands out, and every class those hold
    in their fields, at any depth."""
    todo = [
        c
        for _, function in public_methods()
        for hint in typing.get_type_hints(function, localns=vars(model)).values()
        for c in classes_in(hint)
    ]
    found: set[type] = set()
    while todo:
        cls = todo.pop()
        if cls in found or not cls.__module__.startswith("engine"):
            continue
        found.add(cls)
        if dataclasses.is_dataclass(cls):
            todo += [c for hint in typing.get_type_hints(cls).values() for c in classes_in(hint)]
    return found


def test_every_value_crossing_the_boundary_is_a_model_value() -> None:
    """Results and arguments are values of ``engine.model`` (or the engine's own ``Heartbeat``, the
    scheduler it hands out, and ``ProcessProblem``, the defect that ``errors.InvalidProcess`` carries)."""
    elsewhere = {f"{c.__module__}.{c.__name__}" for c in boundary_values() if c.__module__ != "engine.model"}
    assert elsewhere == {"engine.application.Heartbeat", "engine.errors.ProcessProblem"}


def test_no_field_of_a_model_value_is_typed_any() -> None:
    """Every dataclass of ``engine.model`` (the values areas hand out and take, and those they
    hold), checked field by field; ``JsonObject`` where the shape is the data's own."""
    classes = [c for c in vars(model).values() if inspect.isclass(c) and c.__module__ == "engine.model"]
    offenders = [
        f"{cls.__name__}.{name}: {hint}"
        for cls in [*classes, *boundary_values()]
        if dataclasses.is_dataclass(cls)
        for name, hint in typing.get_type_hints(cls).items()
        if mentions_any_dict(hint)
    ]
    assert offenders == []
    assert {c for c in boundary_values() if dataclasses.is_dataclass(c) or issubclass(c, enum.Enum)} <= set(classes)


def test_no_function_of_the_model_takes_or_returns_any() -> None:
    """The helpers and methods of ``engine.model`` (``as_dict``, ``json_object``…), and the
    problem a failed validation hands out."""
    functions = [f for f in vars(model).values() if inspect.isfunction(f) and f.__module__ == "engine.model"]
    functions += [
        f
        for cls in vars(model).values()
        if inspect.isclass(cls) and cls.__module__ == "engine.model"
        for f in vars(cls).values()
        if inspect.isfunction(f)
    ]
    functions += [errors.ProcessProblem.__init__, errors.ProcessProblem.as_dict]
    offenders = [
        f"{f.__qualname__}: {key}"
        for f in functions
        for key, hint in typing.get_type_hints(f, localns=vars(model)).items()
        if mentions_any_dict(hint)
    ]
    assert offenders == []


def names_any(node: ast.AST) -> bool:
    """Whether one node of a module's tree names ``Any``: a name, ``typing.Any``, an import of it,
    or a string annotation that spells it (``"dict[str, Any]"``)."""
    match node:
        case ast.Name(id="Any") | ast.Attribute(attr="Any"):
            return True
        case ast.ImportFrom(names=names):
            return any(alias.name == "Any" for alias in names)
        case ast.Constant(value=str(text)):
            return "Any]" in text or "Any |" in text or text == "Any"
    return False


def names_of_any(source: str) -> list[int]:
    """The lines of ``source`` that name ``Any`` in code (comments and prose do not count)."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if names_any(node)})


def test_the_boundary_sources_never_name_any() -> None:
    """What the type hints cannot reach (a private helper, a local variable) is read from the
    source itself: ``Any`` is not a word of these modules' code."""
    offenders = {str(path.relative_to(ENGINE.parent)): names_of_any(path.read_text()) for path in BOUNDARY_SOURCES}
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_the_source_check_catches_any() -> None:
    assert names_of_any("from typing import Any\n") == [1]
    assert names_of_any("import typing\nx: typing.Any = 1\n") == [2]
    assert names_of_any("x: 'dict[str, Any]' = {}\n") == [1]
    assert names_of_any("def f(data: dict[str, Any]) -> None: ...\n") == [1]
    assert names_of_any("x: dict[str, object] = {}\n") == []
