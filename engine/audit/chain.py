"""The hash chain over each case's events, with per-field commitments so personal data can be erased.

Every field of an event's data is committed separately: ``sha256(salt ‖ name ‖ canonical value)``
with a random salt per field. The event's hash covers its metadata, those commitments and the
previous event's hash; so editing, deleting or reordering any stored event breaks the chain at
that point, while erasing a personal field (its value and its salt, so a small value cannot be
guessed back from the commitment) after retention leaves the commitment, and the chain, intact.
Canonical JSON: sorted keys, no spaces, UTF-8.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine.model import Break, CaseEvent

GENESIS = "0" * 64
ERASED = "[cancellato]"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def commitment(salt: str, name: str, value: Any) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + name.encode() + b"\0" + canonical(value)).hexdigest()


def commitments(data: Mapping[str, Any], salts: Mapping[str, str]) -> dict[str, str]:
    return {name: commitment(salts[name], name, value) for name, value in data.items()}


def snapshot_digest(status: str, data: Mapping[str, Any], *, data_text: bytes | None = None) -> str:
    """What the case row shows (its status and data), as sealed in the command's events:
    ``canonical({"status": status, "data": data})``. ``data_text``: ``canonical(data)``, when the
    command already has it (a sorted object's canonical text is its members' canonical texts in
    key order, so the digest is the same; a 300-item case's data is not serialized again)."""
    text = canonical(data) if data_text is None else data_text
    return hashlib.sha256(b'{"data":' + text + b',"status":' + canonical(status) + b"}").hexdigest()


def access_hash(
    case_id: int, at: str, username: str, purpose: str, fields: Sequence[str], ip: str | None, prev_hash: str
) -> str:
    """One showing of personal data, linked to the previous showing of the same case."""
    row = {"case_id": case_id, "at": at, "username": username, "purpose": purpose, "fields": list(fields), "ip": ip}
    return hashlib.sha256(canonical({**row, "prev": prev_hash})).hexdigest()


def sealed_erasures(events: Sequence[CaseEvent]) -> tuple[dict[int, set[str]], int]:
    """Which fields of which events the chain's own erasure events say were erased, and the seq of
    the last erasure sealed before erasures listed their events (those vouch for what precedes them
    as a whole; 0 when there is none)."""
    sealed: dict[int, set[str]] = {}
    legacy = 0
    for e in events:
        if e.kind != "data_erased":
            continue
        listed = e.data.get("events")
        if isinstance(listed, dict):
            for seq, names in listed.items():
                # the erasure wrote a list of field names per event: nothing else seals an entry
                sealed.setdefault(int(seq), set()).update(str(n) for n in names if isinstance(names, list))
        else:
            legacy = e.seq
    return sealed, legacy


def event_hash(event: CaseEvent, commits: Mapping[str, str], prev_hash: str) -> str:
    head = {
        "case_id": event.case_id,
        "seq": event.seq,
        "cmd": event.cmd,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "kind": event.kind,
        "task_id": event.task_id,
        "task_name": event.task_name,
        "bpmn_id": event.bpmn_id,
        "state_digest": event.state_digest,
        "commitments": dict(commits),
        "prev": prev_hash,
    }
    if event.data_digest is not None:  # absent from events sealed before snapshots were sealed
        head["data_digest"] = event.data_digest
    if event.checkpoint_digest is not None:  # only on the commands that stored a checkpoint
        head["checkpoint_digest"] = event.checkpoint_digest
    return hashlib.sha256(canonical(head)).hexdigest()


def seal(events: Sequence[CaseEvent], prev_hash: str) -> list[CaseEvent]:
    """Give each event its salt, commitments and hash, continuing the chain from ``prev_hash``."""
    sealed = []
    for e in events:
        entropy = secrets.token_bytes(16 * len(e.data)).hex()  # one system call per event
        salts = {name: entropy[32 * i : 32 * (i + 1)] for i, name in enumerate(e.data)}
        commits = commitments(e.data, salts)
        digest = event_hash(e, commits, prev_hash)
        sealed.append(replace(e, salts=salts, commitments=commits, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    return sealed


def verify_case(
    case_id: int,
    events: Sequence[CaseEvent],
    head: tuple[int, str] | None = None,
    *,
    masked: bool = False,
    tail: bool = False,
) -> Break | None:
    """Check one case's events in stored order; ``head`` is (seq, hash) the case row or an anchor vouches for.

    ``masked``: a signed dossier, where entries its reader may not see are blanked like erased
    ones; the signature vouches for that masking, so an erased entry needs no sealed erasure there.
    ``tail``: ``events`` are the case's last ones, from some event on (replay from a checkpoint):
    the first one's link backwards is taken as stored, everything from it to ``head`` is checked."""
    prev = (events[0].prev_hash or "") if tail and events else GENESIS
    expected_seq = events[0].seq if tail and events else 1
    sealed, legacy = sealed_erasures(events)
    for e in events:
        if e.seq != expected_seq:
            missing = "missing or reordered" if e.seq > expected_seq else "duplicated or reordered"
            return Break(case_id, expected_seq, f"event {expected_seq} {missing} (found {e.seq})")
        if e.prev_hash != prev:
            return Break(
                case_id, e.seq, "link to the previous event does not match (an event was changed, removed or reordered)"
            )
        erased = set(e.erased or ())
        # an erased field is skipped below only when a later, sealed erasure event names it: else a
        # changed value could hide behind a name added to ``erased``
        unsealed = erased - sealed.get(e.seq, set()) if e.seq >= legacy and not masked else set()
        if unsealed:
            return Break(
                case_id,
                e.seq,
                f"data field {sorted(unsealed)[0]!r} is marked erased, but no erasure sealed it",
                "erasure",
            )
        if not masked and any(e.data.get(name, ERASED) != ERASED for name in erased):
            return Break(case_id, e.seq, "an erased data field holds a value again", "erasure")
        salts = e.salts or {}
        for name, value in e.data.items():
            if name in erased:
                continue
            if (e.commitments or {}).get(name) != commitment(salts.get(name, ""), name, value):
                return Break(case_id, e.seq, f"data field {name!r} does not match its commitment")
        if set(e.data) - erased != set(e.commitments or {}) - erased:
            return Break(case_id, e.seq, "data fields were added or removed")
        if event_hash(e, e.commitments or {}, prev) != e.hash:
            return Break(case_id, e.seq, "event hash does not match its content")
        prev = e.hash or ""
        expected_seq += 1
    if head is not None:
        seq, digest = head
        if seq != expected_seq - 1:
            return Break(
                case_id,
                min(seq, expected_seq - 1) + 1,
                f"chain ends at event {expected_seq - 1}, expected {seq}",
                "head",
            )
        if digest != prev and seq > 0:
            return Break(case_id, seq, "last event does not match the recorded head", "head")
    return None
