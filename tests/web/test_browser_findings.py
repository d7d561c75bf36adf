"""In a real browser, at 1366 and 390 px: the task form's error summary takes the focus and leads
to each field; the inbox rows say when each task arrived (and the coordinator's list holds every
task of the territory); the error pages speak plainly and lead back. Screenshots go to
test-output/ for people to look at."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from engine import Engine
from engine.clock import FixedClock
from tests.web.conftest import VALID, advance, make_app, start_case
from tests.web.live import SHOTS, TIMEOUT, chromium_browser, login, serve, settle
from tests.web.test_browser_accessibility import violations
from tests.web.test_browser_layout import WIDE_ELEMENTS, WIDTHS, page_width


def shoot(page: Page, name: str, width: int) -> None:
    """A screenshot to look at; the page fits the width and axe finds no serious violation."""
    settle(page)
    page.screenshot(path=str(SHOTS / f"findings-{name}-{width}.png"), full_page=True)
    assert page_width(page) <= width, f"{name} scrolls sideways at {width} px: {page.evaluate(WIDE_ELEMENTS, width)}"
    if width > 1000:
        assert violations(page) == [], name


def test_error_summary_inbox_age_and_error_pages_in_the_browser(
    demo: Engine, with_password: Callable[[str], str], clock: FixedClock
) -> None:
    SHOTS.mkdir(exist_ok=True)
    passwords = {u: with_password(u) for u in ("cpi", "coordinatore", "tutor")}
    case = start_case(demo, "BEN-RIEPILOGO")
    task = advance(demo, case.id, "UT_did_psp")
    start_case(demo, "BEN-SECONDO")
    clock.advance(days=5)  # the tasks have waited five days
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium_browser() as browser:
        people = {}
        for user, password in passwords.items():
            page = browser.new_context(locale="it-IT").new_page()
            page.set_default_timeout(TIMEOUT)
            login(page, base, user, password)
            people[user] = page
        for _device, (width, height) in WIDTHS.items():
            for page in people.values():
                page.set_viewport_size({"width": width, "height": height})

            # the job centre sends the DID form with a wrong date and an empty required field
            cpi = people["cpi"]
            cpi.goto(f"{base}/tasks/{task.id}")
            for key, value in VALID["f2_did_psp"].items():
                if isinstance(value, str) and cpi.locator(f'#task-form input[type="text"][name="{key}"]').count():
                    cpi.fill(f'#task-form input[name="{key}"]', value)
            cpi.fill('#task-form input[name="data_did"]', "")
            cpi.click('button[name="action"][value="complete"]')
            summary = cpi.get_by_test_id("form-invalid")
            expect(summary).to_be_visible()
            # focused by the page's deferred script, which may run after the summary is shown
            expect(cpi.locator("[data-error-summary]"), "the summary has no focus").to_be_focused()
            link = summary.locator('a[href="#field-data_did"]')
            expect(link).to_have_count(1)
            shoot(cpi, "riepilogo-errori", width)
            link.click()
            assert cpi.evaluate("document.activeElement.id") == "field-data_did"
            field = cpi.locator("#field-data_did")
            expect(field).to_have_attribute("aria-invalid", "true")
            described = (field.get_attribute("aria-describedby") or "").split()
            assert described and all(cpi.locator(f"#{ref}").count() == 1 for ref in described)

            # "Nuovo caso" without the pseudonym: the same summary, focused, leading to the field
            cpi.goto(f"{base}/cases/new")
            cpi.click("form.case-new button.primary")
            expect(cpi.get_by_test_id("form-invalid")).to_be_visible()
            expect(cpi.locator("[data-error-summary]")).to_be_focused()
            shoot(cpi, "nuovo-caso-errori", width)
            cpi.get_by_test_id("form-invalid").locator('a[href="#beneficiario_pseudonimo"]').click()
            assert cpi.evaluate("document.activeElement.id") == "beneficiario_pseudonimo"

            # the coordinator's inbox: every task of the territory, each with its age
            boss = people["coordinatore"]
            boss.goto(f"{base}/inbox?tab=all")
            row = boss.locator(f'tr[data-task-id="{task.id}"]')
            expect(row).to_contain_text("Ricevuta il 5 gennaio 2026, da 5 giorni")
            expect(row.locator("form[action$='/claim']")).to_have_count(0)
            shoot(boss, "attivita-territorio", width)
            boss.goto(f"{base}/inbox?tab=role")
            expect(boss.locator("table.tasks tbody tr").first.get_by_test_id("received")).to_be_visible()
            shoot(boss, "attivita-ruolo", width)

            # error pages: a missing case, and "Nuovo caso" for the host firm's tutor
            boss.goto(f"{base}/cases/2147483647")
            expect(boss.locator("h1")).to_have_text("Pagina non trovata")
            shoot(boss, "pagina-non-trovata", width)
            tutor = people["tutor"]
            tutor.goto(f"{base}/inbox")
            expect(tutor.get_by_role("link", name="Nuovo caso")).to_have_count(0)
            tutor.goto(f"{base}/cases/new")
            expect(tutor.locator("h1")).to_have_text("Non hai accesso a questa pagina")
            shoot(tutor, "accesso-negato", width)
            tutor.get_by_test_id("error-home").click()
            expect(tutor).to_have_url(f"{base}/inbox")
