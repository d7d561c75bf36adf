"""Beneficiary identity sealed at rest, repeat referrals, key loss and rotation; case teams,
task routing to organisations, and break-glass — on the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Actor, errors
from engine.facade import Engine
from engine.keyring import KeyringError
from engine.policy import CLI_OPERATOR
from engine.services import people, teams
from tests.fixtures.diagrams import linear, multi_instance

PERSON = {
    "nome": "Emanuele",
    "cognome": "Roccaforte",
    "codice_fiscale": "RCCMNL83S18D969H",
    "data_nascita": "1983-11-18",
    "sesso": "M",
    "telefono": "+39 333 1234567",
    "comune": "Genova",
}


def grant(role: str, name: str, territory: str = "T1") -> Actor:
    return Actor(name, frozenset({role}), frozenset({territory}), frozenset({(role, territory)}))


SOCIAL = grant("assistente_sociale", "anna")
COORD = grant("coordinatore", "carla")


@pytest.fixture
def case_id(engine: Engine, deploy: Callable[..., None]) -> int:
    engine.partnerships_open = None
    deploy(("p.bpmn", linear("p", 1, ("assistente_sociale",))))
    return engine.start_case("p", {"territorio": "T1"}, actor=SOCIAL).id


def raw_rows(engine: Engine, table: str) -> str:
    with engine.db.connect() as conn:
        return json.dumps([list(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {table}"))])


def test_the_referring_social_worker_becomes_case_manager_and_records_the_identity(
    engine: Engine, case_id: int
) -> None:
    people.verify_keys(engine.ctx)
    recorded = people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)

    assert recorded.person.nome == "Emanuele" and recorded.repeats == ()
    shown = people.person_of_case(engine.ctx, case_id, actor=SOCIAL)
    assert shown is not None and shown.codice_fiscale == "RCCMNL83S18D969H"
    assert [m.relation for m in teams.team(engine.ctx, case_id, actor=SOCIAL)] == ["responsabile"]


def test_name_and_codice_fiscale_never_reach_the_database_or_the_events_in_clear(engine: Engine, case_id: int) -> None:
    people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)

    for table in ("person", "case_event", "data_access_log", "cases"):
        raw = raw_rows(engine, table)
        for secret in ("Emanuele", "Roccaforte", "RCCMNL83S18D969H", "1983-11-18", "Genova", "1234567"):
            assert secret not in raw, (table, secret)


def test_a_wrong_codice_fiscale_gets_a_field_message_and_a_disagreement_must_be_confirmed(
    engine: Engine, case_id: int
) -> None:
    with pytest.raises(errors.InvalidData) as wrong:
        people.record_person(engine.ctx, case_id, {**PERSON, "codice_fiscale": "RCCMNL83S18D969A"}, actor=SOCIAL)
    assert "controllo" in wrong.value.messages["codice_fiscale"][0]
    other_day = {**PERSON, "data_nascita": "1983-11-19"}
    with pytest.raises(errors.InvalidData) as warned:
        people.record_person(engine.ctx, case_id, other_day, actor=SOCIAL)
    assert "19/11/1983" in warned.value.messages["avvisi"][0]
    assert people.record_person(engine.ctx, case_id, other_day, actor=SOCIAL, confirm=True).person.nome == "Emanuele"


def test_a_second_referral_of_the_same_person_warns_of_the_earlier_case(engine: Engine, case_id: int) -> None:
    people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)
    other = grant("assistente_sociale", "bruno")
    second = engine.start_case("p", {"territorio": "T1"}, actor=other).id

    omocode = {**PERSON, "codice_fiscale": "RCCMNL83S1UD969E"}  # a different code: a different person
    assert people.record_person(engine.ctx, second, omocode, actor=other).repeats == ()
    repeats = people.record_person(engine.ctx, second, PERSON, actor=other).repeats
    assert [(r.case_id, r.status.value) for r in repeats] == [(case_id, "running")]


def test_only_the_case_team_sees_the_identity(engine: Engine, case_id: int) -> None:
    people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)
    for outsider in (COORD, grant("assistente_sociale", "bruno"), grant("tutor_aziendale", "tina")):
        with pytest.raises(errors.Forbidden):
            people.person_of_case(engine.ctx, case_id, actor=outsider)


def test_key_rotation_reseals_every_row_and_the_audit_chain_still_verifies(engine: Engine, case_id: int) -> None:
    people.verify_keys(engine.ctx)
    people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)
    before = raw_rows(engine, "person")

    key_id, count = people.rotate_keys(engine.ctx, actor=CLI_OPERATOR)

    assert (key_id, count) == ("k2", 1)
    after = raw_rows(engine, "person")
    assert before != after and '"k1:' not in after and "k2:" in after
    engine.ctx.keys = None  # a restarted server reads the rotated file
    assert people.verify_keys(engine.ctx) == "k2"
    assert people.person_of_case(engine.ctx, case_id, actor=SOCIAL).cognome == "Roccaforte"  # type: ignore[union-attr]
    assert engine.verify_chains().ok


def test_a_lost_or_wrong_key_is_a_clear_startup_error_never_garbage(engine: Engine, case_id: int) -> None:
    people.verify_keys(engine.ctx)
    people.record_person(engine.ctx, case_id, PERSON, actor=SOCIAL)
    key_file = Path(engine.ctx.settings.instance_dir) / "data-keys.json"
    saved = key_file.read_text()

    key_file.unlink()
    engine.ctx.keys = None
    with pytest.raises(KeyringError, match="chiave di cifratura mancante"):
        people.verify_keys(engine.ctx)

    key_file.write_text(saved.replace(json.loads(saved)["keys"]["k1"], "A" * 43 + "="))
    with pytest.raises(KeyringError, match="non apre"):
        people.verify_keys(engine.ctx)


def test_break_glass_needs_a_reason_opens_the_case_and_is_logged_for_review(engine: Engine, case_id: int) -> None:
    outsider = grant("referente_sanitario", "sara")
    with pytest.raises(errors.InvalidData):
        teams.break_glass(engine.ctx, case_id, "  ", actor=outsider)
    with pytest.raises(errors.Forbidden):
        teams.team(engine.ctx, case_id, actor=outsider)

    teams.break_glass(engine.ctx, case_id, "Ricovero urgente, serve il contatto", actor=outsider, ip="10.0.0.1")

    assert teams.team(engine.ctx, case_id, actor=outsider)
    [opened] = teams.glass_log(engine.ctx, actor=COORD, unreviewed=True)
    assert (opened.username, opened.reason) == ("sara", "Ricovero urgente, serve il contatto")
    assert [e.kind for e in engine.history(case_id)][-1] == "break_glass"
    teams.review_glass(engine.ctx, opened.id, actor=grant("auditor", "aldo"))
    assert teams.glass_log(engine.ctx, actor=COORD, unreviewed=True) == []
    with pytest.raises(errors.Forbidden):
        teams.break_glass(engine.ctx, case_id, "Voglio solo curiosare nel caso", actor=grant("tutor_aziendale", "t"))


def test_a_tutor_task_is_routed_to_the_host_organisation_once_the_team_names_it(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("t.bpmn", linear("t", 1, ("tutor_aziendale",))))
    engine.add_organisation("FIRMA_A", "Firma A", "impresa_mentor", "T1", actor=COORD)
    engine.add_user("tina", "Tina", [("tutor_aziendale", "T1")])
    engine.add_member("FIRMA_A", "tina", actor=COORD)
    case = engine.start_case("t", {"territorio": "T1"}, actor=COORD)
    assert case.open_tasks[0].audience == "supervisor"  # nobody's until the host is named

    teams.add_to_team(engine.ctx, case.id, "ospitante", organisation="FIRMA_A", actor=COORD)

    [task] = engine.get_case(case.id).open_tasks
    assert (task.audience, task.organisation_id) == ("organisation", engine.organisations()[0]["id"])


def test_a_partner_answer_goes_to_the_partner_it_is_addressed_to(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("mi.bpmn", multi_instance("mi")))
    engine.add_organisation("COMUNE_X", "Comune X", "istituzione", "T1", actor=COORD)
    case = engine.start_case(
        "mi", {"territorio": "T1", "items": [{"codice": "COMUNE_X"}, {"codice": "IGNOTO"}]}, actor=COORD
    )
    audiences = sorted((t.context["item"]["codice"], t.audience) for t in case.open_tasks)
    assert audiences == [("COMUNE_X", "organisation"), ("IGNOTO", "supervisor")]
