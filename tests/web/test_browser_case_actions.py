"""In a real browser: the inbox opens on the tab with work, claiming opens the task, and a
withdrawal recorded from the case page (behind its confirmation) sends the path to the ESF+ exit
form; "Cosa succede ora" names what the case waits for. Screenshots at 1366 and 390 px go to
test-output/ (gitignored); at 390 px the case page is no wider than the viewport."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from tests.web.conftest import make_app, start_case
from tests.web.live import SHOTS, TIMEOUT, chromium, login, serve


def test_withdrawal_from_the_case_page_reaches_the_exit_form(demo: Engine, with_password: Callable[[str], str]) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("coordinatore")
    case = start_case(demo, "BEN-RINUNCIA")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        login(page, base, "coordinatore", password)

        # the inbox lands on the role's list (nothing is assigned yet); claiming opens the task
        page.goto(f"{base}/inbox")
        expect(page.locator(".tab.current")).to_have_attribute("data-tab", "role")
        page.locator('tr:has(a:text("BEN-RINUNCIA")) button:text("Prendi in carico")').click()
        expect(page.locator("h1")).to_have_text("Scheda di segnalazione")

        page.goto(f"{base}/cases/{case.id}")
        outlook = page.get_by_test_id("case-outlook")
        expect(outlook).to_contain_text("In attesa del messaggio «Rinuncia della persona»")
        actions = page.get_by_test_id("case-actions")
        actions.get_by_text("Registra la rinuncia della persona").first.click()  # the <summary>
        form = page.get_by_test_id("action-withdraw")
        form.locator('textarea[name="reason"]').fill("Si trasferisce all'estero")
        expect(form.locator(".char-counter")).to_have_text("25 / 4000")
        # without the confirmation nothing happens: the page says what is missing
        form.locator('input[name="date"]').fill(demo.now().date().isoformat())
        form.get_by_role("button", name="Registra la rinuncia della persona").click()
        expect(page.get_by_test_id("action-withdraw")).to_contain_text("Conferma l'operazione spuntando la casella.")
        form = page.get_by_test_id("action-withdraw")
        form.locator('input[name="confirm"]').check()
        page.screenshot(path=str(SHOTS / "case-actions-1366.png"), full_page=True)
        form.get_by_role("button", name="Registra la rinuncia della persona").click()
        expect(page.locator(".flash.info").first).to_contain_text("Rinuncia registrata")
        expect(page.get_by_test_id("open-tasks")).to_contain_text("Compila la scheda di uscita")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/cases/{case.id}")
        page.screenshot(path=str(SHOTS / "case-actions-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the case page is {width} px wide at 390 px"
        assert not violations, violations
