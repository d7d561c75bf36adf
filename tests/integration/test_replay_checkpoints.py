"""Replay from checkpoints: a case's whole state kept every few events, its digest sealed in the
chain. Replay from the nearest checkpoint equals the full replay at every step; a checkpoint that
does not match its sealed digest is reported by verification and refused by replay; cases stored
without checkpoints still replay from their first event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Actor, CaseStatus, Engine, Settings, build_engine, errors
from engine.audit.bundle import verify_bundle
from engine.audit.checkpoint import digest
from engine.bpmn.loader import SourceFile
from engine.clock import FixedClock
from engine.model import ReplayResult
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.conftest import DESIGNER, ROOT
from tests.fixtures import clock_diagrams as d
from tests.fixtures.diagrams import looped, multi_instance

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner", "coordinatore", "tutor_aziendale"}))
AUDITOR = Actor("aldo", frozenset({"auditor"}))
EVERY = 3  # a checkpoint every three events: several in each case below


@pytest.fixture
def make_engine(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Callable[..., Engine]]:
    built: list[Engine] = []

    def make(every: int, keep: int = 0) -> Engine:
        """``keep=0``: every checkpoint kept, so replay can start from any of them below."""
        settings = Settings(
            database_url=db_url,
            processes_dir=ROOT / "processes",
            instance_dir=tmp_path / "instance",
            checkpoint_every=every,
            checkpoint_keep=keep,
        )
        built.append(build_engine(settings, clock=clock))
        return built[-1]

    yield make
    for eng in built:
        eng.close()


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return deployed(make_engine(EVERY))


def deployed(eng: Engine) -> Engine:
    eng.design.deploy(
        [
            SourceFile("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()),
            SourceFile("attesa_documenti.bpmn", d.missing_documents()),
            SourceFile("attesa_messaggio.bpmn", d.wait_for_message()),
            SourceFile("mi.bpmn", multi_instance("mi")),
            SourceFile("lungo.bpmn", looped("lungo", 8)),
        ],
        actor=DESIGNER,
    )
    return eng


def lifecycle(engine: Engine, clock: FixedClock) -> list[int]:
    """Cases through every kind of command: completions, a branch, a multi-instance, a loop, a
    timer, a message, a correction, a reset, a cancellation."""
    ids = []
    for process, data in (
        ("branching", {"partner": ["Comune", "ASL"]}),
        ("mi", {"items": ["ente 1", "ente 2", "ente 3", "ente 4"]}),
        ("lungo", {"n": 1}),
    ):
        case = engine.cases.start(process, data, actor=ALL)
        while case.open_tasks:
            clock.advance(hours=5)
            answer = {"conferma": True, "note": f"passo {case.version}"}
            case = engine.tasks.complete(case.open_tasks[0].id, answer, actor=CLI_OPERATOR)
        assert case.status is CaseStatus.COMPLETED
        ids.append(case.id)
    timed = engine.cases.start("attesa_documenti", {"territorio": "T1"}, actor=ALL)
    engine.tasks.claim(timed.open_tasks[0].id, actor=ALL)
    clock.advance(days=31)
    engine.timers.fire_due(actor=SCHEDULER)
    msg = engine.cases.start("attesa_messaggio", {"territorio": "T1"}, actor=ALL)
    engine.messages.send(msg.id, "documenti_pervenuti", {"protocollo": "P-1"}, actor=ALL)
    engine.audit.correct_data(msg.id, {"note": "corretto"}, actor=ALL, reason="refuso nel protocollo")
    msg = engine.tasks.complete(msg.open_tasks[0].id, {"conferma": True}, actor=ALL)
    engine.audit.reset_to_task(msg.id, "Task_first", actor=ALL, reason="documenti da richiedere di nuovo")
    clock.advance(hours=1)
    engine.cases.cancel(msg.id, actor=Actor("coord", frozenset({"coordinatore"})), reason="doppione")
    return [*ids, timed.id, msg.id]


def checkpoints(engine: Engine, case_id: int) -> list[int]:
    with engine.db.connect() as conn:
        rows = conn.execute(text("SELECT seq FROM case_checkpoint WHERE case_id = :c ORDER BY seq"), {"c": case_id})
        return [int(r[0]) for r in rows]


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.db.begin() as conn:
        conn.execute(text(statement), params)


def test_replay_from_a_checkpoint_equals_the_full_replay_at_every_step(engine: Engine, clock: FixedClock) -> None:
    started_from = set()
    for case_id in lifecycle(engine, clock):
        full = engine.audit.replay(case_id, actor=AUDITOR, from_start=True)
        assert full.faithful and full.checkpoint is None and full.bad_checkpoints == ()
        assert checkpoints(engine, case_id), f"case {case_id} kept no checkpoint"
        for index, step in enumerate(full.steps):
            part = engine.audit.replay(case_id, actor=AUDITOR, upto=step.seqs[-1])
            assert part.faithful and part.final == step.data
            if part.checkpoint is None:
                assert part.steps == full.steps[: index + 1]
                continue
            started_from.add((case_id, part.checkpoint))
            first = next(i for i, s in enumerate(full.steps) if s.cmd == part.checkpoint) + 1
            assert part.steps == full.steps[first : index + 1], (case_id, step.seqs, part.checkpoint)
        latest = engine.audit.replay(case_id, actor=AUDITOR)
        assert latest.final == engine.cases.get(case_id, actor=CLI_OPERATOR).data
    assert len(started_from) > 5
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_a_tampered_checkpoint_is_reported_and_refused(engine: Engine, clock: FixedClock) -> None:
    case_id = lifecycle(engine, clock)[2]  # the loop: a checkpoint every few events
    last = engine.audit.replay(case_id, actor=AUDITOR).checkpoint  # the one replay starts from
    assert last is not None
    sql(engine, "UPDATE case_checkpoint SET body = body || ' ' WHERE case_id = :c AND seq = :s", c=case_id, s=last)

    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert [(b.case_id, b.seq, b.kind) for b in report.breaks] == [(case_id, last, "checkpoint")]
    with pytest.raises(errors.CheckpointRefused):
        engine.audit.replay(case_id, actor=AUDITOR)
    # the auditor's way out: from the start, which also names the checkpoint that does not match
    full = engine.audit.replay(case_id, actor=AUDITOR, from_start=True)
    assert full.bad_checkpoints == (last,) and not full.faithful and full.first_mismatch is None
    # an earlier point is replayed from an earlier, intact checkpoint
    assert engine.audit.replay(case_id, actor=AUDITOR, upto=last - 1).faithful


def test_a_checkpoint_rewritten_with_its_sealed_digest_breaks_the_chain(engine: Engine, clock: FixedClock) -> None:
    case_id = lifecycle(engine, clock)[2]
    last = engine.audit.replay(case_id, actor=AUDITOR).checkpoint
    assert last is not None
    sql(engine, "UPDATE case_checkpoint SET body = 'x' WHERE case_id = :c AND seq = :s", c=case_id, s=last)
    sql(
        engine,
        "UPDATE case_event SET checkpoint_digest = :d WHERE case_id = :c AND seq = :s",
        d=digest("x"),
        c=case_id,
        s=last,
    )

    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert [(b.case_id, b.seq, b.kind) for b in report.breaks] == [(case_id, last, "event")]
    with pytest.raises(errors.CheckpointRefused):
        engine.audit.replay(case_id, actor=AUDITOR)


def test_cases_without_checkpoints_replay_from_the_start_and_gain_them_later(
    make_engine: Callable[..., Engine], clock: FixedClock
) -> None:
    old = make_engine(0)  # as a database written before checkpoints existed
    old.design.deploy([SourceFile("lungo.bpmn", looped("lungo", 12))], actor=DESIGNER)
    case = old.cases.start("lungo", {"n": 1}, actor=ALL)
    for _ in range(5):
        clock.advance(hours=1)
        case = old.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=ALL)
    assert checkpoints(old, case.id) == []
    before = old.audit.replay(case.id, actor=AUDITOR)
    assert before.faithful and before.checkpoint is None and len(before.steps) == 6

    new = make_engine(EVERY)
    while case.open_tasks:
        clock.advance(hours=1)
        case = new.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=ALL)
    assert checkpoints(new, case.id)
    result: ReplayResult = new.audit.replay(case.id, actor=AUDITOR)
    assert result.faithful and result.checkpoint is not None
    assert new.audit.replay(case.id, actor=AUDITOR, upto=4).checkpoint is None
    assert new.audit.verify(actor=CLI_OPERATOR).ok


def test_the_dossier_of_a_case_with_checkpoints_verifies_offline(engine: Engine, clock: FixedClock) -> None:
    case_id = lifecycle(engine, clock)[0]
    bundle = engine.audit.dossier_bundle(case_id, actor=AUDITOR)
    assert any(e["checkpoint_digest"] for e in bundle["events"])
    assert verify_bundle(bundle) == []
    bundle["events"][checkpoints(engine, case_id)[0] - 1]["checkpoint_digest"] = "0" * 64
    assert verify_bundle(bundle) != []


def test_a_case_keeps_its_newest_checkpoints_and_still_replays_and_verifies(
    make_engine: Callable[..., Engine], clock: FixedClock
) -> None:
    """Pruning (Settings.checkpoint_keep): each case keeps its two newest checkpoints; replay of
    the case starts from one of them, a replay to any earlier step still equals the full replay
    (from an earlier kept checkpoint or from the first event), and verification passes."""
    pruned = deployed(make_engine(EVERY, keep=2))
    ids = lifecycle(pruned, clock)
    kept_any = False
    for case_id in ids:
        full = pruned.audit.replay(case_id, actor=AUDITOR, from_start=True)
        assert full.faithful and full.bad_checkpoints == ()
        sealed = [e.seq for e in pruned.cases.history(case_id, actor=CLI_OPERATOR) if e.checkpoint_digest]
        kept = checkpoints(pruned, case_id)
        assert kept == sealed[-2:], (case_id, kept, sealed)  # the newest two of those sealed
        kept_any |= len(sealed) > 2
        latest = pruned.audit.replay(case_id, actor=AUDITOR)
        assert latest.faithful and latest.final == pruned.cases.get(case_id, actor=CLI_OPERATOR).data
        # the newest, or the one before when the newest is in the last command (none kept before it: the start)
        assert latest.checkpoint in kept if len(kept) == 2 else latest.checkpoint in (*kept, None)
        for step in full.steps:
            part = pruned.audit.replay(case_id, actor=AUDITOR, upto=step.seqs[-1])
            assert part.faithful and part.final == step.data
            assert part.checkpoint is None or part.checkpoint in kept
    assert kept_any, "no case stored more checkpoints than it keeps: the test proves nothing"
    assert pruned.audit.verify(actor=CLI_OPERATOR).ok


def test_keeping_every_checkpoint(make_engine: Callable[..., Engine], clock: FixedClock) -> None:
    """``checkpoint_keep=0`` keeps every checkpoint a case stored."""
    every = deployed(make_engine(EVERY, keep=0))
    case_id = lifecycle(every, clock)[2]  # the loop
    sealed = [e.seq for e in every.cases.history(case_id, actor=CLI_OPERATOR) if e.checkpoint_digest]
    assert len(sealed) > 2 and checkpoints(every, case_id) == sealed
