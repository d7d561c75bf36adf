"""Health (C2) and judicial (C3) data are classified, so the privacy filter withholds them
(docs/domain.md, "Data classes"; ``engine/privacy.py`` reads ``data_class`` from the forms' field metadata).

Two sources put such data into a case: form fields (classified here, by their metadata) and the
variables the F2 decision tables and scripts derive from them (``cat_381``…), which are not form
fields; those are classified by ``engine/privacy.py``'s DERIVED list.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from engine.model import Actor
from engine.policy import Relation, Target
from engine.privacy import classified_fields, filter_data
from forms import FORMS

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}

# Form fields that reveal a health condition or disability (C2) or a judicial position (C3).
C2_FIELDS = {
    # forms/allerte.py: the health service's alert and the case manager's assessment of it
    "tipo_allerta",
    "descrizione_allerta",
    "data_allerta",
    "esito_allerta",
    "azioni_concordate",
    "allerta_sanitaria",  # the message's variable (DERIVED)
    # f2_certificazione_sanitaria: every field (invalidity, psychiatric and addiction care, evidence)
    "invalidita_civile_perc",
    "assegno_ordinario_invalidita",
    "invalidita_inail_perc",
    "cieco_o_sordo",
    "invalido_guerra_servizio",
    "ex_degente_psichiatrico",
    "in_carico_dsm",
    "programma_serd_dipendenze",
    "programma_alcologia",
    "disabilita_riconosciuta",
    "compatibilita_sanitaria",
    "evidenze_sanitarie",
    # elsewhere: presumed category at referral, need of a health certification, L. 68 list,
    # health or justice constraint of a NON_PRONTO outcome, sick leave, declared disability (ESF+)
    "certificazione_sanitaria_necessaria",
    "iscritto_collocamento_mirato",
    "destinatario_l68",
    "motivo_sospensione",
    "disabilita",
    # coded values that name a relapse (monitoring, the équipe's decision and its free-text twin)
    "criticita_rilevate",
    "motivo_decisione",
}
C3_FIELDS = {
    # f2_attestazione_giustizia: every field (detention, alternative measures, end of sentence)
    "detenuto_internato",
    "misura_alternativa",
    "ex_detenuto",
    "data_fine_pena",
    "semiliberta_lavoro_esterno",
    "compatibilita_giustizia",
    "evidenze_giustizia",
    "attestazione_giustizia_necessaria",
}
# Fields whose values may reveal either: referring and receiving services (SerD, CSM, UEPE), the presumed
# category, the constraint of a NON_PRONTO outcome, the critical dimensions, the incentives (L. 68, Smuraglia).
C23_FIELDS = {
    "servizio_inviante",
    "categoria_presunta",
    "dimensioni_critiche",
    "motivo_non_pronto",
    "servizio_di_riferimento",
    "servizio_destinatario",
    "incentivi",
}

# Variables derived by the F2 decision tables and scripts that reveal a category; not form fields.
DERIVED_SENSITIVE = [
    "cat_381",  # DT-1: invalidity, psychiatric, addiction (C2) and detention/alternative measures (C3)
    "cat_l68",  # DT-4: disability categories (C2)
    "cat_651",  # DT-2: DISAB_651 (C2)
    "cat_112",  # DT-3: IS_B_SVANTAGGIATO_DISABILE, derived from cat_381/cat_l68
    "base_giuridica",  # the legal basis names the category ("… tossicodipendenti")
    "categorie_svantaggio",  # union of the four tables
    "requisiti_accertati",  # category + legal basis per table
    "flag_ex_detenuto",  # DT-1 EX_DETENUTO_FLAG (C3)
    "motivazione_proposta",  # "Compatibilità sanitaria…" / "Prescrizioni giudiziarie…"
    "data_fine_sgravi_detenuti",  # end of sentence + 18/24 months (C3)
    "categorie_ammissione",  # the admitting categories
    "incentivo",  # L. 381 zero contributions, L. 193 relief, L. 68 incentive name the category
    "base_giuridica_incentivo",
    "tipo_tirocinio_dt5",  # the L. 68 traineeship reveals a disability (C2)
    "durata_max_mesi_dt5",  # 24 months for L. 68 disabled persons
    "base_giuridica_dt5",
]
# Decision-table outputs that reveal no category.
DMN_OUTPUTS_NOT_SENSITIVE = {"esito_proposto", "durata_min_mesi_dt5", "proroga_su_attestazione_dt5"}

CASE_MANAGER = Actor("anna", frozenset({"assistente_sociale"}))
HEALTH = Actor("sara", frozenset({"referente_sanitario"}))
JUSTICE = Actor("giorgio", frozenset({"referente_giustizia"}))
JOB_CENTRE = Actor("paolo", frozenset({"operatore_cpi"}))
TUTOR = Actor("tommaso", frozenset({"tutor_aziendale"}))


def fields_by_name() -> dict[str, dict[str, str | None]]:
    """field name → {form key: data class or None}, over every registered form."""
    found: dict[str, dict[str, str | None]] = defaultdict(dict)
    for key, schema in FORMS.items():
        for name, field in schema().fields.items():
            found[name][key] = (field.metadata or {}).get("data_class")
    return found


def dmn_outputs() -> set[str]:
    names: set[str] = set()
    for path in PROCESSES.glob("*.dmn"):
        names |= set(etree.parse(str(path)).xpath("//dmn:output/@name", namespaces=DMN_NS))
    return names


def test_sensitive_form_fields_are_classified() -> None:
    classes = classified_fields()
    assert {n for n in C2_FIELDS if classes.get(n) != "C2"} == set()
    assert {n for n in C3_FIELDS if classes.get(n) != "C3"} == set()
    assert {n for n in C23_FIELDS if classes.get(n) != "C23"} == set()
    assert set(classes) == C2_FIELDS | C3_FIELDS | C23_FIELDS | set(DERIVED_SENSITIVE) | {"motivo_riprogettazione"}, (
        "a classified field this test does not know"
    )


@pytest.mark.parametrize(
    ("form_key", "data_class"), [("f2_certificazione_sanitaria", "C2"), ("f2_attestazione_giustizia", "C3")]
)
def test_every_field_of_a_certification_form_is_classified(form_key: str, data_class: str) -> None:
    schema = FORMS[form_key]()
    assert {n: (f.metadata or {}).get("data_class") for n, f in schema.fields.items()} == dict.fromkeys(
        schema.fields, data_class
    )


def test_a_field_name_has_one_class_in_every_form() -> None:
    """The filter classifies case data by field name: a name shared by two forms must agree."""
    mixed = {name: forms for name, forms in fields_by_name().items() if len(set(forms.values())) > 1}
    assert mixed == {}


def test_only_known_classes_are_used() -> None:
    used = {c for forms in fields_by_name().values() for c in forms.values() if c is not None}
    assert used <= {"C2", "C3", "C23"}


def test_every_decision_output_has_a_privacy_decision() -> None:
    """A new DMN output must be added to DERIVED_SENSITIVE or DMN_OUTPUTS_NOT_SENSITIVE."""
    assert dmn_outputs() - set(DERIVED_SENSITIVE) - DMN_OUTPUTS_NOT_SENSITIVE == set()


@pytest.mark.parametrize("name", DERIVED_SENSITIVE)
def test_derived_category_variables_are_classified(name: str) -> None:
    assert name in classified_fields()


IN_CHARGE = Target(None, frozenset({Relation.TEAM, Relation.ORGANISATION}))


def test_filter_withholds_by_role() -> None:
    data = {
        "eta": 35,
        "evidenze_sanitarie": [{"tipo_evidenza": "VERBALE_INVALIDITA_CIVILE"}],
        "invalidita_civile_perc": 60,
        "misura_alternativa": True,
        "evidenze_giustizia": [{"tipo_evidenza": "ATTESTAZIONE_UEPE"}],
        "disabilita": "SI",
    }
    health = {"evidenze_sanitarie", "invalidita_civile_perc", "disabilita"}
    justice = {"misura_alternativa", "evidenze_giustizia"}

    # each in their own relation to the case: named in its team, or of the service in charge
    visible, withheld, shown = filter_data(data, CASE_MANAGER, IN_CHARGE)
    assert visible == data and withheld == [] and set(shown) == health | justice

    visible, withheld, shown = filter_data(data, HEALTH, IN_CHARGE)
    assert set(visible) == {"eta"} | health and set(withheld) == justice and set(shown) == health

    visible, withheld, shown = filter_data(data, JUSTICE, IN_CHARGE)
    assert set(visible) == {"eta"} | justice and set(withheld) == health

    for outsider in (JOB_CENTRE, TUTOR):
        visible, withheld, shown = filter_data(data, outsider, IN_CHARGE)
        assert visible == {"eta": 35} and set(withheld) == health | justice and shown == []


def test_outside_the_case_no_role_sees_health_or_judicial_data() -> None:
    """The same roles, outside the case's team and not of the service in charge (an ASL or UEPE
    referent of another organisation): nothing classified shows."""
    data = {"eta": 35, "invalidita_civile_perc": 60, "misura_alternativa": True}
    for actor in (CASE_MANAGER, HEALTH, JUSTICE):
        visible, withheld, shown = filter_data(data, actor, Target(None))
        assert visible == {"eta": 35} and shown == []
