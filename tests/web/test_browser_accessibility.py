"""Accessibility (WCAG 2.1 AA, required of public services) checked with axe-core in headless
Chromium on the pages people use most: the inbox, a decision task's form, the case page and the
auditor's replay. No serious or critical violation may be found. axe-core comes from npm
(package.json, devDependencies) and is evaluated through the DevTools protocol, so the pages'
Content Security Policy stays as it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from engine import Engine
from tests.web.conftest import advance, make_app, start_case
from tests.web.live import chromium, login, logout, serve, settle

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""


def violations(page: Page) -> list[dict[str, Any]]:
    settle(page)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


def test_no_serious_accessibility_violations_in_the_browser(demo: Engine, with_password: Callable[[str], str]) -> None:
    passwords = {u: with_password(u) for u in ("assistente", "auditor")}
    case = start_case(demo, "BEN-ACCESSIBILE")
    task = advance(demo, case.id, "UT_conferma_esito")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    found: dict[str, list[dict[str, Any]]] = {}
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        login(page, base, "assistente", passwords["assistente"])
        for name, url in (
            ("inbox", "/inbox?tab=role"),
            ("task", f"/tasks/{task.id}"),
            ("case", f"/cases/{case.id}"),
        ):
            page.goto(base + url)
            found[name] = violations(page)
        logout(page)
        login(page, base, "auditor", passwords["auditor"])
        page.goto(f"{base}/cases/{case.id}/replay")
        expect(page.get_by_test_id("replay-canvas").locator(".djs-element").first).to_be_attached()
        found["replay"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
