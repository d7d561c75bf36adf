"""The eligibility tables DT-1…DT-4 and the outcome proposal, run by the real engine.

Each decision is called from a one-task wrapper process through SpiffBpmnParser (XSD on) and
our RestrictedPython sandbox, so cells are evaluated exactly as in F2. Every rule row has a
test whose id names the article it implements (``test_every_row_is_tested`` enforces it);
boundary values, no-match (nothing is returned) and COLLECT multi-matches are covered too.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.bpmn.scripting import build_script_engine
from engine.services.processes import load_parameters

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
OUTPUT = {
    "dt1_l381_svantaggio": "cat_381",
    "dt2_reg651_svantaggio": "cat_651",
    "dt4_l68_collocamento_mirato": "cat_l68",
    "dt3_dlgs112_inserimento": "cat_112",
}
ENGINE = build_script_engine(
    now=lambda: dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC),
    parameters=load_parameters(PROCESSES),
)

WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D_w"
  targetNamespace="http://impresapernoi.it/test">
  <bpmn:process id="wrapper" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def senza_impiego(mesi: int) -> dict[str, Any]:
    """DM 17/10/2017 facts of a person whose last contract of 6+ months ended ``mesi`` months ago."""
    return {
        "contratto_6m_ultimi_6_mesi": mesi < 6,
        "contratto_6m_ultimi_12_mesi": mesi < 12,
        "contratto_6m_ultimi_24_mesi": mesi < 24,
    }


# A person matching no row: every fact a form can set, at its "no" value.
NEUTRAL: dict[str, Any] = {
    "invalidita_civile_perc": 0,
    "assegno_ordinario_invalidita": False,
    "invalidita_inail_perc": 0,
    "cieco_o_sordo": False,
    "invalido_guerra_servizio": False,
    "ex_degente_psichiatrico": False,
    "in_carico_dsm": False,
    "programma_serd_dipendenze": False,
    "programma_alcologia": False,
    "disabilita_riconosciuta": False,
    "minore_in_difficolta_familiare": False,
    "eta": 35,
    "detenuto_internato": False,
    "misura_alternativa": False,
    "ex_detenuto": False,
    "data_fine_pena": None,
    "semiliberta_lavoro_esterno": False,
    "contratto_6m_ultimi_6_mesi": True,
    "contratto_6m_ultimi_12_mesi": True,
    "contratto_6m_ultimi_24_mesi": True,
    "lavoro_autonomo": "NESSUNO",
    "titolo_isced3": True,
    "fine_studi_senza_primo_impiego": False,
    "vive_solo_con_persone_a_carico": False,
    "genere_sottorappresentato_settore": False,
    "minoranza_etnica_ue": False,
    "iscritto_collocamento_mirato": False,
    "categoria_art18_l68": False,
    "protezione_internazionale": False,
    "senza_dimora_iscritto": False,
}
# DT-3 reads the lists DT-1, DT-2 and DT-4 produced (F2 normalises them to lists).
NEUTRAL_112: dict[str, Any] = {"cat_381": [], "cat_651": [], "cat_l68": []}
NEUTRAL_ESITO: dict[str, Any] = {
    "ha_requisiti": True,
    "compatibilita_sanitaria": "COMPATIBILE",
    "compatibilita_giustizia": "COMPATIBILE",
    "orientamento_percorso": "LAVORO",
    "autonomia_lavorativa": "ADEGUATA",
}


@cache
def spec_for(decision: str) -> BpmnProcessSpec:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(WRAPPER.format(decision=decision).encode(), "wrapper.bpmn")
    parser.add_dmn_file(str(PROCESSES / f"{decision}.dmn"))
    return parser.get_spec("wrapper")


def decide(decision: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run the decision on ``data``; return only what it added."""
    wf = BpmnWorkflow(spec_for(decision), script_engine=ENGINE)
    wf.get_next_task(spec_name="Start").data.update(data)
    wf.do_engine_steps()
    assert wf.is_completed()
    return {k: v for k, v in wf.data.items() if k not in data}


def pairs(decision: str, **facts: Any) -> list[tuple[str, str]]:
    """The (category, legal basis) pairs a COLLECT table returns, in row order."""
    base = NEUTRAL | NEUTRAL_112 if decision == "dt3_dlgs112_inserimento" else NEUTRAL
    out = decide(decision, base | facts)
    if not out:
        return []
    assert set(out) == {OUTPUT[decision], "base_giuridica"}
    assert len(out[OUTPUT[decision]]) == len(out["base_giuridica"])
    return list(zip(out[OUTPUT[decision]], out["base_giuridica"], strict=True))


def rows_of(decision: str) -> list[tuple[str, ...]]:
    """Every rule row's outputs, read from the DMN file (quotes stripped)."""
    tree = etree.parse(str(PROCESSES / f"{decision}.dmn"))
    return [
        tuple(t.strip('"') for t in rule.xpath("dmn:outputEntry/dmn:text/text()", namespaces=DMN_NS))
        for rule in tree.xpath("//dmn:rule", namespaces=DMN_NS)
    ]


# (decision, facts, the one row expected: (category, legal basis)) — one case per rule row.
L381 = "L. 381/1991 art. 4 c.1 – "
N4 = "Reg. (UE) 651/2014 art. 2 n. 4 lett. "
N99 = "Reg. (UE) 651/2014 art. 2 n. 99 lett. "
C4 = "D.Lgs. 112/2017 art. 2 c.4 lett. "
SGRAVI = "L. 381/1991 art. 4 c.3-bis; L. 193/2000 – sgravi "
ROW_CASES: list[tuple[str, dict[str, Any], tuple[str, str]]] = [
    (
        "dt1_l381_svantaggio",
        {"invalidita_civile_perc": 46},
        ("INV_FIS_PSI_SENS", L381 + "invalidi fisici, psichici e sensoriali"),
    ),
    (
        "dt1_l381_svantaggio",
        {"ex_degente_psichiatrico": True},
        ("EX_DEGENTE_OP_OPG", L381 + "ex degenti di ospedali psichiatrici, anche giudiziari"),
    ),
    (
        "dt1_l381_svantaggio",
        {"in_carico_dsm": True},
        ("TRATT_PSICHIATRICO", L381 + "soggetti in trattamento psichiatrico"),
    ),
    ("dt1_l381_svantaggio", {"programma_serd_dipendenze": True}, ("TOSSICODIPENDENTE", L381 + "tossicodipendenti")),
    ("dt1_l381_svantaggio", {"programma_alcologia": True}, ("ALCOLISTA", L381 + "alcolisti")),
    (
        "dt1_l381_svantaggio",
        {"minore_in_difficolta_familiare": True, "eta": 16},
        ("MINORE_DIFF_FAM", L381 + "minori in età lavorativa in difficoltà familiare"),
    ),
    (
        "dt1_l381_svantaggio",
        {"detenuto_internato": True},
        ("DETENUTO_INTERNATO", L381 + "detenuti o internati negli istituti penitenziari"),
    ),
    (
        "dt1_l381_svantaggio",
        {"misura_alternativa": True},
        ("MISURA_ALTERNATIVA", L381 + "condannati e internati ammessi alle misure alternative"),
    ),
    (
        "dt1_l381_svantaggio",
        {"ex_detenuto": True, "data_fine_pena": "2025-01-10", "semiliberta_lavoro_esterno": True},
        ("EX_DETENUTO_FLAG", SGRAVI + "per 18 mesi dopo la fine pena (semilibertà o lavoro esterno)"),
    ),
    (
        "dt1_l381_svantaggio",
        {"ex_detenuto": True, "data_fine_pena": "2025-01-10"},
        ("EX_DETENUTO_FLAG", SGRAVI + "per 24 mesi dopo la fine pena"),
    ),
    ("dt2_reg651_svantaggio", senza_impiego(6), ("SVANT_651", N4 + "a")),
    ("dt2_reg651_svantaggio", {"eta": 24}, ("SVANT_651", N4 + "b")),
    ("dt2_reg651_svantaggio", {"titolo_isced3": False}, ("SVANT_651", N4 + "c (senza diploma)")),
    ("dt2_reg651_svantaggio", {"fine_studi_senza_primo_impiego": True}, ("SVANT_651", N4 + "c (studi conclusi)")),
    ("dt2_reg651_svantaggio", {"eta": 50}, ("SVANT_651", N4 + "d")),
    ("dt2_reg651_svantaggio", {"vive_solo_con_persone_a_carico": True}, ("SVANT_651", N4 + "e")),
    ("dt2_reg651_svantaggio", {"genere_sottorappresentato_settore": True}, ("SVANT_651", N4 + "f")),
    ("dt2_reg651_svantaggio", {"minoranza_etnica_ue": True}, ("SVANT_651", N4 + "g")),
    (
        "dt2_reg651_svantaggio",
        {"disabilita_riconosciuta": True},
        ("DISAB_651", "Reg. (UE) 651/2014 art. 2 n. 3 lett. a"),
    ),
    (
        "dt2_reg651_svantaggio",
        {"iscritto_collocamento_mirato": True},
        ("DISAB_651", "Reg. (UE) 651/2014 art. 2 n. 3 lett. a (L. 68/1999 art. 1)"),
    ),
    ("dt4_l68_collocamento_mirato", {"invalidita_civile_perc": 46}, ("L68_A", "L. 68/1999 art. 1 c.1 lett. a")),
    (
        "dt4_l68_collocamento_mirato",
        {"assegno_ordinario_invalidita": True},
        ("L68_A", "L. 68/1999 art. 1 c.1 lett. a (assegno ordinario di invalidità)"),
    ),
    ("dt4_l68_collocamento_mirato", {"invalidita_inail_perc": 34}, ("L68_B", "L. 68/1999 art. 1 c.1 lett. b")),
    ("dt4_l68_collocamento_mirato", {"cieco_o_sordo": True}, ("L68_C", "L. 68/1999 art. 1 c.1 lett. c")),
    ("dt4_l68_collocamento_mirato", {"invalido_guerra_servizio": True}, ("L68_D", "L. 68/1999 art. 1 c.1 lett. d")),
    ("dt4_l68_collocamento_mirato", {"categoria_art18_l68": True}, ("L68_ART18", "L. 68/1999 art. 18 c.2")),
    ("dt3_dlgs112_inserimento", {"cat_651": ["MOLTO_SVANT_651", "SVANT_651"]}, ("IS_A_MOLTO_SVANTAGGIATO", C4 + "a")),
    (
        "dt3_dlgs112_inserimento",
        {"cat_381": ["TOSSICODIPENDENTE"]},
        ("IS_B_SVANTAGGIATO_DISABILE", C4 + "b (L. 381/1991 art. 4)"),
    ),
    ("dt3_dlgs112_inserimento", {"cat_l68": ["L68_B"]}, ("IS_B_SVANTAGGIATO_DISABILE", C4 + "b (L. 68/1999 art. 1)")),
    (
        "dt3_dlgs112_inserimento",
        {"protezione_internazionale": True},
        ("IS_B_PROTEZIONE_INTERNAZIONALE", C4 + "b (D.Lgs. 251/2007)"),
    ),
    ("dt3_dlgs112_inserimento", {"senza_dimora_iscritto": True}, ("IS_B_SENZA_DIMORA", C4 + "b (L. 1228/1954 art. 2)")),
]
# n. 99 lett. b: at least 12 months without regular work AND one condition of n. 4 b)-g).
# Those rows also match n. 4 a) (>= 6 months) and the n. 4 letter itself.
N99_CASES: list[tuple[str, dict[str, Any]]] = [
    ("b", {"eta": 20}),
    ("c (senza diploma)", {"titolo_isced3": False}),
    ("c (studi conclusi)", {"fine_studi_senza_primo_impiego": True}),
    ("d", {"eta": 58}),
    ("e", {"vive_solo_con_persone_a_carico": True}),
    ("f", {"genere_sottorappresentato_settore": True}),
    ("g", {"minoranza_etnica_ue": True}),
]


@pytest.mark.parametrize(
    ("decision", "facts", "expected"),
    [pytest.param(d, f, e, id=f"{d}-{e[1]}") for d, f, e in ROW_CASES],
)
def test_single_row(decision: str, facts: dict[str, Any], expected: tuple[str, str]) -> None:
    """Exactly the row of the article in the id matches, with its legal basis."""
    assert pairs(decision, **facts) == [expected]


def test_molto_svantaggiato_24_months() -> None:
    """Reg. (UE) 651/2014 art. 2 n. 99 lett. a: 24 months without regular paid work."""
    assert pairs("dt2_reg651_svantaggio", **senza_impiego(24)) == [
        ("SVANT_651", N4 + "a"),
        ("MOLTO_SVANT_651", N99 + "a"),
    ]


@pytest.mark.parametrize(("letter", "facts"), N99_CASES, ids=[f"n99-b-{c[0]}" for c in N99_CASES])
def test_molto_svantaggiato_12_months_plus_condition(letter: str, facts: dict[str, Any]) -> None:
    """Reg. (UE) 651/2014 art. 2 n. 99 lett. b: ≥ 12 months and one of n. 4 lett. b)-g)."""
    result = pairs("dt2_reg651_svantaggio", **senza_impiego(12), **facts)
    assert result == [
        ("SVANT_651", N4 + "a"),
        ("SVANT_651", N4 + letter),
        ("MOLTO_SVANT_651", N99 + f"b (n. 4 lett. {letter})"),
    ]
    # The same condition with only 11 months is disadvantaged, not very disadvantaged.
    assert ("MOLTO_SVANT_651", N99 + f"b (n. 4 lett. {letter})") not in pairs(
        "dt2_reg651_svantaggio", **senza_impiego(11), **facts
    )


def test_every_row_is_tested() -> None:
    """Each rule row of each COLLECT table is the target of a case above (by its legal basis)."""
    targeted = {(d, e) for d, _f, e in ROW_CASES}
    targeted |= {("dt2_reg651_svantaggio", ("MOLTO_SVANT_651", N99 + "a"))}
    targeted |= {("dt2_reg651_svantaggio", ("MOLTO_SVANT_651", N99 + f"b (n. 4 lett. {c[0]})")) for c in N99_CASES}
    for decision in OUTPUT:
        rows = {(decision, r) for r in rows_of(decision)}
        assert rows == {t for t in targeted if t[0] == decision}, decision


@pytest.mark.parametrize("decision", list(OUTPUT))
def test_tables_collect_and_name_a_legal_basis(decision: str) -> None:
    tree = etree.parse(str(PROCESSES / f"{decision}.dmn"))
    [table] = tree.xpath("//dmn:decisionTable", namespaces=DMN_NS)
    assert table.get("hitPolicy") == "COLLECT"
    outputs = [o.get("name") for o in table.xpath("dmn:output", namespaces=DMN_NS)]
    assert outputs == [OUTPUT[decision], "base_giuridica"]
    assert all(r[1] for r in rows_of(decision))
    assert len(tree.xpath("//dmn:decision", namespaces=DMN_NS)) == 1


@pytest.mark.parametrize("decision", list(OUTPUT))
def test_no_match_returns_nothing(decision: str) -> None:
    """No row matches: the engine sets nothing at all (F2 resets and guards these variables)."""
    assert decide(decision, NEUTRAL | NEUTRAL_112) == {}


@pytest.mark.parametrize(
    ("facts", "matches"),
    [
        ({"invalidita_civile_perc": 45}, False),  # "> 45%": 45 is not enough
        ({"minore_in_difficolta_familiare": True, "eta": 17}, True),
        ({"minore_in_difficolta_familiare": True, "eta": 15}, False),  # below working age
        ({"minore_in_difficolta_familiare": True, "eta": 18}, False),
    ],
    ids=["381-invalidita-45", "381-minore-17", "381-minore-15", "381-minore-18"],
)
def test_dt1_boundaries(facts: dict[str, Any], matches: bool) -> None:
    """L. 381/1991 art. 4 c.1: thresholds of the invalidity and working-age-minor rows."""
    assert bool(pairs("dt1_l381_svantaggio", **facts)) is matches


@pytest.mark.parametrize(
    ("facts", "bases"),
    [
        (senza_impiego(5), []),
        ({"eta": 15}, [N4 + "b"]),
        ({"eta": 25}, []),
        ({"eta": 49}, []),
        ({"eta": 25, "vive_solo_con_persone_a_carico": True}, [N4 + "e"]),
        ({"eta": 24, "vive_solo_con_persone_a_carico": True}, [N4 + "b"]),
    ],
    ids=["651-a-5mesi", "651-b-15anni", "651-b-25anni", "651-d-49anni", "651-e-25anni", "651-e-24anni"],
)
def test_dt2_boundaries(facts: dict[str, Any], bases: list[str]) -> None:
    """Reg. (UE) 651/2014 art. 2 n. 4: limits of months and age (DM 17/10/2017)."""
    assert [b for _c, b in pairs("dt2_reg651_svantaggio", **facts)] == bases


def test_dt4_boundaries() -> None:
    """L. 68/1999 art. 1 c.1 lett. a/b: > 45% civil, > 33% INAIL."""
    assert pairs("dt4_l68_collocamento_mirato", invalidita_civile_perc=45) == []
    assert pairs("dt4_l68_collocamento_mirato", invalidita_inail_perc=33) == []


def test_dt3_ignores_plain_svantaggio_651() -> None:
    """D.Lgs. 112/2017 art. 2 c.4 lett. a needs n. 99 (molto svantaggiato), not n. 4."""
    assert pairs("dt3_dlgs112_inserimento", cat_651=["SVANT_651"]) == []


def test_collect_multi_match_dt1() -> None:
    """L. 381/1991 art. 4: one person in several categories gets all of them, in row order."""
    result = pairs(
        "dt1_l381_svantaggio",
        invalidita_civile_perc=70,
        programma_serd_dipendenze=True,
        misura_alternativa=True,
    )
    assert [c for c, _b in result] == ["INV_FIS_PSI_SENS", "TOSSICODIPENDENTE", "MISURA_ALTERNATIVA"]


def test_collect_multi_match_dt2_and_dt3() -> None:
    """Reg. 651/2014 nn. 3, 4, 99 together, then D.Lgs. 112/2017 lett. a and b together."""
    cats = [
        c
        for c, _b in pairs(
            "dt2_reg651_svantaggio",
            **senza_impiego(30),
            eta=55,
            disabilita_riconosciuta=True,
        )
    ]
    assert cats == ["SVANT_651", "SVANT_651", "MOLTO_SVANT_651", "MOLTO_SVANT_651", "DISAB_651"]
    both = pairs(
        "dt3_dlgs112_inserimento",
        cat_651=["MOLTO_SVANT_651"],
        cat_381=["ALCOLISTA"],
        cat_l68=["L68_A"],
        senza_dimora_iscritto=True,
    )
    assert [c for c, _b in both] == [
        "IS_A_MOLTO_SVANTAGGIATO",
        "IS_B_SVANTAGGIATO_DISABILE",
        "IS_B_SVANTAGGIATO_DISABILE",
        "IS_B_SENZA_DIMORA",
    ]


# ---- the outcome proposal (hit policy FIRST: row order is priority) ----------------------

ESITO_ROWS: list[tuple[str, dict[str, Any], str]] = [
    ("r1-nessun-requisito", {"ha_requisiti": False}, "NON_IDONEO_REQUISITI"),
    ("r2-vincoli-sanitari", {"compatibilita_sanitaria": "NON_COMPATIBILE"}, "NON_PRONTO"),
    ("r3-vincoli-giustizia", {"compatibilita_giustizia": "NON_COMPATIBILE"}, "NON_PRONTO"),
    ("r4-percorso-inclusione", {"orientamento_percorso": "INCLUSIONE"}, "IDONEO_PREVIA_INCLUSIONE"),
    ("r5-autonomia-insufficiente", {"autonomia_lavorativa": "INSUFFICIENTE"}, "IDONEO_PREVIA_INCLUSIONE"),
    ("r6-impresa", {"orientamento_percorso": "IMPRESA"}, "IDONEO_IMPRESA"),
    ("r7-lavoro", {}, "IDONEO_LAVORO"),
    # priorities between rows
    (
        "requisiti-prima-dei-vincoli",
        {"ha_requisiti": False, "compatibilita_sanitaria": "NON_COMPATIBILE"},
        "NON_IDONEO_REQUISITI",
    ),
    (
        "vincoli-prima-del-percorso",
        {"compatibilita_giustizia": "NON_COMPATIBILE", "orientamento_percorso": "IMPRESA"},
        "NON_PRONTO",
    ),
    (
        "autonomia-prima-dell-impresa",
        {"autonomia_lavorativa": "INSUFFICIENTE", "orientamento_percorso": "IMPRESA"},
        "IDONEO_PREVIA_INCLUSIONE",
    ),
    ("prescrizioni-compatibili", {"compatibilita_sanitaria": "COMPATIBILE_CON_PRESCRIZIONI"}, "IDONEO_LAVORO"),
]


@pytest.mark.parametrize(("facts", "esito"), [pytest.param(f, e, id=i) for i, f, e in ESITO_ROWS])
def test_esito_proposal(facts: dict[str, Any], esito: str) -> None:
    """GDPR art. 22: the table only proposes; F2's "Conferma esito" task decides."""
    out = decide("esito_valutazione", NEUTRAL_ESITO | facts)
    assert out["esito_proposto"] == esito
    assert isinstance(out["motivazione_proposta"], str) and out["motivazione_proposta"]


def test_esito_every_row_reachable() -> None:
    reached = {decide("esito_valutazione", NEUTRAL_ESITO | f)["motivazione_proposta"] for _i, f, _e in ESITO_ROWS}
    assert reached == {r[1] for r in rows_of("esito_valutazione")}
