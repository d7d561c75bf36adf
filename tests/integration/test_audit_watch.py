"""What nothing may slip past: erasure sealed in the chain, anchors the scheduler takes on its own,
the case rows' shown data and the personal-data access log, all checked by ``audit verify``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine import Actor, CaseStatus, Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR, SCHEDULER

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = Actor("tutti", frozenset({"assistente_sociale", "referente_ente_partner", "coordinatore", "tutor_aziendale"}))
ADMIN = Actor("root", frozenset({"amministratore"}))
DESIGNER = Actor("dora", frozenset({"progettista_processi", "coordinatore"}))


@pytest.fixture
def note_is_personal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test diagram's free-text note treated as health data (C2), as a real form would class it."""
    from engine import privacy

    monkeypatch.setattr(privacy, "classified_fields", lambda: {"note": "C2"})
    yield


def run_case(engine: Engine, clock: FixedClock, notes: tuple[str, ...] = ("diagnosi riservata", "altro dato")) -> int:
    case = engine.cases.start("branching", {"partner": []}, actor=ALL)
    for note in notes:
        clock.advance(hours=1)
        case = engine.tasks.complete(case.open_tasks[0].id, {"conferma": True, "note": note}, actor=ALL)
    assert case.status is CaseStatus.COMPLETED
    return case.id


@pytest.fixture
def branching(deploy: Callable[..., None]) -> None:
    deploy(("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()))


def db_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def edit_event(engine: Engine, case_id: int, seq: int, change: Callable[[dict[str, Any], list[str]], None]) -> None:
    """What an intruder with database access does: change an event's data and its erased list."""
    with engine.db.begin() as conn:
        row = conn.execute(
            text("SELECT data, erased FROM case_event WHERE case_id = :c AND seq = :s"), {"c": case_id, "s": seq}
        ).one()
        data, erased = db_json(row.data), db_json(row.erased)
        change(data, erased)
        conn.execute(
            text("UPDATE case_event SET data = :d, erased = :e WHERE case_id = :c AND seq = :s"),
            {"d": json.dumps(data), "e": json.dumps(erased), "c": case_id, "s": seq},
        )


def breaks(engine: Engine) -> list[tuple[int, int, str]]:
    return [(b.case_id, b.seq, b.reason) for b in engine.audit.verify(actor=CLI_OPERATOR).breaks]


def seq_of_note(engine: Engine, case_id: int, note: str) -> int:
    return next(e.seq for e in engine.cases.history(case_id, actor=CLI_OPERATOR) if e.data.get("note") == note)


# --- erasure is itself sealed ----------------------------------------------------------------


def test_an_edit_hidden_behind_the_erased_list_is_found(engine: Engine, clock: FixedClock, branching: None) -> None:
    case_id = run_case(engine, clock)
    seq = seq_of_note(engine, case_id, "diagnosi riservata")

    def forge(data: dict[str, Any], erased: list[str]) -> None:
        data["note"] = "nessuna criticità"
        erased.append("note")

    edit_event(engine, case_id, seq, forge)

    found = breaks(engine)
    assert [(c, s) for c, s, _ in found] == [(case_id, seq)]
    assert "no erasure sealed it" in found[0][2]


def test_a_real_erasure_verifies_and_names_each_erased_entry_in_the_chain(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = run_case(engine, clock)
    clock.advance(days=366 * 5)
    engine.audit.erase_personal_data(case_id, actor=ADMIN, reason="fine conservazione")

    assert engine.audit.verify(actor=CLI_OPERATOR).ok
    erasure = engine.cases.history(case_id, actor=CLI_OPERATOR)[-1]
    assert erasure.kind == "data_erased"
    listed = {int(seq): names for seq, names in erasure.data["events"].items()}
    assert listed[seq_of_note(engine, case_id, "[cancellato]")] == ["note"]


def test_after_an_erasure_a_further_field_cannot_be_hidden_nor_an_erased_one_refilled(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = run_case(engine, clock)
    clock.advance(days=366 * 5)
    engine.audit.erase_personal_data(case_id, actor=ADMIN, reason="fine conservazione")
    seq = seq_of_note(engine, case_id, "[cancellato]")

    def hide_another(data: dict[str, Any], erased: list[str]) -> None:
        data["conferma"] = False
        erased.append("conferma")

    edit_event(engine, case_id, seq, hide_another)
    assert [(c, s) for c, s, _ in breaks(engine)] == [(case_id, seq)]

    def undo(data: dict[str, Any], erased: list[str]) -> None:
        data["conferma"] = True
        erased.remove("conferma")
        data["note"] = "un altro testo"

    edit_event(engine, case_id, seq, undo)
    found = breaks(engine)
    assert [(c, s) for c, s, _ in found] == [(case_id, seq)] and "holds a value again" in found[0][2]


# --- the case row's snapshot ------------------------------------------------------------------


def test_a_tampered_snapshot_is_found(engine: Engine, clock: FixedClock, branching: None) -> None:
    case_id = run_case(engine, clock)
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok and report.snapshots == 1

    with engine.db.begin() as conn:
        data = db_json(conn.execute(text("SELECT data FROM cases WHERE id = :c"), {"c": case_id}).scalar_one())
        data["punteggio"] = 99
        conn.execute(text("UPDATE cases SET data = :d WHERE id = :c"), {"d": json.dumps(data), "c": case_id})

    found = breaks(engine)
    assert len(found) == 1 and found[0][0] == case_id and "shown data or status" in found[0][2]


def test_a_tampered_status_is_found(engine: Engine, clock: FixedClock, branching: None) -> None:
    case = engine.cases.start("branching", {"partner": []}, actor=ALL)
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'completed' WHERE id = :c"), {"c": case.id})
    assert [c for c, _, _ in breaks(engine)] == [case.id]


def test_snapshots_stay_verifiable_through_every_kind_of_command(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    """Corrections, resets, cancellation and erasure all seal what the row then shows."""
    first = run_case(engine, clock)
    open_case = engine.cases.start("branching", {"partner": ["Comune"]}, actor=ALL)
    engine.audit.correct_data(open_case.id, {"partner": ["ASL"]}, actor=ADMIN, reason="refuso")
    engine.cases.cancel(open_case.id, actor=ADMIN, reason="doppione")
    clock.advance(days=366 * 5)
    engine.audit.erase_personal_data(first, actor=ADMIN, reason="fine conservazione")

    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok, report.breaks
    assert report.snapshots == 2


# --- the access log is a chain ----------------------------------------------------------------


def read_case_three_times(engine: Engine, clock: FixedClock) -> int:
    case_id = run_case(engine, clock)
    for _ in range(3):
        clock.advance(minutes=5)
        engine.cases.get(case_id, actor=ALL)
    return case_id


def access_rows(engine: Engine, case_id: int) -> list[Any]:
    with engine.db.begin() as conn:
        return list(
            conn.execute(text("SELECT id, hash FROM data_access_log WHERE case_id = :c ORDER BY id"), {"c": case_id})
        )


def test_the_access_log_is_chained_and_verifies(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = read_case_three_times(engine, clock)
    rows = access_rows(engine, case_id)
    assert len(rows) >= 3 and all(r.hash for r in rows)
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok and report.access_rows == len(rows)


def test_an_edited_access_log_row_is_found(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = read_case_three_times(engine, clock)
    middle = access_rows(engine, case_id)[1].id
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE data_access_log SET username = 'nessuno' WHERE id = :i"), {"i": middle})
    found = breaks(engine)
    assert len(found) == 1 and found[0][0] == case_id and f"row {middle} was changed" in found[0][2]


def test_a_deleted_access_log_row_is_found(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = read_case_three_times(engine, clock)
    rows = access_rows(engine, case_id)
    with engine.db.begin() as conn:
        conn.execute(text("DELETE FROM data_access_log WHERE id = :i"), {"i": rows[1].id})
    found = breaks(engine)
    assert len(found) == 1 and f"row {rows[2].id}" in found[0][2]


def test_a_deleted_last_showing_is_found_by_the_anchor(
    engine: Engine, clock: FixedClock, branching: None, note_is_personal: None
) -> None:
    case_id = read_case_three_times(engine, clock)
    engine.audit.anchor(actor=ADMIN)
    rows = access_rows(engine, case_id)
    with engine.db.begin() as conn:
        conn.execute(text("DELETE FROM data_access_log WHERE id = :i"), {"i": rows[-1].id})
    found = breaks(engine)
    assert len(found) == 1 and "access log no longer matches anchor" in found[0][2]


# --- anchors on a schedule and after bulk work -----------------------------------------------


def test_the_scheduler_anchors_on_its_own_when_due_and_something_changed(
    engine: Engine, clock: FixedClock, branching: None
) -> None:
    run_case(engine, clock)
    assert engine.tick(actor=SCHEDULER).anchors_taken == 1  # none yet: the first tick anchors
    clock.advance(hours=1)
    assert engine.tick(actor=SCHEDULER).anchors_taken == 0  # within the interval (24 h by default)
    clock.advance(hours=24)
    assert engine.tick(actor=SCHEDULER).anchors_taken == 0  # nothing changed since the last anchor
    run_case(engine, clock)
    assert engine.tick(actor=SCHEDULER).anchors_taken == 1
    assert engine.audit.verify(actor=CLI_OPERATOR).anchors == 2


def test_a_truncated_tail_is_found_with_only_the_scheduled_anchors(
    engine: Engine, clock: FixedClock, branching: None
) -> None:
    case_id = run_case(engine, clock)
    engine.tick(actor=SCHEDULER)  # nobody ran `audit anchor`: the scheduler did
    with engine.db.begin() as conn:
        last, head = conn.execute(
            text("SELECT seq, prev_hash FROM case_event WHERE case_id = :c ORDER BY seq DESC LIMIT 1"), {"c": case_id}
        ).one()
        conn.execute(text("DELETE FROM case_event WHERE case_id = :c AND seq = :s"), {"c": case_id, "s": last})
        conn.execute(
            text("UPDATE cases SET event_seq = :s, event_head = :h WHERE id = :c"),
            {"s": last - 1, "h": head, "c": case_id},
        )
    found = breaks(engine)
    assert (case_id, last) in [(c, s) for c, s, _ in found]
    assert any("anchor" in reason for _, _, reason in found)


def test_bulk_migration_is_anchored_at_once(engine: Engine, deploy: Callable[..., None], clock: FixedClock) -> None:
    from tests.fixtures.diagrams import linear

    deploy(("lineare.bpmn", linear("lineare", 2)))
    cases = [engine.cases.start("lineare", {}, actor=DESIGNER).id for _ in range(3)]
    deploy(("lineare.bpmn", linear("lineare", 3)))
    before = engine.audit.verify(actor=CLI_OPERATOR).anchors

    results = engine.cases.migrate_many(cases, 2, actor=DESIGNER, reason="nuova versione")

    assert all(r.migrated for r in results), [r.reasons for r in results]
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok and report.anchors == before + 1
