"""In a real browser: a social worker refers a person from "Nuovo caso", lands on the identity
form, types a codice fiscale with a wrong check character and reads the Italian message next to
the field, corrects it, and the saved person page warns that the same person already has a case
(the earlier referral by a colleague). Screenshots at 1366 and 390 px go to test-output/
(gitignored); at 390 px the pages are no wider than the viewport; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import advance, make_app, start_case
from tests.web.live import SHOTS, TIMEOUT, chromium, login, serve
from tests.web.test_browser_accessibility import violations
from tests.web.test_person_pages import PERSON


def test_identity_form_with_a_wrong_code_then_the_repeat_warning_in_the_browser(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    demo.users.add("bruno", "Bruno Assistente", [("assistente_sociale", TERRITORY)], actor=CLI_OPERATOR)
    earlier = start_case(demo, "BEN-PRIMA")  # a colleague's earlier referral of the same person
    demo.people.record(earlier.id, PERSON, actor=demo.users.get("assistente", actor=CLI_OPERATOR))
    password = with_password("bruno")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        csp: list[str] = []
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        login(page, base, "bruno", password)

        page.get_by_role("link", name="Nuovo caso").click()
        page.select_option("#process_id", "percorso_beneficiario")
        page.fill("#beneficiario_pseudonimo", "BEN-SECONDA")
        page.get_by_role("button", name="Avvia il caso").click()
        expect(page.locator("h1")).to_have_text("Dati anagrafici della persona segnalata")

        form = page.get_by_test_id("person-form")
        for name, value in PERSON.items():
            if not value:
                continue
            if name == "sesso":
                form.locator("#sesso").select_option(value)
            else:
                form.locator(f"#{name}").fill(value)
        form.locator("#codice_fiscale").fill("rccmnl83s18d969a")  # a slip on the check character
        form.get_by_role("button", name="Registra i dati anagrafici").click()

        message = page.locator(".field.has-error:has(#codice_fiscale) .field-error")
        expect(message).to_have_text("Il carattere di controllo del codice fiscale non è corretto.")
        expect(page.get_by_test_id("form-invalid")).to_contain_text("Correggi i campi indicati")
        expect(page.locator("#cognome")).to_have_value("Roccaforte")  # nothing typed is lost
        page.screenshot(path=str(SHOTS / "person-form-1366.png"), full_page=True)
        serious = violations(page)

        page.locator("#codice_fiscale").fill("RCCMNL83S18D969H")
        page.get_by_role("button", name="Registra i dati anagrafici").click()

        expect(page.locator(".flash.info").first).to_contain_text("Dati anagrafici registrati.")
        warning = page.get_by_test_id("repeat-warning")
        expect(warning).to_contain_text("Segnalazione ripetuta.")
        expect(warning).to_contain_text(f"Caso n. {earlier.id} – in corso, {TERRITORY}")
        expect(warning).to_contain_text("responsabile: assistente")
        expect(page.get_by_test_id("identity")).to_contain_text("RCCMNL83S18D969H")
        page.screenshot(path=str(SHOTS / "person-page-1366.png"), full_page=True)
        serious += violations(page)
        person_url = page.url

        page.set_viewport_size({"width": 390, "height": 844})
        for name, url in (
            ("person-page-390", person_url),
            ("person-form-390", f"{person_url}/modifica"),
            ("person-case-390", person_url.removesuffix("/persona")),
        ):
            page.goto(url)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name} is {width} px wide at 390 px"
        expect(page.get_by_test_id("case-person")).to_contain_text("Roccaforte Emanuele")
        assert not csp, csp
        assert serious == [], serious


def test_the_esf_entry_task_shows_age_and_gender_from_the_person_record(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    case_id = start_case(demo, "BEN-ESF").id
    demo.people.record(case_id, PERSON, actor=demo.users.get("assistente", actor=CLI_OPERATOR))
    task = advance(demo, case_id, "Task_scheda_ingresso")
    password = with_password("assistente")
    with serve(make_app(demo, WTF_CSRF_ENABLED=True)) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        login(page, base, "assistente", password)

        page.goto(f"{base}/tasks/{task.id}")
        block = page.get_by_test_id("from-person")
        expect(block).to_contain_text("18/11/1983")
        expect(block).to_contain_text("maschile")
        assert page.locator("#data_nascita").count() == 0  # not asked again
        page.screenshot(path=str(SHOTS / "esf-entry-1366.png"), full_page=True)
        serious = violations(page)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "esf-entry-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the ESF+ entry task is {width} px wide at 390 px"
        assert serious == [], serious
