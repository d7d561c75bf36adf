"""The health service's alert into a case, in the page and in ``/api/v1``: the health referent of
the organisation the case's team names sends it from the case page (or ``POST
/cases/{id}/health-alerts``) and the case manager gets the task to assess it; a referent of another
health service gets 403; a date in the future gets the Italian field message (422)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from engine import Engine
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import scenario
from tests.web.conftest import login_as
from tests.web.test_api import api_as, problem  # noqa: F401  (the fixture)

ALERT = "Task_valuta_allerta"


@pytest.fixture
def case_id(demo: Engine, clock: FixedClock) -> Iterator[int]:
    """A beneficiary path past the assessment; ``asl_in`` is the health referent of the ASL its
    team names, ``asl_out`` one of another ASL of the same territory."""
    with scenario(demo, clock, territory=TERRITORY) as s:
        found = s.start_percorso("BEN-ASL")
        s.valutazione(found)
        coordinator = demo.users.get("coordinatore", actor=CLI_OPERATOR)
        for code, name in (("ASL_IN", "asl_in"), ("ASL_OUT", "asl_out")):
            demo.users.add(name, name, [("referente_sanitario", TERRITORY)], actor=CLI_OPERATOR)
            demo.registry.add_organisation(code, code, "servizio_sanitario", TERRITORY, actor=coordinator)
            demo.registry.add_member(code, name, actor=coordinator)
        demo.teams.add(found, "sanitario", organisation="ASL_IN", actor=coordinator)
        yield found


def _open(demo: Engine, case_id: int) -> list[str]:
    return [t.bpmn_id for t in demo.cases.get(case_id, actor=CLI_OPERATOR).open_tasks]


def _today(demo: Engine) -> str:
    return demo._ctx.clock.now().date().isoformat()


def test_the_asl_in_charge_alerts_from_the_case_page(app: Flask, demo: Engine, case_id: int) -> None:
    asl = login_as(app.test_client(), "asl_in")
    page = asl.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="action-health_alert"' in page and "Incompatibilità con l&#39;attività in corso" in page
    other = login_as(app.test_client(), "asl_out").get(f"/cases/{case_id}")
    assert 'data-testid="action-health_alert"' not in other.get_data(as_text=True)
    coordinator = login_as(app.test_client(), "coordinatore").get(f"/cases/{case_id}")
    assert 'data-testid="action-health_alert"' not in coordinator.get_data(as_text=True)

    form = {"tipo_allerta": "RICADUTA", "descrizione_allerta": "Ricaduta nella settimana passata"}
    bad = asl.post(f"/cases/{case_id}/health-alert", data={**form, "data_allerta": "3000-01-01"})
    assert bad.status_code == 422 and "Inserisci una data non successiva a oggi." in bad.get_data(as_text=True)
    empty = asl.post(f"/cases/{case_id}/health-alert", data={"data_allerta": "ieri"})
    assert empty.status_code == 422 and 'id="alert-kind-error"' in empty.get_data(as_text=True)
    outsider = login_as(app.test_client(), "asl_out")
    assert (
        outsider.post(f"/cases/{case_id}/health-alert", data={**form, "data_allerta": _today(demo)}).status_code == 403
    )
    assert ALERT not in _open(demo, case_id)

    sent = asl.post(f"/cases/{case_id}/health-alert", data={**form, "data_allerta": _today(demo)})
    assert sent.status_code == 302
    assert "Allerta inviata" in asl.get(sent.headers["Location"]).get_data(as_text=True)
    task = next(t for t in demo.cases.get(case_id, actor=CLI_OPERATOR).open_tasks if t.bpmn_id == ALERT)
    assert task.role == "assistente_sociale"


def test_the_api_takes_health_alerts_only_from_the_asl_in_charge(api_as: Any, demo: Engine, case_id: int) -> None:  # noqa: F811
    api, path = api_as("asl_in"), f"/cases/{case_id}/health-alerts"
    body = {"kind": "INCOMPATIBILITA", "description": "Terapia incompatibile con i turni notturni"}
    bad = problem(api.post(path, json={**body, "date": "3000-01-01"}), 422)
    assert bad["errors"] == {"date": ["Inserisci una data non successiva a oggi."]}
    problem(api.post(path, json={**body, "kind": "ALTRO", "date": _today(demo)}), 422)
    problem(api_as("asl_out").post(path, json={**body, "date": _today(demo)}), 403)
    problem(api_as("coordinatore").post(path, json={**body, "date": _today(demo)}), 403)
    problem(api.post("/cases/999999/health-alerts", json={**body, "date": _today(demo)}), 404)
    assert ALERT not in _open(demo, case_id)

    created = api.post(path, json={**body, "date": _today(demo)})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert ALERT in _open(demo, case_id)
    spec = api_as(None).client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"]["/api/v1/cases/{case_id}/health-alerts"]["post"]["responses"]
    assert {"201", "403", "404", "409", "422"} <= set(responses)
