"""The process designer in a real browser (headless Chromium): open a library process in the
bpmn-js modeler, add a user task in a lane, save and see the lint error for its missing form
listed and marked on the diagram, set the form through the properties panel, save clean, deploy
with a note, look at the visual diff and a migration dry run; then a new case starts on the new
version while the case already running stays on the old one. Screenshots go to test-output/."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import make_app
from tests.web.live import chromium, login, serve

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output"
VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT = 20_000
PROCESS = "sportello_ascolto"

# Through the modeler instance the page's own script made (window.ImpresaDesigner.modeler): make
# room before the end event, put a user task in the coordinator's lane and wire it between the
# first task and the end. Returns the new task's id.
ADD_USER_TASK = """
() => {
  const modeler = window.ImpresaDesigner.modeler;
  const registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling");
  const first = registry.get("Task_primo");
  const end = registry.get("EndEvent_1");
  const flow = registry.get("Flow_2");
  const participant = registry.get("Participant_sportello_ascolto");
  const lane = registry.get("Lane_coordinatore");
  modeling.resizeLane(lane, {x: lane.x, y: lane.y, width: lane.width + 200, height: lane.height});
  modeling.moveElements([end], {x: 200, y: 0});
  const task = modeling.createShape({type: "bpmn:UserTask"}, {x: first.x + first.width + 150, y: first.y + first.height / 2}, participant);
  modeling.reconnectEnd(flow, task, {x: task.x, y: task.y + task.height / 2});
  modeling.connect(task, end);
  return task.id;
}
"""
SELECT = "(id) => window.ImpresaDesigner.select(id)"
LANE_OF = """
(id) => {
  const registry = window.ImpresaDesigner.modeler.get("elementRegistry");
  const lane = registry.filter((e) => e.type === "bpmn:Lane").find((l) => (l.businessObject.flowNodeRef || []).some((n) => n.id === id));
  return lane ? lane.businessObject.name : null;
}
"""


def _tag(xml: str, element_id: str) -> str:
    """The opening tag of an element (attributes in the file's order, entities resolved)."""
    match = re.search(rf'<[^<>]*\sid="{re.escape(element_id)}"[^<>]*>', xml)
    assert match, element_id
    return html.unescape(match.group(0))


def test_designer_edits_lints_and_deploys_while_running_cases_keep_their_version(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    password = with_password("progettista")
    designer, coordinator = (
        demo.users.get("progettista", actor=CLI_OPERATOR),
        demo.users.get("coordinatore", actor=CLI_OPERATOR),
    )
    # A process of the library (from the template: start → Task_primo → end in the coordinator's
    # lane), deployed as v1, with a case running on it.
    first = demo.design.new_draft(PROCESS, "Sportello di ascolto", actor=designer)
    demo.design.deploy_draft(first.id, actor=designer, note="prima versione")
    old_case = demo.cases.start(PROCESS, {"territorio": TERRITORY}, actor=coordinator)
    assert old_case.process_version == 1

    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size(VIEWPORT)  # the screenshots are at 1366 px, a common office laptop
        page.set_default_timeout(TIMEOUT)
        violations: list[str] = []
        errors: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda err: errors.append(str(err)))

        # The designer lands on the library and opens the process file in the modeler.
        login(page, base, "progettista", password)
        expect(page.locator("h1")).to_have_text("Progettazione dei processi")
        page.locator(f'tr[data-file="{PROCESS}.bpmn"]').get_by_role("button", name="Modifica").click()
        modeler = page.get_by_test_id("modeler")
        expect(modeler).to_have_attribute("data-ready", "true")
        expect(page.locator(".djs-palette")).to_be_visible()
        expect(page.get_by_test_id("problems-summary")).to_contain_text("Nessun problema")
        modeler_url = page.url

        # A new user task in the coordinator's lane, selected on the canvas by a click.
        task_id = page.evaluate(ADD_USER_TASK)
        assert page.evaluate(LANE_OF, task_id) == "coordinatore"
        expect(page.get_by_test_id("save-status")).to_have_text("Modifiche non salvate.")
        expect(page.locator("#deploy-button")).to_be_disabled()
        page.locator(f'.djs-element[data-element-id="{task_id}"]').click()
        expect(page.locator("#bio-properties-panel-spiff-formKey")).to_be_visible()
        # the panel's header names the element's type in Italian
        expect(page.locator(".bio-properties-panel-header-type")).to_have_text("Attività utente")

        # Save: the lint finds the missing form, lists it and marks the element.
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Bozza salvata con problemi")
        problem = page.get_by_test_id("problems").locator(f'li[data-element="{task_id}"]')
        expect(problem).to_contain_text("l'attività utente non indica il modulo (proprietà formKey)")
        expect(page.locator(f'.djs-element.d-problem[data-element-id="{task_id}"]')).to_have_count(1)
        expect(page.locator(f'.problem-badge[data-problem="{task_id}"]')).to_be_visible()
        expect(page.locator("#deploy-button")).to_be_disabled()
        page.locator(".djs-container").first.click(position={"x": 5, "y": 5})  # clear the selection
        problem.get_by_role("button").click()  # the message selects its element
        expect(page.locator(f'.djs-element.selected[data-element-id="{task_id}"]')).to_have_count(1)
        page.screenshot(path=str(SHOTS / "10-modellatore-problema.png"), full_page=True)
        untranslated = page.evaluate("() => window.ImpresaDesigner.untranslated")
        assert untranslated == [], "|".join(untranslated)

        # Name and form through the properties panel; save again: no problem left.
        page.fill("#bio-properties-panel-name", "Colloquio di ascolto")
        page.fill("#bio-properties-panel-spiff-formKey", "generico_conferma")
        expect(page.get_by_test_id("save-status")).to_have_text("Modifiche non salvate.")
        page.get_by_role("button", name="Salva la bozza").click()
        expect(page.get_by_test_id("save-status")).to_have_text("Bozza salvata.")
        expect(page.get_by_test_id("problems-summary")).to_contain_text("Nessun problema")
        expect(page.locator(".djs-element.d-problem")).to_have_count(0)
        expect(page.get_by_test_id("changes")).to_contain_text(PROCESS)
        expect(page.locator("#deploy-button")).to_be_enabled()
        page.screenshot(path=str(SHOTS / "11-modellatore-corretto.png"), full_page=True)

        # Deploy with a change note: a new version of the process.
        page.fill("#deploy-note", "Aggiunto il colloquio di ascolto")
        page.get_by_role("button", name="Pubblica una nuova versione").click()
        row = page.get_by_test_id("deployed").locator(f'tr[data-process="{PROCESS}"]')
        expect(row).to_contain_text("v2")
        expect(row).to_contain_text("nuova versione")
        page.screenshot(path=str(SHOTS / "12-pubblicazione.png"), full_page=True)

        # The visual diff v1 → v2: the added task in green, listed with the other additions.
        row.get_by_role("link", name="Differenze").click()
        diff = page.get_by_test_id("version-diff")
        expect(diff).to_have_attribute("data-ready", "true")
        expect(page.get_by_test_id("diff-lists")).to_contain_text(task_id)
        expect(page.locator(f'.djs-element.d-added[data-element-id="{task_id}"]')).to_have_count(1)
        expect(page.locator('.djs-element.d-changed[data-element-id="Flow_2"]')).to_have_count(1)
        page.screenshot(path=str(SHOTS / "13-differenze-versioni.png"), full_page=True)

        # The migration page: the running case is on v1; a dry run says it could move to v2.
        page.get_by_role("link", name="Migrazione dei casi in corso").click()
        expect(page.get_by_test_id("running-v1")).to_have_text("1")
        page.get_by_role("button", name="Simula la migrazione").click()
        expect(page.get_by_test_id(f"outcome-{old_case.id}")).to_have_text("migrabile")
        page.screenshot(path=str(SHOTS / "14-migrazione-simulata.png"), full_page=True)

        # A dry run of the draft on sample data: the path is drawn on the diagram.
        page.goto(modeler_url)
        page.get_by_role("link", name="Simulazione").click()
        page.fill("#dr-data", '{"territorio": "ATS-Demo"}')
        # Task_primo is answered by its form as proposed (the box ticked); the new task is left
        # out, so the run stops there.
        page.locator('details[data-task="Task_primo"] summary').click()
        expect(page.locator("#field-dr__Task_primo__conferma")).to_be_checked()
        page.locator(f'details[data-task="{task_id}"] summary').click()
        page.locator(f"#use-{task_id}").uncheck()
        page.get_by_role("button", name="Esegui la simulazione").click()
        expect(page.get_by_test_id("dry-run-stopped")).to_contain_text(task_id)
        expect(page.get_by_test_id("dry-run-diagram")).to_have_attribute("data-ready", "true")
        expect(page.locator('.djs-element.d-path[data-element-id="Task_primo"]')).to_have_count(1)
        expect(page.locator(f'.djs-element.d-stopped[data-element-id="{task_id}"]')).to_have_count(1)
        page.screenshot(path=str(SHOTS / "15-simulazione.png"), full_page=True)
        # Step by step: the start alone, then the answer to Task_primo, each drawn on the diagram
        steps = page.get_by_test_id("dry-run-steps").locator("li")
        diagram = page.get_by_test_id("dry-run-diagram")
        steps.first.get_by_test_id("show-step").click()
        expect(diagram).to_have_attribute("data-step", "0")
        expect(page.get_by_test_id("dry-run-step-shown")).to_have_text("Sul diagramma: il percorso fino a «Avvio».")
        expect(page.locator('.djs-element.d-path[data-element-id="Task_primo"]')).to_have_count(0)
        expect(page.locator(f'.djs-element.d-stopped[data-element-id="{task_id}"]')).to_have_count(0)
        answered = steps.filter(has=page.locator("strong", has_text="Prima attività"))
        answered.get_by_test_id("show-step").click()
        expect(page.locator('.djs-element.d-step[data-element-id="Task_primo"]')).to_have_count(1)
        expect(answered).to_have_class("current")
        answered.get_by_test_id("data-after").locator("summary").click()
        expect(answered.get_by_test_id("data-after")).to_contain_text("conferma")
        page.screenshot(path=str(SHOTS / "16-simulazione-passo.png"), full_page=True)
        assert not violations, violations
        assert not errors, errors

    # A new case starts on v2 and meets the new task; the running case stays on v1 and ends after
    # its first task, as v1 says.
    new_case = demo.cases.start(PROCESS, {"territorio": TERRITORY}, actor=coordinator)
    assert new_case.process_version == 2
    assert demo.cases.get(old_case.id, actor=CLI_OPERATOR).process_version == 1
    for case_id in (old_case.id, new_case.id):
        [task] = demo.cases.get(case_id, actor=CLI_OPERATOR).open_tasks
        assert task.bpmn_id == "Task_primo"
        demo.tasks.complete(task.id, {"conferma": True}, actor=coordinator)
    [added] = demo.cases.get(new_case.id, actor=CLI_OPERATOR).open_tasks
    assert (added.bpmn_id, added.name, added.form_key, added.role) == (
        task_id,
        "Colloquio di ascolto",
        "generico_conferma",
        "coordinatore",
    )
    assert demo.cases.get(old_case.id, actor=CLI_OPERATOR).status.value == "completed"


def test_library_diagrams_round_trip_through_the_modeler_unchanged(
    demo: Engine, with_password: Callable[[str], str]
) -> None:
    """Opening and saving a library file in the modeler keeps every Spiff extension (forms, due
    dates, DMN references, message variables): the saved draft validates and the engine's
    element diff against the deployed file shows no change but a default attribute left out."""
    password = with_password("progettista")
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    files = ["valutazione_bisogno.bpmn", "attuazione.bpmn", "percorso_beneficiario.bpmn"]
    drafts = {name: demo.design.open_draft(name, actor=designer) for name in files}
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        login(page, base, "progettista", password)
        for name, draft in drafts.items():
            page.goto(f"{base}/design/drafts/{draft.id}")
            expect(page.get_by_test_id("modeler")).to_have_attribute("data-ready", "true")
            if name == "valutazione_bisogno.bpmn":  # the panel shows lane names and timer expressions
                page.evaluate(SELECT, "Lane_coordinatore")
                expect(page.locator("#bio-properties-panel-name")).to_have_value("coordinatore")
                page.evaluate(SELECT, "Timer_termine_integrazione")
                expect(page.locator("#bio-properties-panel-timerEventDefinitionValue")).to_have_value(
                    'fn_timer_in_days(fn_param("giorni_integrazione_documenti"))'
                )
                page.evaluate(SELECT, "UT_segnalazione")
                expect(page.locator("#bio-properties-panel-spiff-formKey")).to_have_value("f2_segnalazione")
            page.get_by_role("button", name="Salva la bozza").click()
            expect(page.get_by_test_id("save-status")).to_have_text("Bozza salvata.")
            saved = demo.design.draft(draft.id, actor=designer)
            assert saved.problems == (), (name, saved.problems)
            assert saved.content != draft.content  # bpmn-js wrote it out again
            for tag in ("spiffworkflow:property ", "spiffworkflow:calledDecisionId", "spiffworkflow:messageVariable"):
                assert saved.content.count(tag) == draft.content.count(tag), (name, tag)
            # The only element differences: boundary events whose cancelActivity="true" (the
            # BPMN default) bpmn-js leaves out when it writes the file.
            for changes in demo.design.draft_diff(draft.id, actor=designer).as_dict()["processes"].values():
                assert changes["added"] == changes["removed"] == [], (name, changes)
                for change in changes["changed"]:
                    assert change["aspects"] == ["attributes"], (name, change)
                    before = _tag(draft.content, change["id"])
                    assert 'cancelActivity="true"' in before and before.startswith("<bpmn:boundaryEvent"), before
                    assert _tag(saved.content, change["id"]) == before.replace(' cancelActivity="true"', "")
