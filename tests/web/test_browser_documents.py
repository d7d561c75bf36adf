"""In a real browser: the valutatore, who cannot open a programme case, finds the approved semester
report in the cockpit and downloads its archived PDF. Screenshots at 1366 and 390 px go to
test-output/ (gitignored); at 390 px the cockpit is no wider than the viewport."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from playwright.sync_api import expect

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import make_app
from tests.web.live import SHOTS, TIMEOUT, chromium, login, serve


def test_the_valutatore_downloads_the_approved_report_from_the_cockpit(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    coordinator, regia = demo.users.get("coordinatore", actor=CLI_OPERATOR), demo.users.get("regia", actor=CLI_OPERATOR)
    case = demo.cases.start("relazione_semestrale", {"territorio": "ATS-Demo", "periodo": "2026-H1"}, actor=coordinator)
    [draft] = demo.tasks.list(actor=coordinator, case_id=case.id)
    demo.tasks.complete(
        draft.id, {"commento_coordinatore": "Semestre di avvio del programma nel territorio."}, actor=coordinator
    )
    [review] = demo.tasks.list(actor=regia, case_id=case.id)
    demo.tasks.complete(review.id, {"esito_revisione": "APPROVATA"}, actor=regia)
    expected = demo.cases.get(case.id, actor=coordinator).data["relazione_pdf_sha256"]

    password = with_password("valutatore")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT)
        login(page, base, "valutatore", password)
        page.goto(f"{base}/monitoraggio?periodo=2026-H1")
        documents = page.get_by_test_id("archived-documents")
        expect(documents).to_contain_text("Relazione semestrale di monitoraggio — Primo semestre 2026, ATS-Demo")
        page.screenshot(path=str(SHOTS / "monitoring-documents-1366.png"), full_page=True)
        with page.expect_download() as got:
            documents.get_by_test_id(f"document-{case.id}").click()
        download = got.value
        assert download.suggested_filename == "relazione_semestrale_2026-H1_ATS-Demo.pdf"
        with open(download.path(), "rb") as pdf:
            assert hashlib.sha256(pdf.read()).hexdigest() == expected

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/monitoraggio?periodo=2026-H1")
        page.get_by_test_id("archived-documents").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "monitoring-documents-390.png"), full_page=False)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the cockpit is {width} px wide at 390 px"
