"""The registry's API, endpoint by endpoint: organisations (create, read, change, members) and
protocols (draft, edit, signature, activation, documents, history); problem documents for bad
input (422), conflicts (409), other roles (403) and other territories."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from flask import Flask

from engine import Engine
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.test_api import Api, problem

CF = "80003170661"


@pytest.fixture
def api_as(app: Flask, demo: Engine) -> Any:
    def make(username: str) -> Api:
        return Api(
            app.test_client(), demo.accounts.create_token("test", actor=demo.users.get(username, actor=CLI_OPERATOR))[1]
        )

    return make


@pytest.fixture
def coord(api_as: Any) -> Api:
    return api_as("coordinatore")


def organisation(api: Api, code: str, territories: list[str], **extra: Any) -> dict[str, Any]:
    body = {"code": code, "name": f"Ente {code}", "kind": "terzo_settore", "territories": territories, **extra}
    response = api.post("/organisations", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_organisations_are_created_read_changed_and_given_members(coord: Api, api_as: Any) -> None:
    created = organisation(coord, "CPI_MULTI", [TERRITORY, "ATS-Due"], tax_code=CF)
    assert created["territories"] == [TERRITORY, "ATS-Due"] and created["tax_code"] == CF
    assert created["kind_label"] == "Ente del Terzo settore / cooperativa sociale"
    assert coord.get("/organisations/CPI_MULTI").get_json()["code"] == "CPI_MULTI"
    listed = coord.get("/organisations", query_string={"territory": "ATS-Due"}).get_json()
    assert [o["code"] for o in listed] == ["CPI_MULTI"]
    changed = coord.call(
        "PUT", "/organisations/CPI_MULTI", json={"name": "CPI", "kind": "centro_impiego", "territories": [TERRITORY]}
    )
    assert changed.status_code == 200 and changed.get_json()["territories"] == [TERRITORY]
    member = coord.post("/organisations/CPI_MULTI/members", json={"username": "cpi", "position": "operatore"})
    assert member.status_code == 201 and member.get_json()["members"][0]["username"] == "cpi"
    # a partner referent of the territory reads, but cannot write
    partner = api_as("partner")
    assert [o["code"] for o in partner.get("/organisations").get_json()] == ["CPI_MULTI"]
    problem(
        partner.post("/organisations", json={"code": "X1", "name": "X", "kind": "istituzione", "territories": ["A"]}),
        403,
    )


def test_organisation_problems(coord: Api) -> None:
    body = problem(
        coord.post(
            "/organisations",
            json={"code": "BAD_CF", "name": "Ente", "kind": "istituzione", "territories": ["T"], "tax_code": "123"},
        ),
        422,
    )
    assert body["errors"]["tax_code"] == [
        "Codice fiscale non valido (11 cifre per un ente, 16 caratteri per una persona)."
    ]
    assert "code" in problem(coord.post("/organisations", json={"name": "x"}), 422)["errors"]
    organisation(coord, "DUP", [TERRITORY], tax_code=CF)
    assert (
        "tax_code"
        in problem(
            coord.post(
                "/organisations",
                json={"code": "DUP2", "name": "x", "kind": "istituzione", "territories": ["T"], "tax_code": CF},
            ),
            409,
        )["errors"]
    )
    problem(
        coord.post("/organisations", json={"code": "DUP", "name": "x", "kind": "istituzione", "territories": ["T"]}),
        409,
    )
    problem(coord.get("/organisations/NESSUNO"), 404)
    problem(coord.get("/organisations/lower case"), 404)
    problem(coord.post("/organisations/DUP/members", json={"username": "nessuno"}), 404)


def test_a_protocol_through_its_lifecycle(coord: Api, api_as: Any) -> None:
    organisation(coord, "COOP_A", [TERRITORY])
    organisation(coord, "CPI_A", [TERRITORY])
    coord.post("/organisations/COOP_A/members", json={"username": "partner"})
    coord.post("/organisations/CPI_A/members", json={"username": "cpi"})
    draft = {
        "organisation": "COOP_A",
        "kind": "convenzione",
        "scope": "Tirocini di inclusione",
        "starts_on": "2026-01-01",
        "expires_on": "2027-12-31",
        "parties": ["CPI_A"],
        "withdrawal_notice_days": 30,
    }
    created = coord.post("/protocols", json=draft)
    assert created.status_code == 201, created.get_json()
    protocol = created.get_json()
    pid = protocol["id"]
    assert protocol["status"] == "bozza" and protocol["status_label"] == "Bozza"
    assert {p["code"] for p in protocol["parties"]} == {"COOP_A", "CPI_A"}
    # the same parties, the same period: refused with a field message
    assert "starts_on" in problem(coord.post("/protocols", json={**draft, "starts_on": "2026-06-01"}), 409)["errors"]
    # an end before the start
    bad = problem(coord.post("/protocols", json={**draft, "expires_on": "2025-01-01"}), 422)
    assert bad["errors"]["expires_on"] == ["La scadenza deve essere successiva all'inizio."]
    edited = coord.call(
        "PUT",
        f"/protocols/{pid}",
        json={**{k: v for k, v in draft.items() if k != "organisation"}, "scope": "Tirocini"},
    )
    assert edited.status_code == 200 and edited.get_json()["scope"] == "Tirocini"
    problem(coord.post(f"/protocols/{pid}/activation"), 409)  # not signed yet
    wrong = coord.post(
        f"/protocols/{pid}/signature",
        json={
            "number": "Conv. 3/2026",
            "signed_on": "2025-12-15",
            "signatories": [{"organisation": "COOP_A", "username": "cpi"}],
        },
    )
    assert "signatories" in problem(wrong, 422)["errors"]
    signed = coord.post(
        f"/protocols/{pid}/signature",
        json={
            "number": "Conv. 3/2026",
            "signed_on": "2025-12-15",
            "signatories": [
                {"organisation": "COOP_A", "username": "partner"},
                {"organisation": "CPI_A", "username": "cpi"},
            ],
        },
    )
    assert signed.status_code == 200 and signed.get_json()["status"] == "firmato"
    problem(coord.call("PUT", f"/protocols/{pid}", json={k: v for k, v in draft.items() if k != "organisation"}), 409)
    active = coord.post(f"/protocols/{pid}/activation")
    assert active.status_code == 200 and active.get_json()["status"] == "attivo"
    assert [p["id"] for p in coord.get("/protocols", query_string={"active": "true"}).get_json()] == [pid]
    assert coord.get("/protocols", query_string={"status": "bozza"}).get_json() == []
    content = b"%PDF-1.4 convenzione firmata"
    doc = coord.post(
        f"/protocols/{pid}/documents",
        json={"name": "convenzione.pdf", "content": base64.b64encode(content).decode()},
    )
    assert doc.status_code == 201 and doc.get_json()["sha256"] == hashlib.sha256(content).hexdigest()
    download = coord.get(f"/protocols/{pid}/documents/{doc.get_json()['id']}")
    assert download.data == content and download.headers["X-Content-SHA256"] == doc.get_json()["sha256"]
    assert "attachment" in download.headers["Content-Disposition"]
    problem(coord.post(f"/protocols/{pid}/documents", json={"name": "x", "content": "!!"}), 422)
    # the text is for the parties' members (partner signed for COOP_A) and the coordinator
    document_url = f"/protocols/{pid}/documents/{doc.get_json()['id']}"
    assert api_as("partner").get(document_url).data == content
    problem(api_as("sanitario").get(document_url), 403)
    assert api_as("sanitario").get(f"/protocols/{pid}").get_json()["documents"][0]["sha256"]
    history = coord.get(f"/protocols/{pid}/history").get_json()
    assert [e["kind"] for e in history] == [
        "protocol_added",
        "protocol_updated",
        "protocol_signed",
        "protocol_status",
        "document_added",
    ]
    assert coord.get(f"/protocols/{pid}").get_json()["documents"][0]["name"] == "convenzione.pdf"
    problem(coord.get("/protocols/999999"), 404)
    problem(coord.get(f"/protocols/{pid}/documents/999999"), 404)


def test_other_territories_and_roles(coord: Api, api_as: Any, demo: Engine) -> None:
    organisation(coord, "ALTROVE", ["ATS-Altrove"])
    created = coord.post(
        "/protocols", json={"organisation": "ALTROVE", "kind": "convenzione", "scope": "x", "starts_on": "2026-01-01"}
    )
    pid = created.get_json()["id"]
    partner = api_as("partner")  # reads the registry of its own territory only
    assert partner.get("/organisations").get_json() == []
    assert partner.get("/protocols").get_json() == []
    problem(partner.get(f"/protocols/{pid}"), 403)
    problem(partner.get("/organisations/ALTROVE"), 403)
    problem(partner.post(f"/protocols/{pid}/activation"), 403)
    problem(api_as("progettista").get("/protocols"), 403)  # process designers do not read the registry
    # a coordinator of another territory cannot change this one's protocols
    demo.users.add("coord_due", "Coordinatrice Due", [("coordinatore", "ATS-Due")], actor=CLI_OPERATOR)
    other = api_as("coord_due")
    problem(
        other.call("PUT", f"/protocols/{pid}", json={"kind": "convenzione", "scope": "y", "starts_on": "2026-01-01"}),
        403,
    )
    assert "/api/v1/protocols/{protocol_id}/signature" in coord.get("/openapi.json").get_json()["paths"]


def test_withdrawal_and_dependent_cases(coord: Api, demo: Engine) -> None:
    organisation(coord, "COOP_W", [TERRITORY])
    organisation(coord, "COOP_S", [TERRITORY])
    coord.post("/organisations/COOP_W/members", json={"username": "partner"})
    pid = coord.post(
        "/protocols",
        json={
            "organisation": "COOP_W",
            "kind": "convenzione",
            "scope": "Inserimenti",
            "starts_on": "2026-01-01",
            "expires_on": "2030-12-31",
            "withdrawal_notice_days": 10,
        },
    ).get_json()["id"]
    signed = coord.post(
        f"/protocols/{pid}/signature",
        json={
            "number": "C-1",
            "signed_on": demo.now().date().isoformat(),
            "signatories": [{"organisation": "COOP_W", "username": "partner"}],
        },
    )
    assert signed.status_code == 200
    active = coord.post(f"/protocols/{pid}/activation").get_json()
    assert active["status"] == "attivo" and active["lifecycle_case_id"]
    assert coord.get(f"/protocols/{pid}/dependent-cases").get_json() == {"cases": []}
    past = problem(
        coord.post(f"/protocols/{pid}/withdrawal", json={"organisation": "COOP_W", "effective_on": "2020-01-01"}), 422
    )
    assert past["errors"]["effective_on"] == ["La data di effetto non può essere passata."]
    later = (demo.now().date() + dt.timedelta(days=20)).isoformat()
    done = coord.post(
        f"/protocols/{pid}/withdrawal", json={"organisation": "COOP_W", "effective_on": later, "substitute": "COOP_S"}
    )
    assert done.status_code == 200 and done.get_json()["status"] == "attivo"
    kinds = [e["kind"] for e in coord.get(f"/protocols/{pid}/history").get_json()]
    assert kinds[-1] == "withdrawal_notified"
