"""Process designers' use cases: drafts, validation on save, deployment, history, diff, dry run, export.

A draft is one file of the library (new or replacing the deployed one). It is validated *in the
library*: with every other deployed file, so call activities and shared DMN resolve and a change
that breaks another process shows. A draft with problems is saved (and its problems listed per
element) but cannot be deployed. Input that is dangerous to even keep (entity declarations,
oversized files, scripts reaching for imports or ``_`` names) is refused outright.

Two designers never overwrite each other. Editing takes the draft's *edit lock* (holder and time
shown to others); it lapses ``Settings.draft_lock_minutes`` after it was taken or the draft last
saved, and an administrator may break it with a reason. Every save names the revision it was
based on: a save on an older revision is refused (``StaleDraft``) with what the others changed.
Taking, releasing, taking over a lapsed lock and breaking one are kept as draft events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import errors
from engine.bpmn import decision_tests, dmn_diff, dmn_table, xml_diff
from engine.bpmn.dry_run import dry_run
from engine.bpmn.loader import Library, element_ids, read_xml
from engine.bpmn.scripting import RESTRICTED_MARKER
from engine.bpmn.template import new_process, valid_process_id
from engine.errors import InvalidProcess, ProcessProblem
from engine.forms import validate_submission
from engine.model import (
    Actor,
    DecisionRuleRow,
    DecisionTableView,
    DecisionTestCase,
    DecisionTestResult,
    DecisionTestSuiteView,
    DraftConflict,
    DraftEvent,
    DraftLock,
    DraftProblem,
    DryRunResult,
    DryRunScenario,
    DryRunTask,
    ElementChange,
    ElementDiff,
    ProcessDiff,
    ProcessDraft,
    ProcessVersionView,
    RuleChange,
    SourceFile,
)
from engine.policy import Permission, require
from engine.ports import AbstractUnitOfWork
from engine.services import engine_data, processes
from engine.services.context import Context

MAX_DIFF_LINES = 400
_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.(bpmn|dmn)$")
_ESCAPE = (
    "import is not allowed",
    'starts with "_"',
    "invalid attribute name",
    "invalid variable name",
    RESTRICTED_MARKER,
)


def _require(actor: Actor) -> None:
    require(actor, Permission.DESIGN)


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


def _validate_in_library(ctx: Context, uow: AbstractUnitOfWork, file_name: str, content: bytes) -> list[ProcessProblem]:
    files = library_files(uow)
    files[file_name] = content
    return processes.validate([SourceFile(n, c) for n, c in sorted(files.items())], ctx.parameters)


def save_draft(
    ctx: Context,
    actor: Actor,
    file_name: str,
    content: bytes,
    *,
    note: str = "",
    draft_id: int | None = None,
    base_revision: int | None = None,
) -> ProcessDraft:
    """Save (create or update) a draft and return it with the problems found on save.

    Updating needs the edit lock free or held by ``actor`` (``DraftLocked``) and, when
    ``base_revision`` is given, the draft still at that revision (``StaleDraft``); the saver
    holds the lock afterwards, renewed."""
    _require(actor)
    _check_file(file_name, content)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        if draft_id is not None:
            row = uow.drafts.get(draft_id)
            if row["file_name"] != file_name:
                raise errors.InvalidData("a draft keeps its file name", {"file_name": ["Non modificabile."]})
            _refuse_if_locked(ctx, row, actor, now)
            if base_revision is not None and base_revision != row["revision"]:
                raise errors.StaleDraft(
                    f"draft {draft_id} is at revision {row['revision']}, the save was based on {base_revision}",
                    _conflict(uow, row, base_revision),
                )
        problems = _validate_in_library(ctx, uow, file_name, content)
        escapes = [p for p in problems if any(marker in p.message for marker in _ESCAPE)]
        if escapes:
            raise InvalidProcess(f"refused: {escapes[0]}", escapes)
        found = [p.as_dict() for p in problems]
        if draft_id is None:
            draft_id = uow.drafts.add(file_name, content, actor.username, note, found, now)
        else:
            uow.drafts.update(draft_id, content, actor.username, note, found, now)
        uow.drafts.set_lock(draft_id, actor.username, now)
        uow.commit()
        return get_draft(ctx, actor, draft_id)


def _lock_of(ctx: Context, row: dict[str, Any], now: dt.datetime) -> DraftLock | None:
    """The lock in force on a stored draft: none when free or lapsed."""
    if not row.get("locked_by") or row.get("locked_at") is None:
        return None
    expires = row["locked_at"] + dt.timedelta(minutes=ctx.settings.draft_lock_minutes)
    return DraftLock(row["locked_by"], row["locked_at"], expires) if expires > now else None


def _refuse_if_locked(ctx: Context, row: dict[str, Any], actor: Actor, now: dt.datetime) -> None:
    lock = _lock_of(ctx, row, now)
    if lock is not None and lock.holder != actor.username:
        raise errors.DraftLocked(
            f"draft {row['id']} is being edited by {lock.holder} since {lock.since.isoformat()}",
            lock.holder,
            lock.since,
            lock.expires_at,
        )


def _conflict(uow: AbstractUnitOfWork, row: dict[str, Any], base_revision: int) -> DraftConflict:
    """What changed from ``base_revision`` to the draft's current content."""
    base = uow.drafts.revision_content(row["id"], base_revision) or b""
    current = bytes(row["content"])
    lines = tuple(
        line.rstrip("\n")
        for line in difflib.unified_diff(
            base.decode(errors="replace").splitlines(keepends=True),
            current.decode(errors="replace").splitlines(keepends=True),
            fromfile=f"revisione {base_revision}",
            tofile=f"revisione {row['revision']}",
            n=2,
        )
    )
    file_name = row["file_name"]
    elements = ProcessDiff({})
    rules: tuple[RuleChange, ...] = ()
    try:
        if file_name.endswith(".bpmn"):
            elements = ProcessDiff(_element_diffs({file_name: base} if base else {}, {file_name: current}))
        else:
            rules = tuple(dmn_diff.diff_rules(file_name, base or None, current))
    except (InvalidProcess, ValueError):  # an older revision that no longer parses: the lines say it
        pass
    return DraftConflict(
        draft_id=row["id"],
        your_revision=base_revision,
        current_revision=row["revision"],
        saved_by=row["author"],
        saved_at=row["updated_at"],
        lines=lines[:MAX_DIFF_LINES],
        elements=elements,
        rules=rules,
    )


def edit_draft(ctx: Context, actor: Actor, draft_id: int) -> ProcessDraft:
    """Take (or renew) the draft's edit lock; ``DraftLocked`` while someone else holds it. A lapsed
    lock of someone else is taken over, and the event names who had it. Renewing a lock one holds
    (the editor page does it while open) writes no event."""
    _require(actor)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        row = uow.drafts.get(draft_id)
        _refuse_if_locked(ctx, row, actor, now)
        renewing = _lock_of(ctx, row, now) is not None  # held by the actor (others were refused)
        lapsed = row.get("locked_by") if row.get("locked_by") not in (None, actor.username) else None
        uow.drafts.set_lock(draft_id, actor.username, now)
        if not renewing:
            data = {"lapsed_holder": lapsed} if lapsed else {}
            uow.drafts.add_event(draft_id, actor.username, "lock_taken", data, now)
        uow.commit()
    return get_draft(ctx, actor, draft_id)


def release_draft(ctx: Context, actor: Actor, draft_id: int) -> ProcessDraft:
    """Give the edit lock back (only its holder can; a no-op for anyone else)."""
    _require(actor)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        row = uow.drafts.get(draft_id)
        if row.get("locked_by") == actor.username:
            uow.drafts.set_lock(draft_id, None, None)
            uow.drafts.add_event(draft_id, actor.username, "lock_released", {}, now)
            uow.commit()
    return get_draft(ctx, actor, draft_id)


def break_draft_lock(ctx: Context, actor: Actor, draft_id: int, reason: str) -> ProcessDraft:
    """An administrator frees a draft someone else is editing; the event keeps who, since when, why."""
    _require(actor)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        row = uow.drafts.get(draft_id)  # an unknown draft is NotFound for every designer
        require(actor, Permission.DRAFT_UNLOCK)
        reason = reason.strip()
        if not reason:
            raise errors.InvalidData("a reason is needed", {"reason": ["Scrivi il motivo dello sblocco."]})
        lock = _lock_of(ctx, row, now)
        if lock is None:
            raise errors.Conflict(f"draft {draft_id} is not locked")
        uow.drafts.set_lock(draft_id, None, None)
        uow.drafts.add_event(
            draft_id,
            actor.username,
            "lock_broken",
            {"holder": lock.holder, "since": lock.since.isoformat(), "reason": reason[:500]},
            now,
        )
        uow.commit()
    return get_draft(ctx, actor, draft_id)


def draft_events(ctx: Context, actor: Actor, draft_id: int) -> list[DraftEvent]:
    _require(actor)
    with ctx.uow(write=False) as uow:
        uow.drafts.get(draft_id)  # NotFound for an unknown draft
        return [DraftEvent(**row) for row in uow.drafts.events(draft_id)]


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
    """Start editing a deployed file. The file's newest draft not yet deployed is reused, with its
    edit lock (``DraftLocked`` while someone else edits it), so two designers never work on two
    copies of one file; otherwise a new draft holding the file's current content."""
    _require(actor)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
        open_ones = [r for r in uow.drafts.all() if r["file_name"] == file_name and r["deployed_at"] is None]
    if open_ones:
        return edit_draft(ctx, actor, max(open_ones, key=lambda r: r["updated_at"])["id"])
    if file_name not in files:
        raise errors.NotFound(f"file {file_name!r} is not in the library")
    return save_draft(ctx, actor, file_name, files[file_name], note="")


def get_draft(ctx: Context, actor: Actor, draft_id: int) -> ProcessDraft:
    _require(actor)
    with ctx.uow(write=False) as uow:
        row = uow.drafts.get(draft_id)
        return _draft(row, _lock_of(ctx, row, ctx.clock.now()))


def list_drafts(ctx: Context, actor: Actor) -> list[ProcessDraft]:
    _require(actor)
    with ctx.uow(write=False) as uow:
        now = ctx.clock.now()
        return [_draft(row, _lock_of(ctx, row, now)) for row in uow.drafts.all()]


def _draft(row: dict[str, Any], lock: DraftLock | None = None) -> ProcessDraft:
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
        revision=row.get("revision") or 1,
        lock=lock,
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
        _refuse_if_locked(ctx, uow.drafts.get(draft_id), actor, ctx.clock.now())
        uow.drafts.delete(draft_id)
        uow.commit()


def deploy_draft(ctx: Context, actor: Actor, draft_id: int, note: str = "") -> list[tuple[ProcessVersionView, bool]]:
    """Deploy the library with the draft in it; refused while the draft has problems or someone
    else is editing it. Deploying ends the deployer's edit session (the lock is released)."""
    draft = get_draft(ctx, actor, draft_id)
    _require_deployable(draft)
    if draft.lock is not None and draft.lock.holder != actor.username:
        raise errors.DraftLocked(
            f"draft {draft_id} is being edited by {draft.lock.holder}",
            draft.lock.holder,
            draft.lock.since,
            draft.lock.expires_at,
        )
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    files[draft.file_name] = draft.content.encode()
    result = processes.deploy(
        ctx, [SourceFile(n, c) for n, c in sorted(files.items())], actor, note or draft.note or f"bozza {draft_id}"
    )
    with ctx.uow() as uow:
        now = ctx.clock.now()
        uow.drafts.mark_deployed(draft_id, now)
        if draft.lock is not None:
            uow.drafts.set_lock(draft_id, None, None)
            uow.drafts.add_event(draft_id, actor.username, "lock_released", {"deployed": True}, now)
        uow.commit()
    return result


def versions(ctx: Context, process_id: str, actor: Actor) -> list[ProcessVersionView]:
    require(actor, Permission.PROCESS_READ)
    with ctx.uow(write=False) as uow:
        found = uow.processes.list_versions(process_id)
    if not found:
        raise errors.NotFound(f"process {process_id!r} not found")
    return found


def version_diff(ctx: Context, process_id: str, old: int, new: int, actor: Actor) -> ProcessDiff:
    """Elements added, removed and changed between two versions (of the process and what it calls)."""
    require(actor, Permission.PROCESS_READ)
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


def draft_rule_diff(ctx: Context, actor: Actor, draft_id: int) -> list[RuleChange]:
    """The rules a DMN draft adds, removes or changes against the deployed file."""
    draft = get_draft(ctx, actor, draft_id)
    if not draft.file_name.endswith(".dmn"):
        return []
    with ctx.uow(write=False) as uow:
        before = library_files(uow).get(draft.file_name)
    return dmn_diff.diff_rules(draft.file_name, before, draft.content.encode())


def version_rule_diff(ctx: Context, process_id: str, old: int, new: int, actor: Actor) -> list[RuleChange]:
    """The decision rules changed between two versions of a process (the DMN files it uses)."""
    require(actor, Permission.PROCESS_READ)
    with ctx.uow(write=False) as uow:
        by_number = {v.version: v for v in uow.processes.list_versions(process_id)}
        if old not in by_number or new not in by_number:
            raise errors.NotFound(f"process {process_id!r} has no version {old if old not in by_number else new}")
        before = dict(uow.processes.files(by_number[old].id))
        after = dict(uow.processes.files(by_number[new].id))
    changes: list[RuleChange] = []
    for name in sorted({*before, *after}):
        if name.endswith(".dmn") and before.get(name) != after.get(name):
            changes += dmn_diff.diff_rules(name, before.get(name), after.get(name))
    return changes


def decision_tables(file_name: str, content: bytes) -> list[DecisionTableView]:
    """The decision tables of a DMN file as tables to show (``InvalidProcess`` when it does not parse)."""
    dmn = dmn_table.read(SourceFile(file_name, content))
    return [
        DecisionTableView(
            decision_id=t.decision_id,
            decision_name=t.decision_name or t.decision_id,
            hit_policy=t.hit_policy,
            inputs=tuple(c.title for c in t.inputs),
            outputs=tuple(c.title for c in t.outputs),
            rules=tuple(
                DecisionRuleRow(
                    id=r.id,
                    number=r.number,
                    inputs=tuple((c.text or "").strip() or "-" for c in r.inputs),
                    outputs=tuple((c.text or "").strip() for c in r.outputs),
                    description=r.description,
                )
                for r in t.rules
            ),
        )
        for t in dmn.tables
    ]


def draft_decision_tests(ctx: Context, actor: Actor, draft_id: int) -> list[DecisionTestResult]:
    """Run the decision tests kept in a DMN draft, as its save and the deployment do."""
    draft = get_draft(ctx, actor, draft_id)
    if not draft.file_name.endswith(".dmn"):
        return []
    content = draft.content.encode()
    try:
        dmn = dmn_table.read(SourceFile(draft.file_name, content))
    except InvalidProcess:
        return []
    return decision_tests.check_tests(dmn, content, ctx.parameters)[1]


def draft_decision_suites(ctx: Context, actor: Actor, draft_id: int) -> list[DecisionTestSuiteView]:
    """The decision tests of a DMN draft as written (also those that cannot run), per table."""
    draft = get_draft(ctx, actor, draft_id)
    if not draft.file_name.endswith(".dmn"):
        return []
    try:
        return decision_tests.suites(dmn_table.read(SourceFile(draft.file_name, draft.content.encode())))
    except InvalidProcess:
        return []


def save_decision_test(
    ctx: Context,
    actor: Actor,
    draft_id: int,
    test: DecisionTestCase,
    *,
    decision_id: str | None = None,
    replaces: str | None = None,
    base_revision: int | None = None,
) -> ProcessDraft:
    """Add a decision test to a DMN draft, or put it in place of the test ``replaces``: written
    into the file (the tests live in the table's own file) and saved as a new revision, checked
    and run like any save (a test naming an input the table does not read is a problem)."""
    return _edit_tests(
        ctx,
        actor,
        draft_id,
        base_revision,
        lambda dmn: decision_tests.put_test(dmn, decision_id, test, replaces),
        f"test decisionale {test.id}",
    )


def delete_decision_test(
    ctx: Context,
    actor: Actor,
    draft_id: int,
    test_id: str,
    *,
    decision_id: str | None = None,
    base_revision: int | None = None,
) -> ProcessDraft:
    """Take a decision test out of a DMN draft (a new revision)."""
    return _edit_tests(
        ctx,
        actor,
        draft_id,
        base_revision,
        lambda dmn: decision_tests.remove_test(dmn, decision_id, test_id),
        f"test decisionale {test_id} eliminato",
    )


def _edit_tests(
    ctx: Context,
    actor: Actor,
    draft_id: int,
    base_revision: int | None,
    edit: Callable[[dmn_table.DmnFile], bytes],
    note: str,
) -> ProcessDraft:
    draft = get_draft(ctx, actor, draft_id)
    if not draft.file_name.endswith(".dmn"):
        raise errors.InvalidData(
            "not a decision table", {"draft": ["Solo una tabella decisionale (.dmn) ha test decisionali."]}
        )
    content = edit(dmn_table.read(SourceFile(draft.file_name, draft.content.encode())))
    # based on the revision read here when the caller names none: a save in between is refused
    return save_draft(
        ctx,
        actor,
        draft.file_name,
        content,
        note=note,
        draft_id=draft_id,
        base_revision=base_revision if base_revision is not None else draft.revision,
    )


def _element_diffs(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, ElementDiff]:
    return {
        process_id: ElementDiff(
            added=tuple(entry["added"]),
            removed=tuple(entry["removed"]),
            changed=tuple(ElementChange(c["id"], tuple(c["aspects"])) for c in entry["changed"]),
        )
        for process_id, entry in xml_diff.diff(before, after).items()
    }


def _draft_library(ctx: Context, draft: ProcessDraft) -> Library:
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    files[draft.file_name] = draft.content.encode()
    return Library([SourceFile(n, c) for n, c in sorted(files.items())])


def dry_run_tasks(ctx: Context, actor: Actor, draft_id: int, process_id: str) -> list[DryRunTask]:
    """The user tasks a dry run of ``process_id`` in the draft's library may meet (also in the
    processes it calls), each with its form, so the run can be answered from the forms."""
    draft = get_draft(ctx, actor, draft_id)
    library = _draft_library(ctx, draft)
    if process_id not in library.process_ids():
        raise errors.NotFound(f"process {process_id!r} is not in the draft library")
    return [
        DryRunTask(bpmn_id=t.bpmn_id, name=t.name, form_key=t.form_key, lane=t.lane)
        for t in library.specs(process_id).user_tasks.values()
    ]


def save_scenario(
    ctx: Context,
    actor: Actor,
    process_id: str,
    name: str,
    data: dict[str, Any],
    answers: dict[str, Any],
    draft_id: int | None = None,
) -> DryRunScenario:
    """Keep a dry run (start data, answers) to run again after each change of ``process_id``,
    with what it was saved against: the process's deployed version then and, when run on a
    draft, that draft and its revision."""
    _require(actor)
    name = name.strip()
    if not name:
        raise errors.InvalidData("a name is needed", {"scenario_name": ["Dai un nome allo scenario."]})
    with ctx.uow() as uow:
        latest = uow.processes.latest(process_id)
        draft = uow.drafts.get(draft_id) if draft_id is not None else None
        against = {
            "process_version": latest.version if latest is not None else None,
            "draft_id": draft_id,
            "draft_revision": (draft.get("revision") or 1) if draft is not None else None,
        }
        scenario_id = uow.drafts.add_scenario(
            process_id, name[:200], data, answers, actor.username, ctx.clock.now(), against
        )
        uow.commit()
        return DryRunScenario(**uow.drafts.scenario(scenario_id))


def scenarios(ctx: Context, actor: Actor, process_id: str) -> list[DryRunScenario]:
    _require(actor)
    with ctx.uow(write=False) as uow:
        return [DryRunScenario(**row) for row in uow.drafts.scenarios(process_id)]


def delete_scenario(ctx: Context, actor: Actor, scenario_id: int) -> None:
    _require(actor)
    with ctx.uow() as uow:
        uow.drafts.delete_scenario(scenario_id)
        uow.commit()


def run_draft(
    ctx: Context, actor: Actor, draft_id: int, process_id: str, data: dict[str, Any], answers: dict[str, Any]
) -> DryRunResult:
    """Run a draft on sample data in memory; refused while the draft fails validation."""
    draft = get_draft(ctx, actor, draft_id)
    _require_deployable(draft)
    library = _draft_library(ctx, draft)
    if process_id not in library.process_ids():
        raise errors.NotFound(f"process {process_id!r} is not in the draft library")
    today = ctx.clock.now().date()

    def validate(form_key: str | None, answer: Any) -> dict[str, Any]:
        # what the form asks, plus what the engine would take from the person record
        clean = validate_submission(form_key, answer)
        return {**clean, **engine_data.sample_facts(form_key, clean, today)}

    return dry_run(
        library.specs(process_id),
        data,
        answers,
        validate,
        ctx.parameters,
        start=ctx.clock.now(),
        limits=ctx.script_limits,
    )


def deployed_files(ctx: Context, actor: Actor) -> dict[str, bytes]:
    """The deployed library (``library_files``) read for ``actor``."""
    require(actor, Permission.PROCESS_READ)
    with ctx.uow(write=False) as uow:
        return library_files(uow)


def export_library(ctx: Context, directory: Path, actor: Actor) -> list[str]:
    """Write the deployed library to ``directory`` (e.g. processes/) so it stays reviewable in git."""
    require(actor, Permission.DESIGN)
    with ctx.uow(write=False) as uow:
        files = library_files(uow)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        (directory / name).write_bytes(content)
    return sorted(files)
