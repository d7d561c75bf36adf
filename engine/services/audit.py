"""Audit use cases: verify every chain, anchor them, replay a case, administrative corrections.

Auditors read (verify, replay, dossier); nothing here lets them change a case. Administrative
actions (data correction, going back to an earlier task) are commands like any other: they run
through ``write_command`` and leave an event saying who, when and why, which replay re-applies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from engine import errors
from engine.audit import checkpoint as checkpoints
from engine.audit.chain import GENESIS, access_hash, canonical, snapshot_digest, verify_case
from engine.audit.checkpoint import Checkpoint
from engine.audit.replay import replay
from engine.forms import check_free_data
from engine.model import (
    Actor,
    Anchor,
    Break,
    CaseEvent,
    CaseRecord,
    CaseView,
    EventKind,
    ReplayResult,
    VerifyReport,
    json_int,
)
from engine.policy import Permission, Target, require
from engine.ports import AbstractUnitOfWork
from engine.privacy import filter_data
from engine.services.case_queries import log_access
from engine.services.case_sync import event as new_event
from engine.services.case_sync import on_running_case
from engine.services.context import Context
from engine.services.teams import target_of


def verify_all(ctx: Context, actor: Actor, batch: int = 500) -> VerifyReport:
    """Re-check every case's chain against its case row (head and what the row shows), every
    case's access-log chain, then every anchor against the events and the access log. The chain
    is one for every territory: whoever audits some territory may check it (the report names
    case ids and counts, no case data)."""
    require(actor, Permission.AUDIT_READ, Target(None))
    case_count = event_count = snapshot_count = 0
    breaks: list[Break] = []
    with ctx.uow(write=False) as uow:
        heads = uow.events.heads()
        anchors = uow.anchors.all()
        wanted = {(int(c), int(v[0])) for a in anchors for c, v in a["heads"].items()}
        seen_hashes: dict[tuple[int, int], str] = {}
        last_case = 0
        seen_cases: set[int] = set()
        while events := uow.events.stream(last_case, batch):
            by_case: dict[int, list[CaseEvent]] = {}
            for e in events:
                by_case.setdefault(e.case_id, []).append(e)
                if (e.case_id, e.seq) in wanted:
                    seen_hashes[(e.case_id, e.seq)] = e.hash or ""
            shown = uow.events.snapshots(list(by_case))
            kept = uow.case_state.checkpoints(list(by_case))
            for case_id, case_events in by_case.items():
                case_count += 1
                event_count += len(case_events)
                seen_cases.add(case_id)
                problem = verify_case(case_id, case_events, heads.get(case_id))
                if problem is None:
                    problem, checked = _check_snapshot(case_id, case_events[-1], shown.get(case_id))
                    snapshot_count += checked
                if problem is None:
                    problem = _check_checkpoints(case_id, case_events, kept.get(case_id, []))
                if problem is not None:
                    breaks.append(problem)
            last_case = max(by_case)
        for case_id, (seq, _) in heads.items():
            if seq > 0 and case_id not in seen_cases:
                breaks.append(Break(case_id, 1, f"all {seq} events of the case are missing"))
        access = uow.access_log.chains()
        access_breaks, access_heads = _verify_access_log(access)
        breaks += access_breaks
        anchor_count, anchor_breaks = _verify_anchors(anchors, seen_hashes, access)
        breaks += anchor_breaks
    breaks.sort(key=lambda b: (b.case_id, b.seq))
    return VerifyReport(
        cases=case_count,
        events=event_count,
        breaks=tuple(breaks),
        anchors=anchor_count,
        snapshots=snapshot_count,
        access_rows=sum(len(rows) for rows in access.values()),
    )


def _check_snapshot(
    case_id: int, last: CaseEvent, shown: tuple[str, dict[str, Any]] | None
) -> tuple[Break | None, int]:
    """The case row's status and data against the digest sealed by its last command (events
    sealed before snapshots were sealed carry none: nothing to check)."""
    if last.data_digest is None or shown is None:
        return None, 0
    status, data = shown
    if snapshot_digest(status, data) != last.data_digest:
        return Break(
            case_id, last.seq, "the case's shown data or status differs from what its last event sealed", "snapshot"
        ), 1
    return None, 1


def _check_checkpoints(case_id: int, events: list[CaseEvent], kept: list[tuple[int, str]]) -> Break | None:
    """Each stored replay checkpoint against the digest its command sealed (the events are
    verified and in seq order). A command whose checkpoint is gone (erased with the case's
    personal data) only leaves replay an earlier place to start from."""
    for seq, body in kept:
        sealed = events[seq - 1].checkpoint_digest if 0 < seq <= len(events) else None
        if sealed is None:
            return Break(case_id, seq, "a checkpoint is stored where no command sealed one", "checkpoint")
        if checkpoints.digest(body) != sealed:
            return Break(case_id, seq, "checkpoint does not match the digest sealed in its event", "checkpoint")
    return None


def _verify_access_log(chains: dict[int, list[dict[str, Any]]]) -> tuple[list[Break], dict[int, tuple[int, str]]]:
    """Each case's showings must link one to the next; rows written before the log was chained
    (no hash) may only precede the chained ones."""
    breaks: list[Break] = []
    heads: dict[int, tuple[int, str]] = {}
    for case_id, rows in chains.items():
        prev = GENESIS
        chained = False
        for n, row in enumerate(rows, start=1):
            if row["hash"] is None:
                if chained:
                    breaks.append(Break(case_id, 0, f"access log row {row['id']} is outside the chain", "access_log"))
                    break
                continue
            chained = True
            at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=dt.UTC)
            expected = access_hash(
                case_id,
                at.astimezone(dt.UTC).isoformat(),
                row["username"],
                row["purpose"],
                list(row["fields"] or ()),
                row["ip"],
                prev,
            )
            if row["prev_hash"] != prev:
                breaks.append(
                    Break(
                        case_id,
                        0,
                        f"access log row {row['id']}: a showing before it was changed or removed",
                        "access_log",
                    )
                )
                break
            if row["hash"] != expected:
                breaks.append(Break(case_id, 0, f"access log row {row['id']} was changed", "access_log"))
                break
            prev = row["hash"]
            heads[case_id] = (n, prev)
    return breaks, heads


def _anchor_hash(
    at: str, heads: dict[str, list[Any]], events: int, prev: str, access_heads: dict[str, list[Any]] | None = None
) -> str:
    body: dict[str, Any] = {"at": at, "heads": heads, "events": events, "prev": prev}
    if access_heads is not None:  # anchors taken before the access log was chained have none
        body["access"] = access_heads
    return hashlib.sha256(canonical(body)).hexdigest()


def _verify_anchors(
    anchors: list[dict[str, Any]], seen: dict[tuple[int, int], str], access: dict[int, list[dict[str, Any]]]
) -> tuple[int, list[Break]]:
    breaks: list[Break] = []
    prev = GENESIS
    for anchor in anchors:
        if anchor["prev_hash"] != prev or anchor["hash"] != _anchor_hash(
            anchor["at"].isoformat(), anchor["heads"], anchor["events"], prev, anchor.get("access_heads")
        ):
            breaks.append(Break(0, anchor["id"], "anchor chain broken (an anchor was changed or removed)", "anchor"))
        for case_id, (seq, digest) in anchor["heads"].items():
            if seen.get((int(case_id), int(seq))) != digest:
                breaks.append(Break(int(case_id), int(seq), f"event no longer matches anchor {anchor['id']}", "anchor"))
        for case_id, (count, digest) in (anchor.get("access_heads") or {}).items():
            rows = access.get(int(case_id), [])
            if len(rows) < int(count) or rows[int(count) - 1]["hash"] != digest:
                breaks.append(Break(int(case_id), 0, f"access log no longer matches anchor {anchor['id']}", "anchor"))
        prev = anchor["hash"]
    return len(anchors), breaks


def take_anchor(ctx: Context, actor: Actor, *, unless_within: dt.timedelta | None = None) -> Anchor | None:
    """Commit to every case's current chain head and access-log head in one hash. The scheduler
    takes one every ``settings.anchor_interval_hours`` (``unless_within``: skip when the last one
    is that recent, or when nothing changed since it) and after bulk work; returns None if skipped."""
    require(actor, Permission.AUDIT_ANCHOR)
    with ctx.uow() as uow:
        uow.anchors.lock()
        current = {c: v for c, v in sorted(uow.events.heads().items()) if v[0] > 0}
        heads: dict[str, list[Any]] = {str(c): [seq, head] for c, (seq, head) in current.items()}
        _, access = _verify_access_log(uow.access_log.chains())
        access_heads: dict[str, list[Any]] = {str(c): [n, h] for c, (n, h) in sorted(access.items())}
        previous = uow.anchors.all()
        prev = previous[-1]["hash"] if previous else GENESIS
        now = ctx.clock.now()
        if unless_within is not None and previous:
            last = previous[-1]
            unchanged = last["heads"] == heads and (last.get("access_heads") or {}) == access_heads
            if unchanged or now - last["at"] < unless_within:
                return None
        count = sum(seq for seq, _ in current.values())
        digest = _anchor_hash(now.isoformat(), heads, count, prev, access_heads)
        anchor_id = uow.anchors.add(now, heads, count, prev, digest, access_heads)
        uow.commit()
    return Anchor(id=anchor_id, at=now, cases=len(heads), events=count, hash=digest)


def replay_case(
    ctx: Context,
    case_id: int,
    actor: Actor,
    *,
    upto: int | None = None,
    with_elements: bool = False,
    from_start: bool = False,
    purpose: str = "riesecuzione del caso",
) -> ReplayResult:
    """Replay a case up to the command holding event ``upto`` (its last command when None).

    It starts from the nearest checkpoint before that command (engine/audit/checkpoint.py) after
    checking the checkpoint's digest and the chain from it to the case's head, and re-executes the
    commands after it; ``from_start`` re-executes every command (all steps, and each checkpoint
    passed compared with the rebuilt state), as does a case with no checkpoint before ``upto``."""
    with ctx.uow(write=False) as uow:
        record = uow.cases.get(case_id)
        target = target_of(uow, actor, record, ctx.clock.now())
        require(actor, Permission.AUDIT_READ, target)
        start, events = (None, []) if from_start else _from_checkpoint(uow, record, upto)
        stored: dict[int, Checkpoint] = {}
        if start is None:
            events = uow.events.for_case(case_id)
            for seq, body in uow.case_state.checkpoints([case_id], upto).get(case_id, []):
                stored[seq] = _proved(case_id, events, seq, body)
        items = {t.id: t.context.get("item") for t in uow.tasks.for_case(case_id)}
        versions = {
            vid: ctx.specs_for(uow, vid)
            for vid in {record.process_version_id}
            | ({start.version_id} if start is not None else set())
            | {
                json_int(e.data[k])
                for e in events
                if e.kind == "migrated"
                for k in ("from_version_id", "to_version_id")
            }
        }
    result = replay(
        versions.__getitem__,
        record.process_version_id,
        events,
        items,
        dict(ctx.parameters),
        upto=upto,
        with_elements=with_elements,
        limits=ctx.script_limits,
        start=start,
        stored=stored,
    )
    return _for_viewer(ctx, result, actor, case_id, target, purpose)


def _from_checkpoint(
    uow: AbstractUnitOfWork, record: CaseRecord, upto: int | None
) -> tuple[Checkpoint | None, list[CaseEvent]]:
    """The nearest checkpoint stored before the command holding ``upto``, and the case's events
    from its command on; (None, []) when there is none. Refused (``CheckpointRefused``) when its
    body does not match the digest its command sealed or the chain from it to the head is broken."""
    last = record.event_seq if upto is None else min(upto, record.event_seq)
    for seq in reversed([s for s in uow.case_state.checkpoint_seqs(record.id) if s < last]):
        events = uow.events.for_case(record.id, since=seq)
        if not events or events[0].seq != seq:
            continue
        if any(e.seq == last for e in events if e.cmd == seq):
            continue  # ``upto`` lies in the checkpoint's own command: replay it from an earlier one
        broken = verify_case(record.id, events, (record.event_seq, record.event_head or ""), tail=True)
        if broken is not None:
            raise errors.CheckpointRefused(f"the chain after checkpoint {seq} is broken: {broken}")
        body = uow.case_state.checkpoint(record.id, seq)
        if body is None or events[0].checkpoint_digest != checkpoints.digest(body):
            raise errors.CheckpointRefused(
                f"checkpoint at event {seq} does not match the digest sealed in the chain: replay from the start"
            )
        try:
            return checkpoints.read(seq, body), events
        except ValueError as err:
            raise errors.CheckpointRefused(str(err)) from err
    return None, []


def _proved(case_id: int, events: list[CaseEvent], seq: int, body: str) -> Checkpoint:
    """A stored checkpoint for a replay from the start to compare with what it rebuilds; one whose
    digest is not the one its command sealed is compared as an empty state (it will not match)."""
    sealed = events[seq - 1].checkpoint_digest if 0 < seq <= len(events) else None
    try:
        if sealed == checkpoints.digest(body):
            return checkpoints.read(seq, body)
    except ValueError:
        pass
    return Checkpoint(seq, "", 0, "")


def _for_viewer(
    ctx: Context, result: ReplayResult, actor: Actor, case_id: int, target: Target, purpose: str
) -> ReplayResult:
    """Replayed data as the viewer may see it (health/judicial fields withheld), and the showing logged."""
    shown: set[str] = set()
    steps = []
    for step in result.steps:
        data, _, seen = filter_data(step.data, actor, target)
        shown.update(seen)
        withheld: set[str] = set()
        changes = dict(step.changes)
        for key in ("added", "changed", "removed"):
            changes[key], hidden, seen = filter_data(step.changes[key], actor, target)
            shown.update(seen)
            withheld.update(hidden)
        steps.append(dataclasses.replace(step, data=data, changes=changes, withheld=sorted(withheld)))
    final, _, seen = filter_data(result.final, actor, target)
    shown.update(seen)
    if shown:
        with ctx.uow() as uow:
            log_access(ctx, uow, actor, case_id, sorted(shown), purpose)
            uow.commit()
    return dataclasses.replace(result, steps=steps, final=final)


def correct_data(ctx: Context, case_id: int, changes: dict[str, Any], actor: Actor, reason: str) -> CaseView:
    """An administrative data correction, with its reason, applied to the live case."""
    require(actor, Permission.CASE_ADMINISTER)
    clean = check_free_data(changes, "changes", variables=True)
    return _admin_command(
        ctx,
        case_id,
        actor,
        reason,
        EventKind.DATA_CORRECTED,
        {"changes": clean},
        lambda wf: ctx.runner.correct_data(wf, clean),
    )


def reset_to_task(
    ctx: Context, case_id: int, bpmn_id: str, actor: Actor, reason: str, data: dict[str, Any] | None = None
) -> CaseView:
    """Go back to an earlier step (its latest completed instance), e.g. to redo a wrong assessment."""
    require(actor, Permission.CASE_ADMINISTER)
    clean = check_free_data(data or {}, "data", variables=True)
    return _admin_command(
        ctx,
        case_id,
        actor,
        reason,
        EventKind.CASE_RESET,
        {"bpmn_id": bpmn_id, "data": clean},
        lambda wf: ctx.runner.reset_to(wf, bpmn_id, clean or None),
    )


def _admin_command(
    ctx: Context,
    case_id: int,
    actor: Actor,
    reason: str,
    kind: EventKind,
    payload: dict[str, Any],
    action: Callable[[Any], None],
) -> CaseView:
    if not reason.strip():
        raise errors.InvalidData("a reason is required", {"reason": ["Campo obbligatorio."]})

    def act(uow: AbstractUnitOfWork, record: CaseRecord, wf: Any) -> list[CaseEvent]:
        action(wf)
        return [new_event(record, ctx.clock.now(), actor, kind, data={**payload, "reason": reason})]

    return on_running_case(ctx, case_id, actor, act)
