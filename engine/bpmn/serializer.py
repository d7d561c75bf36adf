"""Workflow state <-> JSON, storing per-case *state only* (docs/spiffworkflow.md §9).

The stock converter writes the whole spec (and every called spec) into each saved case and
rebuilds spec objects on every load. Specs belong to a process version, so here the workflow
converter neither writes them nor restores them: ``load`` hands it the cached spec objects of
the case's pinned version. The state keeps ``serializer_version`` so SpiffWorkflow's own
migrations still run on old rows.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

_SPECS: ContextVar[tuple[Any, dict[str, Any]] | None] = ContextVar("_specs", default=None)


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        specs = _SPECS.get()
        if specs is None or "spec" in dct:
            return super().from_dict(dct)
        spec, subprocess_specs = specs
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    serializer.registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    return serializer


SERIALIZER = _make_serializer()


def dump_state(workflow: Any) -> str:
    """The case's state as JSON, without its specs."""
    state: str = SERIALIZER.serialize_json(workflow)
    return state


def load_state(state: str, spec: Any, subprocess_specs: dict[str, Any]) -> Any:
    """Rebuild a workflow from its state and the (shared, cached) specs of its version."""
    return load_document(json.loads(state), spec, subprocess_specs)


def load_document(dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> Any:
    """Rebuild a workflow from a parsed state document (consumed: SpiffWorkflow edits it)."""
    SERIALIZER.migrate(dct)
    token = _SPECS.set((spec, subprocess_specs))
    try:
        return SERIALIZER.from_dict(dct)
    finally:
        _SPECS.reset(token)
