"""Incremental workflow state: one row per task, written only for the tasks a command changed.

SpiffWorkflow 3.2 serializes a workflow as one document in which each task's data is a *delta
against its parent's data*. That ties every record to its parent: when a multi-instance parent
merges an answer, each waiting child's delta changes although the child did not, so storing only
the changed tasks of such a document would restore wrong data. Here each task row carries its
task's **full** data instead (the task record of SpiffWorkflow's own converter with an empty
``delta``, which its loader reads as full data), so a row depends on nothing but its task:

- ``header``: the workflow-level attributes of the case and of each sub-process (root, last task,
  data, correlations, completion, pending events) and the next row position; small, always written;
- ``TaskRow(task_id, workflow, position, payload)``: ``workflow`` is the sub-process a task belongs
  to ("" for the case's process), ``position`` its creation rank, so loading rebuilds every task
  dict in the order the live workflow had (parents before children, which SpiffWorkflow needs).

A command writes the rows of the tasks it changed: new tasks, tasks whose state, children,
trigger flag or top-level data or internal data changed, and the parents of tasks whose state
changed (a parent merging its children's output changes its data in place). Rows of removed tasks
are deleted. What was last stored of each task is kept on the live task (``_SAVED``), so the
comparison is a few pointer checks per task and no unchanged task is ever serialized.

A case stored in the older single-document format loads as before and is written whole, in rows,
on its next command; ``rows_from_document`` converts such a document without specs (the
migration uses it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.bpmn.serializer import SERIALIZER, load_document
from engine.model import StateWrite, TaskRow

FORMAT = 2
_SAVED = "_impresa_row"  # on each live task: what its row last stored
_STORED = "_impresa_rows"  # on the live workflow: the ids of the tasks that have a row
_NEXT = "_impresa_next_position"  # on the live workflow: the position the next new task gets
_WORKFLOW_KEYS = ("data", "correlations", "last_task", "success", "completed", "root")


@dataclass(slots=True)
class _Saved:
    position: int
    workflow: str
    spec: str
    state: int
    last_state_change: float
    triggered: bool
    children: list[Any]
    children_ids: list[str]  # ``children`` as the row wrote them (a 300-way parent has 300)
    data: dict[str, Any]
    internal_data: dict[str, Any]


def is_row_header(state: str) -> bool:
    """Whether a stored state is a row header (else a whole document of the older format)."""
    return state.startswith('{"format":')


def changes(wf: BpmnWorkflow) -> StateWrite:
    """The rows a command must write for the workflow as it now is (all of them the first time).

    What was last stored of a task hangs on the task object itself, so the scan is attribute reads
    and pointer comparisons: no lookups, and no unchanged task is serialized."""
    stored: dict[Any, str] = getattr(wf, _STORED, None) or {}  # ids of the tasks that have a row
    next_position: int = getattr(wf, _NEXT, 0)
    dirty: list[tuple[str, Any]] = []
    parents: list[tuple[str, Any]] = []
    seen = new = 0
    for workflow_id, workflow in _workflows(wf):
        for task in workflow.tasks.values():
            seen += 1
            before: _Saved | None = getattr(task, _SAVED, None)
            if before is None or before.state != task._state or before.last_state_change != task.last_state_change:
                new += before is None
                dirty.append((workflow_id, task))
                if task._parent is not None:
                    parents.append((workflow_id, workflow.tasks.get(task._parent)))
            elif (
                before.triggered != task.triggered
                or before.spec != task.task_spec.name  # a migration to another version
                or before.children != task._children
                # top-level values compared by identity first (C level): cheap when nothing changed
                or before.data != task.data
                or before.internal_data != task.internal_data
            ):
                dirty.append((workflow_id, task))
    # a parent merging a child's output changes its own data in place, where no comparison sees it
    marked = {id(task) for _, task in dirty}
    for workflow_id, parent in parents:
        if parent is not None and id(parent) not in marked:
            marked.add(id(parent))
            dirty.append((workflow_id, parent))
    deletes: list[str] = []
    if len(stored) + new != seen:  # some stored task is gone
        current = {t.id for _, w in _workflows(wf) for t in w.tasks.values()}
        for task_id in [k for k in stored if k not in current]:
            deletes.append(stored.pop(task_id))
    upserts = []
    for workflow_id, task in dirty:  # new tasks in creation order: their positions follow it
        before = getattr(task, _SAVED, None)
        if before is None:
            position, next_position = next_position, next_position + 1
            stored[task.id] = str(task.id)
        else:
            position = before.position
        # a multi-instance parent is written again at each answer it merges, its children the same
        children = (
            before.children_ids
            if before is not None and before.children == task._children
            else [str(c) for c in task._children]
        )
        upserts.append(TaskRow(str(task.id), workflow_id, position, _task_payload(task, children)))
        setattr(task, _SAVED, _remember(task, workflow_id, position, children))
    setattr(wf, _STORED, stored)
    setattr(wf, _NEXT, next_position)
    return StateWrite(_header(wf, next_position), upserts, deletes)


def load(header: str, rows: Iterable[TaskRow], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from its header and task rows (any order) on the cached specs."""
    rows = list(rows)
    wf = load_document(document_from_rows(header, rows), spec, subprocess_specs)
    remember_all(wf, {r.task_id: r.position for r in rows})
    return wf


def document_from_rows(header: str, rows: Iterable[TaskRow]) -> dict[str, Any]:
    """The single document SpiffWorkflow's loader reads (each task with its full data)."""
    head = json.loads(header)
    by_workflow: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.position):
        by_workflow.setdefault(row.workflow, {})[row.task_id] = json.loads(row.payload)
    document = dict(head["workflow"])
    document["tasks"] = by_workflow.get("", {})
    document["subprocesses"] = {
        sub_id: {**attrs, "tasks": by_workflow.get(sub_id, {})} for sub_id, attrs in head["subprocesses"].items()
    }
    document["serializer_version"] = head["serializer_version"]
    return document


def remember_all(wf: BpmnWorkflow, positions: dict[str, int]) -> None:
    """Record the workflow as stored (right after loading it from rows)."""
    stored = {}
    for workflow_id, workflow in _workflows(wf):
        for task in workflow.tasks.values():
            children = [str(c) for c in task._children]
            setattr(task, _SAVED, _remember(task, workflow_id, positions[str(task.id)], children))
            stored[task.id] = str(task.id)
    setattr(wf, _STORED, stored)
    setattr(wf, _NEXT, max(positions.values(), default=-1) + 1)


def rows_from_document(state: str) -> tuple[str, list[TaskRow]]:
    """Convert a whole stored document (older format, delta-encoded data) to a header and rows.

    Works on the JSON alone, no specs: each task's full data is its parent's full data with the
    task's delta applied, exactly as SpiffWorkflow's loader computes it."""
    document = json.loads(state)
    SERIALIZER.migrate(document)  # upgrades older SpiffWorkflow formats in place
    rows: list[TaskRow] = []
    heads: dict[str, dict[str, Any]] = {}
    position = 0
    for workflow_id, workflow in [("", document), *document.get("subprocesses", {}).items()]:
        full: dict[str, dict[str, Any]] = {}
        for task_id, record in workflow["tasks"].items():
            delta = record.get("delta")
            parent = record.get("parent")
            if delta and parent is not None and parent in full:
                data = dict(full[parent])
                data.update(delta.get("updates", {}))
                for key in delta.get("deletions", []):
                    data.pop(key, None)
            else:
                data = dict(record.get("data") or {})
            full[task_id] = data
            payload = {**record, "data": data, "delta": {}}  # full data, as ``_task_payload`` writes
            rows.append(TaskRow(task_id, workflow_id, position, json.dumps(payload, separators=(",", ":"))))
            position += 1
        heads[workflow_id] = {k: v for k, v in workflow.items() if k not in ("tasks", "subprocesses")}
    top = heads.pop("")
    header = {
        "format": FORMAT,
        "serializer_version": SERIALIZER.VERSION,
        "positions": position,
        "workflow": top,
        "subprocesses": heads,
    }
    return json.dumps(header, separators=(",", ":")), rows


def _workflows(wf: BpmnWorkflow) -> Iterator[tuple[str, Any]]:
    yield "", wf
    for sub_id, sub in wf.subprocesses.items():
        yield str(sub_id), sub


def _remember(task: Any, workflow_id: str, position: int, children_ids: list[str]) -> _Saved:
    return _Saved(
        position=position,
        workflow=workflow_id,
        spec=task.task_spec.name,
        state=task._state,
        last_state_change=task.last_state_change,
        triggered=task.triggered,
        children=list(task._children),
        children_ids=children_ids,
        data=dict(task.data),
        internal_data=dict(task.internal_data),
    )


def _task_payload(task: Any, children: list[str]) -> str:
    registry = SERIALIZER.registry
    record = {
        "id": str(task.id),
        "parent": str(task._parent) if task._parent is not None else None,
        "children": children,
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": task.internal_data,
        "data": registry.clean(task.data),
        "delta": {},  # full data: SpiffWorkflow's loader reads an empty delta that way
        "typename": "Task",
    }
    registry._encoder_mode = True
    try:
        return json.dumps(record, cls=SERIALIZER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def _header(wf: BpmnWorkflow, positions: int) -> str:
    registry = SERIALIZER.registry
    top = _workflow_attrs(wf)
    top["bpmn_events"] = registry.convert(wf.bpmn_events)
    top["typename"] = "BpmnWorkflow"
    subprocesses = {}
    for sub_id, sub in wf.subprocesses.items():
        attrs = _workflow_attrs(sub)
        attrs["parent_task_id"] = str(sub.parent_task_id)
        attrs["spec"] = sub.spec.name
        attrs["typename"] = "BpmnSubWorkflow"
        subprocesses[str(sub_id)] = attrs
    header = {
        "format": FORMAT,
        "serializer_version": SERIALIZER.VERSION,
        "positions": positions,
        "workflow": top,
        "subprocesses": subprocesses,
    }
    registry._encoder_mode = True
    try:
        return json.dumps(header, cls=SERIALIZER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def _workflow_attrs(workflow: Any) -> dict[str, Any]:
    return {
        "data": SERIALIZER.registry.clean(workflow.data),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "root": str(workflow.task_tree.id),
    }
