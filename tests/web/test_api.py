"""The JSON API, endpoint by endpoint: success paths and the problem documents for 400, 401,
403, 404, 409 and 422 (never HTML, never a 500 for bad input)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import VALID, advance, open_task, start_case

PROBLEM = "application/problem+json"


class Api:
    """A test client speaking JSON with a user's bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, **kwargs)


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


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    return dict(body)


# --- authentication ------------------------------------------------------------------------


def test_openapi_document_and_docs_page_are_public(app: Flask) -> None:
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/history"} <= paths
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/complete"} <= paths
    assert {"/api/v1/processes", "/api/v1/processes/{process_id}", "/api/v1/tokens"} <= paths
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    error = spec["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(error) == [PROBLEM]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"apidocs.js" in page.data and b"cdn" not in page.data.lower()


@pytest.mark.parametrize("header", [None, "Bearer nope-not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_missing_or_bad_token_is_401(api_as: Any, header: str | None) -> None:
    api = api_as(None)
    response = api.get("/cases", headers={"Authorization": header} if header else {})
    body = problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in body["detail"].lower()


def test_revoked_token_stops_working(api_as: Any, demo: Engine) -> None:
    api = api_as("coordinatore")
    assert api.get("/processes").status_code == 200
    [token] = [
        t
        for t in demo.accounts.tokens(actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
        if t.revoked_at is None
    ]
    demo.accounts.revoke_token(token.id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    problem(api.get("/processes"), 401)


def test_unknown_api_path_and_method_are_problems(api_as: Any) -> None:
    api = api_as("coordinatore")
    problem(api.get("/nothing-here"), 404)
    response = api.call("PATCH", "/cases")
    problem(response, 405)
    assert "GET" in response.headers["Allow"]


# --- processes -----------------------------------------------------------------------------


def test_processes_list_and_xml(api_as: Any) -> None:
    api = api_as("progettista")
    listed = api.get("/processes").get_json()
    assert {p["process_id"] for p in listed} >= {"percorso_beneficiario", "valutazione_bisogno"}
    shown = api.get("/processes/valutazione_bisogno").get_json()
    assert shown["version"] == 1 and "valutazione_bisogno.bpmn" in shown["xml"]
    assert shown["xml"]["valutazione_bisogno.bpmn"].startswith("<?xml")
    assert api.get("/processes/valutazione_bisogno?version=1").status_code == 200
    problem(api.get("/processes/valutazione_bisogno?version=7"), 404)
    problem(api.get("/processes/nope"), 404)
    body = problem(api.get("/processes/valutazione_bisogno?version=abc"), 422)
    assert "version" in body["errors"]


# --- cases ---------------------------------------------------------------------------------


def test_start_list_show_and_history_of_a_case(api_as: Any) -> None:
    api = api_as("assistente")
    started = api.post(
        "/cases",
        json={
            "process_id": "percorso_beneficiario",
            "data": {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-API"},
        },
    )
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    assert case["process_id"] == "percorso_beneficiario" and case["status"] == "running"
    assert [t["name"] for t in case["open_tasks"]] == ["Scheda di segnalazione"]

    listed = api.get("/cases?status=running&limit=10").get_json()
    assert [c["id"] for c in listed] == [case["id"]]
    assert api.get("/cases?title=BEN-API").status_code == 200
    shown = api.get(f"/cases/{case['id']}").get_json()
    assert shown["data"]["beneficiario_pseudonimo"] == "BEN-API" and shown["withheld"] == []
    history = api.get(f"/cases/{case['id']}/history").get_json()
    assert [e["kind"] for e in history] == ["started"]


def test_case_errors(api_as: Any, demo: Engine) -> None:
    api = api_as("assistente")
    problem(api.get("/cases/999"), 404)
    problem(api.get(f"/cases/{2**40}"), 404)  # beyond any database id: not a database error
    problem(api.get("/cases?limit=0"), 422)
    problem(api.get("/cases?status=bogus"), 422)
    problem(api.post("/cases", data="{not json", content_type="application/json"), 400)
    # JSON the standard library reads from bytes but not as UTF-8 text: refused as webargs reads it
    start = '{"process_id": "percorso_beneficiario", "data": {}}'
    for raw in (start.encode("utf-16"), start.encode("utf-16-le"), start.encode("utf-8-sig")):
        assert problem(api.post("/cases", data=raw, content_type="application/json"), 400)["errors"] == {
            "json": ["Invalid JSON body."]
        }
    body = problem(api.post("/cases", json={"data": {}}), 422)
    assert body["errors"]["process_id"]
    problem(api.post("/cases", json={"process_id": "percorso_beneficiario", "data": [1, 2]}), 422)
    problem(api.post("/cases", json={"process_id": "nope", "data": {}}), 404)
    body = problem(api.post("/cases", json={"process_id": "percorso_beneficiario", "data": {"__x": 1}}), 422)
    assert "__x" in body["errors"]
    # no active partnership in that territory: the engine refuses, 409
    conflict = api.post("/cases", json={"process_id": "percorso_beneficiario", "territory": "ATS-Altrove", "data": {}})
    assert conflict.status_code in (403, 409)  # outside the social worker's territory → 403
    coordinator = api_as("coordinatore")
    problem(coordinator.post("/cases", json={"process_id": "percorso_beneficiario", "territory": "ATS-Altrove"}), 409)
    problem(api.post("/cases", json={"process_id": "percorso_beneficiario", "data": {"x": "\u0000"}}), 400)
    # a case elsewhere is forbidden to a territorial user
    other = demo.cases.start(
        "accordo_partenariato", {"territorio": "ATS-Altrove"}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    problem(api.get(f"/cases/{other.id}"), 403)
    problem(api.get(f"/cases/{other.id}/history"), 403)
    problem(api_as("progettista").get("/cases"), 403)


# --- tasks ---------------------------------------------------------------------------------


def test_task_list_show_claim_release_and_complete(api_as: Any, demo: Engine) -> None:
    case = start_case(demo)
    api = api_as("coordinatore")
    page = api.get("/tasks?scope=claimable").get_json()
    assert page["total"] == 1 and page["items"][0]["name"] == "Scheda di segnalazione"
    task_id = page["items"][0]["id"]
    assert api.get(f"/tasks?process_id=valutazione_bisogno&case_id={case.id}").get_json()["total"] == 1
    assert api.get("/tasks?process_id=progettazione").get_json()["total"] == 0

    shown = api.get(f"/tasks/{task_id}").get_json()
    assert shown["form_schema"]["x-form-key"] == "f2_segnalazione" and shown["draft"] is None
    assert shown["context"]["case_title"] == "BEN-0001"

    claimed = api.post(f"/tasks/{task_id}/claim").get_json()
    assert claimed["assignee"] == "coordinatore"
    assert api.get("/tasks?scope=mine").get_json()["total"] == 1
    assert api.post(f"/tasks/{task_id}/release").get_json()["assignee"] is None

    assert api.call("PUT", f"/tasks/{task_id}/draft", json={"data": {"urgenza": "URGENTE"}}).status_code == 204
    assert api.get(f"/tasks/{task_id}").get_json()["draft"] == {"urgenza": "URGENTE"}

    invalid = problem(api.post(f"/tasks/{task_id}/complete", json={"data": {"urgenza": "SUBITO"}}), 422)
    assert invalid["errors"]["servizio_inviante"] == ["Campo obbligatorio."]
    assert "urgenza" in invalid["errors"]

    done = api.post(f"/tasks/{task_id}/complete", json={"data": copy.deepcopy(VALID["f2_segnalazione"])})
    assert done.status_code == 200, done.get_json()
    result = done.get_json()
    assert result["case_id"] == case.id and [t["name"] for t in result["open_tasks"]] == [
        "Informativa privacy e consensi"
    ]
    # someone else did it first / twice: 409
    problem(api.post(f"/tasks/{task_id}/complete", json={"data": VALID["f2_segnalazione"]}), 409)
    problem(api.post(f"/tasks/{task_id}/claim"), 409)


def test_task_errors(api_as: Any, demo: Engine) -> None:
    case = start_case(demo)
    task = open_task(demo, case.id)
    coordinator, cpi = api_as("coordinatore"), api_as("cpi")
    problem(coordinator.get("/tasks/not-a-task"), 404)
    problem(coordinator.get("/tasks/" + "x" * 300), 404)
    problem(coordinator.post("/tasks/00000000-0000-0000-0000-000000000000/claim"), 404)
    problem(coordinator.get("/tasks?limit=9999"), 422)
    problem(coordinator.get("/tasks?due_before=yesterday"), 422)
    problem(coordinator.get("/tasks?sort=random"), 422)
    problem(coordinator.get("/tasks?role=operatore_cpi"), 403)  # a role the caller does not hold
    problem(cpi.get(f"/tasks/{task.id}"), 403)  # the task of another role
    problem(cpi.post(f"/tasks/{task.id}/claim"), 403)
    problem(coordinator.post(f"/tasks/{task.id}/complete", json={}), 422)
    problem(coordinator.post(f"/tasks/{task.id}/complete", json={"data": "text"}), 422)
    problem(coordinator.post(f"/tasks/{task.id}/complete", json={"data": {}, "extra": 1}), 422)
    problem(coordinator.post(f"/tasks/{task.id}/complete", data="[", content_type="application/json"), 400)
    problem(coordinator.post(f"/tasks/{task.id}/complete", data='{"data": NaN}', content_type="application/json"), 400)
    # claimed by someone else: the other cannot complete it
    demo.users.add("coordinatore2", "Seconda Coordinatrice", [("coordinatore", "")], actor=CLI_OPERATOR)
    other = api_as("coordinatore2")
    assert other.post(f"/tasks/{task.id}/claim").status_code == 200
    problem(coordinator.post(f"/tasks/{task.id}/complete", json={"data": VALID["f2_segnalazione"]}), 403)


def test_reassign_is_for_coordinators(api_as: Any, demo: Engine) -> None:
    case = start_case(demo)
    task = advance(demo, case.id, "UT_analisi_preliminare")
    demo.users.add("assistente2", "Seconda Assistente", [("assistente_sociale", TERRITORY)], actor=CLI_OPERATOR)
    # a social worker's task goes to the case manager: the case is handed over to assistente2 first
    demo.teams.add(
        case.id, "responsabile", username="assistente2", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
    )
    coordinator = api_as("coordinatore")
    problem(coordinator.post(f"/tasks/{task.id}/reassign", json={"assignee": "cpi"}), 422)  # wrong role
    problem(coordinator.post(f"/tasks/{task.id}/reassign", json={"assignee": "ghost"}), 404)
    problem(coordinator.post(f"/tasks/{task.id}/reassign", json={}), 422)
    done = coordinator.post(f"/tasks/{task.id}/reassign", json={"assignee": "assistente2"})
    assert done.status_code == 200 and done.get_json()["assignee"] == "assistente2"
    problem(api_as("assistente").post(f"/tasks/{task.id}/reassign", json={"assignee": "assistente"}), 403)


# --- tokens --------------------------------------------------------------------------------


def test_own_tokens_create_list_revoke(api_as: Any) -> None:
    api = api_as("auditor")
    created = api.post("/tokens", json={"name": "gestionale"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("ipn_") and body["name"] == "gestionale"
    names = [t["name"] for t in api.get("/tokens").get_json()]
    assert names == ["test", "gestionale"]
    assert "token" not in api.get("/tokens").get_json()[0]
    problem(api.post("/tokens", json={"name": ""}), 422)
    problem(api.post("/tokens", json={}), 422)
    problem(api.call("DELETE", "/tokens/999"), 404)
    assert api.call("DELETE", f"/tokens/{body['id']}").status_code == 204
    problem(api.call("DELETE", f"/tokens/{body['id']}"), 404)  # already revoked
    problem(Api(api.client, body["token"]).get("/tokens"), 401)
