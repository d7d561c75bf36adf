"""The beneficiary's identity in the browser (Flask test client): the referral leads to the
identity form; a wrong codice fiscale gets an Italian field message naming the problem; omocodia
is accepted; a code that disagrees with the stated birth date asks for a confirmation, then saves;
a second referral of the same person warns the new case's team and nobody else; the art. 15 copy
holds the person's data and is refused outside the team; every showing is in the access log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.demo import TERRITORY
from engine.model import age_on
from engine.policy import CLI_OPERATOR
from tests.web.conftest import VALID, advance, login_as

PERSON = {
    "cognome": "Roccaforte",
    "nome": "Emanuele",
    "codice_fiscale": "RCCMNL83S18D969H",
    "data_nascita": "1983-11-18",
    "sesso": "M",
    "comune": "Genova",
    "telefono": "+39 333 1234567",
    "email": "",
}
OMOCODE = "RCCMNL83S1UD969E"  # the same person's code with the day's last digit as a letter


def refer(client: FlaskClient, pseudonym: str) -> tuple[int, str]:
    """Start a beneficiary path from "Nuovo caso": (case id, where the browser is sent)."""
    response = client.post(
        "/cases/new",
        data={"process_id": "percorso_beneficiario", "territory": TERRITORY, "beneficiario_pseudonimo": pseudonym},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    return int(location.split("/cases/")[1].split("/")[0]), location


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def social(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "assistente")


def test_a_referral_leads_to_the_identity_form_and_a_wrong_code_is_named_in_italian(
    social: FlaskClient, demo: Engine
) -> None:
    case_id, location = refer(social, "BEN-ID-1")
    assert location.endswith(f"/cases/{case_id}/persona/modifica")
    form = text(social.get(location))
    assert 'name="codice_fiscale"' in form and "Dati anagrafici della persona segnalata" in form

    for wrong, message in (
        ("RCCMNL83S18D969A", "Il carattere di controllo del codice fiscale non è corretto."),
        ("RCCMNL83S18D96", "Il codice fiscale deve avere 16 caratteri (ne ha 14)."),
        ("RCCMNL83Z18D969H", "Il codice fiscale contiene caratteri non ammessi in quella posizione."),
    ):
        page = social.post(location, data={**PERSON, "codice_fiscale": wrong})
        assert page.status_code == 422 and message in text(page), wrong
        assert f'value="{wrong}"' in text(page)  # what was typed stays in the field
    assert demo.people.of_case(case_id, actor=CLI_OPERATOR) is None

    missing = social.post(location, data={**PERSON, "nome": "", "email": "non-una-mail"})
    assert missing.status_code == 422
    assert "Campo obbligatorio." in text(missing) and "Indirizzo email non valido." in text(missing)

    saved = social.post(location, data={**PERSON, "codice_fiscale": OMOCODE.lower()})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/cases/{case_id}/persona")
    page = text(social.get(f"/cases/{case_id}/persona"))
    age = age_on(demo.now().date().replace(year=1983, month=11, day=18), demo.now().date())
    assert "Roccaforte Emanuele" in page and OMOCODE in page and f"({age} anni)" in page
    assert "18/11/1983" in page and "1983-11-18" not in page


def test_a_code_that_disagrees_with_the_birth_date_is_saved_once_confirmed(social: FlaskClient, demo: Engine) -> None:
    case_id, location = refer(social, "BEN-ID-2")
    other_day = {**PERSON, "data_nascita": "1983-11-19"}

    warned = social.post(location, data=other_day)
    assert warned.status_code == 422
    assert "Il codice fiscale indica la nascita il 18/11/83, diversa dalla data dichiarata (19/11/1983)." in text(
        warned
    )
    assert 'name="conferma_avvisi"' in text(warned)
    assert demo.people.of_case(case_id, actor=CLI_OPERATOR) is None

    confirmed = social.post(location, data={**other_day, "conferma_avvisi": "1"})
    assert confirmed.status_code == 302
    person = demo.people.of_case(case_id, actor=CLI_OPERATOR)
    assert person is not None and person.data_nascita is not None and person.data_nascita.day == 19


def test_a_repeat_referral_warns_the_new_team_and_nobody_else(app: Flask, social: FlaskClient, demo: Engine) -> None:
    first, location = refer(social, "BEN-ID-3")
    assert social.post(location, data=PERSON).status_code == 302
    demo.users.add("bruno", "Bruno Assistente", [("assistente_sociale", TERRITORY)], actor=CLI_OPERATOR)
    colleague = login_as(app.test_client(), "bruno")
    second, location = refer(colleague, "BEN-ID-4")

    saved = colleague.post(location, data=PERSON, follow_redirects=True)
    assert "La persona ha già altri casi nel programma" in text(saved)
    for page in (text(saved), text(colleague.get(f"/cases/{second}"))):
        assert "Segnalazione ripetuta." in page and f"Caso n. {first} – in corso, {TERRITORY}" in page
        assert "responsabile: assistente" in page  # the colleague to ask
    assert "person_recorded" not in text(colleague.get(f"/cases/{second}"))  # the history in words

    # outside the team: no warning, no identity; the person page is refused
    for outsider in ("coordinatore", "tutor", "regia", "auditor"):
        client = login_as(app.test_client(), outsider)
        case_page = client.get(f"/cases/{second}")
        assert "Segnalazione ripetuta" not in text(case_page) and "Roccaforte" not in text(case_page), outsider
        assert client.get(f"/cases/{second}/persona").status_code == 403, outsider
    assert social.get(f"/cases/{second}/persona").status_code == 403  # the first case's worker is not on this one
    assert "Roccaforte" not in text(social.get(f"/cases/{second}"))


def test_every_showing_is_logged_and_nothing_reaches_the_events_in_clear(social: FlaskClient, demo: Engine) -> None:
    case_id, location = refer(social, "BEN-ID-5")
    social.post(location, data=PERSON)
    assert "Roccaforte" in text(social.get(f"/cases/{case_id}"))
    social.get(f"/cases/{case_id}/persona")

    entries = demo.audit.access_log(case_id=case_id, actor=demo.users.get("auditor", actor=CLI_OPERATOR))
    purposes = [e.purpose for e in entries if "anagrafica" in e.fields]
    assert "consultazione anagrafica (pagina del caso)" in purposes and "consultazione anagrafica" in purposes
    assert all(e.username == "assistente" for e in entries if "anagrafica" in e.fields)
    events = json.dumps([e.data for e in demo.cases.history(case_id, actor=CLI_OPERATOR)])
    for secret in ("Roccaforte", "Emanuele", PERSON["codice_fiscale"], "1234567"):
        assert secret not in events


def test_the_access_copy_holds_the_person_s_data_and_is_refused_outside_the_team(
    app: Flask, social: FlaskClient, demo: Engine
) -> None:
    import pypdfium2

    case_id, location = refer(social, "BEN-ID-6")
    assert social.get(f"/cases/{case_id}/persona.pdf").status_code == 404  # nothing recorded yet
    social.post(location, data=PERSON)
    assert 'data-testid="access-copy"' in text(social.get(f"/cases/{case_id}/persona"))

    download = social.get(f"/cases/{case_id}/persona.pdf")

    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    copy = " ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(download.data))
    for expected in (
        "Copia dei dati personali",
        "art. 15",
        "Roccaforte",
        "RCCMNL83S18D969H",
        "18/11/1983",
        "Genova",
        f"n. {case_id}",
        "Chi riceve i dati",
        "I suoi diritti",
    ):
        assert expected in copy, expected
    entries = demo.audit.access_log(case_id=case_id, actor=demo.users.get("auditor", actor=CLI_OPERATOR))
    assert [e.username for e in entries if e.purpose.startswith("copia dei dati per l'interessato")] == ["assistente"]
    for outsider in ("coordinatore", "tutor", "equipe", "auditor", "valutatore"):
        client = login_as(app.test_client(), outsider)
        assert client.get(f"/cases/{case_id}/persona.pdf").status_code == 403, outsider


def test_the_esf_entry_form_takes_birth_date_and_gender_from_the_person_record(
    app: Flask, social: FlaskClient, demo: Engine
) -> None:
    case_id, location = refer(social, "BEN-ID-7")
    social.post(location, data={**PERSON, "sesso": "F", "codice_fiscale": "", "data_nascita": "1990-02-03"})
    task = advance(demo, case_id, "Task_scheda_ingresso")

    page = text(social.get(f"/tasks/{task.id}"))

    # shown from the person record, not asked: no field for them in the form
    assert 'data-testid="from-person"' in page and "03/02/1990" in page and "femminile" in page
    assert 'name="data_nascita"' not in page and 'name="genere"' not in page
    # nobody outside the team sees them
    outsider = text(login_as(app.test_client(), "coordinatore").get(f"/tasks/{task.id}"))
    assert "03/02/1990" not in outsider

    answer = {k: v for k, v in VALID["f5_scheda_ingresso"].items() if v is not None}
    done = social.post(f"/tasks/{task.id}", data={**answer, "action": "complete"})
    assert done.status_code == 302, text(done)[:3000]
    data = demo.cases.get(case_id, actor=CLI_OPERATOR).data
    assert data["fascia_eta"] == "30-54" and data["genere"] == "F" and "data_nascita" not in data
    case_page = text(social.get(f"/cases/{case_id}"))
    assert "Fascia d&#39;età all&#39;ingresso" in case_page and "30–54 anni" in case_page


def test_the_esf_entry_form_says_when_the_person_record_lacks_the_birth_date(social: FlaskClient, demo: Engine) -> None:
    case_id, location = refer(social, "BEN-ID-8")
    social.post(location, data={**PERSON, "codice_fiscale": ""})
    task = advance(demo, case_id, "Task_scheda_ingresso")  # the assessment took the age from it
    social.post(location, data={**PERSON, "codice_fiscale": "", "data_nascita": ""})  # then removed

    page = text(social.get(f"/tasks/{task.id}"))

    assert 'data-testid="from-person-missing"' in page
    assert f'href="/cases/{case_id}/persona/modifica"' in page


def test_the_preliminary_assessment_shows_the_age_from_the_person_record_and_never_asks_it(
    app: Flask, social: FlaskClient, demo: Engine
) -> None:
    case_id, location = refer(social, "BEN-ID-9")
    social.post(location, data=PERSON)
    task = advance(demo, case_id, "UT_analisi_preliminare")
    age = age_on(dt.date(1983, 11, 18), demo.now().date())

    page = text(social.get(f"/tasks/{task.id}"))

    # read-only for the team: the birth date and the age computed from it, no field to type it
    assert 'data-testid="from-person"' in page and "18/11/1983" in page
    assert f'<dd data-testid="from-person-age">{age} anni</dd>' in page
    assert 'name="eta"' not in page and 'data-testid="from-person-missing"' not in page
    outsider = text(login_as(app.test_client(), "coordinatore").get(f"/tasks/{task.id}"))
    assert "18/11/1983" not in outsider and "from-person-age" not in outsider

    answer = {k: v for k, v in VALID["f2_analisi_preliminare"].items() if v is not None}
    done = social.post(f"/tasks/{task.id}", data={**answer, "action": "complete"})
    assert done.status_code == 302, text(done)[:3000]
    [answer_event] = [e for e in demo.cases.history(case_id, actor=CLI_OPERATOR) if e.bpmn_id == task.bpmn_id]
    assert answer_event.data["eta"] == age and "1983" not in json.dumps(answer_event.data)


def test_the_preliminary_assessment_without_a_birth_date_is_refused_with_a_link_to_the_person_form(
    social: FlaskClient, demo: Engine
) -> None:
    case_id, location = refer(social, "BEN-ID-10")
    social.post(location, data={**PERSON, "codice_fiscale": "", "data_nascita": ""})
    task = advance(demo, case_id, "UT_analisi_preliminare")
    link = f'href="/cases/{case_id}/persona/modifica"'

    page = text(social.get(f"/tasks/{task.id}"))
    assert 'data-testid="from-person-missing"' in page and "l'attività non si può completare" in page
    assert link in page

    answer = {k: v for k, v in VALID["f2_analisi_preliminare"].items() if v is not None}
    refused = social.post(f"/tasks/{task.id}", data={**answer, "action": "complete"})

    assert refused.status_code == 422
    page = text(refused)
    assert "La scheda anagrafica della persona non riporta la data di nascita" in page
    assert f'<a {link} data-testid="complete-person">Completa la scheda anagrafica</a>' in page
    assert "_schema" not in page and "data_nascita" not in page.split('data-testid="form-invalid"')[1][:600]
    assert task.bpmn_id not in {e.bpmn_id for e in demo.cases.history(case_id, actor=CLI_OPERATOR)}
