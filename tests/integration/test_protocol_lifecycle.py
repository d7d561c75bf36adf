"""A protocol's lifecycle through the real diagram (processes/scadenza_protocollo.bpmn), moving the
clock: at expiry minus notice the renewal opens (with a reminder); a renewed protocol goes on
without touching running cases; a lapsed one flags its cases and stops new sharing, deleting
nothing; a party's withdrawal takes effect on its date and its tasks move to the substitute."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine import Actor, Engine, errors
from engine.clock import FixedClock
from engine.model import EventKind
from engine.policy import CLI_OPERATOR, SCHEDULER
from tests.fixtures.diagrams import linear

ROOT = Path(__file__).resolve().parents[2]
COORD = Actor("carla", frozenset({"coordinatore"}))


@pytest.fixture
def world(engine: Engine, deploy: Callable[..., None]) -> dict[str, int]:
    deploy(
        ("scadenza_protocollo.bpmn", (ROOT / "processes" / "scadenza_protocollo.bpmn").read_bytes()),
        ("t.bpmn", linear("t", 1, ("referente_ente_partner",))),
    )
    engine.users.add("carla", "Carla", [("coordinatore", "T1")], actor=CLI_OPERATOR)
    engine.users.add("piera", "Piera", [("referente_ente_partner", "T1")], actor=CLI_OPERATOR)
    engine.users.add("bruno", "Bruno", [("referente_ente_partner", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_organisation("COOP_A", "Coop A", "terzo_settore", "T1", actor=COORD)
    engine.registry.add_organisation("COOP_B", "Coop B", "terzo_settore", ["T1", "T2"], actor=COORD)
    engine.registry.add_member("COOP_A", "piera", actor=COORD)
    engine.registry.add_member("COOP_B", "bruno", actor=COORD)
    protocol_id = engine.registry.add_protocol(
        "COOP_A",
        "convenzione",
        "Tirocini di inclusione",
        "2026-01-01",
        actor=COORD,
        expires_on="2026-06-30",
        withdrawal_notice_days=30,
    )
    engine.registry.sign_protocol(protocol_id, "Conv. 1/2026", "2026-01-02", [("COOP_A", "piera")], actor=COORD)
    active = engine.registry.activate_protocol(protocol_id, actor=COORD)
    assert active.status == "attivo" and active.lifecycle_case_id is not None
    case = engine.cases.start("t", {"territorio": "T1"}, actor=COORD)
    engine.teams.add(case.id, "partner", organisation="COOP_A", actor=COORD)
    return {"protocol": protocol_id, "watch": active.lifecycle_case_id, "case": case.id}


def tasks_of(engine: Engine, case_id: int) -> list[str]:
    return sorted(t.bpmn_id for t in engine.cases.get(case_id, actor=COORD).open_tasks)


def test_the_renewal_opens_at_expiry_minus_notice_and_a_renewed_protocol_goes_on(
    engine: Engine, clock: FixedClock, world: dict[str, int]
) -> None:
    engine.timers.fire_due(actor=SCHEDULER)
    assert tasks_of(engine, world["watch"]) == []  # 2026-01-05: far from the notice (90 days before 30/06)
    clock.advance(days=85)  # 31/03
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(world["protocol"], actor=COORD).status == "attivo"
    clock.advance(days=2)  # 02/04: the notice began on 01/04
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(world["protocol"], actor=COORD).status == "in_scadenza"
    assert tasks_of(engine, world["watch"]) == ["Task_rinnovo"]
    clock.advance(days=31)  # no decision after the reminder's days: the coordinator is reminded
    engine.timers.fire_due(actor=SCHEDULER)
    assert tasks_of(engine, world["watch"]) == ["Task_rinnovo", "Task_sollecito"]
    clock.advance(days=30)  # still undecided: a second reminder (two in all, at intervals)
    engine.timers.fire_due(actor=SCHEDULER)
    assert tasks_of(engine, world["watch"]) == ["Task_rinnovo", "Task_sollecito", "Task_sollecito"]
    [renewal] = [t for t in engine.cases.get(world["watch"], actor=COORD).open_tasks if t.bpmn_id == "Task_rinnovo"]
    with pytest.raises(errors.InvalidData) as exc:  # a "new" expiry before the current one
        engine.tasks.complete(renewal.id, {"esito_rinnovo": "RINNOVATO", "nuova_scadenza": "2026-05-01"}, actor=COORD)
    assert "nuova_scadenza" in exc.value.messages
    before = engine.cases.history(world["case"], actor=COORD)
    engine.tasks.complete(
        renewal.id,
        {"esito_rinnovo": "RINNOVATO", "nuova_scadenza": "2027-06-30", "estremi_atto": "Det. 5/2026"},
        actor=COORD,
    )
    renewed = engine.registry.protocol(world["protocol"], actor=COORD)
    assert (renewed.status, renewed.expires_on) == ("attivo", "2027-06-30")
    assert engine.cases.history(world["case"], actor=COORD) == before  # running cases untouched
    clock.advance(days=120)  # past the old expiry: nothing lapses
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(world["protocol"], actor=COORD).status == "attivo"
    kinds = [e.kind for e in engine.registry.protocol_history(world["protocol"], actor=COORD)]
    assert kinds.count("protocol_status") == 3  # attivo, in scadenza, attivo again


def test_a_lapsed_protocol_flags_its_cases_and_stops_new_sharing(
    engine: Engine, clock: FixedClock, world: dict[str, int]
) -> None:
    clock.advance(days=180)  # 04/07: past the expiry, nobody decided
    engine.timers.fire_due(actor=SCHEDULER)
    lapsed = engine.registry.protocol(world["protocol"], actor=COORD)
    assert lapsed.status == "scaduto"
    assert tasks_of(engine, world["watch"]) == ["Task_casi"]  # the coordinator checks the cases
    flagged = [e for e in engine.cases.history(world["case"], actor=COORD) if e.kind == EventKind.PROTOCOL_CHANGED]
    assert [e.data["stato"] for e in flagged] == ["scaduto"]
    logged = engine.registry.protocol_history(world["protocol"], actor=COORD)[-1]
    assert logged.kind == "dependent_cases_flagged" and logged.data["casi"] == [world["case"]]
    # nothing deleted: the case keeps its partner; a new case cannot be shared with it
    assert [m.organisation_code for m in engine.teams.of_case(world["case"], actor=COORD)] == ["COOP_A"]
    other = engine.cases.start("t", {"territorio": "T1"}, actor=COORD)
    with pytest.raises(errors.RegistryConflict) as exc:
        engine.teams.add(other.id, "partner", organisation="COOP_A", actor=COORD)
    assert "non c'è più un protocollo in vigore" in exc.value.messages["organisation"][0]
    engine.teams.add(other.id, "partner", organisation="COOP_B", actor=COORD)  # no protocol ever: allowed


def test_a_withdrawal_takes_effect_on_its_date_and_hands_the_tasks_to_the_substitute(
    engine: Engine, clock: FixedClock, world: dict[str, int]
) -> None:
    pid = world["protocol"]
    [task] = engine.cases.get(world["case"], actor=COORD).open_tasks
    coop_a, coop_b = (engine.registry.organisation(c, actor=COORD).id for c in ("COOP_A", "COOP_B"))
    assert task.organisation_id == coop_a
    with pytest.raises(errors.InvalidData) as exc:
        engine.registry.withdraw_protocol(pid, "COOP_A", "2026-01-04", actor=COORD, substitute="COOP_B")
    assert exc.value.messages["effective_on"] == ["La data di effetto non può essere passata."]
    with pytest.raises(errors.InvalidData) as exc:
        engine.registry.withdraw_protocol(pid, "COOP_A", "2026-01-20", actor=COORD, substitute="COOP_A")
    assert "04/02/2026" in exc.value.messages["effective_on"][0] and "substitute" in exc.value.messages
    with pytest.raises(errors.InvalidData) as exc:
        engine.registry.withdraw_protocol(pid, "COOP_X", "2026-03-01", actor=COORD)
    assert "organisation" in exc.value.messages
    engine.registry.withdraw_protocol(pid, "COOP_A", "2026-02-10", actor=COORD, substitute="COOP_B")
    assert engine.registry.protocol(pid, actor=COORD).status == "attivo"  # in force until the effect date
    clock.advance(days=30)  # 04/02
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(pid, actor=COORD).status == "attivo"
    clock.advance(days=7)  # 11/02
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(pid, actor=COORD).status == "receduto"
    [moved] = engine.cases.get(world["case"], actor=COORD).open_tasks
    assert moved.id == task.id and moved.organisation_id == coop_b
    assert [m.organisation_code for m in engine.teams.of_case(world["case"], actor=COORD)] == ["COOP_B"]
    assert engine.cases.get(world["watch"], actor=COORD).status.value == "completed"
    # the substitute adheres: a draft with the same terms, from the effect date, to be signed
    [adhesion] = engine.registry.protocols(actor=COORD, status="bozza")
    assert [p.code for p in adhesion.parties] == ["COOP_B"] and adhesion.scope == "Tirocini di inclusione"
    assert (adhesion.starts_on, adhesion.expires_on) == ("2026-02-11", "2026-06-30")
    engine.registry.sign_protocol(adhesion.id, "Conv. 1-bis/2026", "2026-02-11", [("COOP_B", "bruno")], actor=COORD)
    with pytest.raises(errors.RegistryConflict):  # nothing left to withdraw from
        engine.registry.withdraw_protocol(pid, "COOP_A", "2026-12-01", actor=COORD)


def test_an_open_ended_protocol_is_watched_for_withdrawals_only(
    engine: Engine, clock: FixedClock, world: dict[str, int]
) -> None:
    open_ended = engine.registry.add_protocol(
        "COOP_B", "lettera_impegno", "Tutoraggio", "2026-01-01", actor=COORD, territory="T1"
    )
    engine.registry.sign_protocol(open_ended, "L-1", "2026-01-02", [("COOP_B", "bruno")], actor=COORD)
    active = engine.registry.activate_protocol(open_ended, actor=COORD)
    assert (active.status, active.expires_on, active.lifecycle_case_id is not None) == ("attivo", None, True)
    clock.advance(days=400)  # no expiry: nothing happens
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(open_ended, actor=COORD).status == "attivo"
    engine.registry.withdraw_protocol(open_ended, "COOP_B", engine.now().date().isoformat(), actor=COORD)
    clock.advance(days=1)
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(open_ended, actor=COORD).status == "receduto"


def test_protocols_made_active_before_the_lifecycle_existed_get_their_watch_once(
    engine: Engine, clock: FixedClock, deploy: Callable[..., None]
) -> None:
    """A protocol made "attivo" by the migration that brought the registry in (or activated while
    the lifecycle process was not deployed) has no watch: the backfill starts one, and only once."""
    engine.users.add("carla", "Carla", [("coordinatore", "T1")], actor=CLI_OPERATOR)
    engine.users.add("piera", "Piera", [("referente_ente_partner", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_organisation("COOP_A", "Coop A", "terzo_settore", "T1", actor=COORD)
    engine.registry.add_member("COOP_A", "piera", actor=COORD)
    old = engine.registry.add_protocol(
        "COOP_A", "convenzione", "Tirocini", "2025-01-01", actor=COORD, expires_on="2026-03-31"
    )
    engine.registry.sign_protocol(old, "Conv. 9/2025", "2025-01-02", [("COOP_A", "piera")], actor=COORD)
    unwatched = engine.registry.activate_protocol(old, actor=COORD)  # no lifecycle process deployed yet
    assert (unwatched.status, unwatched.lifecycle_case_id) == ("attivo", None)
    with pytest.raises(errors.Conflict):  # nothing to watch with
        engine.registry.watch_unwatched(actor=COORD)
    deploy(("scadenza_protocollo.bpmn", (ROOT / "processes" / "scadenza_protocollo.bpmn").read_bytes()))
    with pytest.raises(errors.Forbidden):
        engine.registry.watch_unwatched(actor=Actor("piera", frozenset({"referente_ente_partner"}), frozenset({"T1"})))

    [watched] = engine.registry.watch_unwatched(actor=COORD)
    # today (05/01/2026) is already within the 90 days' notice of 31/03: the renewal opens at once
    assert (watched.id, watched.status) == (old, "in_scadenza") and watched.lifecycle_case_id is not None
    assert tasks_of(engine, watched.lifecycle_case_id) == ["Task_rinnovo"]
    assert engine.registry.watch_unwatched(actor=COORD) == []  # idempotent
    assert [c.id for c in engine.cases.list(process_id="scadenza_protocollo", actor=COORD)] == [
        watched.lifecycle_case_id
    ]
    assert "lifecycle_backfilled" in [e.kind for e in engine.registry.protocol_history(old, actor=COORD)]
    clock.advance(days=90)  # 05/04: past the expiry without a decision, it lapses as any watched one
    engine.timers.fire_due(actor=SCHEDULER)
    assert engine.registry.protocol(old, actor=COORD).status == "scaduto"
