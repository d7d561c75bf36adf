"""The inclusion ladder through the real diagrams and engine: a person in the care of the services
goes through an inclusion traineeship (TIS), which ends ready for the next step; the path designs
the ordinary traineeship without consuming a redesign (``n_riprogettazioni`` stays 0), and the
traineeship ends with the person hired.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from tests.processes.scenario_data import Scenario, scenario

GRADINO = {
    "esito_finale": "GRADINO_SUCCESSIVO",
    "datore_lavoro": None,
    "tipo_contratto": None,
    "data_comunicazione_assunzione": None,
}


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def _traineeship(s: Scenario, case_id: int, **convenzione: object) -> None:
    """Agreement, start notice and three months of registers and monitoring."""
    s.do(case_id, "Task_convenzione", **convenzione)
    s.do(case_id, "Task_comunicazione")
    for _ in range(3):
        s.mese(case_id)
    assert s.ready(case_id) == ["Task_esito"]


def test_tis_then_traineeship_then_hiring_without_consuming_redesigns(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-SCALA")
    s.valutazione(case_id, analisi={"orientamento_percorso": "INCLUSIONE", "in_carico_servizi": True})
    assert s.data(case_id)["esito"] == "IDONEO_PREVIA_INCLUSIONE"
    s.do(case_id, "Task_scheda_ingresso")

    # Step 1: the inclusion traineeship the instrument table chooses.
    s.do(case_id, "Task_progetto")
    assert s.data(case_id)["strumento"] == "TIS"
    s.do(case_id, "Task_abbinamento")
    s.do(case_id, "Task_adesione")
    _traineeship(s, case_id, tipo_tirocinio="TIS", firma_ente_in_carico=True)
    s.do(case_id, "Task_esito", **GRADINO)

    # Step 2: designed again as the next rung, not as a redesign.
    data = s.data(case_id)
    assert data["n_riprogettazioni"] == 0
    assert [g["strumento"] for g in data["gradini_inclusione"]] == ["TIS"]
    assert s.stati(case_id)[-1] == "IN_PROGETTAZIONE"
    assert s.ready(case_id) == ["Task_progetto"]
    s.do(case_id, "Task_progetto")
    assert s.data(case_id)["tipo_tirocinio_dt5"] == "EXTRACURRICOLARE"  # no longer routed to a TIS
    s.do(case_id, "Task_strumento", strumento="TIROCINIO_EXTRACURRICOLARE")
    s.do(case_id, "Task_abbinamento")
    s.do(case_id, "Task_adesione")
    _traineeship(s, case_id)

    # Step 3: hired at the end of the traineeship.
    s.do(case_id, "Task_esito")  # ASSUNTO
    data = s.data(case_id)
    assert data["esito_attuazione"] == "ASSUNTO"
    assert data["n_riprogettazioni"] == 0
    assert data["stato_caso"] == "CONCLUSO_CON_ESITO"
    motivi = [h["motivo"] for h in data["storico_stati"]]
    assert motivi.count("GRADINO_SUCCESSIVO") == 1 and "RIPROGETTAZIONE" not in motivi
    assert s.ready(case_id) == ["Task_uscita"]
