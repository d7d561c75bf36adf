"""Decision tables on the design pages, through the Flask test client: a DMN draft's decision
tests run from the page (each with its legal article, inputs, expected and actual outputs, the
rules that matched), problems of a table in Italian, the rules a draft changes against the
deployed file and between two deployed versions, as tables."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.conftest import login_as
from tests.web.test_api import Api

FILE = "dt1_l381_svantaggio.dmn"
THRESHOLD = "<text>&gt; 45</text>"
ARTICLE = "L. 381/1991 art. 4 c.1 – invalidi fisici, psichici e sensoriali"


@pytest.fixture
def page(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "progettista")


def test_decision_tests_run_from_the_page_and_a_changed_threshold_fails_one(page: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista")
    draft = demo.design.open_draft(FILE, actor=designer)
    doc = page.get(f"/design/drafts/{draft.id}/decision-tests.json").get_json()
    assert doc["failed"] == 0 and doc["passed"] == len(doc["results"]) >= 10
    first = next(r for r in doc["results"] if r["test_id"] == "T_Riga_Invalidi_fisici_psichici_e_sensoria")
    assert first["article"] == ARTICLE and first["given"] == {"invalidita_civile_perc": "46"}
    assert first["matched_rules"] == [1]

    changed = draft.content.replace(THRESHOLD, "<text>&gt; 50</text>", 1)
    saved = page.post(f"/design/drafts/{draft.id}.json", json={"xml": changed, "revision": draft.revision})
    problems = saved.get_json()["problems"]
    assert [p["code"] for p in problems] == ["dmn.test_failed"]
    assert problems[0]["text"].startswith("il test decisionale «Riga: Invalidi fisici")
    assert ARTICLE in problems[0]["text"] and "non passa" in problems[0]["text"]

    doc = page.get(f"/design/drafts/{draft.id}/decision-tests.json").get_json()
    [failed] = [r for r in doc["results"] if not r["passed"]]
    assert failed["article"] == ARTICLE and failed["actual"]["cat_381"] == "[]"
    assert failed["expected"]["cat_381"] == '["INV_FIS_PSI_SENS"]'
    # deploy is refused while it fails
    assert page.post(f"/design/drafts/{draft.id}/deploy", data={"note": "soglia"}).status_code == 409

    diff = page.get(f"/design/drafts/{draft.id}/rules-diff.json").get_json()
    [rule] = diff["changes"]
    assert (rule["rule_id"], rule["status"], rule["status_label"]) == (
        "Rule_dt1_l381_svantaggio_1",
        "changed",
        "modificata",
    )
    column = rule["columns"].index("Invalidità civile (%)")
    assert (rule["before"][column], rule["after"][column]) == ("> 45", "> 50")
    assert diff["new_file"] is False


def test_a_cell_problem_is_said_in_italian_and_names_its_cell(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(FILE, actor=demo.users.get("progettista"))
    feel = draft.content.replace(THRESHOLD, "<text>[46..100]</text>", 1)
    problems = page.post(f"/design/drafts/{draft.id}.json", json={"xml": feel}).get_json()["problems"]
    cell = next(p for p in problems if p["code"] == "dmn.feel")
    assert cell["element"] == "In_dt1_l381_svantaggio_1_0"
    assert "è scritta in FEEL, che il motore non capisce: scrivi" in cell["text"]
    html = page.get(f"/design/drafts/{draft.id}").get_data(as_text=True)
    assert "è scritta in FEEL" in html


def test_the_version_history_shows_the_rules_changed_between_versions(page: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista")
    draft = demo.design.open_draft(FILE, actor=designer)
    process = "percorso_beneficiario"
    before = [v.version for v in demo.design.versions(process)]
    # a new rule: a copy of rule 1 with its own id, for an invalidity no test reaches
    rule_start = draft.content.index('<rule id="Rule_dt1_l381_svantaggio_1">')
    rule_end = draft.content.index("</rule>", rule_start) + len("</rule>")
    added = (
        draft.content[rule_start:rule_end]
        .replace("Rule_dt1_l381_svantaggio_1", "Rule_nuova")
        .replace('id="In_dt1_l381_svantaggio_1_', 'id="In_nuova_')
        .replace('id="Out_dt1_l381_svantaggio_1_', 'id="Out_nuova_')
        .replace(THRESHOLD, "<text>&gt; 1000</text>")
    )
    content = draft.content[:rule_end] + added + draft.content[rule_end:]
    saved = demo.design.save_draft(FILE, content.encode(), actor=designer, draft_id=draft.id)
    assert saved.problems == (), saved.problems
    demo.design.deploy_draft(draft.id, actor=designer, note="regola nuova")
    after = [v.version for v in demo.design.versions(process)]
    assert max(after) == max(before) + 1
    html = page.get(f"/design/processes/{process}/versions").get_data(as_text=True)
    assert 'data-testid="version-rule-diff"' in html and 'data-rule="Rule_nuova"' in html and "aggiunta" in html


def test_the_api_runs_a_drafts_decision_tests_and_gives_its_rule_diff(app: Flask, demo: Engine) -> None:
    designer = demo.users.get("progettista")
    api = Api(app.test_client(), demo.accounts.create_token("test", actor=designer)[1])
    draft = demo.design.open_draft(FILE, actor=designer)
    demo.design.save_draft(
        FILE, draft.content.replace(THRESHOLD, "<text>&gt; 50</text>", 1).encode(), actor=designer, draft_id=draft.id
    )
    tests = api.get(f"/drafts/{draft.id}/decision-tests").get_json()
    [failed] = [r for r in tests["results"] if not r["passed"]]
    assert (
        tests["failed"] == 1
        and failed["article"] == ARTICLE
        and failed["expected"]["cat_381"] == '["INV_FIS_PSI_SENS"]'
    )
    [rule] = api.get(f"/drafts/{draft.id}/rule-diff").get_json()["changes"]
    assert (rule["rule_id"], rule["status"]) == ("Rule_dt1_l381_svantaggio_1", "changed")
