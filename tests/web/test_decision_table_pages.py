"""Decision tables on the design pages, through the Flask test client: a DMN draft's decision
tests run from the page (each with its legal article, inputs, expected and actual outputs, the
rules that matched), problems of a table in Italian, the rules a draft changes against the
deployed file and between two deployed versions, as tables."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.model import DecisionTestCase
from engine.policy import CLI_OPERATOR
from tests.fixtures.dmn import CAMUNDA_DMN, CAMUNDA_DMN11, CAMUNDA_DMN12, DMN_JS
from tests.web.conftest import login_as
from tests.web.test_api import Api

FILE = "dt1_l381_svantaggio.dmn"
THRESHOLD = "<text>&gt; 45</text>"
ARTICLE = "L. 381/1991 art. 4 c.1 – invalidi fisici, psichici e sensoriali"


@pytest.fixture
def page(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "progettista")


def test_decision_tests_run_from_the_page_and_a_changed_threshold_fails_one(page: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
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
    draft = demo.design.open_draft(FILE, actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    feel = draft.content.replace(THRESHOLD, "<text>[46..100]</text>", 1)
    problems = page.post(f"/design/drafts/{draft.id}.json", json={"xml": feel}).get_json()["problems"]
    cell = next(p for p in problems if p["code"] == "dmn.feel")
    assert cell["element"] == "In_dt1_l381_svantaggio_1_0"
    assert "è scritta in FEEL, che il motore non capisce: scrivi" in cell["text"]
    html = page.get(f"/design/drafts/{draft.id}").get_data(as_text=True)
    assert "è scritta in FEEL" in html


def test_the_version_history_shows_the_rules_changed_between_versions(page: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    draft = demo.design.open_draft(FILE, actor=designer)
    process = "percorso_beneficiario"
    before = [v.version for v in demo.design.versions(process, actor=CLI_OPERATOR)]
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
    after = [v.version for v in demo.design.versions(process, actor=CLI_OPERATOR)]
    assert max(after) == max(before) + 1
    html = page.get(f"/design/processes/{process}/versions").get_data(as_text=True)
    assert 'data-testid="version-rule-diff"' in html and 'data-rule="Rule_nuova"' in html and "aggiunta" in html


def test_the_api_runs_a_drafts_decision_tests_and_gives_its_rule_diff(app: Flask, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
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


def test_a_designer_writes_edits_and_deletes_a_decision_test_from_the_page(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(FILE, actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    url = f"/design/drafts/{draft.id}/decision-tests.json"
    suite = page.get(url).get_json()["suites"][0]
    assert "invalidita_civile_perc" in suite["reads"] and "cat_381" in suite["outputs"]
    test = {
        "test_id": "T_invalidita_80",
        "name": "Invalidità all'80%",
        "article": "L. 381/1991 art. 4 c.1",
        "inputs": [["invalidita_civile_perc", "80"]],
        "expected": [["cat_381", '["INV_FIS_PSI_SENS"]']],
        "revision": draft.revision,
    }
    saved = page.post(url, json=test).get_json()
    assert saved["draft"]["revision"] == draft.revision + 1 and saved["draft"]["problems"] == []
    assert 'id="T_invalidita_80"' in saved["draft"]["content"]
    mine = next(t for t in saved["tests"]["suites"][0]["tests"] if t["test_id"] == "T_invalidita_80")
    assert mine["result"]["passed"] and mine["inputs"] == {"invalidita_civile_perc": "80"}

    # edited: the expectation made wrong, the test fails and the draft cannot be deployed
    wrong = {**test, "expected": [["cat_381", "[]"]], "replaces": "T_invalidita_80", "revision": draft.revision + 1}
    failing = page.post(url, json=wrong).get_json()
    assert [p["code"] for p in failing["draft"]["problems"]] == ["dmn.test_failed"]
    assert failing["tests"]["failed"] == 1 and not failing["draft"]["deployable"]

    # a test naming an input the table does not read: saved, a problem of the draft, not run
    typo = {
        **test,
        "inputs": [["invalidita_perc", "80"]],
        "replaces": "T_invalidita_80",
        "revision": draft.revision + 2,
    }
    named = page.post(url, json=typo).get_json()
    [problem] = named["draft"]["problems"]
    assert problem["code"] == "dmn.test_unknown_input"
    assert problem["text"] == "la prova T_invalidita_80 indica l'ingresso «invalidita_perc», che la tabella non legge"
    shown = next(t for t in named["tests"]["suites"][0]["tests"] if t["test_id"] == "T_invalidita_80")
    assert shown["result"] is None and shown["problems"] == [problem["text"]] and named["tests"]["not_run"] == 1

    deleted = page.post(
        f"/design/drafts/{draft.id}/decision-tests/delete.json",
        json={"test_id": "T_invalidita_80", "revision": draft.revision + 3},
    ).get_json()
    assert deleted["draft"]["problems"] == [] and "T_invalidita_80" not in deleted["draft"]["content"]


def test_a_decision_test_badly_written_is_refused_field_by_field_in_italian(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft(FILE, actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    url = f"/design/drafts/{draft.id}/decision-tests.json"
    response = page.post(
        url,
        json={
            "test_id": "",
            "name": "",
            "inputs": [["invalidita_civile_perc", "[46"], ["", "3"]],
            "expected": [],
        },
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["test_id"][0].startswith("Serve un identificativo")
    assert errors["name"] == ["Scrivi il nome del test."]
    assert errors["inputs"] == [
        '«invalidita_civile_perc»: non è un valore valido (es. 46, "TESTO", true, ["A", "B"])',
        "Riga 2: manca il nome della variabile.",
    ]
    assert errors["expected"] == ["Indica almeno un risultato atteso."]
    taken = {"test_id": "T_Riga_Invalidi_fisici_psichici_e_sensoria", "name": "x", "expected": [["cat_381", "[]"]]}
    assert page.post(url, json=taken).get_json()["errors"] == {
        "test_id": ["Esiste già un test «T_Riga_Invalidi_fisici_psichici_e_sensoria» in questa tabella."]
    }
    # nothing was stored
    assert (
        demo.design.draft(draft.id, actor=demo.users.get("progettista", actor=CLI_OPERATOR)).revision == draft.revision
    )


def test_the_api_writes_a_decision_test_and_answers_422_in_italian(app: Flask, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    api = Api(app.test_client(), demo.accounts.create_token("test", actor=designer)[1])
    draft = demo.design.open_draft(FILE, actor=designer)
    body = {
        "test_id": "T_api",
        "name": "Dall'API",
        "article": "L. 381/1991 art. 4",
        "inputs": {"invalidita_civile_perc": 70},
        "expected": {"cat_381": ["INV_FIS_PSI_SENS"]},
    }
    created = api.post(f"/drafts/{draft.id}/decision-tests", json=body)
    assert created.status_code == 201 and created.get_json()["problems"] == []
    changed = api.call(
        "PUT", f"/drafts/{draft.id}/decision-tests/T_api", json={**body, "expected": {"cat_381": []}}
    ).get_json()
    assert [p["code"] for p in changed["problems"]] == ["dmn.test_failed"]
    refused = api.post(f"/drafts/{draft.id}/decision-tests", json={"inputs": [1]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["inputs"] == ["Valore non valido."]
    refused = api.post(f"/drafts/{draft.id}/decision-tests", json={"test_id": "T_x", "name": "x"})
    assert refused.get_json()["errors"] == {"expected": ["Indica almeno un risultato atteso."]}
    gone = api.call("DELETE", f"/drafts/{draft.id}/decision-tests/T_api")
    assert gone.status_code == 200 and "T_api" not in gone.get_json()["content"]
    assert api.call("DELETE", f"/drafts/{draft.id}/decision-tests/T_api").status_code == 404
    listed = api.get(f"/drafts/{draft.id}/decision-tests").get_json()
    assert listed["suites"][0]["decision_id"] == "dt1_l381_svantaggio" and listed["not_run"] == 0


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        ("fascia_eta.dmn", CAMUNDA_DMN),  # Camunda Modeler 5, DMN 1.3
        ("fascia_eta_12.dmn", CAMUNDA_DMN12),  # Camunda Modeler 4, DMN 1.2
        ("fascia_isee.dmn", CAMUNDA_DMN11),  # Camunda Modeler 3 / dmn-js 6, DMN 1.1
        ("priorita_colloquio.dmn", DMN_JS),  # dmn-js 17, as our editor writes a new table
    ],
)
def test_a_table_made_by_another_modeler_is_accepted_on_upload(
    app: Flask, page: FlaskClient, demo: Engine, file_name: str, content: bytes
) -> None:
    uploaded = page.post(
        "/design/upload", data={"file": (io.BytesIO(content), file_name)}, content_type="multipart/form-data"
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    draft_id = int(uploaded.headers["Location"].rsplit("/", 1)[1])
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    draft = demo.design.draft(draft_id, actor=designer)
    assert draft.problems == () and draft.content == content.decode()
    # the same through the API
    api = Api(app.test_client(), demo.accounts.create_token("test", actor=designer)[1])
    answer = api.post("/drafts/upload", data={"file": (io.BytesIO(content), file_name)})
    assert answer.status_code == 201 and answer.get_json()["problems"] == []
    # a decision test can be written into it and runs
    [suite] = demo.design.decision_suites(draft_id, actor=designer)
    [reads] = suite.reads
    output = suite.outputs[0]
    test = DecisionTestCase(
        "T_prova", "Prova", "", {reads: 0}, {output: "NORMALE" if "priorita" in output else "BASSA"}
    )
    if "fascia_eta" in file_name:
        test = DecisionTestCase("T_prova", "Prova", "", {reads: 20}, {output: "GIOVANE"})
    saved = demo.design.save_decision_test(draft_id, test, actor=designer)
    assert saved.problems == (), saved.problems
    assert [r.passed for r in demo.design.draft_decision_tests(draft_id, actor=designer)] == [True]
    assert demo.design.draft(draft_id, actor=designer).deployable


def test_a_table_from_another_modeler_with_a_feel_cell_is_kept_with_its_problem(page: FlaskClient) -> None:
    feel = CAMUNDA_DMN11.replace(b"&lt; 9360", b"[0..9360]")
    uploaded = page.post(
        "/design/upload", data={"file": (io.BytesIO(feel), "fascia_isee.dmn")}, content_type="multipart/form-data"
    )
    assert uploaded.status_code == 302
    html = page.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "è scritta in FEEL, che il motore non capisce" in html
