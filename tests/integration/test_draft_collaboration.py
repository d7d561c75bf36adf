"""Two designers on one draft: the edit lock (taken, shown, refused to others, lapsing after the
configured time, broken by an administrator with an audited reason), saves refused on a stale
revision with what the other person changed, and "Modifica" on a file reusing its open draft."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Actor, Engine, Settings, errors
from engine.clock import FixedClock
from tests.conftest import DESIGNER
from tests.fixtures.diagrams import linear

LANES = ("assistente_sociale",)
OTHER = Actor("bruna", frozenset({"progettista"}))
ADMIN = Actor("root", frozenset({"amministratore"}))


def test_saving_takes_the_lock_and_others_are_refused_until_it_lapses(engine: Engine, clock: FixedClock) -> None:
    draft = engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=DESIGNER)
    assert draft.lock is not None and draft.lock.holder == "designer"
    assert draft.locked_for("bruna") and not draft.locked_for("designer")

    with pytest.raises(errors.DraftLocked) as refused:
        engine.design.edit_draft(draft.id, actor=OTHER)
    assert refused.value.holder == "designer" and refused.value.since == clock.now()
    with pytest.raises(errors.DraftLocked):
        engine.design.save_draft("p.bpmn", linear("p", 2, LANES), actor=OTHER, draft_id=draft.id)
    with pytest.raises(errors.DraftLocked):
        engine.design.deploy_draft(draft.id, actor=OTHER, note="x")
    with pytest.raises(errors.DraftLocked):
        engine.design.delete_draft(draft.id, actor=OTHER)
    # looking needs no lock
    assert engine.design.draft(draft.id, actor=OTHER).content.startswith("<?xml")

    clock.advance(minutes=Settings().draft_lock_minutes + 1)
    assert engine.design.draft(draft.id, actor=OTHER).lock is None
    taken = engine.design.edit_draft(draft.id, actor=OTHER)
    assert taken.lock is not None and taken.lock.holder == "bruna"
    [event] = engine.design.draft_events(draft.id, actor=OTHER)
    assert (event.kind, event.actor, event.data) == ("lock_taken", "bruna", {"lapsed_holder": "designer"})


def test_the_holder_releases_and_the_next_designer_edits(engine: Engine) -> None:
    draft = engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=DESIGNER)
    engine.design.release_draft(draft.id, actor=OTHER)  # not the holder: nothing happens
    assert engine.design.draft(draft.id, actor=OTHER).lock is not None
    assert engine.design.release_draft(draft.id, actor=DESIGNER).lock is None
    assert engine.design.edit_draft(draft.id, actor=OTHER).lock.holder == "bruna"  # type: ignore[union-attr]
    kinds = [(e.kind, e.actor) for e in engine.design.draft_events(draft.id, actor=DESIGNER)]
    assert kinds == [("lock_released", "designer"), ("lock_taken", "bruna")]


def test_an_administrator_breaks_a_lock_with_a_reason_kept_as_an_event(engine: Engine) -> None:
    draft = engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=DESIGNER)
    with pytest.raises(errors.Forbidden):
        engine.design.break_draft_lock(draft.id, actor=OTHER, reason="serve a me")
    with pytest.raises(errors.InvalidData):
        engine.design.break_draft_lock(draft.id, actor=ADMIN, reason="  ")

    freed = engine.design.break_draft_lock(draft.id, actor=ADMIN, reason="Anna è in ferie")

    assert freed.lock is None
    [event] = engine.design.draft_events(draft.id, actor=ADMIN)
    assert (event.kind, event.actor) == ("lock_broken", "root")
    assert event.data["holder"] == "designer" and event.data["reason"] == "Anna è in ferie"
    with pytest.raises(errors.Conflict):
        engine.design.break_draft_lock(draft.id, actor=ADMIN, reason="di nuovo")
    assert engine.design.edit_draft(draft.id, actor=OTHER).lock is not None


def test_a_save_on_a_stale_revision_is_refused_with_the_other_changes(engine: Engine, clock: FixedClock) -> None:
    draft = engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=DESIGNER)
    assert draft.revision == 1
    # the designer saves revision 2 (adding a task) while bruna still has revision 1 open
    second = engine.design.save_draft(
        "p.bpmn", linear("p", 2, LANES), actor=DESIGNER, draft_id=draft.id, base_revision=1
    )
    assert second.revision == 2
    engine.design.release_draft(draft.id, actor=DESIGNER)
    clock.advance(minutes=5)

    with pytest.raises(errors.StaleDraft) as refused:
        engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=OTHER, draft_id=draft.id, base_revision=1)

    conflict = refused.value.conflict
    assert (conflict.your_revision, conflict.current_revision, conflict.saved_by) == (1, 2, "designer")
    assert "Task_2" in conflict.elements.processes["p"].added
    assert any(line.startswith("+") and "Task_2" in line for line in conflict.lines)
    assert engine.design.draft(draft.id, actor=OTHER).content == linear("p", 2, LANES).decode()
    # based on the current revision, the save goes through
    assert (
        engine.design.save_draft(
            "p.bpmn", linear("p", 3, LANES), actor=OTHER, draft_id=draft.id, base_revision=2
        ).revision
        == 3
    )


def test_modifica_on_a_file_reuses_its_open_draft(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("p.bpmn", linear("p", 1, LANES)))
    first = engine.design.open_draft("p.bpmn", actor=DESIGNER)
    again = engine.design.open_draft("p.bpmn", actor=DESIGNER)
    assert again.id == first.id and len(engine.design.drafts(actor=DESIGNER)) == 1
    with pytest.raises(errors.DraftLocked):
        engine.design.open_draft("p.bpmn", actor=OTHER)
    # deployed, the draft is closed: the next "Modifica" starts a new one, lock released
    engine.design.deploy_draft(first.id, actor=DESIGNER, note="nessuna modifica")
    assert engine.design.draft(first.id, actor=OTHER).lock is None
    assert engine.design.open_draft("p.bpmn", actor=OTHER).id != first.id


def test_renewing_ones_own_lock_moves_its_expiry_without_an_event(engine: Engine, clock: FixedClock) -> None:
    draft = engine.design.save_draft("p.bpmn", linear("p", 1, LANES), actor=DESIGNER)
    first = draft.lock
    assert first is not None
    clock.advance(minutes=20)
    renewed = engine.design.edit_draft(draft.id, actor=DESIGNER).lock
    assert renewed is not None and renewed.since == clock.now() and renewed.expires_at > first.expires_at
    clock.advance(minutes=20)  # 40 minutes after the save, 20 after the renewal: still held
    with pytest.raises(errors.DraftLocked):
        engine.design.edit_draft(draft.id, actor=OTHER)
    assert engine.design.draft_events(draft.id, actor=DESIGNER) == []
