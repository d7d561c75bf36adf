"""Case data as people read it: a case walked through F2 into F3 shows, on the case page and in
the task sidebar, labels instead of variable names and option labels instead of codes, dates as
gg/mm/aaaa, money as € 3.600,50, yes/no in Italian; the phases are grouped, the current one open;
the API gives every field's label and readable value."""

from __future__ import annotations

import copy
import html as html_lib
import re

from flask import Flask

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.support.people import ensure_person
from tests.web.conftest import ROLE_USER, VALID, advance, login_as, open_task, start_case

TAGS = re.compile(r"<[^>]+>")
HIDDEN_BLOCKS = re.compile(r"<(script|style|head)\b.*?</\1>", re.S)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE_CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


def visible_text(page: str) -> str:
    """What a person sees: no tags, attributes, scripts or styles."""
    return html_lib.unescape(TAGS.sub(" ", HIDDEN_BLOCKS.sub(" ", page)))


def walk_into_f3(demo: Engine) -> int:
    """F2 from referral to the communicated outcome, the ESF+ entry form, then the personal
    project (budget € 3.600,50): the case page has data of three phases."""
    case = start_case(demo, "BEN-LEGGIBILE")
    advance(demo, case.id, "Task_scheda_ingresso")
    for bpmn_id, extra in (("Task_scheda_ingresso", {}), ("Task_progetto", {"budget_euro": 3600.5})):
        task = open_task(demo, case.id, bpmn_id)
        data = {**copy.deepcopy(VALID[task.form_key or ""]), **extra}
        demo.tasks.complete(task.id, data, actor=demo.users.get(ROLE_USER[task.role or ""], actor=CLI_OPERATOR))
    return case.id


def assert_readable(text: str, data: dict[str, object]) -> None:
    raw_keys = sorted(k for k in data if "_" in k and re.search(rf"\b{re.escape(k)}\b", text))
    assert raw_keys == [], f"variable names shown: {raw_keys}"
    codes = sorted(set(SNAKE_CODE.findall(text)))
    assert codes == [], f"option codes shown: {codes}"
    assert ISO_DAY.findall(text) == [], "ISO dates shown"


def test_case_page_shows_labels_and_italian_formats(app: Flask, demo: Engine) -> None:
    case_id = walk_into_f3(demo)
    data = demo.cases.get(case_id, actor=CLI_OPERATOR).data
    page = login_as(app.test_client(), "assistente").get(f"/cases/{case_id}").get_data(as_text=True)
    text = visible_text(page)
    assert_readable(text, data)
    assert "€ 3.600,50" in text.replace("\xa0", " ")
    day = data["data_segnalazione"]
    assert isinstance(day, str)
    assert f"{day[8:10]}/{day[5:7]}/{day[:4]}" in text
    assert "Motivo dell'invio" in text and "Ricerca di lavoro" in text  # label and option label
    assert "Categoria presunta" in text and "Lavoratore svantaggiato (Reg. UE 651/2014)" in text
    # grouped by phase: the current phase (F3) open, F2 collapsed, the case's own data first
    phases = re.findall(r'<details class="phase"( open)? data-phase="(F\d|)"', page)
    assert phases[0] == (" open", "") and (" open", "F3") in phases and ("", "F2") in phases
    assert [p for _, p in phases].index("F3") < [p for _, p in phases].index("F2")  # newest first
    assert "storico_stati" not in text and "Storico degli stati" in text
    assert "round_rivalutazione" not in data or "Rivalutazioni" not in text  # bookkeeping hidden


def test_task_sidebar_and_api_are_readable(app: Flask, demo: Engine) -> None:
    case_id = walk_into_f3(demo)
    data = demo.cases.get(case_id, actor=CLI_OPERATOR).data
    task = demo.cases.get(case_id, actor=CLI_OPERATOR).open_tasks[0]
    client = login_as(app.test_client(), ROLE_USER[task.role or ""])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    sidebar = page[page.index('<aside class="case-summary">') :]
    assert_readable(visible_text(sidebar), data)
    token = demo.accounts.create_token("test", actor=demo.users.get("assistente", actor=CLI_OPERATOR))[1]
    response = app.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    shown = response.get_json()
    assert shown["labels"]["motivo_invio"] == "Motivo dell'invio"
    assert shown["display"]["motivo_invio"] == "Ricerca di lavoro"
    assert shown["display"]["budget_euro"].replace("\xa0", " ") == "€ 3.600,50"


def test_decision_task_shows_the_proposal_above_the_form_and_instructions_once(app: Flask, demo: Engine) -> None:
    case = start_case(demo, "BEN-DECIDE")
    task = advance(demo, case.id, "UT_conferma_esito")
    data = demo.cases.get(case.id, actor=CLI_OPERATOR).data
    client = login_as(app.test_client(), ROLE_USER[task.role or ""])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert page.index('data-testid="decision"') < page.index('id="task-form"')
    block = visible_text(page[page.index('data-testid="decision"') : page.index('id="task-form"')])
    assert "Esito proposto" in block and "Idoneo – inserimento lavorativo" in block
    assert "Motivazione della proposta" in block and "Requisiti di legge riscontrati" in block
    assert "Reg. (UE) 651/2014 art. 2 n. 4 lett. a" in block and "Lavoratore svantaggiato" in block
    text = visible_text(page)
    assert text.count("Istruzioni") == 1 and "GDPR art. 22" in text
    assert "Priorità: normale" in re.sub(r"\s+", " ", text)  # not the diagram's number 0
    assert_readable(text, data)  # the form, the block and the instructions name no variable or code
    # other tasks have no decision block
    other = advance(demo, start_case(demo, "BEN-ALTRO").id, "UT_segnalazione")
    plain = login_as(app.test_client(), ROLE_USER[other.role or ""]).get(f"/tasks/{other.id}").get_data(as_text=True)
    assert 'data-testid="decision"' not in plain


def test_diagrams_are_titled_by_their_process_names(app: Flask, demo: Engine) -> None:
    case = start_case(demo, "BEN-DIAGRAMMA")
    advance(demo, case.id, "UT_informativa")
    diagrams = login_as(app.test_client(), "assistente").get(f"/cases/{case.id}/diagram.json").get_json()
    names = {d["process_id"]: d["name"] for d in diagrams}
    assert names["valutazione_bisogno"] != "valutazione_bisogno" and "_" not in names["percorso_beneficiario"]
    # lanes are drawn with the role's label, not its code
    xml = next(d["xml"] for d in diagrams if d["process_id"] == "valutazione_bisogno")
    assert 'name="assistente_sociale"' not in xml and 'name="Assistente sociale' in xml


def test_pdf_dossier_shows_labels_local_times_and_option_labels(app: Flask, demo: Engine) -> None:
    import pypdfium2

    case = start_case(demo, "BEN-FASCICOLO")
    advance(demo, case.id, "UT_analisi_preliminare")
    data = demo.cases.get(case.id, actor=CLI_OPERATOR).data
    pdf = login_as(app.test_client(), "auditor").get(f"/cases/{case.id}/dossier.pdf").data
    document = pypdfium2.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    text = re.sub(r"\s+", " ", text)
    assert "Motivo dell'invio: Ricerca di lavoro" in text and "Urgenza: Ordinaria" in text
    assert "Processo Percorso del beneficiario" in text  # the process's title, not its id
    # the auditor may not see some values (masked in the copy): the stored chain is still intact
    assert "Verifica della catena integra" in text
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} CES?T", text), "times in Europe/Rome with the zone"
    assert "In corso" in text and "running" not in text
    assert_readable(text, data)


def test_english_mode_shows_english_options_and_data(app: Flask, demo: Engine) -> None:
    case = start_case(demo, "BEN-ENGLISH")
    task = advance(demo, case.id, "UT_segnalazione")
    client = login_as(app.test_client(), ROLE_USER[task.role or ""])
    form = visible_text(client.get(f"/tasks/{task.id}?lang=en").get_data(as_text=True))
    assert "Looking for work" in form and "Ricerca di lavoro" not in form
    assert "Referral form" in form  # the form's English title
    assert "Task names and instructions come from the process diagrams and are in Italian only." in form
    advance(demo, case.id, "UT_informativa")
    page = visible_text(client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True))
    assert "Reason for referral" in page and "Looking for work" in page and "F2 · Needs assessment" in page


def test_api_input_messages_are_italian(app: Flask, demo: Engine) -> None:
    token = demo.accounts.create_token("test", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    bad = client.post("/api/v1/cases", json={"process_id": 5, "extra": 1}, headers=headers).get_json()
    messages = [m for ms in bad["errors"].values() for m in ms]
    assert "Campo non previsto." in messages and "Inserire un testo." in messages, bad
    limit = client.get("/api/v1/cases?limit=0", headers=headers).get_json()
    assert not [m for ms in limit["errors"].values() for m in ms if "Must be" in m], limit


def test_choosing_the_instrument_shows_what_the_decision_table_found(app: Flask, demo: Engine) -> None:
    case_id = walk_into_f3(demo)  # the personal project done: the instrument is chosen next
    task = open_task(demo, case_id, "Task_strumento")
    page = login_as(app.test_client(), ROLE_USER[task.role or ""]).get(f"/tasks/{task.id}").get_data(as_text=True)
    block = visible_text(page[page.index('data-testid="decision"') : page.index('id="task-form"')])
    assert "Tipo di tirocinio" in block and "Tirocinio extracurricolare" in block
    assert "Durata massima (mesi)" in block and "Incentivi applicabili" in block


def test_a_task_shows_what_it_needs_to_know_first(app: Flask, demo: Engine) -> None:
    """Communicating the outcome: the outcome and its reasons above the form, under their own
    heading (it is not a decision)."""
    case = start_case(demo, "BEN-COMUNICA")
    task = advance(demo, case.id, "UT_comunicazione_esito")
    page = login_as(app.test_client(), ROLE_USER[task.role or ""]).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="decision"' not in page
    block = visible_text(page[page.index('data-testid="briefing"') : page.index('id="task-form"')])
    assert "Da sapere per questa attività" in block
    assert "Esito della valutazione" in block and "Idoneo – inserimento lavorativo" in block


def test_api_choice_messages_name_the_allowed_values(app: Flask, demo: Engine) -> None:
    token = demo.accounts.create_token("test", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))[1]
    body = app.test_client().get("/api/v1/cases?status=bogus", headers={"Authorization": f"Bearer {token}"}).get_json()
    [message] = body["errors"]["status"]
    assert message.startswith("Valore non ammesso. Valori validi: ") and "running" in message, message


def test_the_audit_timeline_names_the_recorded_identity_fields(app: Flask, demo: Engine) -> None:
    """The event of a recorded identity lists which fields were written, by their labels (the
    values never reach the timeline)."""
    case = start_case(demo, "BEN-ANAGRAFE")
    ensure_person(demo, case.id)
    page = login_as(app.test_client(), "auditor").get(f"/cases/{case.id}/timeline?kind=person_recorded")
    shown = visible_text(page.get_data(as_text=True))
    assert "Dati registrati" in shown and "Persona (pseudonimo)" in shown
    for label in ("Cognome", "Nome", "Data di nascita", "Sesso"):  # the sample person's fields
        assert label in shown, label
    for name in ("campi", "cognome", "nome", "sesso", "avvisi_confermati", "Data nascita"):
        assert not re.search(rf"(?<![\w/]){name}\b", shown), name
