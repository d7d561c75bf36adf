"""Erasure of a person's personal data (GDPR art. 17) in the browser (Flask test client): the
territory's system administrator sees every case of the person with what keeps its data (an
open path, the retention period), is refused while one still needs them, and once all allow it
erases them with a reason and a confirmation; the person record goes, the chain still verifies.
Nobody else reaches the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.model import EventKind
from engine.policy import CLI_OPERATOR
from tests.web.conftest import login_as, start_case
from tests.web.test_person_pages import PERSON


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def cases(demo: Engine) -> tuple[int, int]:
    """Two referrals of the same person (same codice fiscale); an administrator of the demo
    territory and one of another territory."""
    social = demo.users.get("assistente", actor=CLI_OPERATOR)
    demo.users.add("admin", "Adele Amministratrice", [("amministratore", TERRITORY)], actor=CLI_OPERATOR)
    demo.users.add("admin_altrove", "Alberto Altrove", [("amministratore", "ATS-Altrove")], actor=CLI_OPERATOR)
    first, second = start_case(demo, "BEN-ERASE-1").id, start_case(demo, "BEN-ERASE-2").id
    for case_id in (first, second):
        demo.people.record(case_id, PERSON, actor=social)
    return first, second


@pytest.fixture
def admin(app: Flask, cases: tuple[int, int]) -> FlaskClient:
    return login_as(app.test_client(), "admin")  # the administrator ``cases`` adds


def close_both(demo: Engine, ids: tuple[int, int]) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    for case_id in ids:
        demo.cases.close(case_id, reason="Percorso terminato, chiusura d'ufficio", actor=coordinator)


def test_while_a_case_still_needs_the_data_the_page_says_so_and_nothing_is_erased(
    admin: FlaskClient, demo: Engine, cases: tuple[int, int]
) -> None:
    first, second = cases
    demo.cases.close(first, reason="Percorso terminato", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))

    page = text(admin.get(f"/cases/{first}/cancellazione-dati"))

    assert f"Caso n. {first}" in page and f"Caso n. {second}" in page  # every case of the person
    assert 'data-testid="kept-alive"' in page and 'data-testid="kept-retention"' in page
    assert 'data-testid="erasure-refused"' in page and 'data-testid="erasure-form"' not in page
    assert "Roccaforte" not in page and "RCCMNL83S18D969H" not in page  # no identity on the page
    refused = admin.post(f"/cases/{first}/cancellazione-dati", data={"reason": "Richiesta", "conferma": "1"})
    assert refused.status_code == 409
    assert demo.people.of_case(first, actor=CLI_OPERATOR) is not None


def test_after_the_retention_the_person_is_erased_in_every_case_with_reason_and_confirmation(
    admin: FlaskClient, demo: Engine, clock: FixedClock, cases: tuple[int, int]
) -> None:
    close_both(demo, cases)
    closed_on = demo.now().date()
    page = text(admin.get(f"/cases/{cases[0]}/cancellazione-dati"))
    kept_until = closed_on.replace(year=closed_on.year + 5).strftime("%d/%m/%Y")
    assert f"i dati vanno conservati fino al {kept_until}" in page
    clock.set(clock.now() + dt.timedelta(days=5 * 366))
    login_as(admin, "admin")  # five years on: the old session has long expired

    page = text(admin.get(f"/cases/{cases[0]}/cancellazione-dati"))
    assert 'data-testid="erasure-form"' in page and page.count("i dati si possono cancellare") == 2
    unconfirmed = admin.post(f"/cases/{cases[0]}/cancellazione-dati", data={"reason": "Richiesta dell'interessato"})
    assert unconfirmed.status_code == 422 and "Conferma che la cancellazione è definitiva." in text(unconfirmed)
    no_reason = admin.post(f"/cases/{cases[0]}/cancellazione-dati", data={"reason": " ", "conferma": "1"})
    assert no_reason.status_code == 422 and "Indica il motivo." in text(no_reason)
    assert demo.people.of_case(cases[0], actor=CLI_OPERATOR) is not None

    done = admin.post(
        f"/cases/{cases[0]}/cancellazione-dati",
        data={"reason": "Richiesta dell'interessato del 02/03/2032, prot. 77", "conferma": "1"},
        follow_redirects=True,
    )

    assert done.status_code == 200
    assert "Dati personali cancellati in 2 casi" in text(done)
    assert "La scheda anagrafica della persona è stata eliminata." in text(done)
    for case_id in cases:
        assert demo.people.of_case(case_id, actor=CLI_OPERATOR) is None
        kinds = [e.kind for e in demo.cases.history(case_id, actor=CLI_OPERATOR)]
        assert kinds[-1] is EventKind.DATA_ERASED
    assert demo.audit.verify(actor=CLI_OPERATOR).ok


def test_only_the_territory_s_administrator_reaches_the_page(
    app: Flask, admin: FlaskClient, demo: Engine, cases: tuple[int, int]
) -> None:
    url = f"/cases/{cases[0]}/cancellazione-dati"
    assert 'data-testid="erase-link"' in text(admin.get(f"/cases/{cases[0]}"))
    for username in ("assistente", "coordinatore", "auditor", "admin_altrove"):
        client = login_as(app.test_client(), username)
        assert client.get(url).status_code == 403, username
        assert client.post(url, data={"reason": "x" * 20, "conferma": "1"}).status_code == 403, username
    assert 'data-testid="erase-link"' not in text(login_as(app.test_client(), "assistente").get(f"/cases/{cases[0]}"))
    # the case team learns where a request of the person goes
    assert 'data-testid="erasure-note"' in text(
        login_as(app.test_client(), "assistente").get(f"/cases/{cases[0]}/persona")
    )
