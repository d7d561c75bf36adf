"""Guarded entry in the pages: impossible dates and over-long texts come back with Italian field
messages (422), the input kept and nothing stored; no field cuts a text in the browser."""

from __future__ import annotations

from flask import Flask

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import VALID, login_as, open_task, start_case


def _segnalazione(**changes: str) -> dict[str, str]:
    data = {k: str(v) for k, v in VALID["f2_segnalazione"].items()}
    return {**data, **changes, "action": "complete"}


def test_a_referral_dated_in_the_future_is_refused_and_nothing_stored(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    events = len(demo.cases.history(case.id, actor=CLI_OPERATOR))
    client = login_as(app.test_client(), "coordinatore")
    response = client.post(f"/tasks/{task.id}", data=_segnalazione(data_segnalazione="3000-01-01"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Inserisci una data non successiva a oggi." in page and 'value="3000-01-01"' in page
    assert open_task(demo, case.id).id == task.id and len(demo.cases.history(case.id, actor=CLI_OPERATOR)) == events


def test_a_long_text_is_refused_not_cut(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    client = login_as(app.test_client(), "coordinatore")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-maxlength="500"' in page and "maxlength=" not in page.replace("data-maxlength=", "")
    response = client.post(f"/tasks/{task.id}", data=_segnalazione(note_invio="x" * 10_000))
    assert response.status_code == 422
    assert "Inserire al massimo 500 caratteri." in response.get_data(as_text=True)
    assert open_task(demo, case.id).id == task.id


def test_a_too_long_pseudonym_is_refused_not_cut(app: Flask, demo: Engine) -> None:
    before = len(demo.cases.list(actor=CLI_OPERATOR))
    client = login_as(app.test_client(), "coordinatore")
    response = client.post(
        "/cases/new",
        data={"process_id": "percorso_beneficiario", "territory": TERRITORY, "beneficiario_pseudonimo": "B" * 300},
    )
    assert response.status_code == 422
    assert "Al massimo 200 caratteri (300 inseriti)." in response.get_data(as_text=True)
    assert len(demo.cases.list(actor=CLI_OPERATOR)) == before
