"""The follow-ups' survey dates are event dates: a 6- or 12-month follow-up dated after today (one
day of margin) or before 2000 is refused with an Italian field message, and nothing is stored —
the task stays open, the case's events and data are as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from engine import Engine, errors
from engine.clock import FixedClock
from tests.processes.scenario_data import FOLLOW_UP_6M, Scenario, form_data, scenario


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def test_a_follow_up_dated_in_the_future_or_too_early_is_refused_and_nothing_stored(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-FU")
    s.valutazione(case_id)
    s.do(case_id, "Task_scheda_ingresso")
    s.progettazione_a(case_id)
    s.do(case_id, "Task_convenzione")
    s.do(case_id, "Task_comunicazione")
    s.engine.cases.withdraw(
        case_id, date=s.clock.now().date().isoformat(), reason="Trasferimento", actor=s.coordinatore
    )
    s.do(case_id, "Task_rinuncia")
    s.do(case_id, "Task_uscita", motivo_uscita="RINUNCIA")
    assert case_id in s.advance(FOLLOW_UP_6M + 1)
    task = s.task(case_id, "Task_6m")
    before = (s.kinds(case_id), s.data(case_id))
    cpi = s.actor("operatore_cpi")
    late = (s.clock.now().date() + dt.timedelta(days=30)).isoformat()
    for day, message in ((late, "Inserisci una data non successiva a oggi."), ("1999-12-31", "non precedente")):
        with pytest.raises(errors.InvalidData) as refused:
            s.engine.tasks.complete(task.id, form_data("f5_follow_up_6m", data_rilevazione_6m=day), actor=cpi)
        assert list(refused.value.messages) == ["data_rilevazione_6m"], refused.value.messages
        assert message in refused.value.messages["data_rilevazione_6m"][0]
    assert (s.kinds(case_id), s.data(case_id)) == before and s.ready(case_id) == ["Task_6m"]
    s.do(case_id, "Task_6m")  # today's survey is accepted
    assert s.ready(case_id) == []
