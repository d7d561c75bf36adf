"""Case actions in the pages and in ``/api/v1``: the case page shows "Cosa succede ora" and the
actions the viewer may take, each posted behind a confirmation; bad input gives Italian field
messages (422) and stores nothing; an action on an ended case is a conflict (409)."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from engine import Engine
from engine.clock import FixedClock
from engine.demo import TERRITORY
from engine.model import CaseStatus, EventKind
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import scenario
from tests.web.conftest import login_as, start_case
from tests.web.test_api import api_as, problem  # noqa: F401  (the fixture)


def _post(app: Flask, username: str, case_id: int, action: str, **form: str) -> Any:
    return login_as(app.test_client(), username).post(f"/cases/{case_id}/actions/{action}", data=form)


def test_case_page_shows_what_happens_next_and_the_actions(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    page = login_as(app.test_client(), "coordinatore").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="case-outlook"' in page and "Cosa succede ora" in page
    assert "In attesa del messaggio «Rinuncia della persona»" in page
    for action in ("withdraw", "suspend", "close", "cancel"):
        assert f'data-testid="action-{action}"' in page
    assert 'data-testid="action-resume"' not in page
    # a tutor reads no actions
    tutor = login_as(app.test_client(), "tutor").get(f"/cases/{case.id}")
    assert 'data-testid="case-actions"' not in tutor.get_data(as_text=True)


def test_withdrawal_from_the_case_page_reaches_the_exit_form(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    today = demo._ctx.clock.now().date().isoformat()
    response = _post(app, "coordinatore", case.id, "withdraw", date=today, reason="Trasferimento", confirm="1")
    assert response.status_code == 302
    view = demo.cases.get(case.id, actor=CLI_OPERATOR)
    assert [t.bpmn_id for t in view.open_tasks] == ["Task_uscita"]
    assert view.data["stato_caso"] == "RINUNCIA"


def test_page_actions_refuse_bad_input_in_italian_and_store_nothing(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    before = len(demo.cases.history(case.id, actor=CLI_OPERATOR))
    no_reason = _post(app, "coordinatore", case.id, "suspend", reason=" ", confirm="1")
    assert no_reason.status_code == 422 and "Indica il motivo." in no_reason.get_data(as_text=True)
    unconfirmed = _post(app, "coordinatore", case.id, "close", reason="x")
    assert unconfirmed.status_code == 422 and "Conferma l&#39;operazione" in unconfirmed.get_data(as_text=True)
    future = _post(app, "coordinatore", case.id, "withdraw", date="3000-01-01", reason="x", confirm="1")
    assert future.status_code == 422 and "Inserisci una data non successiva a oggi." in future.get_data(as_text=True)
    assert len(demo.cases.history(case.id, actor=CLI_OPERATOR)) == before
    assert demo.cases.get(case.id, actor=CLI_OPERATOR).status is CaseStatus.RUNNING
    assert _post(app, "tutor", case.id, "suspend", reason="x", confirm="1").status_code == 403


def test_suspend_resume_and_close_from_the_page(app: Flask, demo: Engine) -> None:
    case = start_case(demo)
    assert _post(app, "coordinatore", case.id, "suspend", reason="Ricovero", confirm="1").status_code == 302
    page = login_as(app.test_client(), "coordinatore").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="case-suspended"' in page and 'data-testid="action-resume"' in page
    assert demo.tasks.list(case_id=case.id, actor=demo.users.get("assistente", actor=CLI_OPERATOR)) == []
    assert _post(app, "coordinatore", case.id, "resume", reason="Dimesso", confirm="1").status_code == 302
    assert [t.bpmn_id for t in demo.cases.get(case.id, actor=CLI_OPERATOR).open_tasks] == ["UT_segnalazione"]
    assert _post(app, "coordinatore", case.id, "close", reason="Irreperibile", confirm="1").status_code == 302
    assert demo.cases.get(case.id, actor=CLI_OPERATOR).status is CaseStatus.CLOSED
    again = _post(app, "coordinatore", case.id, "close", reason="di nuovo", confirm="1")
    assert again.status_code == 409 and "non è più possibile" in again.get_data(as_text=True)
    kinds = [e.kind for e in demo.cases.history(case.id, actor=CLI_OPERATOR)]
    assert {EventKind.SUSPENDED, EventKind.RESUMED, EventKind.CLOSED} <= set(kinds)


def test_api_case_actions(api_as: Any, demo: Engine) -> None:  # noqa: F811
    api = api_as("coordinatore")
    case = start_case(demo)
    outlook = api.get(f"/cases/{case.id}/outlook").get_json()
    assert outlook["status"] == "running" and "withdraw" in outlook["actions"]
    assert any(a["kind"] == "message" and a["message"] == "rinuncia_beneficiario" for a in outlook["awaited"])

    body = problem(api.post(f"/cases/{case.id}/suspension", json={}), 422)
    assert body["errors"] == {"reason": ["Campo obbligatorio."]}  # the API's Italian for a missing field
    body = problem(api.post(f"/cases/{case.id}/suspension", json={"reason": "  "}), 422)
    assert body["errors"] == {"reason": ["Indica il motivo."]}
    body = problem(api.post(f"/cases/{case.id}/suspension", json={"reason": "x" * 10_000}), 422)
    assert "al massimo 4000 caratteri" in body["errors"]["reason"][0]
    body = problem(api.post(f"/cases/{case.id}/withdrawal", json={"date": "3000-01-01", "reason": "x"}), 422)
    assert body["errors"] == {"date": ["Inserisci una data non successiva a oggi."]}
    body = problem(api.post(f"/cases/{case.id}/cancellation", json={"reason": "errore", "confirm": False}), 422)
    assert body["errors"] == {"confirm": ["Conferma l'annullamento del caso."]}
    assert demo.cases.get(case.id, actor=CLI_OPERATOR).status is CaseStatus.RUNNING

    suspended = api.post(f"/cases/{case.id}/suspension", json={"reason": "Ricovero"})
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    problem(api.post(f"/cases/{case.id}/suspension", json={"reason": "ancora"}), 409)
    assert api.post(f"/cases/{case.id}/resumption", json={"reason": "Dimesso"}).get_json()["status"] == "running"
    today = demo._ctx.clock.now().date().isoformat()
    withdrawn = api.post(f"/cases/{case.id}/withdrawal", json={"date": today, "reason": "Trasferimento"})
    assert withdrawn.status_code == 200
    problem(api.post(f"/cases/{case.id}/withdrawal", json={"date": today, "reason": "ancora"}), 409)
    closed = api.post(f"/cases/{case.id}/closure", json={"reason": "Irreperibile"})
    assert closed.get_json()["status"] == "closed"
    problem(api.post(f"/cases/{case.id}/cancellation", json={"reason": "errore", "confirm": True}), 409)
    problem(api_as("tutor").post(f"/cases/{case.id}/closure", json={"reason": "x"}), 403)

    other = start_case(demo, "BEN-0002")
    cancelled = api.post(f"/cases/{other.id}/cancellation", json={"reason": "Aperto per errore", "confirm": True})
    assert cancelled.get_json()["status"] == "cancelled"


def test_what_happens_next_names_the_timers_with_italian_dates(app: Flask, demo: Engine) -> None:
    from tests.web.conftest import advance

    case = start_case(demo)
    advance(demo, case.id, "UT_conferma_esito")
    outlook = demo.cases.outlook(case.id, actor=demo.users.get("coordinatore", actor=CLI_OPERATOR))
    timer = next(a for a in outlook.awaited if a.kind == "timer" and a.element == "Esito in ritardo")
    assert timer.due_at is not None
    page = login_as(app.test_client(), "coordinatore").get(f"/cases/{case.id}").get_data(as_text=True)
    local = timer.due_at.astimezone(ZoneInfo("Europe/Rome"))
    assert f"Scadenza «Esito in ritardo»: {local:%d/%m/%Y %H:%M}" in page


def test_the_f4_withdrawal_form_starts_from_the_recorded_withdrawal(
    app: Flask, demo: Engine, clock: FixedClock
) -> None:
    with scenario(demo, clock, territory=TERRITORY) as s:
        case_id = s.start_percorso("BEN-F4")
        s.valutazione(case_id)
        s.do(case_id, "Task_scheda_ingresso")
        s.progettazione_a(case_id)
        s.do(case_id, "Task_convenzione")
        s.do(case_id, "Task_comunicazione")
        day = clock.now().date().isoformat()
        demo.cases.withdraw(
            case_id, date=day, reason="Motivi familiari", actor=demo.users.get("coordinatore", actor=CLI_OPERATOR)
        )
        task = s.task(case_id, "Task_rinuncia")
    page = login_as(app.test_client(), "coordinatore").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(rf'name="data_rinuncia"[^>]*value="{day}"', page), (
        "the date the withdrawal carried is not prefilled"
    )
