"""Process designers' use cases: drafts, validation on save, deployment, history, diff, dry run, export.

A draft is one file of the library (new or replacing the deployed one). It is validated *in the
library*: with every other deployed file, so call activities and shared DMN resolve and a change
that breaks another process shows. A draft with problems is saved (and its problems listed per
element) but cannot be deployed. Input that is dangerous to even keep (entity declarations,
oversized files, scripts reaching for imports or ``_`` names) is refused outright.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from engine import errors
from engine.bpmn import xml_diff
from engine.bpmn.dry_run import dry_run
from engine.bpmn.loader import Library, SourceFile, element_ids, read_xml
from engine.bpmn.scripting import RESTRICTED_MARKER
from engine.bpmn.template import new_process, valid_process_id
from engine.errors import InvalidProcess, ProcessProblem
from engine.forms import validate_submission
from engine.model import (
    Actor,
    DraftProblem,
    DryRunResult,
    ElementChange,
    ElementDiff,
    ProcessDiff,
    ProcessDraft,
    ProcessVersionView,
)
from engine.ports import AbstractUnitOfWork
from engine.services import processes
from engine.services.context import Context

DESIGNERS = processes.DESIGNER_ROLES
_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.(bpmn|dmn)$")
_ESCAPE = (
    "import is not allowed",
    'starts with "_"',
    "invalid attribute name",
    "invalid variable name",
    RESTRICTED_MARKER,
)


def _require(actor: Actor) -> None:
    if not actor.roles & DESIGNERS:
        raise errors.Forbidden("process design needs the process-designer role")


def library_files(uow: AbstractUnitOfWork) -> dict[str, bytes]:
    """The deployed library: for each file name, its copy in the most recently deployed version."""
    files: dict[str, tuple[Any, bytes]] = {}
    for view in uow.processes.list_latest():
        for name, content in uow.processes.files(view.id):
            if name not in files or files[name][0] < view.deployed_at:
                files[name] = (view.deployed_at, content)
    return {name: content for name, (_, content) in files.items()}


def _check_file(file_name: str, content: bytes) -> None:
    if not _FILE.match(file_name):
        raise errors.InvalidData("invalid file name", {"file_name": ["Nome di file non valido (.bpmn o .dmn)."]})
    read_xml(SourceFile(file_name, content))  # raises InvalidProcess for bombs, DOCTYPE, size, bad XML


def _validate_in_library(
    ctx: Context, uow: AbstractUnitOfWork, file_name: str, content: bytes
) -> list[ProcessProblem]:
    files = library_files(uow)
    files[file_name] = content
    return processes.validate([SourceFile(n, c) for n, c in sorted(files.items())], ctx.parameters)


def save_draft(
    ctx: Context, actor: Actor, file_name: str, content: bytes, *, note: str = "", draft_id: int | None = None
) -> ProcessDraft:
    """Save (create or update) a draft and return it with the problems found on save."""
    _require(actor)
    _check_file(file_name, content)
    with ctx.uow() as uow:
        problems = _validate_in_library(ctx, uow, file_name, content)
        escapes = [p for p in problems if any(marker in p.message for marker in _ESCAPE)]
        if escapes:
            raise InvalidProcess(f"refused: {escapes[0]}", escapes)
        found = [p.as_dict() for p in problems]
        now = ctx.clock.now()
        if draft_id is None:
            draft_id = uow.drafts.add(file_name, content, actor.username, note, found, now)
        else:
            if uow.drafts.get(draft_id)["file_name"] != file_name:
                raise errors.InvalidData("a draft keeps its file name", {"file_name": ["Non modificabile."]})
            uow.drafts.update(draft_id, content, actor.username, note, found, now)
        uow.commit()
        return get_draft(ctx, actor, draft_id)


def new_process_draft(ctx: Context, actor: Actor, process_id: str, name: str) -> ProcessDraft:
    """A draft for a new process from the template (start → one task → end)."""
    _require(actor)
    if not valid_process_id(process_id):
        raise errors.InvalidData(
            "invalid process id", {"process_id": ["Solo minuscole, cifre e _ (es. nuovo_processo)."]}
        )
    with ctx.uow(write=False) as uow:
        if uow.processes.latest(process_id) is not None:
            raise errors.Conflict(f"process {process_id!r} already exists; open it instead")
    return save_draft(
        ctx, actor, f"{process_id}.bpmn", new_process(process_id, name or process_id), note="nuovo processo"
    )


def open_draft_of(ctx: Context, actor: Actor, file_name: str) -> ProcessDraft:
    """Start editing a deployed file: a draft holding its current content."""
    _require(actor)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    if file_name not in files:
        raise errors.NotFound(f"file {file_name!r} is not in the library")
    return save_draft(ctx, actor, file_name, files[file_name], note="")


def get_draft(ctx: Context, actor: Actor, draft_id: int) -> ProcessDraft:
    _require(actor)
    with ctx.uow(write=False) as uow:
        return _draft(uow.drafts.get(draft_id))


def list_drafts(ctx: Context, actor: Actor) -> list[ProcessDraft]:
    _require(actor)
    with ctx.uow(write=False) as uow:
        return [_draft(row) for row in uow.drafts.all()]


def _draft(row: dict[str, Any]) -> ProcessDraft:
    """A stored draft as handed out; with its content, the ids its parsed BPMN defines."""
    content = bytes(row["content"]).decode() if "content" in row else ""
    process_ids: tuple[str, ...] = ()
    user_tasks: tuple[str, ...] = ()
    if content and row["file_name"].endswith(".bpmn"):
        source = SourceFile(row["file_name"], content.encode())
        process_ids, user_tasks = tuple(element_ids(source, "process")), tuple(element_ids(source, "userTask"))
    return ProcessDraft(
        id=row["id"],
        file_name=row["file_name"],
        author=row["author"],
        note=row["note"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        problems=tuple(DraftProblem(**p) for p in row["problems"] or ()),
        deployed_at=row["deployed_at"],
        content=content,
        process_ids=process_ids,
        user_tasks=user_tasks,
    )


def _require_deployable(draft: ProcessDraft) -> None:
    if draft.problems:
        raise errors.DraftHasProblems(
            f"The draft has {len(draft.problems)} problem(s): fix them and save it first.",
            [dataclasses.asdict(p) for p in draft.problems],
        )


def delete_draft(ctx: Context, actor: Actor, draft_id: int) -> None:
    _require(actor)
    with ctx.uow() as uow:
        uow.drafts.delete(draft_id)
        uow.commit()


def deploy_draft(ctx: Context, actor: Actor, draft_id: int, note: str = "") -> list[tuple[ProcessVersionView, bool]]:
    """Deploy the library with the draft in it; refused while the draft has problems."""
    draft = get_draft(ctx, actor, draft_id)
    _require_deployable(draft)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    files[draft.file_name] = draft.content.encode()
    result = processes.deploy(
        ctx, [SourceFile(n, c) for n, c in sorted(files.items())], actor, note or draft.note or f"bozza {draft_id}"
    )
    with ctx.uow() as uow:
        uow.drafts.mark_deployed(draft_id, ctx.clock.now())
        uow.commit()
    return result


def versions(ctx: Context, process_id: str) -> list[ProcessVersionView]:
    with ctx.uow(write=False) as uow:
        found = uow.processes.list_versions(process_id)
    if not found:
        raise errors.NotFound(f"process {process_id!r} not found")
    return found


def version_diff(ctx: Context, process_id: str, old: int, new: int) -> ProcessDiff:
    """Elements added, removed and changed between two versions (of the process and what it calls)."""
    with ctx.uow(write=False) as uow:
        by_number = {v.version: v for v in uow.processes.list_versions(process_id)}
        if old not in by_number or new not in by_number:
            raise errors.NotFound(f"process {process_id!r} has no version {old if old not in by_number else new}")
        before = dict(uow.processes.files(by_number[old].id))
        after = dict(uow.processes.files(by_number[new].id))
    return ProcessDiff(_element_diffs(before, after), process_id, old, new)


def draft_diff(ctx: Context, actor: Actor, draft_id: int) -> ProcessDiff:
    """What the draft changes against the deployed library."""
    draft = get_draft(ctx, actor, draft_id)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    before = {draft.file_name: files[draft.file_name]} if draft.file_name in files else {}
    return ProcessDiff(_element_diffs(before, {draft.file_name: draft.content.encode()}))


def _element_diffs(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, ElementDiff]:
    return {
        process_id: ElementDiff(
            added=tuple(entry["added"]),
            removed=tuple(entry["removed"]),
            changed=tuple(ElementChange(c["id"], tuple(c["aspects"])) for c in entry["changed"]),
        )
        for process_id, entry in xml_diff.diff(before, after).items()
    }


def run_draft(
    ctx: Context, actor: Actor, draft_id: int, process_id: str, data: dict[str, Any], answers: dict[str, Any]
) -> DryRunResult:
    """Run a draft on sample data in memory; refused while the draft fails validation."""
    draft = get_draft(ctx, actor, draft_id)
    _require_deployable(draft)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    files[draft.file_name] = draft.content.encode()
    library = Library([SourceFile(n, c) for n, c in sorted(files.items())])
    if process_id not in library.process_ids():
        raise errors.NotFound(f"process {process_id!r} is not in the draft library")
    return dry_run(
        library.specs(process_id),
        data,
        answers,
        validate_submission,
        ctx.parameters,
        start=ctx.clock.now(),
        limits=ctx.script_limits,
    )


def export_library(ctx: Context, directory: Path) -> list[str]:
    """Write the deployed library to ``directory`` (e.g. processes/) so it stays reviewable in git."""
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        (directory / name).write_bytes(content)
    return sorted(files)
