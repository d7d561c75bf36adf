"""The observable state of a case, reduced to a digest stored with each command's events.

Two runs of a case are the same when, after each command, they have the same status, the same
data, the same open human tasks (element and multi-instance item) and wait on the same elements.
Storing that digest lets replay prove it reached exactly what the live case had at every step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from engine.audit.chain import canonical
from engine.bpmn.runner import ReadyTask, json_safe


def summary(status: str, data: dict[str, Any], ready: Sequence[ReadyTask], waiting: Sequence[str]) -> dict[str, Any]:
    return {
        "status": status,
        "data": json_safe(data),
        "ready": sorted([t.bpmn_id, canonical(json_safe(t.multi_instance_item)).decode()] for t in ready),
        "waiting": sorted(waiting),
    }


def digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(state)).hexdigest()
