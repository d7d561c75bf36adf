"""Moving a running workflow onto another version of its process (SpiffWorkflow's spec diff).

``plan`` says whether a case can move: every element it is at (ready, waiting or running tasks)
must exist in the new version, or be mapped explicitly (old id → new id); its called processes
must exist too. ``apply`` performs the move on the live workflow (the caller persists it only if
nothing failed). Completed history keeps its elements even when they were removed.

A called process whose elements the new version moved into an embedded sub-process cannot have
its tasks moved in place: it is rebuilt on the new version (``engine.bpmn.rebuild``), and ``plan``
tries that rebuild on a copy of the workflow first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import rebuild
from engine.bpmn.loader import ProcessSpecs
from engine.bpmn.serializer import SERIALIZER, dump_state, load_state
from engine.bpmn.timekeeping import using_clock
from engine.model import ElementLabel, MigrationBlock, MigrationReason, RebuiltProcess

_AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


@dataclass
class MigrationPlan:
    can_migrate: bool
    reasons: list[MigrationReason] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)
    # called processes rebuilt on the new version (their elements moved into a sub-process)
    rebuilt: list[str] = field(default_factory=list)
    # the same with their BPMN names, for the people who read a dry run
    rebuilt_named: list[RebuiltProcess] = field(default_factory=list)
    # each element id of active/removed/changed/added with its BPMN name and kind
    elements: dict[str, ElementLabel] = field(default_factory=dict)


def _name(spec: Any) -> str:
    """The BPMN name of a process or element spec, its id where it has none."""
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "description", None) or spec.name)


def _diffs(wf: Any, new: ProcessSpecs) -> list[tuple[Any, Any, SpecDiff]]:
    """(workflow or sub-workflow, its new spec, spec diff) for the top and every sub-workflow."""
    result = [(wf, new.spec, SpecDiff(SERIALIZER.registry, wf.spec, new.spec))]
    for sub in wf.subprocesses.values():
        target = new.subprocess_specs.get(sub.spec.name)
        result.append((sub, target, SpecDiff(SERIALIZER.registry, sub.spec, target) if target is not None else None))
    return result


def _to_rebuild(wf: Any, new: ProcessSpecs) -> tuple[list[Any], set[int]]:
    """The called processes of ``wf`` whose elements the new version moved into a sub-process, and
    (as ``id``s) every workflow the rebuild replaces: those and the sub-processes under them."""
    found = []
    for sub in wf.subprocesses.values():
        target = new.subprocess_specs.get(sub.spec.name)
        if target is not None and rebuild.rebuildable(sub) and rebuild.moved_inward(sub, target, new.subprocess_specs):
            found.append(sub)
    return found, {id(w) for sub in found for w in rebuild.family(wf, sub)}


def plan(
    wf: Any,
    new: ProcessSpecs,
    mapping: dict[str, str] | None = None,
    *,
    now: Callable[[], dt.datetime] | None = None,
) -> MigrationPlan:
    mapping = dict(mapping or {})
    result = MigrationPlan(can_migrate=True, mapped=mapping)
    rebuilt, skip = _to_rebuild(wf, new)
    result.rebuilt = sorted({str(sub.spec.name) for sub in rebuilt})
    names = {str(sub.spec.name): _name(sub.spec) for sub in rebuilt}
    result.rebuilt_named = [RebuiltProcess(p, names[p]) for p in result.rebuilt]
    for workflow, target, spec_diff in _diffs(wf, new):
        if id(workflow) in skip:
            result.active += sorted(
                {str(t.task_spec.bpmn_id) for t in workflow.tasks.values() if t.state & _AT and t.task_spec.bpmn_id}
            )
            continue
        live = [t for t in workflow.tasks.values() if t.state & _AT and t.task_spec.bpmn_id]
        result.active += sorted({str(t.task_spec.bpmn_id) for t in live})
        if target is None or spec_diff is None:
            result.can_migrate = False
            process = str(workflow.spec.name)
            result.reasons.append(
                MigrationReason(
                    MigrationBlock.PROCESS_GONE,
                    f"the process {process!r} the case is running no longer exists",
                    {"process": process, "process_name": _name(workflow.spec)},
                )
            )
            continue
        removed = {s.bpmn_id for s in spec_diff.removed if getattr(s, "bpmn_id", None)}
        result.removed += sorted(removed)
        result.changed += sorted({s.bpmn_id for s in spec_diff.changed if getattr(s, "bpmn_id", None)})
        result.added += sorted({s.bpmn_id for s in spec_diff.added if getattr(s, "bpmn_id", None)})
        # Predicted tasks are re-predicted from the new version; every other task must keep an element.
        # SpiffWorkflow may pair a vanished element with a new one by position; where the case *is*,
        # that silent move is not allowed: an active element missing by id needs an explicit mapping.
        new_ids = {getattr(s, "bpmn_id", None) for s in target.task_specs.values()}
        kept = [t for t in workflow.tasks.values() if not t.state & _PREDICTED and t.task_spec.bpmn_id]
        for task in kept:
            bpmn_id = str(task.task_spec.bpmn_id)
            if bpmn_id not in removed and (not task.state & _AT or bpmn_id in new_ids):
                continue
            goal = mapping.get(bpmn_id)
            element = {"element": bpmn_id, "element_name": _name(task.task_spec)}
            if goal is None:
                result.can_migrate = False
                at = bool(task.state & _AT)
                result.reasons.append(
                    MigrationReason(
                        MigrationBlock.AT_REMOVED if at else MigrationBlock.PASSED_REMOVED,
                        f"the case {'is at' if at else 'went through'} {bpmn_id!r}, which the new version removes"
                        " (map it)",
                        element,
                    )
                )
            elif _spec_by_bpmn_id(target, goal) is None:
                result.can_migrate = False
                result.reasons.append(
                    MigrationReason(
                        MigrationBlock.MAPPING_TARGET_MISSING,
                        f"mapping {bpmn_id!r} → {goal!r}: {goal!r} is not in the new version",
                        {**element, "target": goal},
                    )
                )
    for sub in rebuilt:
        for spec in rebuild.multi_instance(wf, sub):
            result.can_migrate = False
            result.reasons.append(
                MigrationReason(
                    MigrationBlock.REBUILD_MULTI_INSTANCE,
                    f"the called process {sub.spec.name!r} must be rebuilt on the new version and has the"
                    f" multi-instance activity {spec.bpmn_id!r}, whose instances the rebuild does not match",
                    {
                        "process": str(sub.spec.name),
                        "process_name": _name(sub.spec),
                        "element": str(spec.bpmn_id),
                        "element_name": _name(spec),
                    },
                )
            )
    if rebuilt and result.can_migrate:
        # try the rebuild on a copy: a case whose old run the new version cannot re-place stays put
        trial = load_state(dump_state(wf), wf.spec, wf.subprocess_specs)
        trial.script_engine = wf.script_engine
        try:
            apply(trial, new, mapping, now=now)
        except Exception as err:  # noqa: BLE001 - a copy: any failure (a script, a gateway) only refuses the case
            result.can_migrate = False
            result.reasons += [
                MigrationReason(
                    MigrationBlock.REBUILD_FAILED,
                    f"the case cannot be rebuilt on the new version: {err}",
                    {"process": r.process, "process_name": r.name},
                )
                for r in result.rebuilt_named
            ]
    for key in ("active", "removed", "changed", "added"):
        setattr(result, key, sorted(set(getattr(result, key))))
    labels = _labels(wf, new)
    result.elements = {
        bpmn_id: labels.get(bpmn_id, ElementLabel(None, ""))
        for bpmn_id in {*result.active, *result.removed, *result.changed, *result.added}
    }
    result.reasons = list({(r.code, r.message, *sorted(r.params.items())): r for r in result.reasons}.values())
    return result


def apply(
    wf: Any,
    new: ProcessSpecs,
    mapping: dict[str, str] | None = None,
    *,
    now: Callable[[], dt.datetime] | None = None,
) -> None:
    """Move the workflow onto ``new`` (call ``plan`` first); the caller runs the engine steps.

    ``now`` is the engine's clock: moving re-arms the timers of the tasks the case is at, and
    SpiffWorkflow checks them against it there; without it a replay, run long after the live
    migration, would see them due on the wall clock and fire them at the migration."""
    with using_clock(now) if now is not None else nullcontext():
        _apply(wf, new, mapping or {})


def _apply(wf: Any, new: ProcessSpecs, mapping: dict[str, str]) -> None:
    rebuilt, skip = _to_rebuild(wf, new)
    diffs = [d for d in _diffs(wf, new) if id(d[0]) not in skip]
    wf.subprocess_specs = new.subprocess_specs  # the rebuild starts sub-processes of the new version
    for sub in rebuilt:
        rebuild.rebuild(wf, sub, new.subprocess_specs[sub.spec.name])
    for workflow, target, spec_diff in diffs:
        workflow_diff = WorkflowDiff(workflow, spec_diff)
        for task in workflow.tasks.values():
            goal = mapping.get(str(task.task_spec.bpmn_id or ""))
            if goal is not None and workflow_diff.alignment.get(task) is None:
                workflow_diff.alignment[task] = _spec_by_bpmn_id(target, goal)
        migrate_workflow(workflow_diff, workflow, target)
    wf.subprocess_specs = new.subprocess_specs


def _labels(wf: Any, new: ProcessSpecs) -> dict[str, ElementLabel]:
    """Every element of the old and the new version by id: its BPMN name (the old version's
    first) and kind. A multi-instance activity's name is on its instances' spec."""
    labels: dict[str, ElementLabel] = {}
    old_specs = [wf.spec, *wf.subprocess_specs.values()]
    for process in [*old_specs, new.spec, *new.subprocess_specs.values()]:
        for spec in process.task_specs.values():
            bpmn_id = getattr(spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            name = (getattr(spec, "bpmn_name", None) or "").strip() or None
            known = labels.get(bpmn_id)
            if known is None or (known.name is None and name is not None):
                labels[bpmn_id] = ElementLabel(name, type(spec).__name__ if known is None else known.kind)
    return labels


def _spec_by_bpmn_id(spec: Any, bpmn_id: str) -> Any:
    for task_spec in spec.task_specs.values():
        if getattr(task_spec, "bpmn_id", None) == bpmn_id and not task_spec.name.endswith("[child]"):
            return task_spec
    return None
