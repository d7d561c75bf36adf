"""Process library use cases: validate files, deploy a library, list what is deployed.

A deployment creates a new version only for processes whose closure (own file, called
processes, DMN used) changed; running cases stay pinned to the version they started on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from engine import errors
from engine.bpmn.decisions import check_decisions, run_tests
from engine.bpmn.dmn_categories import category_map_problems
from engine.bpmn.lint import lint_library
from engine.bpmn.loader import library_key, parsed_library
from engine.errors import InvalidProcess, ProcessProblem
from engine.forms import field_choices, form_fields, known_forms
from engine.model import Actor, DecisionTestResult, ProcessVersionView, SourceFile
from engine.policy import Permission, require
from engine.roles import ROLES
from engine.services.context import Context


def read_directory(directory: Path) -> list[SourceFile]:
    files = sorted([*directory.glob("*.bpmn"), *directory.glob("*.dmn")])
    return [SourceFile(p.name, p.read_bytes()) for p in files]


_VALIDATED: dict[str, tuple[ProcessProblem, ...]] = {}


def validate(files: Iterable[SourceFile], parameters: Mapping[str, Any] | None = None) -> list[ProcessProblem]:
    """Every problem of a set of files (parse, structure, lint, decision tables and their tests);
    empty when deployable. ``parameters``: the programme parameters decision tests run with. The
    verdict on the same files and parameters is remembered within the process (a few at most)."""
    files = list(files)
    key = library_key(files) + json.dumps(parameters or {}, sort_keys=True, default=str)
    if key not in _VALIDATED:
        if len(_VALIDATED) >= 16:
            _VALIDATED.pop(next(iter(_VALIDATED)))
        _VALIDATED[key] = tuple(_validate(files, parameters))
    return list(_VALIDATED[key])


def _validate(files: list[SourceFile], parameters: Mapping[str, Any] | None) -> list[ProcessProblem]:
    try:
        library = parsed_library(files)
    except InvalidProcess as err:
        return err.problems or [ProcessProblem(err.message)]
    problems: list[ProcessProblem] = []
    for pid in library.process_ids():
        try:
            library.specs(pid)
        except InvalidProcess as err:
            problems += err.problems or [ProcessProblem(err.message)]
    problems += lint_library(library, known_forms(), ROLES, form_fields())
    problems += category_map_problems(library)
    problems += check_decisions(library, field_choices(), parameters or {})
    return problems


def test_decisions(
    files: Iterable[SourceFile], parameters: Mapping[str, Any] | None = None
) -> tuple[list[DecisionTestResult], list[ProcessProblem]]:
    """Run the decision tests kept in the DMN files (with the library around them)."""
    try:
        library = parsed_library(files)
    except InvalidProcess as err:
        return [], err.problems or [ProcessProblem(err.message)]
    return run_tests(library, parameters or {})


def deploy(
    ctx: Context, files: Iterable[SourceFile], actor: Actor, note: str = ""
) -> list[tuple[ProcessVersionView, bool]]:
    """Deploy a library; returns each process's current version and whether it is new."""
    require(actor, Permission.DESIGN)
    files = list(files)
    problems = validate(files, ctx.parameters)
    if problems:
        raise InvalidProcess(f"{len(problems)} problem(s); first: {problems[0]}", problems)
    library = parsed_library(files)
    result = []
    with ctx.uow() as uow:
        now = ctx.clock.now()
        for pid in library.process_ids():
            specs = library.specs(pid)
            current = uow.processes.latest(pid)
            if current is not None and current.sha256 == specs.sha256:
                result.append((current, False))
                continue
            view = uow.processes.add_version(
                process_id=pid,
                name=specs.name,
                sha256=specs.sha256,
                files=[(f.name, f.content) for f in specs.files],
                at=now,
                by=actor.username,
                note=note,
            )
            ctx.specs.put(view.id, specs)
            result.append((view, True))
        uow.commit()
    return result


def list_processes(ctx: Context, actor: Actor) -> list[ProcessVersionView]:
    require(actor, Permission.PROCESS_READ)
    with ctx.uow(write=False) as uow:
        return uow.processes.list_latest()


def process_xml(ctx: Context, process_id: str, version: int | None, actor: Actor) -> dict[str, str]:
    require(actor, Permission.PROCESS_READ)
    with ctx.uow(write=False) as uow:
        views = uow.processes.list_versions(process_id)
        chosen = [v for v in views if version is None or v.version == version]
        if not chosen:
            raise errors.NotFound(f"process {process_id!r} version {version} not found")
        return {name: content.decode() for name, content in uow.processes.files(chosen[-1].id)}


def load_parameters(directory: Path) -> Mapping[str, Any]:
    """Programme parameters merged from every ``parametri*.json`` of the library directory."""
    merged: dict[str, Any] = {"default": {}, "regioni": {}}
    for path in sorted(directory.glob("parametri*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InvalidProcess(f"{path.name}: {err}") from None
        merged["default"].update(doc.get("default", {}))
        for region, values in doc.get("regioni", {}).items():
            merged["regioni"].setdefault(region, {}).update(values)
    return merged
