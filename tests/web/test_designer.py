"""Process design through the web: the JSON API endpoint by endpoint (drafts, upload, deploy,
diff, dry run, versions, migration) with its problem documents for 403, 404, 409, 413 and 422,
the refusal of dangerous input (an XML bomb, a 50 MB upload stopped by Flask before the engine,
a script escaping the sandbox: nothing stored), and the HTML pages that drive the same engine
calls (library, modeler resources, deploy, dry run, history with diff, migration)."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from engine import Engine
from engine.demo import TERRITORY
from engine.model import CaseMigration, ElementLabel, MigrationBlock, MigrationReason, RebuiltProcess
from engine.policy import CLI_OPERATOR
from tests.web.confirm_steps import refused_unconfirmed
from tests.web.conftest import login_as, make_app
from tests.web.test_api import Api, problem
from web.designer import migration_rows

PROCESS = "prova_progetto"
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>"""
FIFTY_MB = 50 * 1024 * 1024


def chain(process_id: str, tasks: list[str], *, form: str | None = "generico_conferma", script: str = "") -> str:
    """A valid process: start → one user task per id (coordinator's lane) → end, with DI.
    ``form=None`` leaves the tasks without a form; ``script`` adds a script task first."""
    steps = (["Script_1"] if script else []) + tasks
    nodes = ["Start_1", *steps, "End_1"]
    x = {node: 200 + 150 * i for i, node in enumerate(nodes)}
    props = (
        f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formKey" value="{form}"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>"
        if form
        else ""
    )
    flows = [(f"Flow_{i}", a, b) for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))]
    elements = []
    for node in nodes:
        incoming = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _, b in flows if b == node)
        outgoing = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, a, _ in flows if a == node)
        if node == "Start_1":
            elements.append(f'<bpmn:startEvent id="{node}">{outgoing}</bpmn:startEvent>')
        elif node == "End_1":
            elements.append(f'<bpmn:endEvent id="{node}">{incoming}</bpmn:endEvent>')
        elif node == "Script_1":
            elements.append(
                f'<bpmn:scriptTask id="{node}" name="Calcolo">{incoming}{outgoing}'
                f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
            )
        else:
            elements.append(
                f'<bpmn:userTask id="{node}" name="Attività {node}">{props}{incoming}{outgoing}</bpmn:userTask>'
            )
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    seq = "".join(f'<bpmn:sequenceFlow id="{f}" sourceRef="{a}" targetRef="{b}"/>' for f, a, b in flows)
    width = 150 * len(nodes) + 200
    shapes = "".join(
        f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}"><dc:Bounds x="{x[n]}" y="120" width="100" height="80"/></bpmndi:BPMNShape>'
        for n in nodes
    )
    edges = "".join(
        f'<bpmndi:BPMNEdge id="{f}_di" bpmnElement="{f}"><di:waypoint x="{x[a] + 100}" y="160"/>'
        f'<di:waypoint x="{x[b]}" y="160"/></bpmndi:BPMNEdge>'
        for f, a, b in flows
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab_{process_id}"><bpmn:participant id="Part_{process_id}" name="Prova" processRef="{process_id}"/></bpmn:collaboration>
  <bpmn:process id="{process_id}" name="Prova" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_coordinatore" name="coordinatore">{refs}</bpmn:lane></bpmn:laneSet>
    {"".join(elements)}{seq}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1"><bpmndi:BPMNPlane id="Plane_1" bpmnElement="Collab_{process_id}">
    <bpmndi:BPMNShape id="Part_di" bpmnElement="Part_{process_id}" isHorizontal="true"><dc:Bounds x="120" y="60" width="{width}" height="200"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Lane_di" bpmnElement="Lane_coordinatore" isHorizontal="true"><dc:Bounds x="150" y="60" width="{width - 30}" height="200"/></bpmndi:BPMNShape>
    {shapes}{edges}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


@pytest.fixture
def api_as(app: Flask, demo: Engine) -> Any:
    def make(username: str | None) -> Api:
        token = (
            demo.accounts.create_token("test", actor=demo.users.get(username, actor=CLI_OPERATOR))[1]
            if username
            else None
        )
        return Api(app.test_client(), token)

    return make


@pytest.fixture
def designer(api_as: Any) -> Api:
    return api_as("progettista")


def put(api: Api, path: str, **kwargs: Any) -> TestResponse:
    return api.call("PUT", path, **kwargs)


def created(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 201, response.get_data(as_text=True)[:800]
    return dict(response.get_json())


def deploy_chain(demo: Engine, tasks: list[str], note: str = "") -> int:
    """Deploy PROCESS as a chain of user tasks; returns the new version."""
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    draft = demo.design.save_draft(f"{PROCESS}.bpmn", chain(PROCESS, tasks).encode(), actor=designer)
    assert not draft.problems, draft.problems
    [(view, new)] = [
        (v, n) for v, n in demo.design.deploy_draft(draft.id, actor=designer, note=note) if v.process_id == PROCESS
    ]
    assert new
    return view.version


def start(demo: Engine) -> int:
    return demo.cases.start(
        PROCESS, {"territorio": TERRITORY}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    ).id


def complete_open(demo: Engine, case_id: int) -> None:
    [task] = demo.cases.get(case_id, actor=CLI_OPERATOR).open_tasks
    demo.tasks.complete(task.id, {"conferma": True}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))


# --- drafts through the API -----------------------------------------------------------------


def test_new_process_from_the_template_deploys_and_a_second_one_conflicts(designer: Api, demo: Engine) -> None:
    draft = created(designer.post("/drafts", json={"process_id": "nuovo_processo", "name": "Nuovo processo"}))
    assert draft["file_name"] == "nuovo_processo.bpmn" and draft["deployable"] and draft["problems"] == []
    assert 'id="nuovo_processo"' in draft["content"]
    listed = designer.get("/drafts").get_json()
    assert [d["id"] for d in listed] == [draft["id"]] and "content" not in listed[0]

    deployed = designer.post(f"/drafts/{draft['id']}/deploy", json={"note": "primo rilascio"})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)
    [row] = [r for r in deployed.get_json() if r["process_id"] == "nuovo_processo"]
    assert row["new"] is True and row["version"] == 1 and row["deployed_by"] == "progettista"
    assert not any(r["new"] for r in deployed.get_json() if r["process_id"] != "nuovo_processo")
    assert designer.get(f"/drafts/{draft['id']}").get_json()["deployed_at"]

    body = problem(designer.post("/drafts", json={"process_id": "nuovo_processo"}), 409)
    assert "already exists" in body["detail"]
    problem(designer.post("/drafts", json={"process_id": "Non Valido"}), 422)
    problem(designer.post("/drafts", json={"process_id": "x_y", "file_name": "x_y.bpmn"}), 422)
    problem(designer.post("/drafts", json={}), 422)
    problem(designer.post("/drafts", json={"process_id": "x_y", "content": "<x/>"}), 422)


def test_a_draft_with_problems_is_saved_listed_by_element_but_not_deployed(designer: Api, demo: Engine) -> None:
    opened = created(designer.post("/drafts", json={"file_name": "follow_up.bpmn"}))
    assert opened["deployable"] and "spiffworkflow:property" in opened["content"]
    original = opened["content"]
    first_form = re.search(r'<spiffworkflow:property name="formKey" value="[^"]+"\s*/>', original)
    assert first_form
    broken = original.replace(first_form.group(0), "", 1)
    task_id = re.findall(r'<bpmn:userTask id="([^"]+)"', original[: first_form.start()])[-1]

    saved = put(designer, f"/drafts/{opened['id']}", json={"content": broken, "note": "senza modulo"})
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["deployable"] is False and body["note"] == "senza modulo"
    assert any(
        (p["file"], p["element"], p["message"]) == ("follow_up.bpmn", task_id, "user task has no formKey property")
        and p["line"]
        for p in body["problems"]
    )

    refused = problem(designer.post(f"/drafts/{opened['id']}/deploy", json={"note": "prova"}), 409)
    assert refused["errors"]["problems"][0]["element"] == task_id
    problem(designer.post(f"/drafts/{opened['id']}/dry-run", json={"process_id": "follow_up"}), 409)
    assert [v.version for v in demo.design.versions("follow_up", actor=CLI_OPERATOR)] == [1]

    fixed = put(designer, f"/drafts/{opened['id']}", json={"content": original}).get_json()
    assert fixed["deployable"]
    unchanged = designer.post(f"/drafts/{opened['id']}/deploy", json={"note": "nessuna modifica"}).get_json()
    assert not any(r["new"] for r in unchanged)
    problem(designer.post(f"/drafts/{opened['id']}/deploy", json={}), 422)  # a note is required


def test_draft_update_delete_and_missing_drafts(designer: Api, demo: Engine) -> None:
    draft = created(designer.post("/drafts", json={"file_name": "nuova.bpmn", "content": chain("nuova", ["T1"])}))
    assert draft["deployable"], draft["problems"]
    diff = designer.get(f"/drafts/{draft['id']}/diff").get_json()
    assert set(diff["processes"]["nuova"]["added"]) >= {"Start_1", "T1", "End_1"}
    assert designer.call("DELETE", f"/drafts/{draft['id']}").status_code == 204
    for method, path, body in [
        ("GET", f"/drafts/{draft['id']}", None),
        ("PUT", f"/drafts/{draft['id']}", {"content": "<x/>"}),
        ("DELETE", f"/drafts/{draft['id']}", None),
        ("GET", f"/drafts/{draft['id']}/diff", None),
        ("POST", f"/drafts/{draft['id']}/deploy", {"note": "x"}),
        ("POST", f"/drafts/{draft['id']}/dry-run", {"process_id": "nuova"}),
        ("GET", "/drafts/99999999999", None),
    ]:
        problem(designer.call(method, path, json=body), 404)
    problem(designer.post("/drafts", json={"file_name": "assente.bpmn"}), 404)  # not in the library
    problem(designer.post("/drafts", json={"file_name": "../etc/passwd"}), 422)
    problem(put(designer, "/drafts/1", json={"content": "<x/>", "file_name": "y.bpmn"}), 422)  # unknown field


def test_upload_a_file_as_a_draft(designer: Api, demo: Engine) -> None:
    xml = chain("caricato", ["T1"]).encode()
    draft = created(designer.post("/drafts/upload", **upload("caricato.bpmn", xml)))
    assert draft["file_name"] == "caricato.bpmn" and draft["deployable"] and draft["note"] == "caricato"
    body = problem(designer.post("/drafts/upload", **upload("caricato.exe", xml)), 422)
    assert "file" in body["errors"]
    problem(designer.post("/drafts/upload", data={}), 422)
    malformed = problem(designer.post("/drafts/upload", **upload("rotto.bpmn", b"<bpmn")), 422)
    assert "malformed XML" in malformed["detail"]
    assert [d.file_name for d in demo.design.drafts(actor=demo.users.get("progettista", actor=CLI_OPERATOR))] == [
        "caricato.bpmn"
    ]


def upload(file_name: str, content: bytes) -> dict[str, Any]:
    """A multipart body with one file, encoded in memory (the test client would spool a large
    one to a temporary file it never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=file_name)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


# --- dangerous input -------------------------------------------------------------------------


def test_dangerous_input_is_refused_with_422_and_never_stored(designer: Api, app: Flask, demo: Engine) -> None:
    escape = chain("fuga", ["T1"], script="x = ().__class__.__bases__[0].__subclasses__()")
    importing = chain("fuga", ["T1"], script="import os\nx = os.getcwd()")
    oversized = chain("grosso", ["T1"]).replace("<bpmn:laneSet", "<!--" + "x" * 2_100_000 + "--><bpmn:laneSet")
    for file_name, content, words in [
        ("bomba.bpmn", BOMB.decode(), "DOCTYPE"),
        ("fuga.bpmn", escape, "refused"),
        ("fuga.bpmn", importing, "import"),
        ("grosso.bpmn", oversized, "larger than"),
    ]:
        body = problem(designer.post("/drafts", json={"file_name": file_name, "content": content}), 422)
        assert words in body["detail"] + " ".join(body["errors"].get("_schema", [])), body
        problem(designer.post("/drafts/upload", **upload(file_name, content.encode())), 422)

    # the same through the pages: the modeler's save and the upload form
    page = login_as(app.test_client(), "progettista")
    draft = demo.design.new_draft("sicuro", "Sicuro", actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    before = demo.design.draft(draft.id, actor=demo.users.get("progettista", actor=CLI_OPERATOR)).content
    saved = page.post(f"/design/drafts/{draft.id}.json", json={"xml": BOMB.decode()})
    problem(saved, 422)
    assert demo.design.draft(draft.id, actor=demo.users.get("progettista", actor=CLI_OPERATOR)).content == before
    refused = page.post("/design/upload", **upload("fuga.bpmn", escape.encode()))
    assert refused.status_code == 422 and "File rifiutato e non salvato" in refused.get_data(as_text=True)
    assert [d.file_name for d in demo.design.drafts(actor=demo.users.get("progettista", actor=CLI_OPERATOR))] == [
        "sicuro.bpmn"
    ]


def test_a_50_mb_upload_is_refused_by_flask_before_the_engine(
    designer: Api, app: Flask, demo: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the engine must not see the upload")

    monkeypatch.setattr(demo.design, "save_draft", never)
    big = b"<" + b"x" * FIFTY_MB + b"/>"
    body = problem(designer.post("/drafts/upload", **upload("enorme.bpmn", big)), 413)
    assert body["title"] == "Request Entity Too Large"
    problem(
        designer.post(
            "/drafts", data=b'{"file_name": "x.bpmn", "content": "' + big + b'"}', content_type="application/json"
        ),
        413,
    )
    page = login_as(app.test_client(), "progettista")
    html = page.post("/design/upload", **upload("enorme.bpmn", big))
    assert html.status_code == 413 and "troppo grandi" in html.get_data(as_text=True)
    problem(page.post("/design/drafts/1.json", data=big, content_type="application/json"), 413)


# --- roles -----------------------------------------------------------------------------------


def test_design_needs_a_design_role_and_the_auditor_writes_nothing(api_as: Any, app: Flask) -> None:
    for username in ("coordinatore", "progettista"):
        assert created(api_as(username).post("/drafts", json={"process_id": f"di_{username}"}))
    for username in ("auditor", "assistente", "valutatore"):
        api = api_as(username)
        problem(api.get("/drafts"), 403)
        problem(api.post("/drafts", json={"process_id": "vietato"}), 403)
        problem(api.post("/processes/valutazione_bisogno/migrate", json={"to_version": 1, "dry_run": True}), 403)
        assert api.get("/processes/valutazione_bisogno/versions").status_code == 200  # the library is public
        assert login_as(app.test_client(), username).get("/design").status_code == 403
    problem(api_as(None).get("/drafts"), 401)
    page = login_as(app.test_client(), "progettista")
    assert page.get("/").headers["Location"].endswith("/design")
    assert 'data-testid="nav-design"' in page.get("/design").get_data(as_text=True)
    assert 'data-testid="nav-design"' not in login_as(app.test_client(), "assistente").get("/inbox").get_data(
        as_text=True
    )


# --- versions and diff -----------------------------------------------------------------------


def test_versions_newest_first_and_the_element_diff(designer: Api, demo: Engine) -> None:
    deploy_chain(demo, ["T1"], note="uno")
    deploy_chain(demo, ["T1", "T2"], note="due")
    versions = designer.get(f"/processes/{PROCESS}/versions").get_json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["deployed_by"] == "progettista" and versions[0]["files"] == [f"{PROCESS}.bpmn"]
    assert len(versions[0]["sha256"]) == 64 and versions[0]["sha256"] != versions[1]["sha256"]
    diff = designer.get(f"/processes/{PROCESS}/diff?from=1&to=2").get_json()
    assert diff["from"] == 1 and diff["to"] == 2 and diff["process_id"] == PROCESS
    changes = diff["processes"][PROCESS]
    assert "T2" in changes["added"] and changes["removed"] == []
    assert not any(c["id"] == "End_1" for c in changes["changed"])  # only its incoming flow changed
    assert changes["changed"] or len(changes["added"]) > 1  # ... and that flow is reported
    assert designer.get(f"/processes/{PROCESS}/diff?from=2&to=1").get_json()["processes"][PROCESS]["removed"]
    problem(designer.get(f"/processes/{PROCESS}/diff?from=1&to=9"), 404)
    problem(designer.get(f"/processes/{PROCESS}/diff?from=1"), 422)
    problem(designer.get("/processes/non_esiste/versions"), 404)
    problem(designer.get("/processes/non esiste!/versions"), 404)


# --- dry run ---------------------------------------------------------------------------------


def test_dry_run_reports_path_stop_and_data(designer: Api, demo: Engine) -> None:
    draft = created(
        designer.post("/drafts", json={"file_name": f"{PROCESS}.bpmn", "content": chain(PROCESS, ["T1", "T2"])})
    )
    url = f"/drafts/{draft['id']}/dry-run"
    done = designer.post(
        url,
        json={
            "process_id": PROCESS,
            "data": {"territorio": TERRITORY},
            "answers": {"T1": {"conferma": True}, "T2": [{"conferma": True}]},
        },
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    result = done.get_json()
    assert result["completed"] and result["error"] is None and result["stopped_at"] == []
    assert [s["element"] for s in result["path"] if s["type"] == "UserTask"] == ["T1", "T2"]
    assert result["data"]["territorio"] == TERRITORY and result["data"]["conferma"] is True

    stopped = designer.post(url, json={"process_id": PROCESS, "answers": {"T1": {"conferma": True}}}).get_json()
    assert not stopped["completed"] and stopped["stopped_at"][0]["element"] == "T2"
    assert stopped["stopped_at"][0]["role"] == "coordinatore"

    invalid_form = designer.post(url, json={"process_id": PROCESS, "answers": {"T1": {"conferma": "forse"}}}).get_json()
    assert invalid_form["error"] and not invalid_form["completed"]
    body = problem(designer.post(url, json={"process_id": PROCESS, "answers": {"T1": "sì"}}), 422)
    assert "answers" in body["errors"]
    problem(designer.post(url, json={"process_id": "altro_processo"}), 404)
    problem(designer.post(url, json={}), 422)


def test_a_dry_run_whose_script_hits_a_limit_is_422(designer: Api, page: FlaskClient) -> None:
    content = chain(PROCESS, ["T1"], script="x = 10 ** 10 ** 8")
    draft = created(designer.post("/drafts", json={"file_name": f"{PROCESS}.bpmn", "content": content}))
    body = problem(designer.post(f"/drafts/{draft['id']}/dry-run", json={"process_id": PROCESS}), 422)
    assert body["type"].endswith("problem-script_limit") and body["errors"]["element"] == ["Script_1"]

    html = page.post(f"/design/drafts/{draft['id']}/dry-run", data={"process_id": PROCESS})
    assert html.status_code == 422
    assert "ha superato i limiti degli script" in html.get_data(as_text=True)


# --- migration of running cases --------------------------------------------------------------


def test_migrate_one_case_dry_run_first_then_with_a_reason(designer: Api, demo: Engine) -> None:
    deploy_chain(demo, ["T1"])
    case_id = start(demo)
    deploy_chain(demo, ["T1", "T2"])
    url = f"/cases/{case_id}/migrate"
    dry = designer.post(url, json={"to_version": 2, "dry_run": True}).get_json()
    assert dry["can_migrate"] and not dry["migrated"] and dry["active"] == ["T1"] and "T2" in dry["added"]
    assert demo.cases.get(case_id, actor=CLI_OPERATOR).process_version == 1
    problem(designer.post(url, json={"to_version": 2}), 422)  # a reason is required
    done = designer.post(url, json={"to_version": 2, "reason": "nuova attività T2"}).get_json()
    assert done["migrated"] and done["from_version"] == 1 and done["to_version"] == 2
    assert demo.cases.get(case_id, actor=CLI_OPERATOR).process_version == 2
    again = designer.post(url, json={"to_version": 2, "dry_run": True}).get_json()
    assert not again["can_migrate"] and "already on version 2" in again["reasons"][0]["message"]
    assert again["reasons"][0]["code"] == "already_on_version" and again["reasons"][0]["params"] == {"version": "2"}
    problem(designer.post(url, json={"to_version": 7, "dry_run": True}), 404)
    problem(designer.post("/cases/999999/migrate", json={"to_version": 1, "dry_run": True}), 404)
    problem(designer.post(url, json={"to_version": 2, "mapping": {"a": 1}}), 422)
    demo.cases.cancel(case_id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR), reason="prova")
    problem(designer.post(url, json={"to_version": 1, "dry_run": True}), 409)


def test_bulk_migration_reports_each_case_and_a_mapping_moves_the_rest(designer: Api, demo: Engine) -> None:
    deploy_chain(demo, ["T1", "T2"])
    first, second = start(demo), start(demo)
    complete_open(demo, second)  # the second case waits at T2
    deploy_chain(demo, ["T1"])  # v2 drops T2
    url = f"/processes/{PROCESS}/migrate"

    dry = {r["case_id"]: r for r in designer.post(url, json={"to_version": 2, "dry_run": True}).get_json()}
    assert dry[first]["can_migrate"] and not dry[second]["can_migrate"]
    assert [(r["code"], r["params"]["element"]) for r in dry[second]["reasons"]] == [("at_removed", "T2")]
    assert "T2" in dry[second]["reasons"][0]["message"] and dry[second]["removed"] == ["T2"]
    results = {r["case_id"]: r for r in designer.post(url, json={"to_version": 2, "reason": "via T2"}).get_json()}
    assert results[first]["migrated"] and not results[second]["migrated"]  # a partial failure
    assert [demo.cases.get(c, actor=CLI_OPERATOR).process_version for c in (first, second)] == [2, 1]

    mapping = {"T2": "T1"}  # the case at the dropped step goes back to T1
    mapped = designer.post(url, json={"to_version": 2, "from_version": 1, "reason": "T2 → T1", "mapping": mapping})
    assert [r["case_id"] for r in mapped.get_json()] == [second] and mapped.get_json()[0]["migrated"]
    assert demo.cases.get(second, actor=CLI_OPERATOR).process_version == 2
    [diagram] = demo.cases.diagram(second, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    assert list(diagram.active) == ["T1"]
    problem(designer.post(url, json={"to_version": 9, "dry_run": True}), 404)
    problem(designer.post(url, json={"to_version": 2}), 422)
    problem(designer.post("/processes/non_esiste/migrate", json={"to_version": 1, "dry_run": True}), 404)


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def page(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "progettista")


def test_library_page_new_process_open_and_upload(page: FlaskClient, demo: Engine) -> None:
    html = page.get("/design").get_data(as_text=True)
    assert "Progettazione dei processi" in html and 'data-file="valutazione_bisogno.bpmn"' in html
    assert 'data-process="percorso_beneficiario"' in html
    made = page.post("/design/new", data={"process_id": "dal_modello", "name": "Dal modello"})
    assert made.status_code == 302 and re.search(r"/design/drafts/\d+$", made.headers["Location"])
    assert page.post("/design/new", data={"process_id": "Non Valido"}).status_code == 422
    demo.design.deploy_draft(
        int(made.headers["Location"].rsplit("/", 1)[1]), actor=demo.users.get("progettista", actor=CLI_OPERATOR)
    )
    conflict = page.post("/design/new", data={"process_id": "dal_modello"})
    assert conflict.status_code == 409 and "esiste già" in conflict.get_data(as_text=True)

    opened = page.post("/design/open", data={"file_name": "follow_up.bpmn"})
    assert opened.status_code == 302
    assert page.post("/design/open", data={"file_name": "nessuno.bpmn"}).status_code == 404
    uploaded = page.post("/design/upload", **upload("su.bpmn", chain("su", ["T1"], form=None).encode()))
    assert uploaded.status_code == 302
    assert "1 problemi" in page.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert page.post("/design/upload", **upload("su.txt", b"<x/>")).status_code == 422
    assert page.post("/design/upload", data={}).status_code == 422
    listed = page.get("/design").get_data(as_text=True)
    assert "su.bpmn" in listed and "follow_up.bpmn" in listed

    download = page.get("/design/library/download?file=follow_up.bpmn")
    assert download.status_code == 200 and download.mimetype == "application/xml"
    assert download.headers["Content-Disposition"] == 'attachment; filename="follow_up.bpmn"'
    assert download.data == demo.design.library_files(actor=CLI_OPERATOR)["follow_up.bpmn"]
    assert page.get("/design/library/download?file=nessuno.bpmn").status_code == 404
    assert "Process design" in page.get("/design?lang=en").get_data(as_text=True)


def test_modeler_page_save_deploy_and_download(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.new_draft(PROCESS, "Prova", actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    url = f"/design/drafts/{draft.id}"
    html = page.get(url).get_data(as_text=True)
    assert 'data-testid="modeler"' in html and "impresa-modeler-vendor.js" in html and "spiff_properties.js" in html
    assert '"generico_conferma"' in html  # the known forms, for the properties panel

    doc = page.get(f"{url}.json").get_json()
    assert doc["content"] == draft.content and doc["deployable"] and doc["updated_at"].startswith("20")
    broken = page.post(f"{url}.json", json={"xml": chain(PROCESS, ["T1"], form=None), "note": "senza modulo"})
    assert broken.status_code == 200
    assert [(p["element"], p["message"]) for p in broken.get_json()["problems"]] == [
        ("T1", "user task has no formKey property")
    ]
    # the page shows it in Italian (the engine's sentence stays for English mode and the API)
    assert [p["text"] for p in broken.get_json()["problems"]] == [
        "l'attività utente non indica il modulo (proprietà formKey)"
    ]
    problem(page.post(f"{url}.json", json={"xml": ""}), 400)
    problem(page.post(f"{url}.json", data="no", content_type="text/plain"), 400)
    assert "T1" in str(page.get(f"{url}/diff.json").get_json()["processes"][PROCESS]["added"])

    refused = page.post(f"{url}/deploy", data={"note": "prova"})
    assert refused.status_code == 409 and "correggili" in refused.get_data(as_text=True)
    page.post(f"{url}.json", json={"xml": chain(PROCESS, ["T1"])})
    assert page.post(f"{url}/deploy", data={"note": ""}).status_code == 422
    deployed = page.post(f"{url}/deploy", data={"note": "prima versione"})
    assert deployed.status_code == 200
    text = deployed.get_data(as_text=True)
    assert 'data-process="prova_progetto" class="new"' in text and "nuova versione" in text
    assert [v.version for v in demo.design.versions(PROCESS, actor=CLI_OPERATOR)] == [1]

    saved = page.get(f"{url}/download")
    assert saved.headers["Content-Disposition"] == f'attachment; filename="{PROCESS}.bpmn"' and b"T1" in saved.data
    # deleting cannot be undone: without the box ticked the draft stays, the step open with its message
    draft_id = url.rsplit("/", 1)[1]
    library = page.get("/design").get_data(as_text=True)  # rows become cards on a phone: each line named
    assert '<td data-label="Processo">F1 – Accordo di partenariato</td>' in library  # the name first
    assert '<td data-label="Identificativo"><code>accordo_partenariato</code>' in library
    assert '<td data-label="Autore">' in library
    refused_unconfirmed(page.post(f"{url}/delete"), f"delete-{draft_id}")
    assert page.get(url).status_code == 200
    assert page.post(f"{url}/delete", data={"confirm": "1"}).status_code == 302
    assert page.get(url).status_code == 404
    assert page.get(f"{url}.json").mimetype == "application/problem+json"


def test_a_decision_table_is_edited_with_dmn_js(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.open_draft("esito_valutazione.dmn", actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    html = page.get(f"/design/drafts/{draft.id}").get_data(as_text=True)
    assert 'data-kind="dmn"' in html and 'data-testid="dmn-editor"' in html and 'id="canvas"' not in html
    assert "impresa-dmn-vendor.js" in html and "dmn_editor.js" in html and "impresa-modeler-vendor.js" not in html
    saved = page.post(f"/design/drafts/{draft.id}.json", json={"xml": draft.content, "note": "stessa tabella"})
    assert saved.status_code == 200 and saved.get_json()["deployable"]
    assert page.get(f"/design/drafts/{draft.id}/diff.json").get_json() == {"processes": {}}


def test_dry_run_page(page: FlaskClient, demo: Engine) -> None:
    draft = demo.design.save_draft(
        f"{PROCESS}.bpmn",
        chain(PROCESS, ["T1", "T2"]).encode(),
        actor=demo.users.get("progettista", actor=CLI_OPERATOR),
    )
    url = f"/design/drafts/{draft.id}/dry-run"
    form = page.get(url).get_data(as_text=True)
    assert f'<option value="{PROCESS}" selected>' in form and "<code>T1</code>" in form
    result = page.post(url, data={"process_id": PROCESS, "data": "{}", "answers": '{"T1": {"conferma": true}}'})
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and 'data-testid="dry-run-stopped"' in text
    assert 'data-path=\'["Start_1", "T1"]\'' in text and "data-stopped='[\"T2\"]'" in text
    assert page.post(url, data={"process_id": PROCESS, "data": "{nope"}).status_code == 422
    assert page.post(url, data={"process_id": PROCESS, "data": "[]"}).status_code == 422
    assert page.post(url, data={"process_id": PROCESS, "answers": '{"T1": 3}'}).status_code == 422
    assert page.post(url, data={"process_id": "altro"}).status_code == 422
    demo.design.save_draft(
        f"{PROCESS}.bpmn",
        chain(PROCESS, ["T1"], form=None).encode(),
        actor=demo.users.get("progettista", actor=CLI_OPERATOR),
        draft_id=draft.id,
    )
    assert page.post(url, data={"process_id": PROCESS}).status_code == 409


def test_history_page_diff_json_and_version_download(page: FlaskClient, demo: Engine) -> None:
    deploy_chain(demo, ["T1"])
    deploy_chain(demo, ["T1", "T2"])
    html = page.get(f"/design/processes/{PROCESS}/versions").get_data(as_text=True)
    assert 'data-version="2"' in html and 'data-version="1"' in html
    assert f"/design/processes/{PROCESS}/diff.json?from=1&amp;to=2" in html
    diff = page.get(f"/design/processes/{PROCESS}/diff.json").get_json()
    assert "T2" in diff["processes"][PROCESS]["added"]
    assert "T2" in diff["new_files"][f"{PROCESS}.bpmn"] and "T2" not in diff["old_files"][f"{PROCESS}.bpmn"]
    same = page.get(f"/design/processes/{PROCESS}/diff.json?from=2&to=2").get_json()
    assert same["processes"] == {}
    assert page.get(f"/design/processes/{PROCESS}/diff.json?from=1&to=5").mimetype == "application/problem+json"
    old = page.get(f"/design/processes/{PROCESS}/download?version=1&file={PROCESS}.bpmn")
    assert old.status_code == 200 and b"T2" not in old.data
    assert page.get(f"/design/processes/{PROCESS}/download?version=1&file=x.bpmn").status_code == 404
    assert page.get("/design/processes/non_esiste/versions").status_code == 404


def test_migration_page_dry_run_selected_cases_and_bulk(page: FlaskClient, demo: Engine) -> None:
    deploy_chain(demo, ["T1", "T2"])
    first, second = start(demo), start(demo)
    complete_open(demo, second)
    deploy_chain(demo, ["T1"])
    url = f"/design/processes/{PROCESS}/migrate"
    html = page.get(url).get_data(as_text=True)
    assert re.search(r'data-testid="running-v1">2<', html) and f'value="{first}"' in html

    dry = page.post(url, data={"to_version": "2", "action": "dry_run"}).get_data(as_text=True)
    assert re.search(rf'data-testid="outcome-{first}">.*migrabile', dry) and "non migrabile" in dry
    assert demo.cases.get(first, actor=CLI_OPERATOR).process_version == 1
    assert page.post(url, data={"to_version": "2", "action": "migrate"}).status_code == 422  # no reason
    assert page.post(url, data={"to_version": "9", "action": "dry_run"}).status_code == 422
    bad = page.post(url, data={"to_version": "2", "mapping": "solo_uno"})
    assert bad.status_code == 422 and "Riga 1" in bad.get_data(as_text=True)

    chosen = {
        "to_version": "2",
        "action": "migrate",
        "reason": "T2 → T1",
        "case_id": str(second),
        "mapping": "T2 -> T1",
    }
    # migrating cannot be undone: without the box ticked nothing moves
    unconfirmed = page.post(url, data=chosen)
    assert unconfirmed.status_code == 422
    assert "Conferma l&#39;operazione spuntando la casella." in unconfirmed.get_data(as_text=True)
    assert demo.cases.get(second, actor=CLI_OPERATOR).process_version == 1
    only = page.post(url, data={**chosen, "confirm": "1"})
    assert only.status_code == 200 and "1 casi migrati su 1" in only.get_data(as_text=True)
    assert [demo.cases.get(c, actor=CLI_OPERATOR).process_version for c in (first, second)] == [1, 2]
    bulk = page.post(
        url, data={"to_version": "2", "from_version": "1", "action": "migrate", "reason": "tutti", "confirm": "1"}
    )
    assert "1 casi migrati su 1" in bulk.get_data(as_text=True)
    assert demo.cases.get(first, actor=CLI_OPERATOR).process_version == 2
    missing = page.post(url, data={"to_version": "2", "action": "dry_run", "case_id": "999999"})
    missing_html = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "Il caso o la versione di destinazione non esiste." in missing_html
    assert "not found" not in missing_html


def test_the_migration_page_says_in_italian_why_a_case_cannot_migrate(page: FlaskClient, demo: Engine) -> None:
    deploy_chain(demo, ["T1", "T2"])
    case_id = start(demo)
    complete_open(demo, case_id)  # at T2, which the next version drops
    deploy_chain(demo, ["T1"])
    url = f"/design/processes/{PROCESS}/migrate"
    html = page.post(url, data={"to_version": "2", "action": "dry_run", "case_id": str(case_id)}).get_data(as_text=True)
    [reasons] = re.findall(rf'data-testid="reasons-{case_id}">(.*?)</td>', html, re.S)
    assert "Il caso è fermo a «Attività T2», che la nuova versione toglie" in reasons
    assert "T2'" not in reasons and "removes" not in html and "map it" not in html
    assert f'data-testid="rebuilt-{case_id}"' not in html


def test_the_migration_results_say_which_sub_process_will_be_rebuilt(app: Flask) -> None:
    result = CaseMigration(7, 1, 2, True, False, [], ["UT_did_psp"], [], [], [], [RebuiltProcess("vb", "Valutazione")])
    gone = MigrationReason(MigrationBlock.REBUILD_FAILED, "cannot be rebuilt", {"process": "vb", "process_name": "Val"})
    with app.test_request_context():
        [dry] = migration_rows([result])
        [done] = migration_rows([dataclasses.replace(result, migrated=True)])
        [refused] = migration_rows([dataclasses.replace(result, can_migrate=False, reasons=[gone], rebuilt=[])])
    assert dry["rebuilt_texts"] == ["Il sottoprocesso «Valutazione» verrà ricostruito sulla nuova versione."]
    assert done["rebuilt_texts"] == ["Il sottoprocesso «Valutazione» è stato ricostruito sulla nuova versione."]
    assert refused["reason_texts"] == [
        "Il sottoprocesso «Val» non si può ricostruire sulla nuova versione: il caso resta dov'è."
    ]


def test_the_migration_results_name_elements_and_the_multi_instance_limit_in_italian(app: Flask) -> None:
    """Elements by their BPMN names, in words when they have none (never their ids); a case whose
    called process has a multi-instance activity is told why it stays on its version."""
    elements = {
        "UT_did_psp": ElementLabel("Registrazione DID e patto di servizio", "UserTask"),
        "Gateway_1": ElementLabel(None, "ExclusiveGateway"),
        "Task_mi": ElementLabel("Adesione del partner", "UserTask"),
    }
    multi = MigrationReason(
        MigrationBlock.REBUILD_MULTI_INSTANCE,
        "has a multi-instance activity",
        {"process": "f1", "process_name": "Partenariato", "element": "Task_mi", "element_name": "Adesione del partner"},
    )
    unnamed = MigrationReason(
        MigrationBlock.AT_REMOVED, "the case is at", {"element": "Gateway_1", "element_name": "Gateway_1"}
    )
    result = CaseMigration(
        7, 1, 2, False, False, [multi, unnamed], ["UT_did_psp"], ["Gateway_1"], [], ["Task_mi"], [], elements
    )
    with app.test_request_context():
        [row] = migration_rows([result])
    assert row["reason_texts"] == [
        "Il sottoprocesso «Partenariato» andrebbe ricostruito sulla nuova versione, ma contiene l'attività ripetuta "
        "per più elementi «Adesione del partner»: la ricostruzione non sa riabbinare le sue istanze, quindi il caso "
        "resta sulla sua versione.",
        "Il caso è fermo a «elemento senza nome (scelta)», che la nuova versione toglie: indica dove spostarlo.",
    ]
    assert row["active_texts"] == ["Registrazione DID e patto di servizio"]
    assert row["change_texts"] == [
        ("modificati", ["elemento senza nome (scelta)"]),
        ("aggiunti", ["Adesione del partner"]),
    ]


def test_the_openapi_document_describes_the_design_api(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in [
        "/api/v1/drafts",
        "/api/v1/drafts/upload",
        "/api/v1/drafts/{draft_id}",
        "/api/v1/drafts/{draft_id}/deploy",
        "/api/v1/drafts/{draft_id}/diff",
        "/api/v1/drafts/{draft_id}/dry-run",
        "/api/v1/processes/{process_id}/versions",
        "/api/v1/processes/{process_id}/diff",
        "/api/v1/cases/{case_id}/migrate",
        "/api/v1/processes/{process_id}/migrate",
    ]:
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/drafts/upload"]["post"]["requestBody"]["content"]
    deploy = paths["/api/v1/drafts/{draft_id}/deploy"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(deploy)
    assert {"413", "422"} <= set(paths["/api/v1/drafts"]["post"]["responses"])


def test_the_migration_page_and_bulk_api_list_only_the_designers_territories(demo: Engine) -> None:
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    here = demo.cases.start("accordo_partenariato", {"territorio": TERRITORY}, actor=coordinator)
    there = demo.cases.start("accordo_partenariato", {"territorio": "ATS-Altrove"}, actor=coordinator)
    demo.users.add("prog_demo", "Progettista del territorio", [("progettista", TERRITORY)], actor=CLI_OPERATOR)
    app = make_app(demo)
    page = login_as(app.test_client(), "prog_demo").get("/design/processes/accordo_partenariato/migrate")
    html = page.get_data(as_text=True)
    assert f'name="case_id" value="{here.id}"' in html and f'value="{there.id}"' not in html
    _, token = demo.accounts.create_token("t", actor=demo.users.get("prog_demo", actor=CLI_OPERATOR))
    planned = app.test_client().post(
        "/api/v1/processes/accordo_partenariato/migrate",
        json={"to_version": 1, "dry_run": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert [row["case_id"] for row in planned.get_json()] == [here.id]
