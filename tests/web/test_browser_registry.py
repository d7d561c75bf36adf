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
from engine.policy import CLI_OPERATOR, SCHEDULER
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
        page.get_by_test_id("activate-step").get_by_text("Metti in vigore").first.click()  # opens the step
        page.get_by_test_id("activate-step").get_by_label("Confermo", exact=False).check()
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


LABELS_FIT = """svg => {
  const width = svg.viewBox.baseVal.width;
  const boxes = [...svg.querySelectorAll('text')].map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; });
  const out = boxes.filter(b => b[1] < 0 || b[3] > width).map(b => 'outside: ' + b[0]);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    if (a[1] < b[3] && b[1] < a[3] && a[2] < b[4] && b[2] < a[4]) out.push('overlap: ' + a[0] + ' / ' + b[0]);
  }
  return out;
}"""


def test_the_network_graph_keeps_every_name_whole_and_apart(demo: Engine, with_password: Callable[[str], str]) -> None:
    """Seven organisations with long names around the territory: each name is written outward from
    its node, inside the drawing and over no other name (they ran off the right edge and into each
    other when every label sat centred above its node)."""
    password = with_password("coordinatore")
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    names = [
        "Cooperativa sociale di tipo B Il Ponte",
        "Falegnameria Rossi srl – impresa mentor",
        "Centro per l'Impiego di Senigallia",
        "Azienda sanitaria territoriale – DSM",
        "Ufficio di esecuzione penale esterna",
        "Associazione di promozione sociale",
        "Ente di formazione professionale",
    ]
    for i, name in enumerate(names):
        code = f"ORG_RETE_{i}"
        demo.registry.add_organisation(code, name, "terzo_settore", TERRITORY, actor=coordinator)
        demo.registry.add_member(code, "coordinatore", actor=coordinator)
        protocol_id = demo.registry.add_protocol(
            code, "protocollo_intesa", "Rete", "2026-01-01", actor=coordinator, territory=TERRITORY
        )
        demo.registry.sign_protocol(protocol_id, f"P-{i}", "2026-01-01", [(code, "coordinatore")], actor=coordinator)
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, base, "coordinatore", password)
        page.goto(f"{base}/registry/network")
        graph = page.get_by_test_id("network-graph")
        graph.screenshot(path=str(SHOTS / "registry-network-graph-1366.png"))
        assert graph.evaluate(LABELS_FIT) == []
