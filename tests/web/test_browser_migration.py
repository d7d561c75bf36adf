"""The designer's migration page in headless Chromium at 1366 and 390 px: a dry run of two cases
(one that can move, one at an element the new version removes) names the elements by their BPMN
names, or in words when an element has none, never by their ids; at 390 px nothing scrolls
sideways. Screenshots of both widths are written to test-output/ for people to look at."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from tests.web.conftest import make_app
from tests.web.live import SHOTS, chromium, login, serve, settle
from tests.web.test_browser_layout import WIDE_ELEMENTS, WIDTHS, page_width
from tests.web.test_designer import PROCESS, complete_open, deploy_chain, start

# long ids, as real diagrams have them: none of them may reach the page
OLD = ["UT_verifica_documentazione_integrativa_richiesta", "UT_comunicazione_esito_al_servizio_inviante"]
NEW = ["UT_verifica_documentazione_integrativa_richiesta", "UT_nuova_attivita_di_riesame_del_coordinatore"]


def test_the_migration_page_fits_a_phone_and_names_elements_in_the_browser(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    deploy_chain(demo, OLD)
    at_first = start(demo)
    at_removed = start(demo)
    complete_open(demo, at_removed)  # at the second task, which the next version replaces
    deploy_chain(demo, NEW)
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        login(page, base, "progettista", password)
        for width, height in WIDTHS.values():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/design/processes/{PROCESS}/migrate")
            page.get_by_label("Versione di destinazione").select_option("2")
            page.get_by_role("button", name="Simula la migrazione").click()
            results = page.get_by_test_id("migration-results")
            expect(results).to_be_visible()
            settle(page)
            page.screenshot(path=str(SHOTS / f"migrazione-{width}.png"), full_page=True)
            # the test diagrams name each task "Attività <its id>": what is left must hold no id
            text = re.sub(r"Attività \w+", "", page.inner_text("main"))
            for bpmn_id in {*OLD, *NEW, "Start_1", "End_1", PROCESS}:
                assert bpmn_id not in text, f"{bpmn_id} shown at {width} px"
            expect(results.get_by_test_id(f"changes-{at_first}")).to_contain_text("elemento senza nome (fine)")
            row = results.locator(f'[data-case="{at_removed}"]')
            expect(row).to_contain_text("Il caso è fermo a «Attività UT_comunicazione_esito")  # its BPMN name
            expect(results.locator(f'[data-case="{at_first}"]')).to_contain_text("migrabile")
            expect(results.get_by_test_id(f"active-{at_first}")).to_have_text(f"Attività {OLD[0]}")
            expect(page.get_by_role("heading", level=1)).to_contain_text("«Prova»")  # the process's name
            assert page_width(page) <= width, f"scrolls sideways at {width} px: {page.evaluate(WIDE_ELEMENTS, width)}"
