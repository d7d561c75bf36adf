"""Decision tests written in a real browser (headless Chromium): a designer opens DT-1 with
"Modifica", writes a test on the page (name, legal article, inputs, expected output), saves it
into the draft and sees it pass; changes its expectation and sees it fail with deploy blocked;
a value that is not valid is refused field by field in Italian; a test naming an input the table
does not read is saved as a problem and does not run; deleting it lets the draft be deployed.
A cell with a syntax error gets the cell itself marked, with the Italian message written in it,
and keeps its mark while the designer clicks around the table. Screenshots at 1366 px go to
test-output/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from engine import Engine
from tests.web.conftest import make_app
from tests.web.live import chromium_browser, login, serve
from tests.web.test_browser_dmn_editor import NEIGHBOUR, THRESHOLD, edit_cell

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output"
TIMEOUT = 20_000
VIEWPORT = {"width": 1366, "height": 900}
FILE = "dt1_l381_svantaggio.dmn"


def fill_rows(page: Page, box: str, rows: list[tuple[str, str]]) -> None:
    lines = page.get_by_test_id(box).locator(".test-row")
    while lines.count() < len(rows):
        page.get_by_test_id("add-input" if box == "test-inputs" else "add-expected").click()
    for i, (name, value) in enumerate(rows):
        lines.nth(i).locator(".row-name").fill(name)
        lines.nth(i).locator(".row-value").fill(value)


def row_of(page: Page, test_id: str) -> Locator:
    return page.locator(f'[data-testid="decision-tests"] tr[data-test="{test_id}"]')


def test_a_designer_writes_a_decision_test_in_the_browser(demo: Engine, with_password: Callable[[str], str]) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium_browser() as browser:
        page = browser.new_context(locale="it-IT", viewport=VIEWPORT).new_page()
        page.set_default_timeout(TIMEOUT)
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        login(page, base, "progettista", password)
        page.locator(f'tr[data-file="{FILE}"]').get_by_role("button", name="Modifica").click()
        expect(page.get_by_test_id("modeler")).to_have_attribute("data-ready", "true")
        expect(page.get_by_test_id("tests-summary")).to_contain_text("Tutti i test decisionali passano")

        # a new test: its id is proposed from its name, the output rows are the table's outputs
        page.get_by_test_id("new-test").click()
        form = page.get_by_test_id("test-form")
        expect(form).to_be_visible()
        page.fill("#test-name", "Invalidità all'80%")
        expect(page.locator("#test-id")).to_have_value("T_Invalidita_all_80")
        page.fill("#test-article", "L. 381/1991 art. 4 c.1")
        fill_rows(page, "test-inputs", [("invalidita_civile_perc", "[80")])
        fill_rows(page, "test-expected", [("cat_381", '["INV_FIS_PSI_SENS"]')])
        page.get_by_test_id("save-test").click()
        # a value that is not valid: refused, said in Italian next to its field
        expect(page.get_by_test_id("test-form-status")).to_have_text(
            "Il test non è stato salvato: correggi i campi segnalati."
        )
        expect(form.locator('[data-error-for="inputs"]')).to_have_text(
            '«invalidita_civile_perc»: non è un valore valido (es. 46, "TESTO", true, ["A", "B"])'
        )
        page.screenshot(path=str(SHOTS / "25-test-decisionale-campo-errato.png"), full_page=True)
        fill_rows(page, "test-inputs", [("invalidita_civile_perc", "80")])
        page.get_by_test_id("save-test").click()
        expect(form).to_be_hidden()
        mine = row_of(page, "T_Invalidita_all_80")
        expect(mine).to_have_class("passed")
        expect(mine).to_contain_text("L. 381/1991 art. 4 c.1")
        expect(page.get_by_test_id("save-status")).to_have_text("Test salvato nella bozza.")
        expect(page.locator("#deploy-button")).to_be_enabled()
        mine.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "26-test-decisionale-scritto.png"), full_page=True)

        # its expectation changed: it fails, deploy is blocked
        mine.get_by_role("button", name="Modifica").click()
        expect(page.locator("#test-form-title")).to_have_text("Modifica il test «Invalidità all'80%»")
        fill_rows(page, "test-expected", [("cat_381", "[]")])
        page.get_by_test_id("save-test").click()
        expect(mine).to_have_class("failed")
        expect(mine).to_contain_text("non passa")
        expect(page.locator("#deploy-button")).to_be_disabled()
        expect(page.get_by_test_id("problems")).to_contain_text(
            "«Invalidità all'80%» (L. 381/1991 art. 4 c.1) non passa"
        )

        # an input the table does not read: saved, a problem of the draft, the test does not run
        mine.get_by_role("button", name="Modifica").click()
        fill_rows(page, "test-inputs", [("invalidita_perc", "80")])
        fill_rows(page, "test-expected", [("cat_381", '["INV_FIS_PSI_SENS"]')])
        page.get_by_test_id("save-test").click()
        expect(mine).to_have_class("not-run")
        expect(mine).to_contain_text("indica l'ingresso «invalidita_perc», che la tabella non legge")
        expect(page.get_by_test_id("tests-summary")).to_contain_text("1 test non si possono eseguire")
        expect(page.locator("#deploy-button")).to_be_disabled()
        page.screenshot(path=str(SHOTS / "27-test-decisionale-ingresso-sconosciuto.png"), full_page=True)

        # deleted (a second click confirms): every test passes, deploy is allowed again
        mine.get_by_role("button", name="Elimina").click()
        mine.get_by_role("button", name="Conferma: elimina").click()
        expect(row_of(page, "T_Invalidita_all_80")).to_have_count(0)
        expect(page.get_by_test_id("tests-summary")).to_contain_text("Tutti i test decisionali passano")
        expect(page.locator("#deploy-button")).to_be_enabled()
        untranslated = page.evaluate("() => window.ImpresaDmnEditor.untranslated")
        assert untranslated == [], "|".join(untranslated)
        assert not errors, errors


def test_a_cell_with_a_syntax_error_is_marked_with_its_message(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium_browser() as browser:
        page = browser.new_context(locale="it-IT", viewport=VIEWPORT).new_page()
        page.set_default_timeout(TIMEOUT)
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        login(page, base, "progettista", password)
        page.locator(f'tr[data-file="{FILE}"]').get_by_role("button", name="Modifica").click()
        expect(page.get_by_test_id("modeler")).to_have_attribute("data-ready", "true")

        edit_cell(page, THRESHOLD, "> 4 5")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Bozza salvata con problemi")
        cell = page.locator(f'td[data-element-id="{THRESHOLD}"]')
        message = "la cella «> 4 5» non è né un valore né un confronto che il motore sa valutare"
        expect(cell).to_have_class(re.compile(r"\bd-problem-cell\b"))
        expect(cell).to_have_attribute("data-problem", message)
        # the list names the cell as the designer sees it, not by its id
        listed = page.get_by_test_id("problems").locator("li").filter(has_text=message)
        expect(listed.locator("button.select-element")).to_have_text("Regola 1 · Invalidità civile (%)")
        # dmn-js redraws the cells it selects: the mark stays
        page.locator(f'td[data-element-id="{NEIGHBOUR}"]').click()
        cell.click()
        page.locator("h1").click()
        expect(cell).to_have_class(re.compile(r"\bd-problem-cell\b"))
        expect(page.locator(".d-problem-cell")).to_have_count(1)
        expect(page.locator("#deploy-button")).to_be_disabled()
        page.get_by_test_id("dmn-editor").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "28-cella-con-errore.png"), full_page=False)

        edit_cell(page, THRESHOLD, "> 45")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_have_text("Bozza salvata.")
        expect(page.locator(".d-problem-cell")).to_have_count(0)
        assert not errors, errors
