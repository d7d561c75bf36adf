"""The network of interlocutors: organisations by type and territory, their people, protocols."""

from __future__ import annotations

import pytest

from engine import Actor, Engine, errors
from engine.clock import FixedClock
from engine.model import Member

COORD = Actor("carla", frozenset({"coordinatore"}))


def test_organisations_people_and_protocols(engine: Engine, clock: FixedClock) -> None:
    engine.users.add("paolo", "Paolo", [("operatore_cpi", "T1")])
    engine.registry.add_organisation("CPI_T1", "Centro per l'Impiego di T1", "centro_impiego", "T1", actor=COORD)
    engine.registry.add_organisation("COOP_B", "Cooperativa sociale Il Ponte", "terzo_settore", "T1", actor=COORD)
    engine.registry.add_organisation("ASL_T2", "ASL di T2", "servizio_sanitario", "T2", actor=COORD)
    engine.registry.add_member("CPI_T1", "paolo", actor=COORD, position="operatore collocamento mirato")
    engine.registry.add_protocol(
        "CPI_T1",
        "protocollo_intesa",
        "Invii e presa in carico congiunta",
        "2026-01-01",
        actor=COORD,
        expires_on="2026-03-31",
        reference="Prot. 12/2026",
    )
    engine.registry.add_protocol("COOP_B", "convenzione", "Tirocini di inclusione", "2025-06-01", actor=COORD)

    in_t1 = engine.registry.organisations(territory="T1")
    assert [o.code for o in in_t1] == ["CPI_T1", "COOP_B"]
    assert in_t1[0].members == (
        Member(username="paolo", position="operatore collocamento mirato", display_name="Paolo"),
    )
    assert [o.code for o in engine.registry.organisations(kind="servizio_sanitario")] == ["ASL_T2"]
    assert {p.organisation_code for p in engine.registry.protocols(territory="T1", active=True)} == {
        "CPI_T1",
        "COOP_B",
    }
    assert [p.organisation_code for p in engine.registry.protocols(expiring_within_days=90)] == ["CPI_T1"]
    clock.advance(days=120)
    assert [p.organisation_code for p in engine.registry.protocols(territory="T1", active=True)] == ["COOP_B"]


def test_registry_refuses_bad_input_and_other_roles(engine: Engine) -> None:
    with pytest.raises(errors.InvalidData) as exc:
        engine.registry.add_organisation("cpi t1", "", "circolo", "T1", actor=COORD)
    assert set(exc.value.messages) == {"code", "kind", "name"}
    engine.registry.add_organisation("CPI_T1", "CPI", "centro_impiego", "T1", actor=COORD)
    with pytest.raises(errors.Conflict):
        engine.registry.add_organisation("CPI_T1", "CPI", "centro_impiego", "T1", actor=COORD)
    with pytest.raises(errors.InvalidData) as exc:
        engine.registry.add_protocol("CPI_T1", "convenzione", "x", "2026-05-01", actor=COORD, expires_on="2026-01-01")
    assert "expires_on" in exc.value.messages
    with pytest.raises(errors.Forbidden):
        engine.registry.add_organisation(
            "ALTRO", "Altro", "istituzione", "T1", actor=Actor("a", frozenset({"auditor"}))
        )
