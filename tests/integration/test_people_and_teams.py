"""Beneficiary identity sealed at rest, repeat referrals, key loss and rotation; case teams,
task routing to organisations, and break-glass — on the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine import Actor, Settings, build_engine, errors
from engine.adapters.unit_of_work import make_db_engine
from engine.application import Engine
from engine.clock import FixedClock
from engine.keyring import KeyringError
from engine.policy import CLI_OPERATOR, SCHEDULER, SERVER
from tests.conftest import ROOT
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
    deploy(("p.bpmn", linear("p", 1, ("assistente_sociale",))))
    return engine.cases.start("p", {"territorio": "T1"}, actor=SOCIAL).id


def raw_rows(engine: Engine, table: str) -> str:
    with engine.db.connect() as conn:
        return json.dumps([list(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {table}"))])


def test_the_referring_social_worker_becomes_case_manager_and_records_the_identity(
    engine: Engine, case_id: int
) -> None:
    engine.people.verify_keys(actor=CLI_OPERATOR)
    recorded = engine.people.record(case_id, PERSON, actor=SOCIAL)

    assert recorded.person.nome == "Emanuele" and recorded.repeats == ()
    shown = engine.people.of_case(case_id, actor=SOCIAL)
    assert shown is not None and shown.codice_fiscale == "RCCMNL83S18D969H"
    assert [m.relation for m in engine.teams.of_case(case_id, actor=SOCIAL)] == ["responsabile"]


def test_name_and_codice_fiscale_never_reach_the_database_or_the_events_in_clear(engine: Engine, case_id: int) -> None:
    engine.people.record(case_id, PERSON, actor=SOCIAL)

    for table in ("person", "case_event", "data_access_log", "cases"):
        raw = raw_rows(engine, table)
        for secret in ("Emanuele", "Roccaforte", "RCCMNL83S18D969H", "1983-11-18", "Genova", "1234567"):
            assert secret not in raw, (table, secret)


def test_a_wrong_codice_fiscale_gets_a_field_message_and_a_disagreement_must_be_confirmed(
    engine: Engine, case_id: int
) -> None:
    with pytest.raises(errors.InvalidData) as wrong:
        engine.people.record(case_id, {**PERSON, "codice_fiscale": "RCCMNL83S18D969A"}, actor=SOCIAL)
    assert "controllo" in wrong.value.messages["codice_fiscale"][0]
    other_day = {**PERSON, "data_nascita": "1983-11-19"}
    with pytest.raises(errors.InvalidData) as warned:
        engine.people.record(case_id, other_day, actor=SOCIAL)
    assert "19/11/1983" in warned.value.messages["avvisi"][0]
    assert engine.people.record(case_id, other_day, actor=SOCIAL, confirm=True).person.nome == "Emanuele"


def test_a_second_referral_of_the_same_person_warns_of_the_earlier_case(engine: Engine, case_id: int) -> None:
    engine.people.record(case_id, PERSON, actor=SOCIAL)
    other = grant("assistente_sociale", "bruno")
    second = engine.cases.start("p", {"territorio": "T1"}, actor=other).id

    omocode = {**PERSON, "codice_fiscale": "RCCMNL83S1UD969E"}  # a different code: a different person
    assert engine.people.record(second, omocode, actor=other).repeats == ()
    repeats = engine.people.record(second, PERSON, actor=other).repeats
    assert [(r.case_id, r.status.value) for r in repeats] == [(case_id, "running")]


def test_only_the_case_team_sees_the_identity(engine: Engine, case_id: int) -> None:
    engine.people.record(case_id, PERSON, actor=SOCIAL)
    for outsider in (COORD, grant("assistente_sociale", "bruno"), grant("tutor_aziendale", "tina")):
        with pytest.raises(errors.Forbidden):
            engine.people.of_case(case_id, actor=outsider)


def test_the_evaluators_export_links_a_person_s_cases_by_the_keyed_hash_and_holds_no_identity(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("p.bpmn", linear("p", 1, ("assistente_sociale",))))
    entry = {"territorio": "T1", "data_nascita": "1983-11-18", "data_ingresso": "2026-01-05", "genere": "M"}
    first, second, other = (engine.cases.start("p", entry, actor=SOCIAL).id for _ in range(3))
    engine.people.record(first, PERSON, actor=SOCIAL)
    engine.people.record(second, PERSON, actor=SOCIAL)
    engine.people.record(other, {**PERSON, "codice_fiscale": "RSSMRA85T50H501S"}, actor=SOCIAL, confirm=True)

    rows = engine.audit.export_pseudonymised(actor=grant("valutatore", "vale"))

    pseudonyms = [r["pseudonimo"] for r in rows]
    assert len(rows) == 3 and len(set(pseudonyms)) == 2  # the same person's two cases share one
    exported = json.dumps(rows)
    for secret in ("Emanuele", "Roccaforte", "RCCMNL83S18D969H", "1983-11-18", "Genova"):
        assert secret not in exported
    assert {r["dati"]["fascia_eta"] for r in rows} == {"30-54"}


def test_an_intake_queue_reads_the_case_but_not_the_identity_until_the_case_is_taken(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("q.bpmn", linear("q", 2, ("assistente_sociale",))))
    case = engine.cases.start("q", {"territorio": "T1"}, actor=COORD)  # nobody is its case manager yet
    engine.people.record(case.id, PERSON, actor=CLI_OPERATOR)
    assert engine.cases.get(case.id, actor=SOCIAL).id == case.id  # offered the intake task: reads the case
    with pytest.raises(errors.Forbidden):
        engine.people.of_case(case.id, actor=SOCIAL)

    engine.tasks.complete(case.open_tasks[0].id, {"conferma": True}, actor=SOCIAL)  # takes it: joins the team

    assert engine.people.of_case(case.id, actor=SOCIAL).cognome == "Roccaforte"  # type: ignore[union-attr]


def restarted(db_url: str, tmp_path: Path) -> Engine:
    """A new server process on the same database and instance folder."""
    settings = Settings(database_url=db_url, processes_dir=ROOT / "processes", instance_dir=tmp_path / "instance")
    return build_engine(settings, clock=FixedClock())


def test_key_rotation_reseals_every_row_and_the_audit_chain_still_verifies(
    engine: Engine, case_id: int, db_url: str, tmp_path: Path
) -> None:
    engine.people.verify_keys(actor=CLI_OPERATOR)
    engine.people.record(case_id, PERSON, actor=SOCIAL)
    before = raw_rows(engine, "person")

    key_id, count = engine.people.rotate_keys(actor=CLI_OPERATOR)

    assert (key_id, count) == ("k2", 1)
    after = raw_rows(engine, "person")
    assert before != after and '"k1:' not in after and "k2:" in after
    server = restarted(db_url, tmp_path)
    assert server.people.verify_keys(actor=SERVER) == "k2"
    assert server.people.of_case(case_id, actor=SOCIAL).cognome == "Roccaforte"  # type: ignore[union-attr]
    server.close()
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_key_rotation_reseals_every_row_of_every_person(engine: Engine, case_id: int) -> None:
    """Several people, one of them on two cases: every row changes key, every field still opens,
    no value is in clear before or after, and the chain of each case verifies."""
    engine.people.verify_keys(actor=CLI_OPERATOR)
    codes = ["RCCMNL83S18D969H", "RSSMRA85T50H501S", "RCCMNL83S1UD969E"]
    cases = [case_id] + [engine.cases.start("p", {"territorio": "T1"}, actor=SOCIAL).id for _ in range(3)]
    for number, (case, code) in enumerate(zip(cases, [*codes, codes[0]], strict=True)):
        engine.people.record(
            case, {**PERSON, "cognome": f"Cognome{number}", "codice_fiscale": code}, actor=SOCIAL, confirm=True
        )

    key_id, count = engine.people.rotate_keys(actor=CLI_OPERATOR)

    assert count == 3  # three people (the fourth case is the first person again)
    raw = raw_rows(engine, "person")
    assert raw.count(f"{key_id}:") >= 3 * len(PERSON) and "k1:" not in raw
    for secret in ("Emanuele", "Cognome", "RCCMNL83S18D969H", "RSSMRA85T50H501S", "Genova"):
        assert secret not in raw
    opened = [engine.people.of_case(c, actor=SOCIAL) for c in cases]
    assert [p.cognome for p in opened if p] == ["Cognome3", "Cognome1", "Cognome2", "Cognome3"]
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_erasure_is_granted_by_the_policy_table_and_takes_the_identity_with_it(engine: Engine, case_id: int) -> None:
    from engine.policy import Permission, Target, allows
    from engine.roles import ROLES

    engine.people.record(case_id, PERSON, actor=SOCIAL)
    [task] = engine.cases.get(case_id, actor=SOCIAL).open_tasks
    engine.tasks.complete(task.id, {"conferma": True}, actor=SOCIAL)
    for role in sorted(ROLES):
        actor = grant(role, f"chi_{role}")
        if allows(actor, Permission.ERASE_PERSONAL_DATA, Target("T1")):
            continue
        with pytest.raises(errors.Forbidden):
            engine.audit.erase_personal_data(case_id, actor=actor, reason="fine conservazione", before_retention=True)
    assert engine.people.of_case(case_id, actor=SOCIAL) is not None

    admin = grant("amministratore", "root")
    assert allows(admin, Permission.ERASE_PERSONAL_DATA, Target("T1"))
    fields = engine.audit.erase_personal_data(case_id, actor=admin, reason="fine conservazione", before_retention=True)

    assert "anagrafica" in fields
    assert engine.people.of_case(case_id, actor=SOCIAL) is None
    assert raw_rows(engine, "person") == "[]"
    assert engine.audit.verify(actor=CLI_OPERATOR).ok


def test_a_lost_or_wrong_key_is_a_clear_startup_error_never_garbage(
    engine: Engine, case_id: int, db_url: str, tmp_path: Path
) -> None:
    engine.people.verify_keys(actor=CLI_OPERATOR)
    engine.people.record(case_id, PERSON, actor=SOCIAL)
    key_file = tmp_path / "instance" / "data-keys.json"
    saved = key_file.read_text()

    key_file.unlink()
    server = restarted(db_url, tmp_path)
    try:
        with pytest.raises(KeyringError, match="chiave di cifratura mancante"):
            server.people.verify_keys(actor=SERVER)
        key_file.write_text(saved.replace(json.loads(saved)["keys"]["k1"], "A" * 43 + "="))
        with pytest.raises(KeyringError, match="non apre"):
            restarted_again = restarted(db_url, tmp_path)
            try:
                restarted_again.people.verify_keys(actor=SERVER)
            finally:
                restarted_again.close()
    finally:
        server.close()


def _start_worker(db_url: str, instance: str, start: Any, answers: Any) -> None:
    """One server worker's start on a fresh instance: build the engine, check the keys."""
    settings = Settings(database_url=db_url, processes_dir=ROOT / "processes", instance_dir=Path(instance))
    start.wait()
    try:
        eng = build_engine(settings, clock=FixedClock())
        answers.put(("ok", eng.people.verify_keys(actor=SERVER)))
        eng.close()
    except Exception as err:  # the answer is the test's assertion
        answers.put(("failed", repr(err)))


def test_workers_of_a_fresh_server_starting_together_all_end_with_the_same_keys(db_url: str, tmp_path: Path) -> None:
    """Six processes start at once on a new instance and an empty database, as gunicorn's workers
    do: every one passes the key check, with one keyring, one pseudonym key and one check each."""
    fork = multiprocessing.get_context("fork")
    for round_ in range(3):
        instance = tmp_path / f"round{round_}" / "instance"
        start, answers = fork.Barrier(6), fork.Queue()
        workers = [fork.Process(target=_start_worker, args=(db_url, str(instance), start, answers)) for _ in range(6)]
        for w in workers:
            w.start()
        results = [answers.get(timeout=120) for _ in workers]
        for w in workers:
            w.join(timeout=60)
        assert results == [("ok", "k1")] * 6, results
        assert sorted(os.listdir(instance)) == ["data-keys.json", "pseudonym.key"]
        again = restarted(db_url, tmp_path / f"round{round_}")
        assert again.people.verify_keys(actor=SERVER) == "k1"
        again.close()
        db = make_db_engine(db_url)
        with db.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM key_check")).scalar_one() == 2
            conn.execute(text("DELETE FROM key_check"))  # the next round starts on an empty database again
        db.dispose()


def test_the_key_check_is_asked_by_a_named_system_actor_and_no_person(engine: Engine, case_id: int) -> None:
    """The keyring check answers a key id and may create the keyring: the web server's startup and
    the console ask it by name, as the policy table grants; no person, whatever their role, and
    not the scheduler."""
    from engine.roles import ROLES

    for actor in (*(grant(role, f"chi_{role}") for role in sorted(ROLES)), SCHEDULER):
        with pytest.raises(errors.Forbidden, match="key_check"):
            engine.people.verify_keys(actor=actor)
    assert engine.people.verify_keys(actor=SERVER) == "k1"
    assert engine.people.verify_keys(actor=CLI_OPERATOR) == "k1"


def test_break_glass_needs_a_reason_opens_the_case_and_is_logged_for_review(engine: Engine, case_id: int) -> None:
    outsider = grant("referente_sanitario", "sara")
    with pytest.raises(errors.InvalidData):
        engine.teams.break_glass(case_id, "  ", actor=outsider)
    with pytest.raises(errors.Forbidden):
        engine.teams.of_case(case_id, actor=outsider)

    engine.teams.break_glass(case_id, "Ricovero urgente, serve il contatto", actor=outsider, ip="10.0.0.1")

    assert engine.teams.of_case(case_id, actor=outsider)
    [opened] = engine.teams.glass_log(actor=COORD, unreviewed=True)
    assert (opened.username, opened.reason) == ("sara", "Ricovero urgente, serve il contatto")
    assert [e.kind for e in engine.cases.history(case_id, actor=CLI_OPERATOR)][-1] == "break_glass"
    engine.teams.review_glass(opened.id, actor=grant("auditor", "aldo"))
    assert engine.teams.glass_log(actor=COORD, unreviewed=True) == []
    with pytest.raises(errors.Forbidden):
        engine.teams.break_glass(case_id, "Voglio solo curiosare nel caso", actor=grant("tutor_aziendale", "t"))


def test_a_tutor_task_is_routed_to_the_host_organisation_once_the_team_names_it(
    engine: Engine, deploy: Callable[..., None]
) -> None:
    deploy(("t.bpmn", linear("t", 1, ("tutor_aziendale",))))
    engine.registry.add_organisation("FIRMA_A", "Firma A", "impresa_mentor", "T1", actor=COORD)
    engine.users.add("tina", "Tina", [("tutor_aziendale", "T1")], actor=CLI_OPERATOR)
    engine.registry.add_member("FIRMA_A", "tina", actor=COORD)
    case = engine.cases.start("t", {"territorio": "T1"}, actor=COORD)
    assert case.open_tasks[0].audience == "supervisor"  # nobody's until the host is named

    engine.teams.add(case.id, "ospitante", organisation="FIRMA_A", actor=COORD)

    [task] = engine.cases.get(case.id, actor=CLI_OPERATOR).open_tasks
    assert (task.audience, task.organisation_id) == ("organisation", engine.registry.organisations(actor=COORD)[0].id)


def test_a_partner_answer_goes_to_the_partner_it_is_addressed_to(engine: Engine, deploy: Callable[..., None]) -> None:
    deploy(("mi.bpmn", multi_instance("mi")))
    engine.registry.add_organisation("COMUNE_X", "Comune X", "istituzione", "T1", actor=COORD)
    case = engine.cases.start(
        "mi", {"territorio": "T1", "items": [{"codice": "COMUNE_X"}, {"codice": "IGNOTO"}]}, actor=COORD
    )
    audiences = sorted((t.context["item"]["codice"], t.audience) for t in case.open_tasks)
    assert audiences == [("COMUNE_X", "organisation"), ("IGNOTO", "supervisor")]
