"""The decision-table editor in a real browser (headless Chromium): a designer opens DT-1 with
"Modifica", changes the invalidity threshold in the dmn-js table, saves and sees the decision test
of that row fail with its legal reference (the cell's problem listed in Italian, deploy blocked,
the changed rule in the rule diff); a second designer opening the draft sees who holds the lock;
the first restores the threshold, sees every test pass and deploys. Screenshots at 1366 px go to
test-output/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import make_app
from tests.web.live import chromium_browser, login, serve

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output"
TIMEOUT = 20_000
VIEWPORT = {"width": 1366, "height": 900}
FILE = "dt1_l381_svantaggio.dmn"
THRESHOLD = "In_dt1_l381_svantaggio_1_0"  # rule 1, invalidity column: "> 45"
NEIGHBOUR = "In_dt1_l381_svantaggio_1_1"
TEST_ROW = "T_Riga_Invalidi_fisici_psichici_e_sensoria"
ARTICLE = "L. 381/1991 art. 4 c.1 – invalidi fisici, psichici e sensoriali"


def edit_cell(page: Page, cell_id: str, text: str) -> None:
    cell = page.locator(f'td[data-element-id="{cell_id}"]')
    page.locator(f'td[data-element-id="{NEIGHBOUR}"]').click()  # a cell already selected takes no focus
    cell.click()
    # the cell's editor must have the focus before any key, or the keys go nowhere (seen under load)
    expect(cell.get_by_role("textbox")).to_be_focused()
    # to the end and back over the old text, as a person would (select-all then typing makes
    # Chromium wrap the new text in a styled span); until the cell is empty, however slow the page
    for _ in range(4 * len(cell.inner_text()) + 4):
        if not cell.inner_text().strip():
            break
        page.keyboard.press("End")
        page.keyboard.press("Backspace")
    expect(cell).to_have_text("")
    page.keyboard.type(text)
    page.locator("h1").click()  # leave the cell: dmn-js commits the edit
    expect(page.locator(f'td[data-element-id="{cell_id}"]')).to_have_text(text)


def test_a_designer_breaks_and_fixes_a_threshold_while_another_sees_the_lock(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    with_password("coordinatore")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium_browser() as browser:
        first, second = (browser.new_context(locale="it-IT", viewport=VIEWPORT) for _ in range(2))
        page = first.new_page()
        page.set_default_timeout(TIMEOUT)
        errors: list[str] = []
        violations: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on(
            "console",
            lambda m: violations.append(m.text + str(m.location)) if "Content Security Policy" in m.text else None,
        )

        login(page, base, "progettista", password)
        page.locator(f'tr[data-file="{FILE}"]').get_by_role("button", name="Modifica").click()
        editor = page.get_by_test_id("modeler")
        expect(editor).to_have_attribute("data-ready", "true")
        expect(page.locator(f'td[data-element-id="{THRESHOLD}"]')).to_contain_text("> 45")
        expect(page.get_by_test_id("tests-summary")).to_contain_text("Tutti i test decisionali passano")
        draft_url = page.url
        page.screenshot(path=str(SHOTS / "20-tabella-decisionale.png"), full_page=True)

        # The threshold moves to 50: the 46% example of L. 381/1991 art. 4 fails.
        edit_cell(page, THRESHOLD, "> 50")
        expect(page.get_by_test_id("save-status")).to_have_text("Modifiche non salvate.")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Bozza salvata con problemi")
        failed = page.locator(f'tr.failed[data-test="{TEST_ROW}"]')
        expect(failed).to_contain_text(ARTICLE)
        expect(failed).to_contain_text("non passa")
        expect(page.get_by_test_id("tests-summary")).to_contain_text("non passano")
        expect(page.get_by_test_id("problems")).to_contain_text("non passa: vedi i risultati dei test")
        expect(page.get_by_test_id("problems")).to_contain_text(ARTICLE)
        expect(page.locator("#deploy-button")).to_be_disabled()
        changed = page.get_by_test_id("changes").locator('tr.changed[data-rule="Rule_dt1_l381_svantaggio_1"]')
        expect(changed).to_contain_text("> 50")
        expect(changed.locator("td.what")).to_contain_text("Invalidità civile (%): > 45 → > 50")
        page.screenshot(path=str(SHOTS / "21-test-decisionale-fallito.png"), full_page=True)

        # A second designer opens the draft: read-only, with who edits it and since when.
        other = second.new_page()
        other.set_default_timeout(TIMEOUT)
        login(other, base, "coordinatore", password)
        other.goto(draft_url)
        expect(other.get_by_test_id("lock-banner")).to_contain_text("in modifica da progettista")
        expect(other.get_by_test_id("edit-button")).to_be_disabled()
        expect(other.get_by_test_id("rules-dt1_l381_svantaggio")).to_contain_text("> 50")
        expect(other.get_by_test_id("modeler")).to_have_count(0)
        other.screenshot(path=str(SHOTS / "22-bozza-bloccata.png"), full_page=True)

        # The designer restores the threshold: every test passes, deploy is allowed.
        page.bring_to_front()
        edit_cell(page, THRESHOLD, "> 45")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_have_text("Bozza salvata.")
        expect(page.get_by_test_id("tests-summary")).to_contain_text("Tutti i test decisionali passano")
        expect(page.locator("tr.failed")).to_have_count(0)
        expect(page.get_by_test_id("problems-summary")).to_contain_text("Nessun problema")
        expect(page.locator("#deploy-button")).to_be_enabled()
        page.screenshot(path=str(SHOTS / "23-test-decisionali-superati.png"), full_page=True)
        untranslated = page.evaluate("() => window.ImpresaDmnEditor.untranslated")
        assert untranslated == [], "|".join(untranslated)
        page.fill("#deploy-note", "Soglia di invalidità verificata")
        page.get_by_role("button", name="Pubblica una nuova versione").click()
        expect(page.get_by_test_id("deployed")).to_be_visible()
        assert not errors, errors
        assert not violations, "\n".join(v[-300:] for v in violations)


def test_a_stale_save_is_refused_in_the_editor_with_the_other_changes(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    """The designer's lock is broken by an administrator and a colleague saves a change to rule 2:
    the page, renewing its lock, says who holds it; once the colleague closes, the designer's save
    (based on the old revision) is refused, and the page shows who saved, the rule and the lines."""
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    demo.users.add("admin", "Ada Amministratrice", [("amministratore", "")], actor=CLI_OPERATOR)
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium_browser() as browser:
        page = browser.new_context(locale="it-IT", viewport=VIEWPORT).new_page()
        page.set_default_timeout(TIMEOUT)
        login(page, base, "progettista", password)
        page.locator(f'tr[data-file="{FILE}"]').get_by_role("button", name="Modifica").click()
        expect(page.get_by_test_id("modeler")).to_have_attribute("data-ready", "true")
        draft_id = int(page.url.rsplit("/", 1)[1])

        demo.design.break_draft_lock(
            draft_id, actor=demo.users.get("admin", actor=CLI_OPERATOR), reason="Dario è in riunione"
        )
        theirs = demo.design.edit_draft(draft_id, actor=coordinator)
        described = "Ex degenti di ospedali psichiatrici, anche giudiziari"
        demo.design.save_draft(
            FILE,
            theirs.content.replace(described, described + " (OPG e REMS)").encode(),
            actor=coordinator,
            draft_id=draft_id,
            base_revision=theirs.revision,
        )
        # the page renews its lock: it hears who holds it now, and its save button waits
        page.evaluate("() => window.ImpresaDesigner.renewLock()")
        expect(page.get_by_test_id("lock-note")).to_contain_text("La bozza è in modifica da coordinatore")
        expect(page.get_by_role("button", name="Salva la bozza")).to_be_disabled()
        demo.design.release_draft(draft_id, actor=coordinator)
        page.evaluate("() => window.ImpresaDesigner.renewLock()")
        expect(page.get_by_test_id("lock-note")).to_contain_text("Stai modificando tu")

        edit_cell(page, THRESHOLD, "> 44")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Salvataggio rifiutato: coordinatore ha salvato")
        conflict = page.get_by_test_id("conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator('tr.changed[data-rule="Rule_dt1_l381_svantaggio_2"]')).to_contain_text("(OPG e REMS)")
        expect(conflict.locator("#conflict-lines .d-add").filter(has_text="<description>")).to_contain_text(
            "(OPG e REMS)"
        )
        conflict.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "24-salvataggio-rifiutato.png"), full_page=True)
    # nothing of the refused save was stored
    assert "&gt; 45" in demo.design.draft(draft_id, actor=coordinator).content
