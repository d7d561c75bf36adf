"""The task page: the form rendered from its JSON Schema, HTML inputs converted to JSON types,
field messages with the input kept, drafts, conflicts, and multi-instance prefill."""

from __future__ import annotations

import copy
import re

from flask import Flask
from werkzeug.datastructures import MultiDict

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import ROLE_USER, VALID, advance, login_as, open_task, start_case
from web.form_input import convert


def test_form_widgets_follow_the_json_schema(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    html = login_as(app.test_client(), "coordinatore").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<input type="date" name="data_segnalazione"' in html
    assert '<select name="servizio_inviante"' in html
    assert '<option value="CPI">Centro per l&#39;Impiego</option>' in html  # enum labels
    assert 'type="checkbox" value="true" name="beneficiario_adi"' in html
    assert "Data della segnalazione" in html and 'class="req"' in html  # label and required mark
    assert "DL 48/2023: scadenze di legge" in html  # help text
    assert "<textarea" in html  # long text
    assert "BEN-0001" in html  # case summary


def test_rows_numbers_and_lists_render_and_convert(app: Flask, demo: Engine) -> None:
    schema = demo.tasks.form_schema("f1_analisi_contesto")
    form = MultiDict(
        [
            ("data_analisi", "2026-01-10"),
            ("ambito_territoriale", "ATS 11"),
            ("indicatori_territoriali", "Disoccupazione alta"),
            ("partner.0.codice", "COMUNE_X"),
            ("partner.0.nome", "Comune X"),
            ("partner.0.tipo_ente", "COMUNE_ATS"),
            ("partner.0.essenziale", "true"),
            ("partner.0.strumento", "PROTOCOLLO_INTESA"),
            ("partner.3.codice", ""),  # an empty row is dropped
            ("partner.3.nome", ""),
        ]
    )
    data = convert(schema, form)
    assert data["partner"] == [
        {
            "codice": "COMUNE_X",
            "nome": "Comune X",
            "tipo_ente": "COMUNE_ATS",
            "essenziale": True,
            "strumento": "PROTOCOLLO_INTESA",
        }
    ]
    did = convert(demo.tasks.form_schema("f2_did_psp"), MultiDict([("titolo_isced3", "true")]))
    assert did["titolo_isced3"] is True and did["psp_sottoscritto"] is False
    assert "data_did" not in did  # empty inputs are left out
    sanitaria = convert(
        demo.tasks.form_schema("f2_certificazione_sanitaria"), MultiDict([("invalidita_civile_perc", "60")])
    )
    assert sanitaria["invalidita_civile_perc"] == 60
    assert (
        convert(
            demo.tasks.form_schema("f2_certificazione_sanitaria"), MultiDict([("invalidita_civile_perc", "sessanta")])
        )["invalidita_civile_perc"]
        == "sessanta"
    )  # passed on: the engine reports it next to the field
    docs = convert(
        demo.tasks.form_schema("f2_verifica_documenti"), MultiDict([("documenti_mancanti", "CI\n\n Patente \n")])
    )
    assert docs["documenti_mancanti"] == ["CI", "Patente"]
    team = convert(
        demo.tasks.form_schema("f2_quadro_approfondito"),
        MultiDict([("componenti_em", "operatore_cpi"), ("componenti_em", "assistente_sociale")]),
    )
    assert team["componenti_em"] == ["operatore_cpi", "assistente_sociale"]


def test_rejected_submission_keeps_input_and_shows_messages(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = advance(demo, case.id, "UT_did_psp")
    client = login_as(app.test_client(), "cpi")
    sample = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in VALID["f2_did_psp"].items()}
    sample["data_did"] = "ieri"
    response = client.post(f"/tasks/{task.id}", data={**sample, "action": "complete"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'data-field="data_did">([^<]+)<', html)
    assert error and error.group(1) == "Data non valida (formato AAAA-MM-GG)."
    assert 'value="Luca Verdi"' in html  # the input is kept
    assert open_task(demo, case.id, "UT_did_psp").id == task.id  # nothing happened


def test_save_draft_then_complete(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    client = login_as(app.test_client(), "coordinatore")
    saved = client.post(f"/tasks/{task.id}", data={"action": "save", "referente_inviante": "Dott. Rossi"})
    assert saved.status_code == 302
    assert demo.tasks.draft(task.id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)) == {
        "referente_inviante": "Dott. Rossi",
        "beneficiario_adi": False,
    }
    assert 'value="Dott. Rossi"' in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    data = {k: str(v) for k, v in VALID["f2_segnalazione"].items()}
    done = client.post(f"/tasks/{task.id}", data={**data, "action": "complete"})
    assert done.status_code == 302
    assert open_task(demo, case.id).bpmn_id == "UT_informativa"


def test_a_task_done_by_someone_else_shows_a_clear_message(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    client = login_as(app.test_client(), "coordinatore")
    assert client.get(f"/tasks/{task.id}").status_code == 200
    demo.tasks.complete(
        task.id, copy.deepcopy(VALID["f2_segnalazione"]), actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    data = {k: str(v) for k, v in VALID["f2_segnalazione"].items()}
    response = client.post(f"/tasks/{task.id}", data={**data, "action": "complete"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'data-testid="conflict"' in html
    assert "già stata completata" in html and "Completa l&#39;attività" not in html
    assert 'data-testid="task-done"' in html


def test_task_of_another_role_or_unknown_task(app: Flask, demo: Engine) -> None:
    task = open_task(demo, start_case(demo).id)
    assert login_as(app.test_client(), "cpi").get(f"/tasks/{task.id}").status_code == 403
    assert login_as(app.test_client(), "coordinatore").get("/tasks/nope").status_code == 404


def test_multi_instance_answer_is_prefilled_from_its_item(app: Flask, demo: Engine) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    # the partners the agreement is addressed to are in the registry, the demo partner acting for them
    for code, kind in (
        ("COMUNE_ANCONA", "istituzione"),
        ("CPI_ANCONA", "centro_impiego"),
        ("COOP_SOLE", "terzo_settore"),
    ):
        demo.registry.add_organisation(code, code, kind, "ATS-Demo", actor=coordinator)
        demo.registry.add_member(code, "partner", actor=coordinator)
    case = demo.cases.start("accordo_partenariato", {"territorio": "ATS-Demo", "titolo": "Accordo"}, actor=coordinator)
    for _ in range(10):
        tasks = demo.cases.get(case.id, actor=CLI_OPERATOR).open_tasks
        answers = [t for t in tasks if t.form_key == "f1_risposta_partner"]
        if answers:
            break
        task = tasks[0]
        demo.tasks.complete(
            task.id,
            copy.deepcopy(VALID[task.form_key or ""]),
            actor=demo.users.get(ROLE_USER[task.role or ""], actor=CLI_OPERATOR),
        )
    answer = answers[0]
    code = answer.context["item"]["codice"]
    html = login_as(app.test_client(), "partner").get(f"/tasks/{answer.id}").get_data(as_text=True)
    assert 'name="codice_partner" id="field-codice_partner"' in html
    assert re.search(rf'name="codice_partner"[^>]*value="{code}"', html)
    assert 'data-testid="task-item"' in html


def test_a_list_of_dates_is_one_date_input_each(app: Flask, demo: Engine) -> None:
    """The verification dates of the personal project: a date input per date (never ISO text in a
    textarea), one empty input for the next; a refused submission keeps each date in its input."""
    case = start_case(demo)
    advance(demo, case.id, "Task_scheda_ingresso")
    entry = open_task(demo, case.id, "Task_scheda_ingresso")
    demo.tasks.complete(
        entry.id, copy.deepcopy(VALID["f5_scheda_ingresso"]), actor=demo.users.get("assistente", actor=CLI_OPERATOR)
    )
    task = open_task(demo, case.id, "Task_progetto")
    client = login_as(app.test_client(), "assistente")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<textarea rows="3" name="date_verifica"' not in html
    assert '<input type="date" name="date_verifica" id="field-date_verifica-0" value=""' in html
    assert "Aggiungi una data" in html
    sample = {k: str(v).lower() if isinstance(v, bool) else v for k, v in VALID["f3_progetto_personalizzato"].items()}
    fields = [(k, v) for k, v in sample.items() if k != "date_verifica"]
    posted = MultiDict(
        [*fields, ("date_verifica", "2026-03-01"), ("date_verifica", ""), ("date_verifica", "2030-01-01")]
    )
    refused = client.post(f"/tasks/{task.id}", data=MultiDict([*posted.items(multi=True), ("action", "complete")]))
    assert refused.status_code == 422  # 2030 is after the project's end
    page = refused.get_data(as_text=True)
    assert "Le date di verifica devono cadere tra inizio e fine del progetto." in page
    kept = re.findall(r'name="date_verifica" id="field-date_verifica-\d+" value="([^"]*)"', page)
    assert kept == ["2026-03-01", "2030-01-01", ""]
    posted.setlist("date_verifica", ["2026-03-01", "", "2026-05-01"])
    done = client.post(f"/tasks/{task.id}", data=MultiDict([*posted.items(multi=True), ("action", "complete")]))
    assert done.status_code == 302
    assert demo.cases.get(case.id, actor=CLI_OPERATOR).data["date_verifica"] == ["2026-03-01", "2026-05-01"]


def test_the_error_summary_links_each_message_to_its_field(app: Flask, demo: Engine) -> None:
    """After a refused submission the summary at the top lists every field message as a link to
    the field (GOV.UK / Designers Italia pattern), and each field carries aria-invalid and is
    described by its own message."""
    case = start_case(demo)
    task = advance(demo, case.id, "UT_did_psp")
    client = login_as(app.test_client(), "cpi")
    sample = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in VALID["f2_did_psp"].items()}
    sample["data_did"] = "ieri"
    html = client.post(f"/tasks/{task.id}", data={**sample, "action": "complete"}).get_data(as_text=True)
    summary = re.search(r'<div class="flash error error-summary"[^>]*data-error-summary>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in html.split("data-error-summary")[0].rsplit("<div", 1)[1]  # it can take the focus
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))
    assert ("field-data_did", "Data della DID: Data non valida (formato AAAA-MM-GG).") in links
    for anchor, _text in links:
        assert f'id="{anchor}"' in html, f"the summary links to #{anchor}, which the page lacks"
    field = re.search(r'<input type="date" name="data_did" id="field-data_did"([^>]*)>', html)
    assert field and 'aria-invalid="true"' in field.group(1)
    described = re.search(r'aria-describedby="([^"]+)"', field.group(1))
    assert described and all(f'id="{ref}"' in html for ref in described.group(1).split())
    assert 'id="err-data_did-1" data-field="data_did">Data non valida' in html


def test_the_error_summary_leads_into_groups_and_lists_too(app: Flask, demo: Engine) -> None:
    """A message on a list of dates links to its first date input; a message inside a row of a
    list of objects names the list and the row."""
    from web.schema_form import error_links, widgets

    schema = demo.tasks.form_schema("f3_progetto_personalizzato")
    with app.test_request_context():
        found = error_links(widgets(schema, {}, {"date_verifica": ["Fuori dal progetto."]}))
    assert [(e.anchor, e.message) for e in found] == [("field-date_verifica-0", "Fuori dal progetto.")]
    rows = demo.tasks.form_schema("f1_analisi_contesto")
    listed = next(k for k, n in rows["properties"].items() if n.get("type") == "array" and "properties" in n["items"])
    inner = next(iter(rows["properties"][listed]["items"]["properties"]))
    with app.test_request_context():
        nested = error_links(widgets(rows, {listed: [{}]}, {listed: {0: {inner: ["Campo obbligatorio."]}}}))
    assert [e.anchor for e in nested] == [f"field-{listed}-0-{inner}"]
    assert ", elemento 1 – " in nested[0].label
