"""Need to know on the case page (docs/access.md): whoever may not see a case's health data is not
told, by a task's name or by the diagram, that the person is in the health service's care. The
demo case DEMO-002 waits on the ASL referent's health certification: the partner organisation,
the steering committee and the auditor read it as a reserved step, on the HTML page, in the API's
case view and outlook, in the history and without its mark on the diagram; the ASL referent in
charge reads it in full."""

from __future__ import annotations

import pytest
from flask import Flask

from engine import Engine
from engine.demo import _seed_case, _seed_registry, demo_cases
from engine.policy import CLI_OPERATOR
from engine.privacy import RESERVED_TASK_NAME
from tests.web.conftest import login_as, make_app

HEALTH_TASK = "Certificazione dei servizi sanitari"
HEALTH_ELEMENT = "UT_certificazione_sanitaria"


@pytest.fixture
def waiting_on_health(demo: Engine) -> tuple[Flask, int]:
    """DEMO-002 as the demo seeds it (with the partnership case it needs), team and network included."""
    _seed_registry(demo)
    cases = {c.key: c for c in demo_cases(demo.now().date())}
    partnership = next(key for key in cases if key.startswith("Partenariato"))
    for key in (partnership, "DEMO-002"):
        _seed_case(demo, cases[key])
    found = demo.cases.list(actor=CLI_OPERATOR, title="DEMO-002")
    return make_app(demo), found[0].id


def _everything_shown(app: Flask, username: str, case_id: int) -> tuple[str, str]:
    """(the HTML case page, the API's case view, outlook, history and diagram) for ``username``."""
    client = login_as(app.test_client(), username)
    engine: Engine = app.extensions["engine"]
    token = engine.accounts.create_token("test", actor=engine.users.get(username, actor=CLI_OPERATOR))[1]
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    api = []
    for path in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/outlook", f"/api/v1/cases/{case_id}/history"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, path
        api.append(answer.get_data(as_text=True))
    diagram = client.get(f"/cases/{case_id}/diagram.json").get_json()
    marks = [e for d in diagram for state in ("completed", "active", "waiting") for e in d[state]]
    return page.get_data(as_text=True), "\n".join(api) + "\n" + " ".join(marks)


@pytest.mark.parametrize("username", ["partner", "regia", "auditor"])
def test_who_may_not_see_health_data_reads_a_reserved_step(waiting_on_health: tuple[Flask, int], username: str) -> None:
    app, case_id = waiting_on_health
    page, api = _everything_shown(app, username, case_id)
    assert HEALTH_TASK not in page and HEALTH_TASK not in api
    assert HEALTH_ELEMENT not in api and "f2_certificazione_sanitaria" not in api
    assert "Referente ASL" not in page  # the lane would tell it as well
    assert RESERVED_TASK_NAME in page and RESERVED_TASK_NAME in api


def test_the_asl_referent_in_charge_reads_the_task_and_its_mark(waiting_on_health: tuple[Flask, int]) -> None:
    app, case_id = waiting_on_health
    page, api = _everything_shown(app, "sanitario", case_id)
    assert HEALTH_TASK in page and HEALTH_TASK in api
    assert HEALTH_ELEMENT in api  # the diagram marks where the case waits on the ASL
    assert RESERVED_TASK_NAME not in page


def test_once_done_the_history_and_the_diagram_keep_it_reserved(waiting_on_health: tuple[Flask, int]) -> None:
    app, case_id = waiting_on_health
    engine: Engine = app.extensions["engine"]
    referent = engine.users.get("sanitario", actor=CLI_OPERATOR)
    task = next(t for t in engine.cases.get(case_id, actor=referent).open_tasks if t.bpmn_id == HEALTH_ELEMENT)
    evidence = {
        "tipo_evidenza": "CERTIFICAZIONE_DSM_CSM",
        "ente_emittente": "ASL",
        "numero_protocollo": "P-1",
        "data_rilascio": "2026-01-10",
    }
    answer = {"compatibilita_sanitaria": "COMPATIBILE", "in_carico_dsm": True, "evidenze_sanitarie": [evidence]}
    engine.tasks.complete(task.id, answer, actor=referent)

    partner = engine.users.get("partner", actor=CLI_OPERATOR)
    done = [e for e in engine.cases.history(case_id, actor=partner) if e.task_id == task.id]
    assert done and {e.task_name for e in done} == {RESERVED_TASK_NAME} and {e.bpmn_id for e in done} == {None}
    assert all(HEALTH_ELEMENT not in d.completed for d in engine.cases.diagram(case_id, actor=partner))
    page, api = _everything_shown(app, "partner", case_id)
    assert HEALTH_TASK not in page and HEALTH_TASK not in api

    assert {e.task_name for e in engine.cases.history(case_id, actor=referent) if e.task_id == task.id} == {HEALTH_TASK}
    assert any(HEALTH_ELEMENT in d.completed for d in engine.cases.diagram(case_id, actor=referent))
