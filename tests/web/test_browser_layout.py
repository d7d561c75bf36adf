"""The pages on a laptop (1366 px) and a phone (390 px), in headless Chromium: the inbox, a
decision task and the case page of a case walked through F2. On the phone nothing scrolls
sideways, the inbox rows are cards and the case page stacks its sections; screenshots of every
page at both widths are written to test-output/ for people to look at."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import advance, make_app, start_case
from tests.web.live import SHOTS, chromium, login, logout, serve, settle

WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}


# what sticks out past the viewport (outside tables, which scroll inside themselves): for the message
WIDE_ELEMENTS = """width => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('table'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_pages_fit_a_phone_and_a_laptop_in_the_browser(demo: Engine, with_password: Callable[[str], str]) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("assistente")
    case = start_case(demo, "BEN-TELEFONO")
    task = advance(demo, case.id, "UT_conferma_esito")  # a decision task of the social worker
    start_case(demo, "BEN-SECONDO")  # a second row in the inbox
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        login(page, base, "assistente", password)
        for device, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            pages = {
                "inbox": f"{base}/inbox?tab=role",
                "attivita": f"{base}/tasks/{task.id}",
                "caso": f"{base}/cases/{case.id}",
            }
            for name, url in pages.items():
                page.goto(url)
                settle(page)
                page.screenshot(path=str(SHOTS / f"layout-{name}-{width}.png"), full_page=True)
                page.screenshot(path=str(SHOTS / f"layout-{name}-{width}-schermo.png"))  # what one sees first
                assert page_width(page) <= width, (
                    f"{name} scrolls sideways at {width} px: {page.evaluate(WIDE_ELEMENTS, width)}"
                )
            if device == "laptop":
                page.goto(pages["caso"])
                expect(page.locator("#diagrams[data-ready=true]")).to_have_count(1)
                titles = page.locator("#diagrams h3").all_inner_texts()
                assert titles and not [t for t in titles if "_" in t], titles  # process titles, not ids
                # the diagram where the case is opens at full size on its active task, inside its box
                diagram = page.locator('#diagrams [data-process="valutazione_bisogno"]')
                expect(diagram).to_have_attribute("data-rendered", "true")
                expect(diagram.locator(".diagram-zoom button")).to_have_count(3)
                # the task itself, not the expanded sub-process around it (active too)
                active_task = f'.djs-element.active[data-element-id="{task.bpmn_id}"] .djs-visual'
                task_box = diagram.locator(active_task).first.bounding_box()
                canvas_box = diagram.locator(".diagram-canvas").bounding_box()
                assert task_box and canvas_box and task_box["width"] >= 80, task_box  # readable, not fitted
                assert (
                    canvas_box["x"] <= task_box["x"]
                    and task_box["x"] + task_box["width"] <= canvas_box["x"] + canvas_box["width"]
                )
            if device == "phone":
                page.goto(pages["inbox"])
                row = page.locator("table.tasks tbody tr").first
                assert row.evaluate("el => getComputedStyle(el).display") == "block"  # a card
                assert page.locator("table.tasks thead").evaluate("el => getComputedStyle(el).display") == "none"
                # each value keeps its column's label on the card
                label = row.locator("td").nth(5).evaluate("el => getComputedStyle(el, '::before').content")
                assert label == '"Scadenza"', label
                page.goto(pages["caso"])
                history = page.locator("section.history").bounding_box()
                data = page.locator("section.data-section").bounding_box()
                assert history and data and data["y"] >= history["y"] + history["height"]  # stacked


def test_other_pages_fit_a_phone_in_the_browser(demo: Engine, with_password: Callable[[str], str]) -> None:
    """The case list, the coordinator's inbox (with the reassign list on each card) and the process
    designer's start page, and the auditor's timeline, replay and access log, at 390 px: tables that
    cannot become cards scroll inside themselves, never the page."""
    SHOTS.mkdir(exist_ok=True)
    passwords = {u: with_password(u) for u in ("coordinatore", "auditor")}
    case = start_case(demo, "BEN-REVISIONE")
    advance(demo, case.id, "UT_analisi_preliminare")
    start_case(demo, "BEN-DA-REGISTRARE")  # its referral waits on the coordinator: a row they may reassign
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.set_viewport_size({"width": 390, "height": 844})
        pages = {
            "coordinatore": {
                "casi": f"{base}/cases",
                "attivita-del-ruolo": f"{base}/inbox?tab=all",  # each row with the reassign list
                "progettazione": f"{base}/design",
            },
            "auditor": {
                "cronologia": f"{base}/cases/{case.id}/timeline",
                "riesecuzione": f"{base}/cases/{case.id}/replay",
                "accessi": f"{base}/audit/access-log",
            },
        }
        for user, urls in pages.items():
            login(page, base, user, passwords[user])
            for name, url in urls.items():
                page.goto(url)
                settle(page)
                page.screenshot(path=str(SHOTS / f"layout-{name}-390.png"), full_page=True)
                wide = page.evaluate(WIDE_ELEMENTS, 390)
                assert page_width(page) <= 390, f"{name} scrolls sideways at 390 px: {wide}"
            logout(page)


def test_an_enterprises_roster_becomes_cards_on_a_phone(demo: Engine, with_password: Callable[[str], str]) -> None:
    """The roster of an enterprise carries the coordinator's actions in its last column: on a
    phone each person is a card (every value under its column's name) and "Registra la
    cessazione" is on the screen, not past the edge of a table scrolled inside itself."""
    SHOTS.mkdir(exist_ok=True)
    password = with_password("coordinatore")
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    enterprise = demo.enterprises.create(
        TERRITORY, "Orti Solidali Cooperativa Sociale", "COOP_SOCIALE_B", "Marche", "Ancona", actor=coordinator
    )
    demo.enterprises.link(
        enterprise.id,
        "LAVORATORE",
        actor=coordinator,
        nominativo="Lavoratrice di prova",
        categorie=["ALCOLISTA"],
        evidenza_pa=True,
        data_assunzione=demo.now().date().isoformat(),
    )
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.set_viewport_size({"width": 390, "height": 844})
        login(page, base, "coordinatore", password)
        page.goto(f"{base}/enterprises/{enterprise.id}")
        page.screenshot(path=str(SHOTS / "layout-impresa-390.png"), full_page=True)
        roster = page.get_by_test_id("link-table")
        inner, shown = roster.evaluate("t => [t.scrollWidth, t.clientWidth]")
        assert inner <= shown, f"the roster scrolls inside itself at 390 px ({inner} > {shown})"
        button = roster.get_by_role("button", name="Registra la cessazione")
        box = button.bounding_box()
        assert box and box["x"] + box["width"] <= 390
        expect(roster.locator("td[data-label='Assunzione']")).to_be_visible()
        assert page_width(page) <= 390


def test_a_token_can_be_revoked_from_a_phone(demo: Engine, with_password: Callable[[str], str]) -> None:
    """The tokens page lists each token as a card at 390 px: "Revoca" and its confirmation are on
    the screen, not past the edge of a table scrolled inside itself."""
    password = with_password("valutatore")
    demo.accounts.create_token(
        "Estrazione per la valutazione di impatto 2026", actor=demo.users.get("valutatore", actor=CLI_OPERATOR)
    )
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.set_viewport_size({"width": 390, "height": 844})
        login(page, base, "valutatore", password)
        page.goto(f"{base}/account/tokens")
        page.screenshot(path=str(SHOTS / "layout-token-390.png"), full_page=True)
        table = page.locator("table.tokens")
        inner, shown = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
        assert inner <= shown, f"the tokens scroll inside their table at 390 px ({inner} > {shown})"
        table.get_by_text("Revoca", exact=True).click()  # opens the confirmation step
        box = table.get_by_role("button", name="Revoca il token").bounding_box()
        assert box and box["x"] + box["width"] <= 390
        assert table.get_by_label("Confermo", exact=False).is_visible()
        assert page_width(page) <= 390
