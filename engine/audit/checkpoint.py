"""Replay checkpoints: a case's whole workflow state, kept every few events and sealed in the chain.

Replaying a long case from its first event re-executes every command. Every ``checkpoint_every``
events (the first command whose events pass a multiple of it) the command also stores the state
it left: the workflow as one state document, the case's status and the process version it runs
on. The command's first event seals the digest of that body (``CaseEvent.checkpoint_digest``,
covered by the event's hash), so a checkpoint is as tamper-evident as the events: replay starts
from the nearest one only after checking its digest against the chain and the chain from it to
the case's head, and re-executes the commands after it, checking each stored step digest it
passes; ``audit verify`` reports a checkpoint that does not match like any broken link. A replay
from the start proves the checkpoints themselves: at each one it compares what it rebuilt with
what was stored.

A case keeps only its newest checkpoints (``checkpoint_keep``, two by default; the command that
stores one drops the older ones in its transaction): replay of the case as it is starts at most
about two periods back, and each checkpoint is a whole state document, so keeping all would grow
the table with every case's length. A dropped checkpoint is no break: its event still seals the
digest, ``audit verify`` checks the kept ones, and a replay to an earlier event starts from an
earlier kept checkpoint or from the first event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

FORMAT = 1


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the first event of the command that stored it
    status: str
    version_id: int
    state: str  # the workflow state document (engine.bpmn.serializer.dump_state)


def due(before: int, after: int, every: int) -> bool:
    """Whether a command taking the case's events from ``before`` to ``after`` stores a checkpoint."""
    return every > 0 and after // every > before // every


def body(status: str, version_id: int, state: str) -> str:
    """The stored text of a checkpoint (canonical JSON: its digest is that of these bytes)."""
    value = {"format": FORMAT, "status": status, "version_id": version_id, "state": state}
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read(seq: int, text: str) -> Checkpoint:
    """The checkpoint stored as ``text`` (check its digest first); ValueError when malformed."""
    try:
        value = json.loads(text)
        return Checkpoint(seq, str(value["status"]), int(value["version_id"]), str(value["state"]))
    except (KeyError, TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"checkpoint at event {seq} is malformed: {err}") from err
