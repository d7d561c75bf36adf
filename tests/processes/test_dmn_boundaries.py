"""Boundary tests of the legal rules in the decision tables, and the instrument table (DT-5).

Run by the real engine through the same one-task wrapper as the eligibility tests (clock frozen
on 10/01/2026). Covers: L. 68/1999 art. 18 c.2 categories are not disability (neither for
D.Lgs. 112/2017 lett. b nor Reg. 651/2014 n. 3); the DM 17/10/2017 months as facts at 5/6, 11/12
and 23/24 months, with self-employment under and over the no-tax area; the ex-detainee relief
window of 18/24 months from the end of the sentence; the instrument, its maximum duration and the
incentives each category allows; the deploy check on unmapped categories.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.bpmn.dmn_categories import category_map_problems
from engine.bpmn.loader import Library, SourceFile
from tests.processes.test_dmn_eligibilita import NEUTRAL, NEUTRAL_112, decide, pairs, senza_impiego

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def categories(decision: str, **facts: Any) -> list[str]:
    return [c for c, _b in pairs(decision, **facts)]


# ---- L. 68/1999 art. 18 c.2 is a protected category, not a disability ------------------------


def test_art18_category_is_not_a_disability_for_reg_651() -> None:
    """Orphans, surviving spouses and victims are on the L. 68 art. 18 list, not disabled persons."""
    assert categories("dt4_l68_collocamento_mirato", categoria_art18_l68=True) == ["L68_ART18"]
    assert "DISAB_651" not in categories("dt2_reg651_svantaggio", categoria_art18_l68=True)


def test_art18_category_does_not_qualify_an_impresa_sociale_worker() -> None:
    """D.Lgs. 112/2017 art. 2 c.4 lett. b: only L. 68 art. 1 disabled persons, not art. 18 c.2."""
    assert pairs("dt3_dlgs112_inserimento", cat_l68=["L68_ART18"]) == []
    assert categories("dt3_dlgs112_inserimento", cat_l68=["L68_ART18", "L68_C"]) == ["IS_B_SVANTAGGIATO_DISABILE"]


# ---- DM 17/10/2017: months without regular paid work are three facts ---------------------------


@pytest.mark.parametrize(
    ("mesi", "expected"),
    [
        (5, []),
        (6, ["SVANT_651"]),
        (11, ["SVANT_651"]),
        (23, ["SVANT_651"]),
        (24, ["SVANT_651", "MOLTO_SVANT_651"]),
    ],
    ids=["5-mesi", "6-mesi", "11-mesi", "23-mesi", "24-mesi"],
)
def test_months_without_regular_work_from_the_three_facts(mesi: int, expected: list[str]) -> None:
    assert categories("dt2_reg651_svantaggio", **senza_impiego(mesi)) == expected


@pytest.mark.parametrize(
    ("mesi", "molto"),
    [(11, False), (12, True)],
    ids=["11-mesi-50anni", "12-mesi-50anni"],
)
def test_twelve_months_plus_a_condition_is_very_disadvantaged(mesi: int, molto: bool) -> None:
    assert ("MOLTO_SVANT_651" in categories("dt2_reg651_svantaggio", eta=52, **senza_impiego(mesi))) is molto


def test_self_employment_under_the_no_tax_area_does_not_count_as_work() -> None:
    facts = senza_impiego(24) | {"lavoro_autonomo": "SOTTO_NO_TAX_AREA"}
    assert categories("dt2_reg651_svantaggio", **facts) == ["SVANT_651", "MOLTO_SVANT_651"]


@pytest.mark.parametrize(
    ("autonomo", "expected"),
    [
        ("SOPRA_NO_TAX_AREA_6_MESI", []),
        ("SOPRA_NO_TAX_AREA_12_MESI", ["SVANT_651"]),
        ("SOPRA_NO_TAX_AREA_24_MESI", ["SVANT_651"]),
    ],
)
def test_self_employment_over_the_no_tax_area_is_regular_work_in_its_window(autonomo: str, expected: list[str]) -> None:
    facts = senza_impiego(24) | {"lavoro_autonomo": autonomo}
    assert categories("dt2_reg651_svantaggio", **facts) == expected


# ---- ex-detainees: relief for 18 months (semilibertà / lavoro esterno) or 24 months ----------


@pytest.mark.parametrize(
    ("fine_pena", "semiliberta", "in_window"),
    [
        ("2024-08-10", True, True),  # 17 months ago
        ("2024-07-10", True, False),  # 18 months ago today: the relief has ended
        ("2024-02-10", False, True),  # 23 months ago
        ("2024-01-10", False, False),  # 24 months ago
        ("2024-07-10", False, True),  # 18 months without semi-liberty: still inside 24
    ],
    ids=["17-mesi-semiliberta", "18-mesi-semiliberta", "23-mesi", "24-mesi", "18-mesi-senza-semiliberta"],
)
def test_ex_detainee_relief_window(fine_pena: str, semiliberta: bool, in_window: bool) -> None:
    facts = {"ex_detenuto": True, "data_fine_pena": fine_pena, "semiliberta_lavoro_esterno": semiliberta}
    assert ("EX_DETENUTO_FLAG" in categories("dt1_l381_svantaggio", **facts)) is in_window


# ---- DT-5: instrument and maximum duration ------------------------------------------------------

DT5_NEUTRAL: dict[str, Any] = {
    "previa_inclusione": False,
    "in_carico_servizi": False,
    "cat_l68": [],
    "cat_381": [],
    "protezione_internazionale": False,
    "regione": None,
}


@pytest.mark.parametrize(
    ("facts", "tipo", "minimo", "massimo", "proroga"),
    [
        ({"previa_inclusione": True, "in_carico_servizi": True}, "TIS", 1, 24, True),
        ({"previa_inclusione": True, "in_carico_servizi": True, "cat_l68": ["L68_A"]}, "TIS", 1, 24, True),
        ({"in_carico_servizi": True, "cat_l68": ["L68_A"]}, "EXTRACURRICOLARE_L68", 2, 24, False),
        ({"cat_l68": ["L68_ART18"]}, "EXTRACURRICOLARE", 2, 12, False),
        ({"cat_381": ["ALCOLISTA"]}, "EXTRACURRICOLARE", 2, 12, False),
        ({"protezione_internazionale": True}, "EXTRACURRICOLARE", 2, 12, False),
        ({"previa_inclusione": True}, "EXTRACURRICOLARE", 2, 12, False),
        ({}, "EXTRACURRICOLARE", 2, 12, False),
    ],
    ids=[
        "tis",
        "tis-prima-di-l68",
        "l68",
        "art18-non-l68",
        "l381",
        "protezione",
        "inclusione-senza-presa-in-carico",
        "altri",
    ],
)
def test_dt5_instrument_and_duration(
    facts: dict[str, Any], tipo: str, minimo: int, massimo: int, proroga: bool
) -> None:
    out = decide("dt5_strumento_inserimento", DT5_NEUTRAL | facts)
    assert (out["tipo_tirocinio_dt5"], out["durata_min_mesi_dt5"], out["durata_max_mesi_dt5"]) == (
        tipo,
        minimo,
        massimo,
    )
    assert out["proroga_su_attestazione_dt5"] is proroga
    assert out["base_giuridica_dt5"]


def incentives(*codes: str, ex_detenuto: bool = False) -> list[str]:
    out = decide(
        "dt5_incentivi_categorie",
        {"categorie_svantaggio": list(codes), "flag_ex_detenuto": ex_detenuto},
    )
    return sorted(set(out.get("incentivo", [])))


def test_incentives_follow_the_categories() -> None:
    assert incentives("TOSSICODIPENDENTE") == ["L381_CONTRIBUTI"]
    assert incentives("MISURA_ALTERNATIVA") == ["SMURAGLIA"]
    assert incentives(ex_detenuto=True) == ["SMURAGLIA"]
    assert incentives("SVANT_651", "DISAB_651", "L68_B") == ["GBER", "L68"]
    assert incentives("L68_ART18") == ["NESSUNO"]
    assert incentives() == []


def test_every_category_of_the_admission_policy_has_an_incentive_row() -> None:
    """The admission parameter and the incentive table speak of the same categories."""
    import json

    admitted = json.loads((PROCESSES / "parametri_f1_f2.json").read_text())["default"]["categorie_ammesse"]
    for code in admitted:
        assert incentives(code), code


# ---- deploy check: an unmapped category is a problem -------------------------------------------


def library(overrides: dict[str, bytes] | None = None) -> Library:
    files = {p.name: p.read_bytes() for p in PROCESSES.glob("*.dmn")}
    files.update(overrides or {})
    return Library([SourceFile(name, content) for name, content in files.items()])


def test_the_library_maps_every_category() -> None:
    assert category_map_problems(library()) == []


def test_a_new_category_without_its_row_is_a_problem_at_deploy() -> None:
    dt4 = (PROCESSES / "dt4_l68_collocamento_mirato.dmn").read_bytes().replace(b'"L68_D"', b'"L68_E"')
    [problem] = category_map_problems(library({"dt4_l68_collocamento_mirato.dmn": dt4}))
    assert problem.file == "dt4_l68_collocamento_mirato.dmn"
    assert problem.element == "Rule_dt4_l68_collocamento_mirato_5"
    assert "L68_E" in problem.message and problem.line


def test_neutral_facts_still_match_nothing() -> None:
    """The new facts at their "no" values keep the no-match behaviour the process relies on."""
    assert decide("dt1_l381_svantaggio", NEUTRAL | NEUTRAL_112) == {}
