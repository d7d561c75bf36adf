"""The UEPE's periodic report to the supervisory magistrate through the real diagram
(processes/relazione_uepe.bpmn), moving the clock: every three months (parameter) a report task
reaches the UEPE named in the case's team, due within fifteen days; after the measure ends the
case closes."""

from __future__ import annotations

import datetime as dt

from engine import Engine
from engine.clock import FixedClock
from engine.demo import OPERATOR
from engine.policy import CLI_OPERATOR, SCHEDULER

TERRITORY = "ATS-Uepe"


def test_reports_fall_due_every_quarter_until_the_measure_ends(engine: Engine, clock: FixedClock) -> None:
    engine.design.deploy(actor=OPERATOR, note="library")
    engine.users.add("cora", "Cora", [("coordinatore", TERRITORY)], actor=CLI_OPERATOR)
    engine.users.add("giulia", "Giulia", [("referente_giustizia", TERRITORY)], actor=CLI_OPERATOR)
    coordinator, uepe_officer = (
        engine.users.get("cora", actor=CLI_OPERATOR),
        engine.users.get("giulia", actor=CLI_OPERATOR),
    )
    engine.registry.add_organisation("UEPE_X", "UEPE X", "giustizia", TERRITORY, actor=coordinator)
    engine.registry.add_member("UEPE_X", "giulia", actor=coordinator)
    case = engine.cases.start(
        "relazione_uepe",
        {"territorio": TERRITORY, "beneficiario_pseudonimo": "BEN-UEPE-1", "data_fine_misura": "2026-08-31"},
        actor=uepe_officer,
    )
    engine.teams.add(case.id, "giustizia", organisation="UEPE_X", actor=coordinator)
    report = {
        "protocollo_relazione": "UEPE-2026-1",
        "andamento_misura": "REGOLARE",
        "sintesi_relazione": "Percorso regolare, tirocinio avviato",
    }
    assert engine.tasks.list(actor=uepe_officer) == []
    for sent in ("2026-04-06", "2026-07-06"):
        clock.advance(days=91)
        engine.timers.fire_due(actor=SCHEDULER)
        [task] = engine.tasks.list(actor=uepe_officer)
        assert task.name == "Relazione periodica al magistrato di sorveglianza"
        assert task.due_at == engine.now() + dt.timedelta(days=15)
        engine.tasks.complete(task.id, {**report, "data_invio_relazione": sent}, actor=uepe_officer)
    done = engine.cases.get(case.id, actor=uepe_officer)
    assert done.status.value == "completed"  # the next report would fall after the end of the measure
    assert [r["data"] for r in done.data["relazioni_inviate"]] == ["2026-04-06", "2026-07-06"]
