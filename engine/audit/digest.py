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
from engine.bpmn.runner import ReadyTask, item_key, json_safe


def summary(
    status: str, data: dict[str, Any], ready: Sequence[ReadyTask], waiting: Sequence[str], *, safe: bool = False
) -> dict[str, Any]:
    """``safe``: ``data`` is already JSON-safe (the case row's snapshot), so it is not converted again."""
    return {
        "status": status,
        "data": data if safe else json_safe(data),
        "ready": sorted([t.bpmn_id, t.item_key or item_key(t.multi_instance_item)] for t in ready),
        "waiting": sorted(waiting),
    }


def digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(state)).hexdigest()


def state_digest(status: str, data_text: bytes, ready: Sequence[ReadyTask], waiting: Sequence[str]) -> str:
    """``digest(summary(status, data, ready, waiting, safe=True))`` from ``data_text``, the
    canonical text of the JSON-safe ``data`` the command already has (``summary``'s keys in
    sorted order, each member's canonical text: the same bytes, the data not serialized again)."""
    rest = summary(status, {}, ready, waiting, safe=True)
    return hashlib.sha256(
        b'{"data":'
        + data_text
        + b',"ready":'
        + canonical(rest["ready"])
        + b',"status":'
        + canonical(status)
        + b',"waiting":'
        + canonical(rest["waiting"])
        + b"}"
    ).hexdigest()
