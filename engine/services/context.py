"""What every use case is bound to: the unit-of-work factory, the clock, the runner and caches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.loader import ProcessSpecs, SourceFile, SpecCache
from engine.bpmn.runner import Runner
from engine.clock import Clock
from engine.config import Settings
from engine.ports import AbstractUnitOfWork


@dataclass
class Context:
    settings: Settings
    uow: Callable[..., AbstractUnitOfWork]
    clock: Clock
    runner: Runner
    parameters: Mapping[str, Any]
    specs: SpecCache = field(default_factory=SpecCache)

    def specs_for(self, uow: AbstractUnitOfWork, version_id: int) -> ProcessSpecs:
        """Specs of a pinned process version; parsed from the stored files once per process."""

        def fetch(vid: int) -> tuple[str, list[SourceFile]]:
            view = uow.processes.get(vid)
            return view.process_id, [SourceFile(n, c) for n, c in uow.processes.files(vid)]

        return self.specs.get(version_id, fetch)

    def param(self, name: str, region: str | None = None) -> Any:
        regional = self.parameters.get("regioni", {}).get(region or "", {})
        if name in regional:
            return regional[name]
        return self.parameters.get("default", {}).get(name)
