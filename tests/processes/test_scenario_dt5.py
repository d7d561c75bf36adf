"""The instrument table (DT-5) enforced on a real case: design (F3) and the traineeship agreement
(F4) refuse answers that contradict the assessment, with field messages, and accept the right ones.

Walked through the real diagrams and engine; the conftest replays every case at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine
from engine.clock import FixedClock
from engine.errors import InvalidData
from tests.processes.scenario_data import Scenario, scenario


@pytest.fixture
def s(engine: Engine, clock: FixedClock) -> Iterator[Scenario]:
    with scenario(engine, clock) as sc:
        sc.open_partnership()
        yield sc


def refused(s: Scenario, case_id: int, bpmn_id: str, **answers: object) -> dict[str, object]:
    with pytest.raises(InvalidData) as err:
        s.do(case_id, bpmn_id, **answers)
    return err.value.messages


def test_design_and_agreement_follow_the_instrument_table(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-DT5")
    s.valutazione(case_id)  # 8 months without regular work: SVANT_651 only, not in care of services
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    data = s.data(case_id)
    assert (data["tipo_tirocinio_dt5"], data["durata_max_mesi_dt5"]) == ("EXTRACURRICOLARE", 12)
    assert sorted(set(data["incentivo"])) == ["GBER"]

    # F3: an incentive the categories do not allow, and a TIS for a person not in care.
    messages = refused(s, case_id, "Task_strumento", incentivi=["L381_CONTRIBUTI"])
    assert messages == {
        "incentivi": ["Non previsti per le categorie della persona: Azzeramento contributi L. 381/1991 art. 4."]
    }
    assert "strumento" in refused(s, case_id, "Task_strumento", strumento="TIS")
    assert "destinatario_l68" in refused(s, case_id, "Task_strumento", destinatario_l68=True)
    s.do(case_id, "Task_strumento", incentivi=["GBER"])
    s.do(case_id, "Task_abbinamento")
    s.do(case_id, "Task_adesione")

    # F4: the agreement's type must be the one chosen, within the person's maximum.
    assert refused(s, case_id, "Task_convenzione", tipo_tirocinio="TIS", firma_ente_in_carico=True) == {
        "tipo_tirocinio": ["Non corrisponde allo strumento scelto in progettazione."]
    }
    assert "tipo_tirocinio" in refused(s, case_id, "Task_convenzione", tipo_tirocinio="EXTRACURRICOLARE_L68")
    assert refused(s, case_id, "Task_convenzione", tipo_tirocinio="EXTRACURRICOLARE_L68", durata_mesi=18)
    s.do(case_id, "Task_convenzione", durata_mesi=12)
    assert s.data(case_id)["tipo_tirocinio"] == "EXTRACURRICOLARE"


def test_a_person_in_care_on_an_inclusion_path_gets_a_tis(s: Scenario) -> None:
    case_id = s.start_percorso("BEN-TIS")
    s.valutazione(case_id, analisi={"orientamento_percorso": "INCLUSIONE", "in_carico_servizi": True})
    assert s.data(case_id)["esito"] == "IDONEO_PREVIA_INCLUSIONE"
    s.do(case_id, "Task_scheda_ingresso")
    s.do(case_id, "Task_progetto")
    data = s.data(case_id)
    assert (data["tipo_tirocinio_dt5"], data["durata_max_mesi_dt5"], data["strumento"]) == ("TIS", 24, "TIS")
    assert "Task_strumento" not in s.ready(case_id)  # the table chose the instrument
