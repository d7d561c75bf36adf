"""The person record through the JSON API (``/api/v1/cases/<id>/persona``): the case team reads
it (each showing in the access log), the case's social worker writes it with the HTML form's
checks (Italian field messages, 422; a disagreement with the birth date waits for
``conferma_avvisi``), a write on an old revision gets 409; a tutor of another firm gets 403, and
a professional outside the team only after breaking the glass."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import start_case
from tests.web.test_api import Api, problem
from tests.web.test_person_pages import PERSON

PATH = "/cases/{}/persona"


@pytest.fixture
def api_as(app: Flask, demo: Engine) -> Any:
    def make(username: str) -> Api:
        token = demo.accounts.create_token("test", actor=demo.users.get(username, actor=CLI_OPERATOR))[1]
        return Api(app.test_client(), token)

    return make


@pytest.fixture
def case_id(demo: Engine) -> int:
    """A referral by the demo social worker (its case manager) hosted by firm A, whose member is
    the demo tutor; another tutor works for firm B."""
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    demo.users.add("tutor_b", "Tobia Tutor", [("tutor_aziendale", TERRITORY)], actor=CLI_OPERATOR)
    for code, tutor in (("FIRMA_A", "tutor"), ("FIRMA_B", "tutor_b")):
        demo.registry.add_organisation(code, f"Impresa {code[-1]}", "impresa_mentor", TERRITORY, actor=coordinator)
        demo.registry.add_member(code, tutor, actor=coordinator)
    case = start_case(demo, "BEN-API-1")
    demo.teams.add(case.id, "ospitante", organisation="FIRMA_A", actor=coordinator)
    return case.id


def purposes(demo: Engine, case_id: int, username: str) -> list[str]:
    log = demo.audit.access_log(actor=CLI_OPERATOR, case_id=case_id)
    return [e.purpose for e in log if e.username == username]


def test_the_case_team_writes_and_reads_the_person_and_each_showing_is_logged(
    api_as: Any, demo: Engine, case_id: int
) -> None:
    social, tutor = api_as("assistente"), api_as("tutor")
    assert problem(social.get(PATH.format(case_id)), 404)  # nothing recorded yet

    written = social.call("PUT", PATH.format(case_id), json=PERSON)
    assert written.status_code == 200, written.get_data(as_text=True)
    assert written.get_json()["codice_fiscale"] == "RCCMNL83S18D969H"
    etag = written.headers["ETag"]

    shown = social.get(PATH.format(case_id))
    assert shown.status_code == 200 and shown.headers["ETag"] == etag
    body = shown.get_json()
    assert body["cognome"] == "Roccaforte" and body["data_nascita"] == "1983-11-18" and body["eta"] >= 42
    assert {"registrazione dati anagrafici", "consultazione anagrafica (API)"} <= set(
        purposes(demo, case_id, "assistente")
    )
    # the host firm's tutor reads it (the team names the firm), logged too; writing is not theirs
    assert tutor.get(PATH.format(case_id)).get_json()["nome"] == "Emanuele"
    assert "consultazione anagrafica (API)" in purposes(demo, case_id, "tutor")
    problem(tutor.call("PATCH", PATH.format(case_id), json={"telefono": "+39 333 0000000"}), 403)


def test_a_tutor_of_another_firm_gets_403_and_leaves_no_showing(api_as: Any, demo: Engine, case_id: int) -> None:
    demo.people.record(case_id, PERSON, actor=demo.users.get("assistente", actor=CLI_OPERATOR))

    refused = problem(api_as("tutor_b").get(PATH.format(case_id)), 403)

    assert "Roccaforte" not in str(refused)
    assert purposes(demo, case_id, "tutor_b") == []


def test_a_wrong_codice_fiscale_is_422_with_the_italian_field_message(api_as: Any, demo: Engine, case_id: int) -> None:
    social = api_as("assistente")
    for wrong, message in (
        ("RCCMNL83S18D969A", "Il carattere di controllo del codice fiscale non è corretto."),
        ("RCCMNL83S18D96", "Il codice fiscale deve avere 16 caratteri (ne ha 14)."),
    ):
        body = problem(social.call("PUT", PATH.format(case_id), json={**PERSON, "codice_fiscale": wrong}), 422)
        assert body["errors"] == {"codice_fiscale": [message]}, wrong
    body = problem(social.call("PUT", PATH.format(case_id), json={**PERSON, "nome": ""}), 422)
    assert body["errors"] == {"nome": ["Campo obbligatorio."]}
    assert demo.people.of_case(case_id, actor=CLI_OPERATOR) is None


def test_a_disagreeing_birth_date_needs_the_confirm_flag(api_as: Any, demo: Engine, case_id: int) -> None:
    social = api_as("assistente")
    other_day = {**PERSON, "data_nascita": "1983-11-19"}

    warned = problem(social.call("PUT", PATH.format(case_id), json=other_day), 422)
    assert "19/11/1983" in warned["errors"]["avvisi"][0]

    confirmed = social.call("PUT", PATH.format(case_id), json={**other_day, "conferma_avvisi": True})
    assert confirmed.status_code == 200 and confirmed.get_json()["avvisi_confermati"]


def test_a_write_on_an_old_revision_is_409_and_patch_changes_only_the_fields_given(
    api_as: Any, demo: Engine, case_id: int
) -> None:
    social = api_as("assistente")
    first = social.call("PUT", PATH.format(case_id), json=PERSON).headers["ETag"]
    second = social.call(
        "PATCH", PATH.format(case_id), json={"telefono": "+39 333 7654321"}, headers={"If-Match": first}
    )
    assert second.status_code == 200 and second.headers["ETag"] != first
    assert second.get_json()["cognome"] == "Roccaforte" and second.get_json()["telefono"] == "+39 333 7654321"

    stale = problem(
        social.call("PATCH", PATH.format(case_id), json={"email": "a@b.it"}, headers={"If-Match": first}), 409
    )

    assert stale["status"] == 409
    person = demo.people.of_case(case_id, actor=CLI_OPERATOR)
    assert person is not None and person.email == ""  # the stale write changed nothing
    cleared = social.call(
        "PATCH", PATH.format(case_id), json={"telefono": "", "revision": second.get_json()["revision"]}
    )
    assert cleared.status_code == 200 and cleared.get_json()["telefono"] == ""


def test_outside_the_team_only_after_breaking_the_glass(api_as: Any, demo: Engine, case_id: int) -> None:
    demo.people.record(case_id, PERSON, actor=demo.users.get("assistente", actor=CLI_OPERATOR))
    demo.users.add("bruno", "Bruno Assistente", [("assistente_sociale", TERRITORY)], actor=CLI_OPERATOR)
    bruno = api_as("bruno")
    problem(bruno.get(PATH.format(case_id)), 403)

    demo.teams.break_glass(
        case_id, "Chiamata urgente dal pronto soccorso", actor=demo.users.get("bruno", actor=CLI_OPERATOR)
    )

    assert bruno.get(PATH.format(case_id)).get_json()["cognome"] == "Roccaforte"
    assert "consultazione anagrafica (API)" in purposes(demo, case_id, "bruno")
