"""End to end in a real browser: three actors walk one beneficiary case from referral to the
design phase through the inbox and the task forms, with one rejected submission whose field
message shows next to its field. Screenshots go to test-output/ (gitignored)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import VALID, make_app
from tests.web.live import SHOTS, TIMEOUT, chromium, login, logout, serve
from tests.web.test_person_pages import PERSON


def fill(page: Page, data: dict[str, Any]) -> None:
    """Type a form's sample values into the rendered inputs, the way a person would."""
    form = page.locator("#task-form")
    for key, value in data.items():
        if isinstance(value, bool):
            box = form.locator(f'input[type=checkbox][name="{key}"]')
            box.check() if value else box.uncheck()
        elif isinstance(value, list):
            for item in value:
                form.locator(f'input[type=checkbox][name="{key}"][value="{item}"]').check()
        else:
            field = form.locator(f'[name="{key}"]')
            tag = field.evaluate("el => el.tagName")
            if tag == "SELECT":
                field.select_option(str(value))
            else:
                field.fill(str(value))


def do_task(page: Page, base: str, name: str, form_key: str, shot: str | None = None) -> None:
    page.goto(f"{base}/inbox?tab=role")
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.locator("h1")).to_have_text(name)
    fill(page, copy.deepcopy(VALID[form_key]))
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    page.get_by_role("button", name="Completa l'attività").click()
    expect(page.locator(".flash.info").first).to_contain_text("completata")


def test_three_actors_walk_a_case_from_referral_to_design(demo: Engine, with_password: Callable[[str], str]) -> None:
    SHOTS.mkdir(exist_ok=True)
    passwords = {u: with_password(u) for u in ("assistente", "coordinatore", "cpi")}
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

        # The social worker opens the case (the partnership of the territory is active).
        login(page, base, "assistente", passwords["assistente"])
        page.get_by_role("link", name="Nuovo caso").click()
        page.select_option("#process_id", "percorso_beneficiario")
        page.fill("#beneficiario_pseudonimo", "BEN-E2E-01")
        page.get_by_role("button", name="Avvia il caso").click()
        # a referral leads to the person's identity form (tests/web/test_browser_person.py); here skipped
        expect(page.locator("h1")).to_have_text("Dati anagrafici della persona segnalata")
        page.get_by_role("link", name="Annulla").click()
        expect(page.locator("h1")).to_contain_text("Caso n.")
        case_url = page.url
        # the identity the form would have recorded (the preliminary analysis reads the age from it)
        social = demo.users.get("assistente", actor=CLI_OPERATOR)
        demo.people.record(int(case_url.rstrip("/").rsplit("/", 1)[-1]), PERSON, actor=social)
        logout(page)

        # The coordinator: one rejected submission first, with its field message and input kept.
        login(page, base, "coordinatore", passwords["coordinatore"])
        page.goto(f"{base}/inbox?tab=role")
        expect(page.get_by_test_id("count-role")).to_have_text("1")
        page.get_by_role("link", name="Scheda di segnalazione", exact=True).click()
        page.fill('[name="data_segnalazione"]', "2026-01-10")
        page.fill('[name="referente_inviante"]', "Dott.ssa Bianchi")
        page.get_by_role("button", name="Completa l'attività").click()
        expect(page.get_by_test_id("form-invalid")).to_be_visible()
        message = page.locator('.field[data-key="servizio_inviante"] .field-error')
        expect(message).to_have_text("Campo obbligatorio.")
        expect(page.locator('[name="data_segnalazione"]')).to_have_value("2026-01-10")
        expect(page.locator('[name="servizio_inviante"]')).to_have_attribute("aria-invalid", "true")
        page.screenshot(path=str(SHOTS / "01-segnalazione-rifiutata.png"), full_page=True)
        fill(page, copy.deepcopy(VALID["f2_segnalazione"]))
        page.get_by_role("button", name="Completa l'attività").click()
        expect(page.locator(".flash.info").first).to_contain_text("completata")
        do_task(page, base, "Informativa privacy e consensi", "f2_informativa_consensi")
        do_task(page, base, "Verifica della documentazione", "f2_verifica_documenti")
        logout(page)

        # The social worker and the job-centre officer work the two parallel branches.
        login(page, base, "assistente", passwords["assistente"])
        do_task(page, base, "Analisi preliminare", "f2_analisi_preliminare", shot="02-analisi-preliminare.png")
        logout(page)
        login(page, base, "cpi", passwords["cpi"])
        do_task(page, base, "DID, profilazione e Patto di servizio", "f2_did_psp")
        logout(page)

        # The social worker confirms the outcome, communicates it and fills the ESF+ entry form.
        login(page, base, "assistente", passwords["assistente"])
        do_task(page, base, "Conferma dell'esito", "f2_conferma_esito")
        do_task(page, base, "Comunicazione dell'esito", "f2_comunicazione_esito")
        do_task(page, base, "Compila la scheda di ingresso ESF+", "f5_scheda_ingresso")

        # The case has reached the design phase: a progettazione task is open.
        page.goto(case_url)
        open_tasks = page.get_by_test_id("open-tasks")
        expect(open_tasks).to_contain_text("F3 – Progettazione")
        expect(page.locator("#diagrams")).to_have_attribute("data-ready", "true")
        expect(page.locator(".diagram[data-rendered=true]").first).to_be_visible()
        assert page.locator(".djs-element.done").count() > 0
        assert page.locator(".djs-element.active").count() > 0
        page.screenshot(path=str(SHOTS / "03-caso-in-progettazione.png"), full_page=True)
        page.goto(f"{base}/inbox?tab=role")
        page.screenshot(path=str(SHOTS / "04-inbox-progettazione.png"), full_page=True)
        assert not violations, violations

    [case] = demo.cases.list(
        process_id="percorso_beneficiario", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    tasks = demo.cases.get(case.id, actor=CLI_OPERATOR).open_tasks
    assert {t.process_id for t in tasks} == {"progettazione"}
