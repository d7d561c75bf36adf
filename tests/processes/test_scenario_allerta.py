"""The health service in charge alerts the case team (a relapse, an incompatibility with the
activity) through the real diagram: the engine's command checks who sends it (a health referent of
the organisation the case's team names, ``Permission.HEALTH_ALERT``) and what (field messages), the
message reaches the event sub-process of ``percorso_beneficiario`` while the path goes on, and the
case manager gets a task; the alert is health data, withheld from readers outside the team."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Actor, Engine, errors
from engine.clock import FixedClock
from engine.model import EventKind
from engine.policy import CLI_OPERATOR
from tests.processes.scenario_data import Scenario, scenario

ALERT = {"kind": "RICADUTA", "description": "Ricaduta nell'uso di sostanze la scorsa settimana"}


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_the_asl_in_charge_alerts_the_case_manager_and_only_the_team_reads_it(s: Scenario) -> None:
    engine, today = s.engine, s.clock.now().date().isoformat()
    case_id = s.start_percorso("BEN-ASL")
    s.valutazione(case_id)
    assert s.ready(case_id) == ["Task_scheda_ingresso"]
    for code, user in (("ASL_T1", "sara"), ("ASL_ALTRA", "olga")):
        engine.users.add(user, user, [("referente_sanitario", "T1")], actor=CLI_OPERATOR)
        engine.registry.add_organisation(code, code, "servizio_sanitario", "T1", actor=CLI_OPERATOR)
        engine.registry.add_member(code, user, actor=CLI_OPERATOR)
    engine.teams.add(case_id, "sanitario", organisation="ASL_T1", actor=CLI_OPERATOR)
    sara, olga = engine.users.get("sara", actor=CLI_OPERATOR), engine.users.get("olga", actor=CLI_OPERATOR)
    alert = {**ALERT, "date": today}

    with pytest.raises(errors.Forbidden):  # the ASL of another case, not in this team
        engine.cases.health_alert(case_id, **alert, actor=olga)
    with pytest.raises(errors.Forbidden):  # the coordinator does not send health alerts
        engine.cases.health_alert(case_id, **alert, actor=s.coordinatore)
    with pytest.raises(errors.InvalidData) as exc:
        engine.cases.health_alert(case_id, **{**alert, "kind": "ALTRO", "date": "2099-01-01"}, actor=sara)
    assert set(exc.value.messages) == {"tipo_allerta"}
    with pytest.raises(errors.InvalidData) as exc:
        engine.cases.health_alert(case_id, **{**alert, "date": "2099-01-01"}, actor=sara)
    assert exc.value.messages == {"data_allerta": ["Inserisci una data non successiva a oggi."]}

    engine.cases.health_alert(case_id, **alert, actor=sara)
    assert s.ready(case_id) == ["Task_scheda_ingresso", "Task_valuta_allerta"]  # the path goes on
    task = s.task(case_id, "Task_valuta_allerta")
    assert task.role == "assistente_sociale"
    received = [e for e in s.history(case_id) if e.kind == EventKind.MESSAGE_RECEIVED]
    assert [e.data["message"] for e in received] == ["allerta_sanitaria"]
    assert s.data(case_id)["allerta_sanitaria"]["servizio"] == "ASL_T1"

    # the coordinator sees the case but not the alert; the team's case manager sees it
    assert "allerta_sanitaria" not in engine.cases.get(case_id, actor=s.coordinatore).data
    manager = Actor("assistente_sociale@T1", frozenset({"assistente_sociale"}), frozenset({"T1"}))
    engine.tasks.complete(
        task.id,
        {
            "esito_allerta": "PROGETTO_DA_ADATTARE",
            "azioni_concordate": "Colloquio congiunto con il SerD",
            "data_valutazione_allerta": today,
        },
        actor=manager,
    )

    def sent(actor: Actor) -> dict[str, object]:
        [message] = [e for e in engine.cases.history(case_id, actor=actor) if e.kind == EventKind.MESSAGE_SENT]
        return dict(message.data["payload"])

    assert sent(manager)["tipo_allerta"] == "RICADUTA"  # the case manager, now in the team
    assert "tipo_allerta" not in sent(s.coordinatore) and "descrizione_allerta" not in sent(s.coordinatore)
    assert s.ready(case_id) == ["Task_scheda_ingresso"]
    assert [e.kind for e in s.history(case_id)].count(EventKind.MESSAGE_SENT) == 1
