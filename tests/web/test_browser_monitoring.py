"""The monitoring cockpit in a real browser: the coordinator and the cabina di regia read the
funnel of the seeded programme (``tests/integration/test_monitoring.py``), the coordinator opens
the bottleneck overlay on the diagram (the seed's own, and ``valutazione_bisogno`` with five real
beneficiary paths of territory T3 past the referral) and downloads the funnel as XLSX, which is
read back. Every page speaks Italian: no variable name or code of the seed shows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from engine import Engine
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from tests.integration.test_monitoring import programme  # noqa: F401  (the seeded fixture)
from tests.web.conftest import make_app
from tests.web.live import SHOTS, chromium, login, logout, serve

TIMEOUT = 20_000
PASSWORD = "monitoraggio-prova"


def funnel_cell(page: Page, key: str) -> str:
    return page.locator(f'[data-testid="table-imbuto"] tr[data-row="{key}"] td').first.inner_text()


# codes of the seed that must never reach a page (their Italian labels do)
CODES = (
    "IDONEO_LAVORO",
    "NON_IDONEO_REQUISITI",
    "DISOCCUPATO_LUNGA_DURATA",
    "TIROCINIO_EXTRACURRICOLARE",
    "referral_on",
)


def test_the_cockpit_in_the_browser(programme: Engine, clock: FixedClock, tmp_path: Path) -> None:  # noqa: F811
    from tests.processes.scenario_data import scenario

    with scenario(programme, clock, "T3") as s:  # the library deployed, five paths past the referral
        s.open_partnership()
        for n in range(5):  # referred in the second half-year: the first half's funnel stays the seed's
            case_id = s.start_percorso(f"BEN-T3-{n}")
            s.do(case_id, "UT_segnalazione", data_segnalazione=clock.now().date().isoformat())
            s.do(case_id, "UT_informativa")
            s.do(case_id, "UT_verifica_documenti")
    programme.users.add("coord", "Coordinatrice", [("coordinatore", "")], actor=CLI_OPERATOR)
    programme.users.add("regia1", "Cabina T1", [("cabina_di_regia", "T1")], actor=CLI_OPERATOR)
    for user in ("coord", "regia1"):
        programme.accounts.set_password(user, PASSWORD, actor=CLI_OPERATOR)
    app = make_app(programme)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        login(page, base, "coord", PASSWORD, TIMEOUT)
        page.get_by_test_id("nav-monitoring").click()
        page.select_option("#m-period", label="Primo semestre 2026")
        page.get_by_role("button", name="Aggiorna").click()
        expect(page.get_by_test_id("chart-imbuto")).to_be_visible()
        assert funnel_cell(page, "segnalati") == "18" and funnel_cell(page, "patto") == "7"
        shown = page.locator("main").inner_text()
        assert "Idoneo all'inserimento lavorativo" in shown and not [c for c in CODES if c in shown]

        with page.expect_download() as download:
            page.get_by_test_id("funnel-xlsx").click()
        target = tmp_path / "funnel.xlsx"
        download.value.save_as(target)
        rows = [tuple(r) for r in openpyxl.load_workbook(target).worksheets[1].iter_rows(values_only=True)]
        assert ("Persone segnalate", 18, 0) in rows and ("Patti sottoscritti", 7, 0) in rows

        page.goto(f"{base}/monitoraggio/colli-di-bottiglia?processo=percorso_prova&periodo=2026-H1")
        expect(page.locator("#heat .heat-badge").first).to_contain_text("18 ora")
        page.locator('#heat [data-element-id="Task_1"]').first.click()
        expect(page.locator("#heat-cases li")).to_have_count(18)

        # the assessment's own diagram: nothing in the first half-year (and it says so) ...
        page.goto(f"{base}/monitoraggio/colli-di-bottiglia?processo=valutazione_bisogno&periodo=2026-H1")
        expect(page.locator('#heat [data-element-id="UT_conferma_esito"]').first).to_be_visible()
        expect(page.get_by_test_id("heat-table")).to_contain_text("Nessuna attività di questo processo nel periodo")
        # ... and the heat of the five T3 paths now: the referral passed by all five, the next steps open
        page.goto(f"{base}/monitoraggio/colli-di-bottiglia?processo=valutazione_bisogno&periodo=2026-H2")
        expect(page.locator("#heat .heat-badge").first).to_be_visible()
        expect(page.get_by_test_id("heat-table")).to_contain_text("Scheda di segnalazione")
        expect(page.locator('#heat [data-element-id="UT_analisi_preliminare"]').first).to_be_visible()
        page.locator('#heat [data-element-id="UT_analisi_preliminare"]').first.click()
        expect(page.locator("#heat-cases li")).to_have_count(5)
        assert not [c for c in CODES if c in page.locator("main").inner_text()]
        SHOTS.mkdir(exist_ok=True)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}/monitoraggio?periodo=2026-H1")
            page.screenshot(path=str(SHOTS / f"monitoraggio-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), width

        logout(page, TIMEOUT)
        login(page, base, "regia1", PASSWORD, TIMEOUT)
        page.goto(f"{base}/monitoraggio?periodo=2026")
        assert funnel_cell(page, "segnalati") == "12"
