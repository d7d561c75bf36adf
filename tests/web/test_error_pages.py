"""Error pages for people: a heading in plain Italian (never "Errore 404"), what happened, what to
do, and a link back to the page the person starts from; the API keeps its problem documents.
And who may open "Nuovo caso": the services that refer a person (docs/domain.md, "Who refers a
person"), not the host firm's tutor or a partner organisation."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from engine import Engine
from engine.demo import TERRITORY
from engine.errors import Forbidden
from engine.policy import CLI_OPERATOR
from tests.web.conftest import login_as


def heading(html: str) -> str:
    found = re.search(r"<h1>([^<]+)</h1>", html)
    assert found, "no heading"
    return found.group(1)


def test_a_missing_page_says_so_and_leads_back_to_the_persons_start(app: Flask) -> None:
    client = login_as(app.test_client(), "cpi")
    response = client.get("/cases/2147483647")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert heading(html) == "Pagina non trovata" and "Errore 404" not in html
    assert "<title>Pagina non trovata – Impresa per Noi</title>" in html
    assert '<a class="button primary" href="/inbox" data-testid="error-home">Vai alle tue attività</a>' in html
    assert "Controlla l&#39;indirizzo" in html


def test_a_refused_page_says_who_to_ask(app: Flask) -> None:
    client = login_as(app.test_client(), "tutor")
    response = client.get("/audit/verify")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert heading(html) == "Non hai accesso a questa pagina" and "Errore 403" not in html
    assert "chiedi al coordinatore del tuo territorio" in html
    assert 'href="/inbox" data-testid="error-home"' in html
    english = client.get("/audit/verify?lang=en").get_data(as_text=True)
    assert heading(english) == "You do not have access to this page"


def test_a_designer_goes_back_to_the_process_library_and_a_stranger_to_the_login(app: Flask) -> None:
    designer = login_as(app.test_client(), "progettista").get("/inbox")
    assert designer.status_code == 403
    assert 'href="/design" data-testid="error-home">Vai alla progettazione dei processi<' in designer.get_data(
        as_text=True
    )
    stranger = app.test_client().get("/nessuna-pagina")
    assert stranger.status_code == 404
    assert 'href="/login" data-testid="error-home">Vai alla pagina di accesso</a>' in stranger.get_data(as_text=True)


def test_conflict_invalid_and_server_error_pages_have_plain_headings(app: Flask) -> None:
    """The other statuses a page can end on (409, 422, 500) have a plain heading too."""
    from web.errors import error_heading, render_error

    with app.test_request_context():
        assert error_heading(409) == "L'operazione non è più possibile"
        assert error_heading(422) == "Alcuni dati non sono validi"
        assert error_heading(500) == "Si è verificato un problema"
        page, status = render_error(500, "x")
    assert status == 500 and "Non dipende da te" in page and "<h1>Si è verificato un problema</h1>" in page


def test_the_api_keeps_its_problem_documents(app: Flask, demo: Engine) -> None:
    _id, secret = demo.accounts.create_token("t", actor=demo.users.get("cpi", actor=CLI_OPERATOR))
    response = app.test_client().get("/api/v1/cases/2147483647", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Not Found"


@pytest.mark.parametrize("username", ["tutor", "partner", "equipe"])
def test_who_does_not_refer_a_person_gets_no_new_case(app: Flask, demo: Engine, username: str) -> None:
    client = login_as(app.test_client(), username)
    home = client.get("/cases").get_data(as_text=True)
    assert 'href="/cases/new"' not in home
    refused = client.get("/cases/new")
    assert refused.status_code == 403 and heading(refused.get_data(as_text=True)) == "Non hai accesso a questa pagina"
    actor = demo.users.get(username, actor=CLI_OPERATOR)
    assert demo.cases.startable(actor=actor) == []
    with pytest.raises(Forbidden):
        demo.cases.start(
            "percorso_beneficiario", {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-X"}, actor=actor
        )


@pytest.mark.parametrize("username", ["assistente", "cpi", "sanitario", "giustizia", "coordinatore"])
def test_the_referring_services_open_a_case(app: Flask, demo: Engine, username: str) -> None:
    """Social services, the job centre, health and justice services refer a person; the lead
    body's help desk takes self-referrals."""
    client = login_as(app.test_client(), username)
    assert 'href="/cases/new"' in client.get("/cases").get_data(as_text=True)
    page = client.get("/cases/new")
    assert page.status_code == 200 and 'value="percorso_beneficiario"' in page.get_data(as_text=True)
    started = client.post(
        "/cases/new",
        data={
            "process_id": "percorso_beneficiario",
            "territory": TERRITORY,
            "beneficiario_pseudonimo": f"BEN-{username}",
        },
    )
    assert started.status_code == 302
    # never a refusal right after a referral: a service outside the case's team is told who takes it on
    landed = client.get(started.headers["Location"])
    assert landed.status_code == 200
    if username in ("cpi", "sanitario", "giustizia"):
        assert started.headers["Location"] == "/inbox"
        assert "i servizi sociali del territorio" in landed.get_data(as_text=True)
