"""Case pages: the list with its filters, starting a case (and the partnership it needs), the
case page with open tasks, history and the data the role may see, and the diagram's data."""

from __future__ import annotations

import html as html_lib
import re

from flask import Flask

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import advance, login_as, start_case


def test_case_list_and_filters(app: Flask, demo: Engine) -> None:
    first = start_case(demo, "BEN-ROSSO")
    start_case(demo, "BEN-VERDE")
    client = login_as(app.test_client(), "coordinatore")
    html = client.get("/cases").get_data(as_text=True)
    assert html.count('href="/cases/') >= 4
    found = client.get("/cases?title=ROSSO").get_data(as_text=True)
    assert f'href="/cases/{first.id}"' in found and 'href="/cases/2"' not in found
    assert "Nessun caso trovato." in client.get("/cases?status=completed").get_data(as_text=True)
    assert "Nessun caso trovato." in client.get("/cases?territory=Altrove").get_data(as_text=True)
    assert client.get("/cases?phase=valutazione_bisogno&status=bogus&page=x").status_code == 200


def test_start_a_case_and_the_partnership_it_needs(app: Flask, demo: Engine) -> None:
    boss = login_as(app.test_client(), "coordinatore")
    refused = boss.post("/cases/new", data={"process_id": "percorso_beneficiario", "territory": "ATS-Nuovo"})
    assert refused.status_code == 409 and "partenariato attivo" in refused.get_data(as_text=True)
    boss.post("/partnerships", data={"territory": "ATS-Nuovo", "active": "1"})
    started = boss.post(
        "/cases/new",
        data={"process_id": "percorso_beneficiario", "territory": "ATS-Nuovo", "beneficiario_pseudonimo": "BEN-N"},
    )
    assert started.status_code == 302
    assert boss.post("/cases/new", data={"process_id": ""}).status_code == 422
    social = login_as(app.test_client(), "assistente")
    page = social.get("/cases/new").get_data(as_text=True)
    assert '<option value="ATS-Demo"' in page and "Partenariato del territorio" not in page
    assert social.post("/partnerships", data={"territory": "X", "active": "1"}).status_code == 403


def test_case_page_shows_tasks_history_data_and_withholds_by_role(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    social = login_as(app.test_client(), "assistente").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Analisi preliminare" in social and "DID, profilazione" in social
    assert "Attività completata" in social and "Caso avviato" in social
    assert "bpmn-navigated-viewer.production.min.js" in social and 'data-testid="withheld"' not in social
    # the job-centre officer of the case does not see health/judicial fields (docs/domain.md, "Data classes")
    demo.teams.add(case.id, "cpi", username="cpi", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    cpi = login_as(app.test_client(), "cpi").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="withheld"' in cpi and "Serve la certificazione dei servizi sanitari" in cpi
    assert "certificazione_sanitaria_necessaria" not in cpi  # named by its label, never by its key
    log = demo.audit.access_log(case_id=case.id, actor=demo.users.get("auditor", actor=CLI_OPERATOR))
    assert any(entry.username == "assistente" for entry in log)


def test_diagram_data_marks_elements(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    diagrams = login_as(app.test_client(), "assistente").get(f"/cases/{case.id}/diagram.json").get_json()
    by_process = {d["process_id"]: d for d in diagrams}
    assert "UT_segnalazione" in by_process["valutazione_bisogno"]["completed"]
    assert "UT_analisi_preliminare" in by_process["valutazione_bisogno"]["active"]
    assert by_process["percorso_beneficiario"]["xml"].startswith("<?xml")
    assert login_as(app.test_client(), "assistente").get("/cases/99999").status_code == 404
    assert login_as(app.test_client(), "assistente").get(f"/cases/{2**40}").status_code == 404


def test_semester_report_started_from_new_case_and_its_archived_pdf_on_the_case_page(app: Flask, demo: Engine) -> None:
    import hashlib

    import pypdfium2

    boss = login_as(app.test_client(), "coordinatore")
    # the cockpit leads to 'Nuovo caso' with the report, the territory and the period filled in
    cockpit = boss.get("/monitoraggio?periodo=2026-H1&territorio=ATS-Demo").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="semester-report-link"', cockpit)
    assert link is not None
    prefilled = boss.get(html_lib.unescape(link.group(1))).get_data(as_text=True)
    assert '<option value="relazione_semestrale" selected>' in prefilled
    assert '<option value="2026-H1" selected>Primo semestre 2026</option>' in prefilled  # by its name
    assert '<option value="">Il semestre in corso</option>' in prefilled
    assert not re.findall(r"\b\d{4}-[HQ]\d\b", re.sub(r"<[^>]+>", " ", prefilled.split("<form")[1]))
    evaluator = login_as(app.test_client(), "valutatore")
    assert 'data-testid="semester-report-link"' not in evaluator.get("/monitoraggio").get_data(as_text=True)
    refused = boss.post(
        "/cases/new", data={"process_id": "relazione_semestrale", "territory": "ATS-Demo", "periodo": "2026-H3"}
    )
    assert refused.status_code == 422 and "Periodo non valido" in refused.get_data(as_text=True)
    started = boss.post(
        "/cases/new", data={"process_id": "relazione_semestrale", "territory": "ATS-Demo", "periodo": "2026-H1"}
    )
    assert started.status_code == 302
    case_id = int(started.headers["Location"].rsplit("/", 1)[1])
    coordinator, regia = demo.users.get("coordinatore", actor=CLI_OPERATOR), demo.users.get("regia", actor=CLI_OPERATOR)
    [draft] = demo.tasks.list(actor=coordinator, case_id=case_id)
    demo.tasks.complete(
        draft.id, {"commento_coordinatore": "Semestre di avvio del programma nel territorio."}, actor=coordinator
    )
    page = boss.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Cifre del cruscotto (fotografate)" in page and "cifre_monitoraggio" not in page
    assert "Periodo della relazione" in page and "Primo semestre 2026" in page and "2026-H1" not in page
    assert "Scarica la relazione archiviata" not in page  # not approved yet
    assert boss.get(f"/cases/{case_id}/relazione.pdf").status_code == 404
    [review] = demo.tasks.list(actor=regia, case_id=case_id)
    demo.tasks.complete(review.id, {"esito_revisione": "APPROVATA"}, actor=regia)
    page = boss.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Scarica la relazione archiviata (PDF)" in page and "Impronta del PDF archiviato" in page
    assert "relazione_pdf_sha256" not in page and "APPROVATA" not in page
    download = login_as(app.test_client(), "regia").get(f"/cases/{case_id}/relazione.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert (
        hashlib.sha256(download.data).hexdigest()
        == demo.cases.get(case_id, actor=coordinator).data["relazione_pdf_sha256"]
    )
    token = demo.accounts.create_token("test", actor=regia)[1]
    api = app.test_client().get(f"/api/v1/cases/{case_id}/relazione.pdf", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.data == download.data  # the same archived bytes
    text = " ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(download.data))
    assert "Semestre di avvio del programma nel territorio." in text and "ATS-Demo" in text
    # the valutatore cannot open the case but finds the approved document in the cockpit and downloads it
    assert evaluator.get(f"/cases/{case_id}").status_code == 403
    listed = evaluator.get("/monitoraggio").get_data(as_text=True)
    assert 'data-testid="archived-documents"' in listed and "Primo semestre 2026, ATS-Demo" in listed
    link = re.search(rf'href="([^"]+)" download data-testid="document-{case_id}"', listed)
    assert link is not None and link.group(1) == f"/monitoraggio/documenti/{case_id}.pdf"
    got = evaluator.get(link.group(1))
    assert got.status_code == 200 and got.data == download.data
    assert 'filename="relazione_semestrale_2026-H1_ATS-Demo.pdf"' in got.headers["Content-Disposition"]
    log = demo.audit.access_log(actor=coordinator, case_id=case_id)
    assert [e.purpose for e in log if e.username == "valutatore"] == ["relazione semestrale (PDF)"]
    assert login_as(app.test_client(), "assistente").get(link.group(1)).status_code == 403


def test_the_new_case_form_summary_links_each_message_to_its_field(app: Flask, demo: Engine) -> None:
    """A refused "Nuovo caso" lists its messages at the top as links to the fields (focused on
    load), and each field is marked invalid and described by its own message."""
    client = login_as(app.test_client(), "assistente")
    refused = client.post("/cases/new", data={"process_id": "percorso_beneficiario", "territory": "ATS-Demo"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "data-error-summary" in html and 'tabindex="-1"' in html
    link = re.search(r'<a href="#beneficiario_pseudonimo">Pseudonimo del beneficiario: ([^<]+)</a>', html)
    assert link and "pseudonimo" in link.group(1)
    field = re.search(r'<input id="beneficiario_pseudonimo"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="help-pseudo err-beneficiario_pseudonimo-1"' in field.group(0)
    assert 'id="err-beneficiario_pseudonimo-1"' in html
    # the engine's message on "territorio" belongs to the territory field
    nowhere = client.post(
        "/cases/new", data={"process_id": "percorso_beneficiario", "territory": "", "beneficiario_pseudonimo": "B"}
    )
    assert '<a href="#territory">Territorio: ' in nowhere.get_data(as_text=True)
