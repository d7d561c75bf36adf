"""In a real browser: the territory's system administrator opens the erasure page of a finished
case whose retention period is over, sees every case of the person, gives a reason, confirms and
reads the result in Italian. Screenshots at 1366 and 390 px go to test-output/ (gitignored); at
390 px the page is no wider than the viewport; axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import make_app, start_case
from tests.web.live import SHOTS, TIMEOUT, chromium, login, serve
from tests.web.test_browser_accessibility import violations
from tests.web.test_person_pages import PERSON


def test_erasure_page_with_reason_and_confirmation_in_the_browser(
    demo: Engine, clock: FixedClock, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    demo.users.add("admin", "Adele Amministratrice", [("amministratore", TERRITORY)], actor=CLI_OPERATOR)
    social, coordinator = (demo.users.get(u, actor=CLI_OPERATOR) for u in ("assistente", "coordinatore"))
    ids = [start_case(demo, f"BEN-CANC-{n}").id for n in (1, 2)]
    for case_id in ids:
        demo.people.record(case_id, PERSON, actor=social)
        demo.cases.close(case_id, reason="Percorso terminato, chiusura d'ufficio", actor=coordinator)
    clock.set(clock.now() + dt.timedelta(days=5 * 366))
    password = with_password("admin")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        login(page, base, "admin", password)

        page.goto(f"{base}/cases/{ids[0]}")
        page.get_by_test_id("erase-link").click()
        expect(page.locator("h1")).to_have_text("Cancellazione dei dati personali")
        expect(page.get_by_test_id("erasure-cases")).to_contain_text(f"Caso n. {ids[1]}")
        page.screenshot(path=str(SHOTS / "erasure-1366.png"), full_page=True)
        serious = violations(page)

        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "erasure-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the erasure page is {width} px wide at 390 px"

        form = page.get_by_test_id("erasure-form")
        form.get_by_role("button", name="Cancella i dati personali").click()  # nothing given yet
        expect(page.get_by_test_id("form-invalid")).to_be_visible()
        expect(page.locator(".field.has-error:has(#reason) .field-error")).to_have_text(
            "Indica il motivo della cancellazione."
        )
        expect(page.locator(".field.has-error .field-error").nth(1)).to_have_text(
            "Conferma che la cancellazione è definitiva."
        )
        page.screenshot(path=str(SHOTS / "erasure-invalid-390.png"), full_page=True)

        page.fill("#reason", "Richiesta dell'interessato del 02/03/2032, prot. 77")
        page.get_by_label("Confermo: la cancellazione è definitiva e riguarda tutti i casi elencati.").check()
        page.get_by_role("button", name="Cancella i dati personali").click()

        expect(page.locator(".flash.info").first).to_contain_text("Dati personali cancellati in 2 casi")
        expect(page.locator(".flash.info").nth(1)).to_contain_text(
            "La scheda anagrafica della persona è stata eliminata."
        )
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path=str(SHOTS / "erasure-done-1366.png"), full_page=True)
        serious += violations(page)
        assert serious == [], serious
    assert demo.people.of_case(ids[0], actor=CLI_OPERATOR) is None
