"""In a real browser, as the people who do the work: the social worker, the coordinator, the job
centre's officer and the équipe walk one beneficiary from the referral to the start of a
traineeship using only what the pages show — fields found by their Italian labels, options chosen
by their Italian text, tasks opened by their names. On the way:

- no variable name, option code or ISO date is visible on the case page or on any task page
  (the page's text is checked against every field name and option code of the forms);
- "Conferma dell'esito" shows the proposal it decides on above the form;
- completing a task opens the same person's next task in the same case when there is one;
- once the traineeship has started, a withdrawal recorded from the case page ends the path with
  the ESF+ exit form.

Screenshots of the inbox, a task form and the case page at 1366 and 390 px go to test-output/;
at 390 px each page is as wide as the viewport.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine import Engine
from engine.forms import json_schema, known_forms
from engine.policy import CLI_OPERATOR
from tests.web.conftest import make_app
from tests.web.live import SHOTS, TIMEOUT, chromium, login, logout, serve, settle
from tests.web.test_person_pages import PERSON

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PSEUDONYM = "BEN-TIROCINIO"
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
Answers = dict[str, Any]  # field label → value (text, True/False, an option's text, a list of option texts)


def raw_words() -> tuple[set[str], set[str]]:
    """Every form's field names and option codes: the words a person must never read. Codes that
    are words of the labels themselves (``PEC``, ``TIS`` in "(TIS)", ``INAIL``) are left out."""
    names: set[str] = set()
    codes: set[str] = set()
    labels: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        for name, prop in node.get("properties", {}).items():
            names.add(name)
            for part in (prop, prop.get("items", {})):
                labels.extend(str(x) for x in [part.get("title", ""), part.get("description", "")])
                labels.extend(str(x) for x in part.get("x-enum-labels", []))
                codes.update(str(c) for c in part.get("enum", []) if c and len(str(c)) >= 3)
                walk(part)

    for key in known_forms():
        walk(json_schema(key))
    words = set(re.findall(r"\w+", " ".join(labels)))
    return {n for n in names if "_" in n}, codes - words


NAMES, CODES = raw_words()


def assert_no_raw_words(page: Page, where: str) -> None:
    text = page.locator("body").inner_text()
    shown = sorted({w for w in SNAKE.findall(text)} | {c for c in CODES if re.search(rf"\b{re.escape(c)}\b", text)})
    assert not shown, f"{where} shows variable names or option codes: {shown}"
    assert not [n for n in NAMES if n in text], where
    assert not ISO_DAY.findall(text), f"{where} shows ISO dates: {ISO_DAY.findall(text)}"


def labelled(label: str) -> re.Pattern[str]:
    """A field's label as shown, with the required mark after it or not."""
    return re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$")


def answer(page: Page, answers: Answers) -> None:
    """Fill the task form the way a person does: each field found by its label."""
    form = page.locator("#task-form")
    for label, value in answers.items():
        if isinstance(value, bool):
            box = form.get_by_label(labelled(label))
            box.check() if value else box.uncheck()
        elif isinstance(value, list):  # a group of choices, or a list of dates
            group = form.locator("fieldset", has=page.locator("legend", has_text=labelled(label)))
            for index, item in enumerate(value):
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):  # one date input each
                    if index:
                        group.get_by_role("button", name="Aggiungi una data").click()
                    group.locator("input[type=date]").nth(index).fill(item)
                else:
                    group.get_by_label(item, exact=True).check()
        else:
            field = form.get_by_label(labelled(label))
            if field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(label=str(value))
            else:
                field.fill(str(value))


def complete(page: Page, name: str, answers: Answers, shot: str | None = None) -> None:
    """On the open task page ``name``: check it reads as Italian, fill it, complete it."""
    expect(page.locator("h1")).to_have_text(name)
    assert_no_raw_words(page, f"the task page «{name}»")
    answer(page, answers)
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    page.get_by_role("button", name="Completa l'attività").click()
    expect(page.locator(".flash.info").first).to_contain_text(f"Attività «{name}» completata.")


def take(page: Page, base: str, name: str) -> None:
    """From the inbox: the task of this case named ``name``, taken in charge (which opens it)."""
    page.goto(f"{base}/inbox")
    row = page.locator("table.tasks tbody tr", has=page.get_by_role("link", name=name, exact=True)).filter(
        has_text=PSEUDONYM
    )
    row.get_by_role("button", name="Prendi in carico").click()
    expect(page.locator("h1")).to_have_text(name)


def steps(today: dt.date) -> dict[str, Answers]:
    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    return {
        "Scheda di segnalazione": {
            "Data della segnalazione": day(-30),
            "Servizio inviante": "Servizio sociale (Comune/ATS)",
            "Referente del servizio inviante": "Dott.ssa Bianchi",
            "Motivo dell'invio": "Ricerca di lavoro",
            "Categoria presunta": "Lavoratore svantaggiato (Reg. UE 651/2014)",
            "Urgenza": "Ordinaria",
        },
        "Informativa privacy e consensi": {
            "Informativa": "Art. 13 GDPR (dati raccolti presso l'interessato)",
            "Versione dell'informativa": "v2.1",
            "Data di consegna": day(-29),
            "Firmatario": "Interessato",
            "Condivisione prevista con un ospitante privato": True,
            "Consenso alla condivisione con l'ospitante": True,
            "Consenso al ricontatto per il follow-up": True,
        },
        "Verifica della documentazione": {
            "Data della verifica": day(-28),
            "Documentazione completa": True,
        },
        "Analisi preliminare": {
            "Data dell'analisi": day(-26),
            "Percorso indicato": "Inserimento lavorativo",
            "Autonomia lavorativa": "Adeguata",
        },
        "DID, profilazione e Patto di servizio": {
            "Data della DID": day(-27),
            "Negli ultimi 12 mesi ha avuto un contratto di lavoro subordinato di almeno 6 mesi": True,
            "Negli ultimi 24 mesi ha avuto un contratto di lavoro subordinato di almeno 6 mesi": True,
            "Diploma di scuola secondaria superiore o qualifica professionale (ISCED 3)": True,
            "Classe di profilazione": "Alta",
            "Patto di servizio sottoscritto": True,
            "Data del Patto di servizio": day(-25),
            "Operatore CPI responsabile": "Paolo Operatore CPI",
        },
        "Conferma dell'esito": {"Decisione sulla proposta": "Confermo la proposta", "Data": day(-24)},
        "Comunicazione dell'esito": {
            "Protocollo della scheda di valutazione multidimensionale": "PG 2026/99",
            "Comunicato al beneficiario il": day(-23),
            "Comunicato al servizio inviante il": day(-23),
            "Canale": "Colloquio",
        },
        "Compila la scheda di ingresso ESF+": {
            "Data di ingresso nel programma": day(-22),
            "Condizione occupazionale all'ingresso": "Disoccupato",
            "Mesi di disoccupazione": "10",
            "Titolo di studio più alto": "Diploma o qualifica (ISCED 3–4)",
            "Persona con disabilità (dichiarata)": "No",
            "Cittadinanza": "Italiana",
            "Origine straniera": "No",
            "Appartenenza a una minoranza (autodichiarata)": "Preferisce non dichiarare",
            "Condizione abitativa (ETHOS)": "Nessuna esclusione abitativa",
            "Comune di residenza (codice ISTAT)": "042002",
        },
        "Redigi il progetto personalizzato": {
            "Obiettivi (SMART)": "Acquisire competenze di magazzino entro 6 mesi",
            "Azioni e responsabili": "Tirocinio con tutoraggio settimanale",
            "Risorse": "Tutor del promotore, job coach",
            "Budget (€)": "3600",
            "Indicatori": "Presenza almeno 70%, valutazione del tutor",
            "Impegni della persona": "Frequenza regolare",
            "Data di inizio": day(-20),
            "Data di fine": day(180),
            "Date di verifica": [day(60), day(120)],
            "Consenso alla condivisione con l'ospitante": True,
        },
        "Scegli lo strumento di inserimento": {
            "Strumento": "Tirocinio extracurricolare",
            "Incentivi verificati": ["Nessun incentivo"],
            "Motivazione della scelta": "Profilo adatto a un tirocinio in magazzino",
        },
        "Abbina l'impresa ospitante o mentor": {
            "Esito dell'abbinamento": "Impresa disponibile",
            "Impresa ospitante": "Logistica Demo srl",
            "Tutor aziendale": "Tommaso Tutor Aziendale",
            "Analisi del posto di lavoro": "Magazzino, turno diurno, accessibile",
            "Accessibilità verificata": True,
        },
        "Raccogli l'adesione e la firma del patto": {
            "Decisione della persona": "Firma il progetto",
            "Data della firma": day(-15),
            "Documenti firmati": ["Progetto personalizzato", "Bozza di PFI"],
        },
        "Firma convenzione e progetto formativo (PFI)": {
            "Tipo di tirocinio": "Tirocinio extracurricolare",
            "Numero di convenzione": "CONV-2026-12",
            "Data della convenzione": day(-10),
            "Soggetto promotore": "Ente capofila",
            "Soggetto ospitante": "Logistica Demo srl",
            "Settore ATECO": "52.10",
            "Sede del tirocinio": "Ancona",
            "Ore settimanali": "25",
            "Data di inizio": day(-1),
            "Data di fine prevista": day(180),
            "Durata (mesi)": "6",
            "Indennità mensile (€)": "500",
            "Posizione INAIL": "INAIL-2026-12",
            "Polizza RC": "RC-2026-12",
            "Tutor del promotore": "Lucia Bianchi",
            "Tutor aziendale": "Tommaso Tutor Aziendale",
            "Obiettivi e competenze": "Gestione del magazzino e degli ordini",
        },
        "Registra la comunicazione obbligatoria di avvio": {
            "Comunicazione": "UniLav inviato",
            "Codice comunicazione": "UL-2026-12",
            "Data di invio": day(-2),
            "Data effettiva di avvio": day(-1),
        },
        "Registra la rinuncia e la cessazione": {
            "Motivo della rinuncia": "Ha trovato un altro lavoro",
            "La persona ha dato preavviso": True,
            "Comunicazione obbligatoria di cessazione inviata": True,
            "Data della comunicazione di cessazione": day(0),
        },
        "Compila la scheda di uscita": {
            "Data di uscita": day(0),
            "Data di rilevazione": day(0),
            "Motivo dell'uscita": "Rinuncia",
            "In cerca di lavoro (EECR01)": True,
            "Fonte del dato": "Documentazione del percorso",
        },
    }


def test_three_actors_walk_a_beneficiary_to_the_traineeship_by_labels_in_the_browser(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    users = ("assistente", "coordinatore", "cpi", "equipe")
    passwords = {u: with_password(u) for u in users}
    forms = steps(demo.now().date())
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

        def act_as(user: str) -> None:
            if page.get_by_test_id("current-user").count():
                logout(page)
            login(page, base, user, passwords[user])

        def do(name: str, shot: str | None = None) -> None:
            complete(page, name, forms[name], shot)

        # The social worker opens the path from "Nuovo caso": the beneficiary path is offered first.
        act_as("assistente")
        page.get_by_role("link", name="Nuovo caso").click()
        expect(page.get_by_label("Processo")).to_have_value("percorso_beneficiario")  # the default
        page.get_by_label("Processo").select_option(label="Percorso del beneficiario (F2–F5)")
        page.get_by_label("Pseudonimo del beneficiario").fill(PSEUDONYM)
        page.get_by_role("button", name="Avvia il caso").click()
        # the person's identity form follows the referral (its checks are walked in
        # test_browser_person.py); the ESF+ entry sheet later takes birth date and sex from it
        expect(page.locator("h1")).to_have_text("Dati anagrafici della persona segnalata")
        form = page.get_by_test_id("person-form")
        for field, value in PERSON.items():
            if not value:
                continue
            if field == "sesso":
                form.locator("#sesso").select_option(value)
            else:
                form.locator(f"#{field}").fill(value)
        form.get_by_role("button", name="Registra i dati anagrafici").click()
        expect(page.locator(".flash.info").first).to_contain_text("Dati anagrafici registrati.")
        case_url = page.url.removesuffix("/persona")
        page.goto(case_url)
        expect(page.locator("h1")).to_contain_text(PSEUDONYM)
        assert_no_raw_words(page, "the new case page")

        # The coordinator takes the referral from the inbox; each next step opens by itself.
        act_as("coordinatore")
        take(page, base, "Scheda di segnalazione")
        do("Scheda di segnalazione")
        do("Informativa privacy e consensi")
        do("Verifica della documentazione")
        expect(page.locator("h1")).to_have_text("Attività")  # nothing more of theirs: back to the inbox

        # The social worker and the job centre's officer work the two parallel branches.
        act_as("assistente")
        take(page, base, "Analisi preliminare")
        do("Analisi preliminare", shot="walk-task-1366.png")
        act_as("cpi")
        take(page, base, "DID, profilazione e Patto di servizio")
        do("DID, profilazione e Patto di servizio")

        # The social worker reviews the proposed outcome (GDPR art. 22), shown above the form,
        # then every next step of theirs opens in turn, into the design phase.
        act_as("assistente")
        take(page, base, "Conferma dell'esito")
        decision = page.get_by_test_id("decision")
        expect(decision).to_contain_text("Su che cosa decidi")
        expect(decision).to_contain_text("Esito proposto")
        expect(decision).to_contain_text("Idoneo")
        do("Conferma dell'esito")
        do("Comunicazione dell'esito")
        do("Compila la scheda di ingresso ESF+")
        do("Redigi il progetto personalizzato")

        act_as("equipe")
        take(page, base, "Scegli lo strumento di inserimento")
        do("Scegli lo strumento di inserimento")
        act_as("coordinatore")
        take(page, base, "Abbina l'impresa ospitante o mentor")
        do("Abbina l'impresa ospitante o mentor")
        act_as("assistente")
        take(page, base, "Raccogli l'adesione e la firma del patto")
        do("Raccogli l'adesione e la firma del patto")

        # The coordinator signs the agreement and records the start: the traineeship has begun.
        act_as("coordinatore")
        take(page, base, "Firma convenzione e progetto formativo (PFI)")
        do("Firma convenzione e progetto formativo (PFI)")
        do("Registra la comunicazione obbligatoria di avvio")
        page.goto(case_url)
        outlook = page.get_by_test_id("case-outlook")  # the first month of the traineeship runs
        expect(outlook).to_contain_text("Scadenza «Fine del mese»")
        expect(outlook).to_contain_text("In attesa del messaggio «Rinuncia della persona»")
        assert_no_raw_words(page, "the case page in the traineeship")
        page.screenshot(path=str(SHOTS / "walk-case-1366.png"), full_page=True)

        # The person withdraws: recorded from the case page, behind its confirmation.
        actions = page.get_by_test_id("case-actions")
        actions.get_by_text("Registra la rinuncia della persona").first.click()
        withdraw = page.get_by_test_id("action-withdraw")
        withdraw.get_by_label("Data della rinuncia").fill(demo.now().date().isoformat())
        withdraw.get_by_label("Motivo").fill("Ha trovato un altro lavoro")
        withdraw.get_by_label("Confermo", exact=False).check()
        withdraw.get_by_role("button", name="Registra la rinuncia della persona").click()
        expect(page.locator(".flash.info").first).to_contain_text("Rinuncia registrata")
        open_tasks = page.get_by_test_id("open-tasks")
        open_tasks.get_by_role("link", name="Registra la rinuncia e la cessazione").click()
        # the date the withdrawal gave is not typed again
        expect(page.locator("#task-form").get_by_label(labelled("Data della rinuncia"))).to_have_value(
            demo.now().date().isoformat()
        )
        do("Registra la rinuncia e la cessazione")

        # The social worker ends the path with the ESF+ exit form.
        act_as("assistente")
        page.goto(f"{base}/inbox")
        page.screenshot(path=str(SHOTS / "walk-inbox-1366.png"), full_page=True)
        take(page, base, "Compila la scheda di uscita")
        exit_url = page.url
        for width, height in ((390, 844), (1366, 900)):  # the phone first: the task still open
            page.set_viewport_size({"width": width, "height": height})
            for name, url in (("inbox", f"{base}/inbox"), ("task", exit_url), ("case", case_url)):
                page.goto(url)
                settle(page)
                if width == 390:
                    page.screenshot(path=str(SHOTS / f"walk-{name}-390.png"), full_page=True)
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll == 390, f"the {name} page is {scroll} px wide at 390 px"
        page.goto(exit_url)
        do("Compila la scheda di uscita", shot="walk-exit-form-1366.png")

        page.goto(case_url)
        assert_no_raw_words(page, "the case page after the exit")
        outlook = page.get_by_test_id("case-outlook")
        expect(outlook).to_contain_text("Scadenza")  # the 6-month follow-up
        expect(page.locator("main")).to_contain_text("Scheda di uscita")
        expect(page.locator("main")).to_contain_text("Rinuncia")
        assert not blocked, blocked

    [case] = demo.cases.list(process_id="percorso_beneficiario", actor=CLI_OPERATOR)
    data = demo.cases.get(case.id, actor=CLI_OPERATOR).data
    assert data["motivo_uscita"] == "RINUNCIA" and data["esito_attuazione"] == "ABBANDONO"
