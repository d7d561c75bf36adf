"""Enterprises in the browser and in /api/v1: creation with Italian field messages (422), the page
in Italian (labels, never codes), links and roster edges, the beneficiary's case page naming the
enterprise, and the API's problem documents; other roles are refused."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.confirm_steps import confirm_step, refused_unconfirmed
from tests.web.conftest import F2_STEPS, ROLE_USER, VALID, ensure_person, open_task, start_case
from tests.web.test_api import Api, problem


def on_track_b(demo: Engine) -> int:
    """A path assessed for the start-up track (F2 and the ESF+ entry form done): it waits for an
    enterprise to found or join."""
    case_id = start_case(demo, "BEN-IMPRESA").id
    for step in F2_STEPS:
        task = open_task(demo, case_id, step)
        data = copy.deepcopy(VALID[task.form_key or ""])
        if step == "UT_analisi_preliminare":
            data["orientamento_percorso"] = "IMPRESA"
            # the analysis reads the person's age from the record
            ensure_person(demo, case_id, demo.users.get(ROLE_USER["assistente_sociale"], actor=CLI_OPERATOR))
        demo.tasks.complete(task.id, data, actor=demo.users.get(ROLE_USER[task.role or ""], actor=CLI_OPERATOR))
    assert demo.cases.get(case_id, actor=CLI_OPERATOR).data["traccia"] == "B"
    return case_id


GOOD = {
    "territory": TERRITORY,
    "denominazione": "Orti Solidali Cooperativa Sociale",
    "forma_giuridica": "COOP_SOCIALE_B",
    "regione": "Marche",
    "sede": "Ancona",
    "partita_iva": "00743110157",
    "codice_ateco": "01.13",
}


def test_pages_create_show_and_link_in_italian(client_for: Callable[[str], FlaskClient], demo: Engine) -> None:
    coord = client_for("coordinatore")
    bad = coord.post("/enterprises/new", data={**GOOD, "partita_iva": "00743110158", "denominazione": "Orti Srl"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Partita IVA non valida" in html and "La denominazione deve contenere «cooperativa sociale»." in html

    created = coord.post("/enterprises/new", data=GOOD)
    assert created.status_code == 302
    page_url = created.headers["Location"]
    page = coord.get(page_url).get_data(as_text=True)
    assert "Cooperativa sociale di tipo B (L. 381/1991)" in page and "COOP_SOCIALE_B" not in page.split("<form")[0]
    enterprise = demo.enterprises.list(actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))[0]

    beneficiary = start_case(demo).id
    future = coord.post(
        f"{page_url}/links",
        data={"ruolo": "LAVORATORE", "case_id": str(beneficiary), "data_assunzione": "2099-01-01"},
    )
    assert future.status_code == 422
    assert "La data di assunzione non può essere futura." in future.get_data(as_text=True)
    today = demo.now().date().isoformat()
    added = coord.post(
        f"{page_url}/links",
        data={
            "ruolo": "SOCIO_LAVORATORE",
            "case_id": str(beneficiary),
            "data_assunzione": today,
            "categorie": ["TOSSICODIPENDENTE"],
            "evidenza_pa": "1",
        },
    )
    assert added.status_code == 302
    page = coord.get(page_url).get_data(as_text=True)
    assert "Socio fondatore e lavoratore" in page and "Tossicodipendenza (L. 381/1991)" in page

    # the beneficiary's case names the enterprise; the enterprise's case links back to its page
    case_page = coord.get(f"/cases/{beneficiary}").get_data(as_text=True)
    assert "Imprese della persona" in case_page and "Orti Solidali Cooperativa Sociale" in case_page
    own = coord.get(f"/cases/{enterprise.case_id}").get_data(as_text=True)
    assert "Questo è il fascicolo dell'impresa" in own

    assert "La quota si verifica dall'avvio dell'attività." in page
    # the enterprise's own case reaches the start of activity: the page shows the quota check
    who = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    answers = {
        "Task_costituzione": {"data_atto": today, "notaio": "Notaio Rossi"},
        "Task_iscrizioni": {"data_iscrizione_registro_imprese": today},
        "Task_avvio": {"data_inizio_attivita": today, "comunicazioni_obbligatorie": True},
    }
    for bpmn_id, data in answers.items():
        [task] = [t for t in demo.cases.get(enterprise.case_id, actor=CLI_OPERATOR).open_tasks if t.bpmn_id == bpmn_id]
        demo.tasks.complete(task.id, data, actor=who)
    page = coord.get(page_url).get_data(as_text=True)
    assert "Quota rispettata" in page and "Ore di mentoring (totale)" in page

    registration = coord.post(f"{page_url}/registrations", data={"registro": "RUNTS", "numero": "", "data": today})
    assert registration.status_code == 422 and "Campo obbligatorio." in registration.get_data(as_text=True)
    # a tutor reads neither list nor page
    tutor = client_for("tutor")
    assert tutor.get("/enterprises").status_code == 403
    assert tutor.get(page_url).status_code == 403


def test_removing_a_link_entered_by_mistake_asks_for_a_confirmation(
    client_for: Callable[[str], FlaskClient], demo: Engine
) -> None:
    """The removal cannot be undone: the row's button opens the effect and a box to tick, and a
    post without the box (a stray click, a form sent without JavaScript) removes nothing."""
    coord = client_for("coordinatore")
    page_url = coord.post("/enterprises/new", data=GOOD).headers["Location"]
    added = coord.post(f"{page_url}/links", data={"ruolo": "SOCIO_COMUNITA", "nominativo": "Pro Loco"})
    assert added.status_code == 302
    who = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    [enterprise] = demo.enterprises.list(actor=who)
    [link] = demo.enterprises.get(enterprise.id, actor=who).links
    page = coord.get(page_url).get_data(as_text=True)
    step = confirm_step(page, f"unlink-{link.id}")
    assert "L'operazione non si può annullare." in step and f'id="unlink-{link.id}" name="confirm"' in step

    html = refused_unconfirmed(coord.post(f"{page_url}/links/{link.id}/delete"), f"unlink-{link.id}")
    assert f'href="#unlink-{link.id}"' in html  # the error summary leads to the box
    assert [lk.id for lk in demo.enterprises.get(enterprise.id, actor=who).links] == [link.id]

    assert coord.post(f"{page_url}/links/{link.id}/delete", data={"confirm": "1"}).status_code == 302
    assert demo.enterprises.get(enterprise.id, actor=who).links == ()


@pytest.fixture
def coord_api(app: Flask, demo: Engine) -> Api:
    return Api(
        app.test_client(), demo.accounts.create_token("t", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))[1]
    )


def test_api_creates_reads_and_links_with_problem_documents(coord_api: Api, app: Flask, demo: Engine) -> None:
    body: dict[str, Any] = {k: v for k, v in GOOD.items()}
    refused = problem(coord_api.post("/enterprises", json={**body, "codice_ateco": "8810"}), 422)
    assert "Codice ATECO non valido (es. 88.10.00)." in str(refused["errors"])
    created = coord_api.post("/enterprises", json=body)
    assert created.status_code == 201, created.get_json()
    enterprise = created.get_json()
    assert enterprise["forma_giuridica_label"] == "Cooperativa sociale di tipo B (L. 381/1991)"
    eid = enterprise["id"]
    assert [e["id"] for e in coord_api.get("/enterprises").get_json()] == [eid]

    today = demo.now().date().isoformat()
    linked = coord_api.post(
        f"/enterprises/{eid}/links", json={"ruolo": "LAVORATORE", "nominativo": "Mario", "data_assunzione": today}
    )
    assert linked.status_code == 201
    [link] = linked.get_json()["links"]
    assert link["in_organico"] and link["ruolo_label"] == "Lavoratore"
    double = problem(
        coord_api.post(
            f"/enterprises/{eid}/links", json={"ruolo": "LAVORATORE", "nominativo": "mario", "data_assunzione": today}
        ),
        422,
    )
    assert "La persona è già nell'organico dell'impresa." in str(double["errors"])
    left = coord_api.post(f"/enterprises/{eid}/links/{link['id']}/leaving", json={"data_cessazione": today})
    assert left.status_code == 200 and left.get_json()["links"][0]["data_cessazione"] == today
    reg = coord_api.post(f"/enterprises/{eid}/registrations", json={"registro": "RUNTS", "numero": "1", "data": today})
    assert reg.status_code == 201 and reg.get_json()["iscrizioni"][0]["registro_label"].startswith("Registro unico")
    assert coord_api.call("DELETE", f"/enterprises/{eid}/links/{link['id']}").status_code == 204
    assert coord_api.get(f"/enterprises/{eid}").get_json()["links"] == []

    partner = Api(
        app.test_client(), demo.accounts.create_token("p", actor=demo.users.get("partner", actor=CLI_OPERATOR))[1]
    )
    problem(partner.get(f"/enterprises/{eid}"), 403)


def test_an_enterprise_founded_from_a_path_runs_the_design_in_its_own_case(
    client_for: Callable[[str], FlaskClient], demo: Engine
) -> None:
    coord = client_for("coordinatore")
    founder = on_track_b(demo)
    form = coord.get(f"/enterprises/new?case_id={founder}").get_data(as_text=True)
    assert f'value="{founder}"' in form and "Percorso del socio fondatore (caso n.)" in form
    bad = coord.post("/enterprises/new", data={**GOOD, "case_id": "il mio"})
    assert bad.status_code == 422 and "Indica il numero del caso del percorso." in bad.get_data(as_text=True)

    not_b = coord.post("/enterprises/new", data={**GOOD, "case_id": str(start_case(demo).id)})
    assert not_b.status_code == 422 and "non è sul percorso B" in not_b.get_data(as_text=True)

    created = coord.post("/enterprises/new", data={**GOOD, "case_id": str(founder)})
    assert created.status_code == 302
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    listed = next(e for e in demo.enterprises.list(actor=coordinator) if e.partita_iva == GOOD["partita_iva"])
    enterprise = demo.enterprises.get(listed.id, actor=coordinator)
    assert [(lk.ruolo, lk.case_id) for lk in enterprise.links] == [("FONDATORE", founder)]
    case = demo.cases.get(enterprise.case_id, actor=CLI_OPERATOR)
    assert [t.bpmn_id for t in case.open_tasks] == ["Task_idea"]


def test_the_enterprise_hiring_its_founder_shows_on_its_page_and_on_both_timelines(
    client_for: Callable[[str], FlaskClient], demo: Engine
) -> None:
    coord = client_for("coordinatore")
    founder = on_track_b(demo)
    assert coord.post("/enterprises/new", data={**GOOD, "case_id": str(founder)}).status_code == 302
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    [enterprise] = [demo.enterprises.get(e.id, actor=coordinator) for e in demo.enterprises.list(actor=coordinator)]
    [link] = enterprise.links
    page = coord.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert f'data-testid="hire-{link.id}"' in page and "Registra l'assunzione nell'impresa" in page
    assert 'data-testid="founders-hired">0 su 1<' in page

    today = demo.now().date()
    url = f"/enterprises/{enterprise.id}/links/{link.id}/hire"
    same_day = {"data_assunzione": today.isoformat(), "tipo_contratto": "TEMPO_INDETERMINATO"}
    late = coord.post(url, data={**same_day, "data_comunicazione": today.isoformat()})
    html = late.get_data(as_text=True)
    assert late.status_code == 422 and f'href="#hire-{link.id}-data_comunicazione"' in html
    assert "va inviata entro il giorno precedente l&#39;assunzione" in html and "TEMPO_INDETERMINATO</" not in html
    notice = (today - dt.timedelta(days=1)).isoformat()
    done = coord.post(url, data={**same_day, "data_comunicazione": notice, "categorie": ["ALCOLISTA"]})
    assert done.status_code == 302

    page = coord.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert 'data-testid="founders-hired">1 su 1<' in page and "Socio fondatore e lavoratore" in page
    assert f'data-testid="hire-{link.id}"' not in page
    on_enterprise = coord.get(f"/cases/{enterprise.case_id}").get_data(as_text=True)
    on_person = coord.get(f"/cases/{founder}").get_data(as_text=True)
    day = today.strftime("%d/%m/%Y")
    assert f"Socio fondatore assunto dall'impresa</strong>: Caso n. {founder}, dal {day} (tempo indeterminato)" in (
        on_enterprise
    )
    assert f"Socio fondatore assunto dall'impresa</strong>: «{GOOD['denominazione']}», dal {day}" in on_person
    assert f"Socio fondatore e lavoratore, assunzione del {day}" in on_person  # the person's enterprises
