"""The registry in a real browser: the coordinator registers an organisation serving two
territories, drafts, signs and activates a protocol with it, sees it in the network view, and,
once the clock reaches the notice before its expiry, finds the renewal task in the inbox.
Screenshots (1366 and 390 px wide) go to test-output/ (gitignored)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.policy import SCHEDULER
from tests.web.conftest import make_app
from tests.web.live import SHOTS, TIMEOUT, chromium, login, serve


def test_the_coordinator_keeps_the_network_in_the_browser(
    demo: Engine, clock: FixedClock, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("coordinatore")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        login(page, base, "coordinatore", password)

        page.get_by_test_id("nav-registry").click()
        page.get_by_test_id("new-organisation").click()
        page.fill("#code", "UEPE_DUE_AMBITI")
        page.fill("#name", "UEPE interdistrettuale")
        page.select_option("#kind", "giustizia")
        page.fill("#territories", f"{TERRITORY}, ATS-Vicino")
        page.fill("#tax_code", "80003170661")
        page.get_by_role("button", name="Registra").click()
        expect(page.get_by_test_id("territories")).to_have_text(f"{TERRITORY}, ATS-Vicino")
        page.fill("#username", "giustizia")
        page.fill("#position", "Funzionaria")
        page.get_by_role("button", name="Aggiungi").click()
        expect(page.locator(".flash.info").first).to_contain_text("giustizia")

        page.get_by_role("link", name="Nuovo protocollo con questa organizzazione").click()
        page.select_option("#kind", "protocollo_intesa")
        page.fill("#scope", "Attestazioni e relazioni per persone in misura alternativa")
        page.fill("#territory", TERRITORY)
        page.fill("#starts_on", "2026-01-01")
        page.fill("#expires_on", "2026-06-30")
        page.fill("#withdrawal_notice_days", "30")
        page.get_by_role("button", name="Registra in bozza").click()
        expect(page.get_by_test_id("protocol-status")).to_have_text("Bozza")
        page.fill("#number", "Prot. 21/2026")
        page.fill("#signed_on", "2026-01-02")
        page.select_option("#signatory_UEPE_DUE_AMBITI", "giustizia")
        page.get_by_role("button", name="Registra la firma").click()
        expect(page.get_by_test_id("protocol-status")).to_have_text("Firmato")
        page.get_by_test_id("activate").click()
        expect(page.get_by_test_id("protocol-status")).to_have_text("Attivo")

        page.get_by_test_id("nav-network").click()
        table = page.get_by_test_id("network-table")
        expect(table).to_contain_text("UEPE interdistrettuale")
        expect(table).to_contain_text("Prot. 21/2026")
        expect(table).to_contain_text("30/06/2026")
        expect(page.get_by_test_id("network-graph")).to_be_visible()
        page.screenshot(path=str(SHOTS / "20-rete-1366.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "21-rete-390.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})

        # The clock reaches the notice (90 days before 30/06): the renewal reaches the coordinator,
        # who logs in again (the session ended hours after its last request).
        clock.advance(days=90)
        demo.timers.fire_due(actor=SCHEDULER)
        page.goto(f"{base}/inbox?tab=role")
        expect(page.locator("#username")).to_be_visible()
        login(page, base, "coordinatore", password)
        page.goto(f"{base}/inbox?tab=role")
        page.get_by_role("link", name="Decidi il rinnovo del protocollo in scadenza").first.click()
        expect(page.locator("h1")).to_have_text("Decidi il rinnovo del protocollo in scadenza")
        page.goto(f"{base}/registry/network")
        expect(page.get_by_test_id("network-table")).to_contain_text("In scadenza")
        assert violations == []
