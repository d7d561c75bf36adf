"""The inbox loop: the inbox lands on the list that has work, claiming opens the task, completing
goes straight to the same user's next task in the same case, "Completate da me" lists what one
did, the pseudonym is searchable; "Nuovo caso" offers only entry processes and needs the pseudonym."""

from __future__ import annotations

import re

from flask import Flask

from engine import Engine, errors
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.web.conftest import VALID, login_as, open_task, start_case
from tests.web.test_inbox import counts


def _current_tab(html: str) -> str:
    found = re.search(r'class="tab current" data-tab="(\w+)"', html)
    assert found, "no current tab"
    return found.group(1)


def test_the_inbox_lands_on_the_tab_with_work(app: Flask, demo: Engine) -> None:
    client = login_as(app.test_client(), "coordinatore")
    assert _current_tab(client.get("/inbox").get_data(as_text=True)) == "mine"  # nothing anywhere
    case = start_case(demo, "BEN-LAND")
    assert _current_tab(client.get("/inbox").get_data(as_text=True)) == "role"
    demo.tasks.claim(open_task(demo, case.id).id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    assert _current_tab(client.get("/inbox").get_data(as_text=True)) == "mine"
    # an explicit tab is kept even when empty
    assert _current_tab(client.get("/inbox?tab=role").get_data(as_text=True)) == "role"


def test_completing_goes_to_my_next_task_in_the_case_then_done_tab(app: Flask, demo: Engine) -> None:
    case = start_case(demo, "BEN-LOOP")
    client = login_as(app.test_client(), "coordinatore")
    first = open_task(demo, case.id, "UT_segnalazione")
    data = {k: str(v) for k, v in VALID["f2_segnalazione"].items()}
    done = client.post(f"/tasks/{first.id}", data={**data, "action": "complete"})
    following = open_task(demo, case.id, "UT_informativa")
    assert done.headers["Location"] == f"/tasks/{following.id}"
    listed = client.get("/inbox?tab=done").get_data(as_text=True)
    assert counts(listed)["done"] == 1 and f'data-task-id="{first.id}"' in listed and "BEN-LOOP" in listed
    assert "Prendi in carico" not in listed


def test_the_pseudonym_is_searchable_in_the_inbox_and_the_case_list(app: Flask, demo: Engine) -> None:
    titled = demo.cases.start(
        "percorso_beneficiario",
        {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-ZETA", "titolo": "Presa in carico"},
        actor=demo.users.get("assistente", actor=CLI_OPERATOR),
    )
    start_case(demo, "BEN-ALTRO")
    assert titled.title.startswith("BEN-ZETA")
    client = login_as(app.test_client(), "coordinatore")
    found = client.get("/inbox?tab=role&q=zeta").get_data(as_text=True)
    assert counts(found)["role"] == 1 and "BEN-ZETA" in found and "BEN-ALTRO" not in found
    assert counts(client.get("/inbox?tab=role&q=50%25_").get_data(as_text=True))["role"] == 0  # wildcards are text
    cases = client.get("/cases?title=ZETA").get_data(as_text=True)
    assert f'href="/cases/{titled.id}"' in cases


def test_new_case_offers_entry_processes_and_needs_the_pseudonym(app: Flask, demo: Engine) -> None:
    client = login_as(app.test_client(), "coordinatore")
    page = client.get("/cases/new").get_data(as_text=True)
    options = re.findall(r'<option value="([a-z_]+)"( selected)?>', page)
    offered = [value for value, _ in options]
    assert offered[0] == "percorso_beneficiario" and options[0][1] == " selected"
    assert "accordo_partenariato" in offered
    assert not {"valutazione_bisogno", "monitoraggio", "follow_up", "attuazione"} & set(offered)
    assert not {"impresa", "scadenza_protocollo"} & set(offered)  # opened with their records only
    before = len(demo.cases.list(actor=CLI_OPERATOR))
    missing = client.post("/cases/new", data={"process_id": "percorso_beneficiario", "territory": TERRITORY})
    assert missing.status_code == 422
    assert "Inserisci lo pseudonimo del beneficiario" in missing.get_data(as_text=True)
    sub = client.post("/cases/new", data={"process_id": "monitoraggio", "territory": TERRITORY})
    assert sub.status_code == 422
    assert len(demo.cases.list(actor=CLI_OPERATOR)) == before
    # the engine refuses a phase started on its own whatever the client
    try:
        demo.cases.start(
            "monitoraggio", {"territorio": TERRITORY}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
        )
        raise AssertionError("a phase of a path was started alone")
    except errors.InvalidData as err:
        assert "fase di un percorso" in err.messages["process_id"][0]
    try:
        demo.cases.start("impresa", {"territorio": TERRITORY}, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
        raise AssertionError("an enterprise case was opened without its record")
    except errors.InvalidData as err:
        assert "registrando l'impresa" in err.messages["process_id"][0]


def test_the_api_lists_what_i_completed_and_searches_the_pseudonym(app: Flask, demo: Engine) -> None:
    from tests.web.test_api import Api

    case = start_case(demo, "BEN-APIQ")
    start_case(demo, "BEN-ALTRA")
    coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
    token = demo.accounts.create_token("t", actor=coordinator)[1]
    api = Api(app.test_client(), token)
    found = api.get("/tasks?q=apiq").get_json()
    assert found["total"] == 1 and found["items"][0]["case_id"] == case.id
    task = open_task(demo, case.id)
    demo.tasks.complete(task.id, dict(VALID["f2_segnalazione"]), actor=coordinator)
    done = api.get("/tasks?scope=completed").get_json()
    assert [t["id"] for t in done["items"]] == [task.id] and done["items"][0]["status"] == "completed"


def test_the_api_refuses_a_phase_and_a_path_without_pseudonym(app: Flask, demo: Engine) -> None:
    from tests.web.test_api import Api, problem

    token = demo.accounts.create_token("t", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))[1]
    api = Api(app.test_client(), token)
    before = len(demo.cases.list(actor=CLI_OPERATOR))
    body = problem(api.post("/cases", json={"process_id": "monitoraggio", "territory": TERRITORY, "data": {}}), 422)
    assert "fase di un percorso" in body["errors"]["process_id"][0]
    body = problem(
        api.post("/cases", json={"process_id": "percorso_beneficiario", "territory": TERRITORY, "data": {}}), 422
    )
    assert body["errors"] == {
        "beneficiario_pseudonimo": ["Inserisci lo pseudonimo del beneficiario (un codice, mai il nome)."]
    }
    assert len(demo.cases.list(actor=CLI_OPERATOR)) == before


def test_the_next_task_is_one_the_engine_lets_me_open(app: Flask, demo: Engine) -> None:
    import dataclasses
    import datetime as dt

    from web.tasks import next_task

    case = start_case(demo, "BEN-NEXT")
    real = open_task(demo, case.id)
    # an earlier task of the same role the engine will not open (gone meanwhile): skipped
    ghost = dataclasses.replace(
        real, id="00000000-0000-0000-0000-00000000dead", due_at=real.created_at - dt.timedelta(days=1)
    )
    view = dataclasses.replace(demo.cases.get(case.id, actor=CLI_OPERATOR), open_tasks=(ghost, real))
    with app.app_context():
        found = next_task(view, demo.users.get("coordinatore", actor=CLI_OPERATOR))
    assert found is not None and found.id == real.id
