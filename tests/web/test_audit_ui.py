"""The auditor's read-only UI and API: the case timeline with its filters, the step-through
replay (its JSON, and the page in a real browser), the dossier downloads, the access log, the
chain verification, the pseudonymised export, the navigation, and every write refused to the
auditor but their own API tokens."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import text

from engine import Engine
from engine.audit.bundle import verify_bundle
from engine.audit.pdf import KIND_LABELS as PDF_KIND_LABELS
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR, DEMO
from tests.support.people import ensure_person
from tests.web.conftest import F2_STEPS, ROLE_USER, VALID, advance, login_as, make_app, open_task, start_case
from tests.web.live import chromium, serve
from tests.web.test_authorization_matrix import PUBLIC, concrete
from web.audit import KIND_LABELS

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output"
PROBLEM = "application/problem+json"
ROW = re.compile(r'<tr data-seq="(\d+)" data-kind="([a-z_]+)">')
# The writes an auditor may still make: their own API tokens (see web.security.READ_ONLY_WRITABLE).
OWN_ACCOUNT = {
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/<int:token_id>/revoke"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/<int:token_id>"),
}


def walk(engine: Engine, clock: FixedClock, case_id: int, until: str, days: int = 0) -> None:
    """``advance`` one task at a time, moving the clock ``days`` after each."""
    for step in F2_STEPS:
        task = open_task(engine, case_id, step)
        if step == until:
            return
        if step == "UT_analisi_preliminare":  # the assessment takes the age from the person record
            ensure_person(engine, case_id, engine.users.get("assistente", actor=CLI_OPERATOR))
        actor = engine.users.get(ROLE_USER[task.role or ""], actor=CLI_OPERATOR)
        engine.tasks.complete(task.id, copy.deepcopy(VALID[task.form_key or ""]), actor=actor)
        clock.advance(days=days)


def rows(html: str) -> list[tuple[int, str]]:
    return [(int(seq), kind) for seq, kind in ROW.findall(html)]


def bearer(engine: Engine, username: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {engine.accounts.create_token('test', actor=engine.users.get(username, actor=CLI_OPERATOR))[1]}"
    }


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_lists_every_event_and_its_filters_work(app: Flask, demo: Engine, clock: FixedClock) -> None:
    case = start_case(demo)
    walk(demo, clock, case.id, "UT_analisi_preliminare", days=3)  # segnalazione, informativa, verifica
    demo.tasks.claim(
        open_task(demo, case.id, "UT_analisi_preliminare").id, actor=demo.users.get("assistente", actor=CLI_OPERATOR)
    )
    auditor = login_as(app.test_client(), "auditor")
    url = f"/cases/{case.id}/timeline"

    page = auditor.get(url).get_data(as_text=True)
    events = demo.cases.history(case.id, actor=CLI_OPERATOR)
    assert [seq for seq, _ in rows(page)] == [e.seq for e in events]
    assert "Avvio del caso" in page and "Presa in carico attività" in page and "Scheda di segnalazione" in page
    assert "Dott.ssa Bianchi" in page  # the data submitted with the task
    assert "SVANT_651" not in page  # categoria_presunta is health/judicial: filtered by history()
    assert f"/cases/{case.id}/replay?seq=2" in page

    completed = rows(auditor.get(f"{url}?kind=task_completed").get_data(as_text=True))
    assert [k for _, k in completed] == ["task_completed"] * 3
    by_social = rows(auditor.get(f"{url}?actor=assistente").get_data(as_text=True))
    assert {k for _, k in by_social} == {"started", "task_claimed"}
    verifica = auditor.get(f"{url}?task=VERIFICA+della").get_data(as_text=True)
    assert [k for _, k in rows(verifica)] == ["task_completed"] and "Verifica della documentazione" in verifica
    # days are the viewer's (Europe/Rome): the case started on 5 Jan, each task 3 days apart
    assert [s for s, _ in rows(auditor.get(f"{url}?from=2026-01-08&to=2026-01-11").get_data(as_text=True))] == [3, 4]
    assert [s for s, _ in rows(auditor.get(f"{url}?to=2026-01-05").get_data(as_text=True))] == [1, 2]
    none = auditor.get(f"{url}?kind=cancelled").get_data(as_text=True)
    assert rows(none) == [] and "Nessun evento corrisponde ai filtri." in none
    # malformed filters are ignored, never an error
    bad = auditor.get(f"{url}?kind=bogus&from=yesterday&to=2026-13-45&task=" + "x" * 500)
    assert bad.status_code == 200 and rows(bad.get_data(as_text=True)) == []  # the long task text matches nothing
    assert len(rows(auditor.get(f"{url}?kind=bogus&from=yesterday").get_data(as_text=True))) == len(events)

    english = auditor.get(f"{url}?lang=en&kind=task_completed").get_data(as_text=True)
    assert "Task completed" in english and "Event type" in english
    assert auditor.get(f"/cases/{2**40}/timeline").status_code == 404
    assert auditor.get("/cases/99999/timeline").status_code == 404


def test_kind_labels_are_the_dossier_labels() -> None:
    assert {k: str(v) for k, v in KIND_LABELS.items()} == PDF_KIND_LABELS


# --- step-through replay ----------------------------------------------------------------------


def test_replay_json_gives_steps_with_elements_diff_and_digest_check(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    auditor = login_as(app.test_client(), "auditor")

    body = auditor.get(f"/cases/{case.id}/replay.json").get_json()
    assert body["faithful"] is True and body["first_mismatch"] is None
    steps = body["steps"]
    assert [s["seqs"] for s in steps] == [[1], [2], [3], [4]]
    assert [s["kind"] for s in steps] == ["started"] + ["task_completed"] * 3
    assert all(s["matches"] is True for s in steps)
    first, second = steps[0], steps[1]
    assert first["kind_label"] == "Avvio del caso" and first["at_label"] and first["status_label"] == "in corso"
    assert "UT_segnalazione" in first["elements"]["valutazione_bisogno"]["active"]
    assert "UT_segnalazione" in second["elements"]["valutazione_bisogno"]["completed"]
    assert "UT_informativa" in second["elements"]["valutazione_bisogno"]["active"]
    assert {"percorso_beneficiario", "valutazione_bisogno"} <= set(second["elements"])  # main and called
    assert second["changes"]["added"]["referente_inviante"] == "Dott.ssa Bianchi"
    assert second["changes"]["changed"] == {} and second["changes"]["removed"] == {}
    assert second["task_name"] == "Scheda di segnalazione" and second["ready"] == ["Informativa privacy e consensi"]
    # health/judicial fields never leave through the replay, they are named as withheld
    assert "categoria_presunta" in second["withheld"]
    assert all("categoria_presunta" not in s["data"] for s in steps)
    assert "SVANT_651" not in json.dumps(body)
    assert body["labels"]["referente_inviante"] != "referente_inviante"  # the form's label
    assert {"percorso_beneficiario", "valutazione_bisogno"} <= {d["process_id"] for d in body["diagrams"]}
    assert all(d["xml"].startswith("<?xml") for d in body["diagrams"])

    partial = auditor.get(f"/cases/{case.id}/replay.json?upto=2").get_json()
    assert [s["seqs"] for s in partial["steps"]] == [[1], [2]]
    missing = auditor.get("/cases/99999/replay.json")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM

    page = auditor.get(f"/cases/{case.id}/replay?seq=3").get_data(as_text=True)
    assert 'data-seq="3"' in page and f'data-src="/cases/{case.id}/replay.json"' in page
    assert "js/replay.js" in page and "<script>" not in page and " style=" not in page


def test_replay_api_with_upto_and_problems_for_bad_input(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_verifica_documenti")
    client, headers = app.test_client(), bearer(demo, "auditor")

    full = client.get(f"/api/v1/cases/{case.id}/replay", headers=headers)
    assert full.status_code == 200, full.get_data(as_text=True)
    body = full.get_json()
    assert body["case_id"] == case.id and body["faithful"] is True and len(body["steps"]) == 3
    step = body["steps"][1]
    assert {"index", "cmd", "seqs", "kind", "actor", "at", "matches", "elements", "changes", "withheld"} <= set(step)
    assert "UT_segnalazione" in step["elements"]["valutazione_bisogno"]["completed"]
    assert "data_segnalazione" in step["changes"]["added"]
    assert len(client.get(f"/api/v1/cases/{case.id}/replay?upto=1", headers=headers).get_json()["steps"]) == 1
    assert len(client.get(f"/api/v1/cases/{case.id}/replay?upto=999", headers=headers).get_json()["steps"]) == 3

    for query in ("upto=0", "upto=-3", "upto=abc", f"upto={2**40}"):
        bad = client.get(f"/api/v1/cases/{case.id}/replay?{query}", headers=headers)
        assert bad.status_code == 422 and bad.mimetype == PROBLEM, query
        assert "upto" in bad.get_json()["errors"], query
    for path in ("/api/v1/cases/99999/replay", f"/api/v1/cases/{2**40}/replay", "/api/v1/cases/99999/dossier.pdf"):
        missing = client.get(path, headers=headers)
        assert missing.status_code == 404 and missing.mimetype == PROBLEM, path
    social = client.get(f"/api/v1/cases/{case.id}/replay", headers=bearer(demo, "assistente"))
    assert social.status_code == 403 and social.mimetype == PROBLEM


def test_replay_is_refused_outside_the_auditors_territories(app: Flask, demo: Engine) -> None:
    demo.users.add("revisore_locale", "Revisore locale", [("auditor", "ATS-Altrove")], actor=CLI_OPERATOR)
    case = start_case(demo)
    local = login_as(app.test_client(), "revisore_locale")
    assert local.get(f"/cases/{case.id}/replay.json").status_code == 403
    assert local.get(f"/cases/{case.id}/timeline").status_code == 403
    assert local.get(f"/cases/{case.id}/dossier.pdf").status_code == 403


# --- dossiers ---------------------------------------------------------------------------------


def test_dossier_pdf_and_signed_bundle_download(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_verifica_documenti")
    auditor, headers = login_as(app.test_client(), "auditor"), bearer(demo, "auditor")
    for pdf in (
        auditor.get(f"/cases/{case.id}/dossier.pdf"),
        app.test_client().get(f"/api/v1/cases/{case.id}/dossier.pdf", headers=headers),
    ):
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.data.startswith(b"%PDF")
        assert pdf.headers["Content-Disposition"] == f'attachment; filename="fascicolo-caso-{case.id}.pdf"'
    for bundle in (
        auditor.get(f"/cases/{case.id}/dossier.json"),
        app.test_client().get(f"/api/v1/cases/{case.id}/dossier.json", headers=headers),
    ):
        assert bundle.status_code == 200 and bundle.mimetype == "application/json"
        assert bundle.headers["Content-Disposition"] == f'attachment; filename="fascicolo-caso-{case.id}.json"'
        document = json.loads(bundle.data)
        assert document["case"]["id"] == case.id and len(document["events"]) == 3
        assert verify_bundle(document) == []
        document["events"][1]["actor"] = "qualcun altro"
        assert verify_bundle(document)  # a changed bundle no longer verifies
    # the case page links the auditor to the audit tools and the downloads
    page = auditor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/dossier.pdf"' in page and f'href="/cases/{case.id}/replay"' in page
    assert login_as(app.test_client(), "assistente").get(f"/cases/{case.id}/dossier.pdf").status_code == 403


# --- access log, verification, export ---------------------------------------------------------


def test_access_log_shows_who_viewed_personal_data(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    assert login_as(app.test_client(), "assistente").get(f"/cases/{case.id}").status_code == 200
    demo.teams.add(
        case.id, "cpi", username="cpi", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )  # the job centre's officer
    assert login_as(app.test_client(), "cpi").get(f"/cases/{case.id}").status_code == 200  # sees none: not logged
    auditor = login_as(app.test_client(), "auditor")

    page = auditor.get(f"/audit/access-log?case_id={case.id}").get_data(as_text=True)
    # each cell names its column: on a phone the rows become cards
    assert '<td data-label="Utente">assistente</td>' in page and "consultazione caso" in page
    assert "Categoria presunta" in page and '<td data-label="Finalità">' in page
    assert f'href="/cases/{case.id}/timeline"' in page
    assert ">cpi</td>" not in page
    assert "Nessun accesso registrato." in auditor.get("/audit/access-log?username=cpi").get_data(as_text=True)
    assert "Nessun accesso registrato." in auditor.get("/audit/access-log?case_id=99999").get_data(as_text=True)
    assert auditor.get("/audit/access-log?case_id=abc&username=" + "y" * 500).status_code == 200

    client, headers = app.test_client(), bearer(demo, "auditor")
    entries = client.get("/api/v1/audit/access-log?username=assistente", headers=headers).get_json()
    assert entries and all(e["username"] == "assistente" and e["case_id"] == case.id for e in entries)
    assert "categoria_presunta" in entries[0]["fields"]
    assert client.get("/api/v1/audit/access-log?case_id=0", headers=headers).status_code == 422
    refused = client.get("/api/v1/audit/access-log", headers=bearer(demo, "assistente"))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM


def test_chain_verification_shows_ok_or_the_first_broken_link(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_verifica_documenti")
    auditor, client, headers = login_as(app.test_client(), "auditor"), app.test_client(), bearer(demo, "auditor")
    ok = auditor.get("/audit/verify").get_data(as_text=True)
    assert 'data-ok="true"' in ok and "Tutte le catene sono integre." in ok
    assert client.get("/api/v1/audit/verify", headers=headers).get_json()["ok"] is True

    with demo.db.begin() as conn:
        conn.execute(text("UPDATE case_event SET actor = 'intruso' WHERE case_id = :c AND seq = 2"), {"c": case.id})
    broken = auditor.get("/audit/verify").get_data(as_text=True)
    assert 'data-ok="false"' in broken
    assert f"caso n. {case.id}, evento n. 2" in broken and f'href="/cases/{case.id}/timeline"' in broken
    report = client.get("/api/v1/audit/verify", headers=headers).get_json()
    assert report["ok"] is False and report["first_break"]["case_id"] == case.id and report["first_break"]["seq"] == 2
    assert "broken link" in auditor.get("/audit/verify?lang=en").get_data(as_text=True)
    assert "Un evento è stato modificato, tolto o spostato." in broken


def test_a_tampered_case_page_is_told_in_italian(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_verifica_documenti")
    with demo.db.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'completed' WHERE id = :c"), {"c": case.id})
    page = login_as(app.test_client(), "auditor").get("/audit/verify").get_data(as_text=True)
    assert 'data-ok="false"' in page
    assert "I dati o lo stato mostrati del caso differiscono da quelli fissati dal suo ultimo evento." in page
    assert "Dati mostrati dei casi confrontati con la catena" in page


def test_pseudonymised_export_for_evaluators(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    client = app.test_client()
    records = client.get("/api/v1/exports/pseudonymised", headers=bearer(demo, "valutatore")).get_json()
    assert len(records) == 1 and "BEN-0001" not in json.dumps(records)
    assert "categoria_presunta" not in records[0]["dati"]
    download = login_as(app.test_client(), "valutatore").get("/exports/pseudonymised.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert json.loads(download.data) == records
    refused = client.get("/api/v1/exports/pseudonymised", headers=bearer(demo, "auditor"))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM


# --- navigation and the read-only rule --------------------------------------------------------


def test_navigation_shows_the_audit_pages_to_those_who_may_open_them(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    auditor = login_as(app.test_client(), "auditor")
    assert auditor.get("/").headers["Location"] == "/cases"
    page = auditor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="nav-verify"' in page and 'data-testid="nav-access-log"' in page
    assert 'data-testid="audit-links"' in page and "Riesecuzione passo per passo" in page
    assert 'href="/inbox"' not in page and 'href="/cases/new"' not in page  # areas closed to the auditor
    boss = login_as(app.test_client(), "coordinatore").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="audit-links"' in boss and 'data-testid="nav-verify"' in boss
    social = login_as(app.test_client(), "assistente").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="audit-links"' not in social and 'data-testid="nav-verify"' not in social
    evaluator = login_as(app.test_client(), "valutatore").get("/cases").get_data(as_text=True)
    assert 'data-testid="nav-export"' in evaluator and 'data-testid="nav-verify"' not in evaluator
    for url in (f"/cases/{case.id}/timeline", f"/cases/{case.id}/replay", "/audit/access-log", "/audit/verify"):
        html = auditor.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url


def test_every_write_route_refuses_the_auditor(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    headers = bearer(demo, "auditor")
    checked, problems = [], []
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            if (method, rule.rule) in OWN_ACCOUNT:
                continue
            url = concrete(rule.rule, case=str(case.id), task=task.id)
            if url.startswith("/api/"):
                response = app.test_client().open(url, method=method, json={"data": {}}, headers=headers)
            else:
                client = login_as(app.test_client(), "auditor")
                response = client.open(url, method=method, data={"name": "x", "territory": "ATS-Demo", "active": "1"})
            checked.append(f"{method} {rule.rule}")
            if response.status_code != 403:
                problems.append(f"{method} {rule.rule}: {response.status_code}")
    assert not problems, problems
    assert {
        "POST /cases/new",
        "POST /partnerships",
        "POST /tasks/<task_id>",
        "POST /tasks/<task_id>/claim",
        "POST /api/v1/cases",
        "POST /api/v1/tasks/<task_id>/complete",
        "PUT /api/v1/tasks/<task_id>/draft",
    } <= set(checked), checked
    assert demo.cases.get(case.id, actor=CLI_OPERATOR).open_tasks[0].assignee is None  # nothing changed
    # their own API tokens are theirs to manage
    own = login_as(app.test_client(), "auditor").post("/account/tokens", data={"name": "revisione"})
    assert own.status_code == 200 and 'data-testid="new-token"' in own.get_data(as_text=True)
    created = app.test_client().post("/api/v1/tokens", json={"name": "script"}, headers=headers)
    assert created.status_code == 201
    revoked = app.test_client().delete(f"/api/v1/tokens/{created.get_json()['id']}", headers=headers)
    assert revoked.status_code == 204
    # the rule is about read-only users: an auditor who is also a coordinator keeps the coordinator's writes
    demo.users.add("doppio", "Doppio ruolo", [("auditor", ""), ("coordinatore", "")], actor=CLI_OPERATOR)
    both = login_as(app.test_client(), "doppio").post("/partnerships", data={"territory": "ATS-X", "active": "1"})
    assert both.status_code == 302 and demo.registry.partnership_active("ATS-X", actor=CLI_OPERATOR)


# --- the step-through page in a real browser --------------------------------------------------


def done_markers(page: Page) -> int:
    return page.locator("[data-testid=replay-canvas] .djs-element.done").count()


def test_auditor_steps_through_a_case_in_the_browser(demo: Engine, with_password: Callable[[str], str]) -> None:
    SHOTS.mkdir(exist_ok=True)
    case = start_case(demo, "BEN-REVISIONE")
    advance(demo, case.id, "UT_conferma_esito")  # records the person before the analysis: one step more
    password = with_password("auditor")
    app = make_app(demo, WTF_CSRF_ENABLED=True)
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/login")
        page.fill("#username", "auditor")
        page.fill("#password", password)
        page.click("button.primary")
        expect(page.get_by_test_id("current-user")).to_contain_text("auditor")
        expect(page.locator("h1")).to_have_text("Casi")  # the auditor starts from the cases

        page.get_by_role("link", name="BEN-REVISIONE").click()
        page.get_by_role("link", name="Riesecuzione passo per passo").first.click()
        replay = page.get_by_test_id("replay")
        expect(replay).to_have_attribute("data-rendered", "true")
        expect(replay).to_have_attribute("data-step", "0")
        expect(replay).to_have_attribute("data-process", "percorso_beneficiario")
        expect(page.get_by_test_id("replay-summary")).to_have_attribute("data-faithful", "true")
        expect(page.get_by_test_id("step-position")).to_have_text("Passo 1 di 7")
        expect(page.get_by_test_id("step-mark")).to_have_attribute("data-matches", "ok")

        # one button per diagram (an embedded sub-process is drawn in its process' diagram);
        # the called process of the step: the needs assessment, where the work is
        expect(page.get_by_test_id("process-switch").get_by_role("button")).to_have_count(2)
        page.get_by_test_id("process-switch").get_by_role("button", name="valutazione", exact=False).click()
        expect(replay).to_have_attribute("data-process", "valutazione_bisogno")
        expect(replay).to_have_attribute("data-rendered", "true")
        active = page.locator("[data-testid=replay-canvas] .djs-element.active")
        expect(active).to_have_count(1)
        before = done_markers(page)

        page.get_by_test_id("step-next").click()
        expect(replay).to_have_attribute("data-step", "1")
        expect(replay).to_have_attribute("data-rendered", "true")
        expect(page.get_by_test_id("step-position")).to_have_text("Passo 2 di 7")
        expect(page.get_by_test_id("step-diff")).to_contain_text("Dott.ssa Bianchi")
        expect(page.get_by_test_id("step-withheld")).to_contain_text("Categoria presunta")
        after_next = done_markers(page)
        assert after_next > before
        page.screenshot(path=str(SHOTS / "05-revisore-riesecuzione.png"), full_page=True)

        page.get_by_test_id("step-slider").fill("4")  # the two parallel branches are done by now
        expect(replay).to_have_attribute("data-step", "4")
        expect(replay).to_have_attribute("data-process", "valutazione_bisogno")  # the choice is kept
        expect(replay).to_have_attribute("data-rendered", "true")
        assert done_markers(page) > after_next
        page.screenshot(path=str(SHOTS / "06-revisore-riesecuzione-slider.png"), full_page=True)

        page.get_by_test_id("step-prev").click()
        expect(replay).to_have_attribute("data-step", "3")
        expect(replay).to_have_attribute("data-rendered", "true")
        page.get_by_test_id("process-switch").get_by_role("button", name="Percorso", exact=False).click()
        expect(replay).to_have_attribute("data-process", "percorso_beneficiario")
        expect(replay).to_have_attribute("data-rendered", "true")

        page.get_by_role("link", name="Cronologia completa").first.click()
        expect(page.get_by_test_id("timeline")).to_contain_text("Scheda di segnalazione")
        page.get_by_test_id("nav-verify").click()
        expect(page.get_by_test_id("verify-result")).to_have_attribute("data-ok", "true")
        assert not violations, violations


def test_the_timeline_and_the_access_log_name_people_relations_and_organisations(app: Flask, demo: Engine) -> None:
    """A change of the case's team reads "Servizio sanitario in carico (ASL, DSM, SerD)" and the
    organisation's registered name, not the codes the event stores (``sanitario``, ``ASL_PROVA``
    shown as "Asl prova"); a read by the engine's own actor is "Sistema (dati dimostrativi)" in the
    access log, as in the timeline, not ``sistema:demo``."""
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    case = start_case(demo)
    advance(demo, case.id, "UT_analisi_preliminare")
    demo.registry.add_organisation(
        "ASL_PROVA", "Azienda sanitaria di prova", "servizio_sanitario", TERRITORY, actor=coordinator
    )
    demo.teams.add(case.id, "sanitario", organisation="ASL_PROVA", actor=coordinator)
    demo.teams.add(case.id, "cpi", username="cpi", actor=coordinator)
    demo.cases.get(case.id, purpose="consultazione caso", actor=DEMO)
    auditor = login_as(app.test_client(), "auditor")

    page = auditor.get(f"/cases/{case.id}/timeline").get_data(as_text=True)
    assert "Servizio sanitario in carico (ASL, DSM, SerD)" in page and "Azienda sanitaria di prova" in page
    assert "Asl prova" not in page and ">sanitario<" not in page and ">responsabile<" not in page

    log = auditor.get(f"/audit/access-log?case_id={case.id}").get_data(as_text=True)
    assert "Sistema (dati dimostrativi)" in log and "sistema:demo" not in log
