"""What every use case is bound to: the unit-of-work factory, the clock, the runner and caches."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.loader import ProcessSpecs, SpecCache
from engine.bpmn.runner import Runner
from engine.bpmn.script_pool import Limits
from engine.clock import Clock
from engine.config import Settings
from engine.model import SourceFile
from engine.ports import AbstractUnitOfWork


class WorkflowCache:
    """Live workflows of recently changed cases, keyed by (case id, stored version).

    A command *takes* the entry (so no two commands share one object) and puts it back only
    after its commit: the stored version it is filed under is then exactly the state it holds.
    A failed or conflicting command never puts back, so a half-changed workflow is dropped.
    Any other server changing the case bumps the version, so a stale entry is never used.
    """

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int) -> Any | None:
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None or entry[0] != version:
            return None
        return entry[1]

    def put(self, case_id: int, version: int, workflow: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[case_id] = (version, workflow)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def script_limits(settings: Settings) -> Limits:
    return Limits(
        seconds=settings.script_seconds,
        memory_mb=settings.script_memory_mb,
        output_bytes=settings.script_output_kb * 1024,
        workers=settings.script_workers,
    )


@dataclass
class Context:
    settings: Settings
    uow: Callable[..., AbstractUnitOfWork]
    clock: Clock
    runner: Runner
    parameters: Mapping[str, Any]
    sender: Any = None
    # readiness check of the storage, given a timeout in seconds (wired by bootstrap)
    storage_probe: Callable[[float], None] | None = None
    specs: SpecCache = field(default_factory=SpecCache)
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    # the data keyring (engine.keyring), loaded on first use and checked by services.people.verify_keys
    keys: Any = None

    @property
    def script_limits(self) -> Limits:
        return script_limits(self.settings)

    def specs_for(self, uow: AbstractUnitOfWork, version_id: int) -> ProcessSpecs:
        """Specs of a pinned process version; parsed from the stored files once per process."""

        def fetch(vid: int) -> tuple[str, list[SourceFile]]:
            view = uow.processes.get(vid)
            return view.process_id, [SourceFile(n, c) for n, c in uow.processes.files(vid)]

        return self.specs.get(version_id, fetch)

    def workflow_for(self, uow: AbstractUnitOfWork, record: Any) -> tuple[ProcessSpecs, Any]:
        """Specs and live workflow of a case: from the cache when current, else from its state."""
        specs = self.specs_for(uow, record.process_version_id)
        workflow = self.workflows.take(record.id, record.version)
        if workflow is None:
            workflow = self.runner.load(specs, record.state, lambda: uow.case_state.rows(record.id))
        return specs, workflow

    def param(self, name: str, region: str | None = None) -> Any:
        regional = self.parameters.get("regioni", {}).get(region or "", {})
        if name in regional:
            return regional[name]
        return self.parameters.get("default", {}).get(name)
