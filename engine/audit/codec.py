"""One case event as a plain mapping and back, written once: the event repository stores these
fields as ``case_event`` columns and the signed dossier bundle carries them as JSON.

The two forms differ only where their media do: a column holds a datetime and an empty string for
a missing hash, JSON holds the ISO text of the time and ``null`` for a missing hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from engine.model import CaseEvent, EventKind


def event_fields(e: CaseEvent) -> dict[str, Any]:
    """The event's fields by name (the time as a datetime, missing maps as empty ones)."""
    return {
        "case_id": e.case_id,
        "seq": e.seq,
        "cmd": e.cmd,
        "at": e.at,
        "actor": e.actor,
        "kind": e.kind,
        "task_id": e.task_id,
        "task_name": e.task_name,
        "bpmn_id": e.bpmn_id,
        "data": e.data,
        "state_digest": e.state_digest,
        "salts": e.salts or {},
        "commitments": e.commitments or {},
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "erased": list(e.erased),
        "data_digest": e.data_digest,
        "checkpoint_digest": e.checkpoint_digest,
    }


def event_from_fields(d: Mapping[Any, Any]) -> CaseEvent:
    """The event back from its fields (a row's mapping or a decoded JSON object); a missing or
    malformed required field raises KeyError, TypeError or ValueError."""
    at = d["at"]
    return CaseEvent(
        case_id=int(d["case_id"]),
        seq=int(d["seq"]),
        cmd=int(d["cmd"]),
        at=dt.datetime.fromisoformat(at) if isinstance(at, str) else at,
        actor=d["actor"],
        kind=EventKind(d["kind"]),
        task_id=d.get("task_id"),
        task_name=d.get("task_name"),
        bpmn_id=d.get("bpmn_id"),
        data=dict(d.get("data") or {}),
        state_digest=d.get("state_digest"),
        salts=dict(d.get("salts") or {}),
        commitments=dict(d.get("commitments") or {}),
        prev_hash=d.get("prev_hash"),
        hash=d.get("hash"),
        erased=tuple(d.get("erased") or ()),
        data_digest=d.get("data_digest"),
        checkpoint_digest=d.get("checkpoint_digest"),
    )


def event_to_row(e: CaseEvent) -> dict[str, Any]:
    """The ``case_event`` columns (the hash columns are NOT NULL: a missing hash is empty)."""
    return {**event_fields(e), "prev_hash": e.prev_hash or "", "hash": e.hash or ""}


def event_to_json(e: CaseEvent) -> dict[str, Any]:
    """The event as the dossier bundle carries it."""
    return {**event_fields(e), "at": e.at.isoformat()}
