"""Two designers through the web: "Vedi" opens a library file or a draft read-only without
creating a draft; "Modifica" takes the edit lock and the other designer sees who holds it and
since when; a save based on an old revision is refused with 409 and the other person's changes;
an administrator breaks a lock with a reason; the same through the JSON API (ETag / If-Match)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.policy import CLI_OPERATOR
from tests.web.conftest import login_as
from tests.web.test_api import Api, problem

DMN = "esito_valutazione.dmn"


@pytest.fixture
def api_as(app: Flask, demo: Engine) -> Any:
    def make(username: str) -> Api:
        return Api(
            app.test_client(), demo.accounts.create_token("test", actor=demo.users.get(username, actor=CLI_OPERATOR))[1]
        )

    return make


@pytest.fixture
def dario(app: Flask) -> FlaskClient:
    return login_as(app.test_client(), "progettista")


@pytest.fixture
def carla(app: Flask) -> FlaskClient:  # the coordinator designs processes too
    return login_as(app.test_client(), "coordinatore")


def test_vedi_opens_a_library_file_read_only_without_a_draft(dario: FlaskClient, demo: Engine) -> None:
    library = dario.get("/design").get_data(as_text=True)
    assert f"/design/library/view?file={DMN}" in library

    html = dario.get(f"/design/library/view?file={DMN}").get_data(as_text=True)

    assert "sola lettura" in html and 'data-testid="edit-button"' in html
    assert 'data-testid="rules-' in html and "xml-editor" not in html  # the rules as a table
    bpmn = dario.get("/design/library/view?file=valutazione_bisogno.bpmn").get_data(as_text=True)
    assert 'id="readonly-diagram"' in bpmn and "file.json?file=valutazione_bisogno.bpmn" in bpmn
    assert dario.get("/design/library/file.json?file=valutazione_bisogno.bpmn").get_json()["content"].startswith("<")
    assert demo.design.drafts(actor=demo.users.get("progettista", actor=CLI_OPERATOR)) == []
    assert dario.get("/design/library/view?file=nessuno.dmn").status_code == 404


def test_modifica_locks_and_the_other_designer_sees_the_lock(
    dario: FlaskClient, carla: FlaskClient, demo: Engine
) -> None:
    opened = dario.post("/design/open", data={"file_name": DMN})
    assert opened.status_code == 302
    draft_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    mine = dario.get(f"/design/drafts/{draft_id}").get_data(as_text=True)
    assert 'data-testid="modeler"' in mine and "Stai modificando tu" in mine

    theirs = carla.get(f"/design/drafts/{draft_id}").get_data(as_text=True)
    assert 'data-testid="lock-banner"' in theirs and "in modifica da progettista dal" in theirs
    assert 'data-testid="modeler"' not in theirs and "break-lock" not in theirs  # not an administrator
    # Modifica, for carla, keeps her on the read-only page with the holder named
    again = carla.post(f"/design/drafts/{draft_id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "in modifica da progettista" in again and 'data-testid="modeler"' not in again
    # "Modifica" on the library file lands on the same draft, still locked
    reopened = carla.post("/design/open", data={"file_name": DMN}, follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="lock-banner"' in reopened and f"Bozza {DMN}" in reopened
    saved = carla.post(
        f"/design/drafts/{draft_id}.json",
        json={"xml": demo.design.draft(draft_id, actor=demo.users.get("progettista", actor=CLI_OPERATOR)).content},
    )
    assert problem(saved, 409)["errors"]["lock"]["holder"] == "progettista"
    assert "progettista" in carla.get("/design").get_data(as_text=True)

    # dario closes his session: carla edits
    dario.post(f"/design/drafts/{draft_id}/release")
    assert carla.post(f"/design/drafts/{draft_id}/edit").status_code == 302
    assert 'data-testid="modeler"' in carla.get(f"/design/drafts/{draft_id}").get_data(as_text=True)


def test_a_stale_save_is_refused_with_the_other_changes(dario: FlaskClient, carla: FlaskClient, demo: Engine) -> None:
    designer = demo.users.get("progettista", actor=CLI_OPERATOR)
    draft = demo.design.open_draft(DMN, actor=designer)
    url = f"/design/drafts/{draft.id}.json"
    loaded = dario.get(url)
    assert loaded.headers["ETag"] == f'"rev-{draft.revision}"'
    base = loaded.get_json()["revision"]
    # carla saves a changed rule (dario's lock released meanwhile)
    demo.design.release_draft(draft.id, actor=designer)
    [rule_output] = [line for line in draft.content.splitlines() if "<text>" in line][-1:]
    changed = draft.content.replace(rule_output, rule_output.replace("<text>", "<text>  "), 1)
    assert carla.post(url, json={"xml": changed, "revision": base}).status_code == 200
    demo.design.release_draft(draft.id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))

    refused = dario.post(url, json={"xml": draft.content, "revision": base})

    body = problem(refused, 409)
    conflict = body["errors"]["conflict"]
    assert (conflict["your_revision"], conflict["current_revision"], conflict["saved_by"]) == (
        base,
        base + 1,
        "coordinatore",
    )
    assert "Salvataggio rifiutato: coordinatore ha salvato la bozza" in conflict["message"]
    assert any(line.startswith("+") for line in conflict["lines"])
    # with If-Match, the same
    assert dario.post(url, json={"xml": draft.content}, headers={"If-Match": f'"rev-{base}"'}).status_code == 409
    # based on the current revision, it saves
    assert dario.post(url, json={"xml": draft.content, "revision": base + 1}).get_json()["revision"] == base + 2


def test_an_administrator_breaks_the_lock_with_a_reason(
    app: Flask, dario: FlaskClient, carla: FlaskClient, demo: Engine
) -> None:
    demo.users.add("admin", "Ada Amministratrice", [("amministratore", "")], actor=CLI_OPERATOR)
    admin = login_as(app.test_client(), "admin")
    draft = demo.design.open_draft(DMN, actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    url = f"/design/drafts/{draft.id}"
    assert 'data-testid="break-lock"' in admin.get(url).get_data(as_text=True)
    assert carla.post(f"{url}/break-lock", data={"reason": "serve"}).status_code == 403
    assert admin.post(f"{url}/break-lock", data={"reason": ""}).status_code == 422

    assert admin.post(f"{url}/break-lock", data={"reason": "Dario è in ferie"}).status_code == 302

    page = carla.get(url).get_data(as_text=True)
    assert 'data-testid="lock-banner"' not in page
    assert "admin ha sbloccato la bozza (in modifica da progettista; motivo: Dario è in ferie)" in page


def test_the_api_locks_saves_with_a_revision_and_breaks(app: Flask, demo: Engine, api_as: Any) -> None:
    demo.users.add("admin", "Ada Amministratrice", [("amministratore", "")], actor=CLI_OPERATOR)
    dario, carla, admin = api_as("progettista"), api_as("coordinatore"), api_as("admin")
    created = dario.call("POST", "/drafts", json={"file_name": DMN})
    assert created.status_code == 201
    doc = created.get_json()
    assert doc["lock"]["holder"] == "progettista" and doc["revision"] == 1
    path = f"/drafts/{doc['id']}"

    assert problem(carla.call("POST", f"{path}/lock"), 409)["errors"]["lock"]["holder"] == "progettista"
    saved = dario.call("PUT", path, json={"content": doc["content"], "revision": 1})
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    stale = dario.call("PUT", path, json={"content": doc["content"], "revision": 1})
    assert problem(stale, 409)["errors"]["conflict"]["current_revision"] == 2
    assert problem(carla.call("POST", f"{path}/lock/break", json={"reason": "x"}), 403)
    assert admin.call("POST", f"{path}/lock/break", json={"reason": "ferie"}).get_json()["lock"] is None
    assert carla.call("POST", f"{path}/lock").get_json()["lock"]["holder"] == "coordinatore"
    assert carla.call("DELETE", f"{path}/lock").get_json()["lock"] is None


def test_the_editor_page_renews_its_lock_and_hears_when_it_is_lost(
    dario: FlaskClient, carla: FlaskClient, demo: Engine
) -> None:
    draft = demo.design.open_draft(DMN, actor=demo.users.get("progettista", actor=CLI_OPERATOR))
    page = dario.get(f"/design/drafts/{draft.id}").get_data(as_text=True)
    assert f'data-lock="/design/drafts/{draft.id}/lock.json"' in page and "data-lock-expires=" in page
    renewed = dario.post(f"/design/drafts/{draft.id}/lock.json")
    assert renewed.status_code == 200 and renewed.get_json()["lock"]["holder"] == "progettista"
    refused = carla.post(f"/design/drafts/{draft.id}/lock.json")
    assert problem(refused, 409)["errors"]["lock"]["message"].startswith("La bozza è in modifica da progettista")
