"""Forms of F1 and F2: a valid sample of each passes; each kind of bad input is refused.

For every form: the valid sample loads, every required field is reported when missing, every
enumeration refuses an unknown value, every date refuses a non-ISO string, and each cross-field
rule reports its Italian message on the field to fix. ``VALID`` is also used by the diagram
walks in ``tests/processes/test_diagrams_f1_f2_raw.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from marshmallow import ValidationError, fields, validate

from forms import FORMS
from forms.f2_valutazione import CAMPI_RAMI_VALUTAZIONE

EVIDENZA_INVALIDITA: dict[str, Any] = {
    "tipo_evidenza": "VERBALE_INVALIDITA_CIVILE",
    "ente_emittente": "Commissione medica INPS Ancona",
    "numero_protocollo": "INPS-2025-778",
    "data_rilascio": "2025-06-01",
    "data_scadenza": "2028-06-01",
}
EVIDENZA_UEPE: dict[str, Any] = {
    "tipo_evidenza": "ATTESTAZIONE_UEPE",
    "ente_emittente": "UEPE Ancona",
    "numero_protocollo": "UEPE-2026-12",
    "data_rilascio": "2026-01-05",
}
PARTNER: list[dict[str, Any]] = [
    {
        "codice": "COMUNE_ANCONA",
        "nome": "Comune di Ancona",
        "tipo_ente": "COMUNE_ATS",
        "essenziale": True,
        "strumento": "ACCORDO_TRA_PA",
    },
    {
        "codice": "CPI_ANCONA",
        "nome": "Centro per l'Impiego di Ancona",
        "tipo_ente": "CPI",
        "essenziale": True,
        "strumento": "ACCORDO_TRA_PA",
    },
    {
        "codice": "COOP_SOLE",
        "nome": "Cooperativa sociale Il Sole",
        "tipo_ente": "ETS",
        "essenziale": False,
        "strumento": "CONVENZIONE_CTS",
    },
]

VALID: dict[str, dict[str, Any]] = {
    "f1_analisi_contesto": {
        "data_analisi": "2026-01-15",
        "ambito_territoriale": "ATS 11 Ancona",
        "indicatori_territoriali": "Disoccupazione 9%, tre cooperative B, un CPI",
        "partner": PARTNER,
    },
    "f1_esito_contatti": {
        "data_avvio_contatti": "2026-01-20",
        "data_chiusura_contatti": "2026-02-10",
        "enti_contattati": 8,
        "enti_disponibili": 6,
    },
    "f1_co_programmazione": {
        "procedura": "AVVISO_PUBBLICO_DM72",
        "data_avviso": "2026-02-15",
        "numero_sessioni": 3,
        "data_ultima_sessione": "2026-03-20",
        "protocollo_verbali": "PG 2026/1234",
        "documento_sintesi": "Bisogni prioritari e linee di intervento condivise",
    },
    "f1_bozza_accordo": {
        "versione_bozza": 1,
        "data_bozza": "2026-04-01",
        "strumento": "PROTOCOLLO_INTESA",
        "oggetto": "Percorsi di inserimento lavorativo e avvio di imprese sociali",
        "durata_mesi": 36,
        "canale_invio": "PIATTAFORMA",
        "sla_presa_in_carico_giorni": 15,
        "ruolo_privacy": "CONTITOLARITA_ART26",
        "allegato_privacy": True,
        "clausola_recesso": True,
    },
    "f1_risposta_partner": {
        "codice_partner": "COMUNE_ANCONA",
        "esito_adesione": "ADERISCE",
        "nome_referente": "Maria Rossi",
        "data_risposta": "2026-04-20",
    },
    "f1_sollecito_risposta": {
        "codice_partner": "COOP_SOLE",
        "data_sollecito": "2026-04-25",
        "esito_sollecito": "ADERISCE",
        "nome_referente": "Luca Bianchi",
    },
    "f1_approvazione_interna": {
        "codice_partner": "COMUNE_ANCONA",
        "tipo_atto": "DELIBERA_GIUNTA",
        "numero_atto": "DG 45/2026",
        "data_atto": "2026-05-20",
        "firmatario": "sindaco.ancona",
    },
    "f1_sollecito_approvazioni": {
        "data_sollecito_approvazioni": "2026-05-25",
        "enti_sollecitati": "CPI di Ancona",
    },
    "f1_decisione_cabina": {
        "decisione_cabina": "SOSTITUISCI",
        "sostituti": [
            {
                "codice_sostituito": "CPI_ANCONA",
                "codice": "CPI_JESI",
                "nome": "Centro per l'Impiego di Jesi",
                "tipo_ente": "CPI",
                "data_adesione": "2026-05-02",
            }
        ],
        "motivazione_cabina": "Il CPI di Jesi copre l'intero Ambito",
        "numero_verbale_cabina": "CR-2026-03",
        "data_decisione": "2026-05-03",
    },
    "f1_avviso_coprogettazione": {
        "numero_avviso": "Avviso 3/2026",
        "data_pubblicazione": "2026-01-10",
        "termine_proposte": "2026-02-10",
        "oggetto_coprogettazione": "Servizi di accompagnamento al lavoro",
    },
    "f1_proposte_coprogettazione": {"data_chiusura": "2026-02-10", "numero_proposte": 2},
    "f1_commissione_coprogettazione": {
        "numero_atto_nomina": "Det. 10/2026",
        "data_valutazione": "2026-02-20",
        "enti_selezionati": [{"codice": "COOP_SOLE", "nome": "Cooperativa sociale Il Sole", "punteggio": 82}],
    },
    "f1_tavolo_coprogettazione": {
        "sessioni_coprogettazione": 3,
        "data_ultima_sessione_coprogettazione": "2026-03-10",
        "protocollo_verbali_coprogettazione": "VERB-COP-1",
    },
    "f1_progetto_definitivo": {
        "numero_atto_approvazione": "Del. 4/2026",
        "data_approvazione": "2026-03-20",
        "durata_progetto_mesi": 24,
    },
    "f1_firma_accordo": {
        "approvazioni_interne_acquisite": True,
        "data_firma": "2026-06-01",
        "tipo_firma": "PADES",
        "numero_protocollo": "PG 2026/5555",
        "data_decorrenza": "2026-06-01",
        "data_scadenza": "2029-05-31",
    },
    "f1_costituzione_cabina": {
        "data_insediamento": "2026-06-15",
        "numero_verbale_insediamento": "CR-2026-01",
        "referenti": [
            {
                "codice_ente": "COMUNE_ANCONA",
                "nome_referente": "Maria Rossi",
                "email": "m.rossi@comune.ancona.it",
            }
        ],
        "periodicita_riunioni": "TRIMESTRALE",
    },
    "f1_verifica_continuita": {
        "decisione_continuita": "PROSEGUE",
        "motivazione_continuita": "Comune e CPI garantiscono i servizi fino al rinnovo dell'accordo",
        "data_verifica_continuita": "2026-07-01",
    },
    "f2_segnalazione": {
        "data_segnalazione": "2026-01-05",
        "servizio_inviante": "SERVIZIO_SOCIALE",
        "referente_inviante": "Dott.ssa Bianchi",
        "motivo_invio": "RICERCA_LAVORO",
        "categoria_presunta": "SVANT_651",
        "urgenza": "ORDINARIA",
    },
    "f2_informativa_consensi": {
        "tipo_informativa": "ART13",
        "versione_informativa": "v2.1",
        "data_consegna": "2026-01-12",
        "firmatario": "INTERESSATO",
        "condivisione_ospite_privato": True,
        "consenso_condivisione_ospite": True,
    },
    "f2_verifica_documenti": {
        "data_verifica": "2026-01-13",
        "documentazione_completa": True,
        "certificazione_sanitaria_necessaria": False,
        "attestazione_giustizia_necessaria": False,
    },
    "f2_richiesta_integrazione": {
        "data_richiesta": "2026-01-14",
        "canale_richiesta": "EMAIL",
        "documenti_richiesti": ["Verbale di invalidità civile"],
    },
    "f2_ricezione_integrazione": {
        "data_ricezione": "2026-02-01",
        "documenti_ricevuti": ["Verbale di invalidità civile"],
        "documentazione_ora_completa": True,
    },
    "f2_archiviazione": {
        "data_archiviazione": "2026-02-14",
        "notifica_inviante": True,
        "data_notifica": "2026-02-14",
    },
    "f2_analisi_preliminare": {
        "data_analisi": "2026-01-20",
        "orientamento_percorso": "LAVORO",
        "autonomia_lavorativa": "ADEGUATA",
        "caso_complesso": False,
    },
    "f2_did_psp": {
        "data_did": "2026-01-18",
        "contratto_6m_ultimi_6_mesi": False,
        "contratto_6m_ultimi_12_mesi": True,
        "contratto_6m_ultimi_24_mesi": True,
        "titolo_isced3": True,
        "classe_profilazione": "ALTA",
        "psp_sottoscritto": True,
        "data_psp": "2026-01-25",
        "operatore_responsabile": "Luca Verdi",
    },
    "f2_certificazione_sanitaria": {
        "invalidita_civile_perc": 60,
        "compatibilita_sanitaria": "COMPATIBILE_CON_PRESCRIZIONI",
        "evidenze_sanitarie": [EVIDENZA_INVALIDITA],
    },
    "f2_attestazione_giustizia": {
        "misura_alternativa": True,
        "compatibilita_giustizia": "COMPATIBILE_CON_PRESCRIZIONI",
        "evidenze_giustizia": [EVIDENZA_UEPE],
    },
    "f2_quadro_approfondito": {
        "data_verbale_em": "2026-02-05",
        "numero_verbale_em": "EM-2026-07",
        "componenti_em": ["assistente_sociale", "operatore_cpi", "referente_sanitario"],
        "orientamento_percorso": "LAVORO",
        "autonomia_lavorativa": "PARZIALE",
        "prossimo_passo": "Tirocinio di sei mesi con tutor",
        "data_revisione": "2026-05-05",
    },
    "f2_conferma_esito": {"decisione_operatore": "CONFERMA", "data_conferma": "2026-02-10"},
    "f2_comunicazione_esito": {
        "protocollo_scheda_valutazione": "PG 2026/99",
        "data_comunicazione_beneficiario": "2026-02-12",
        "data_comunicazione_inviante": "2026-02-12",
        "canale_comunicazione": "COLLOQUIO",
    },
    "f2_non_pronto": {
        "motivo_non_pronto": "VINCOLI_SANITARI",
        "servizio_di_riferimento": "CSM_DSM",
        "data_invio": "2026-02-12",
    },
    "f2_invio_altri_servizi": {
        "servizio_destinatario": "SERVIZIO_SOCIALE",
        "data_invio": "2026-02-12",
        "comunicazione_motivata": True,
        "data_comunicazione": "2026-02-12",
    },
    "f2_sollecito_esito": {
        "azione_sollecito_esito": "SOLLECITO_INVIATO",
        "data_sollecito_esito": "2026-03-12",
    },
    "f2_sollecito_presa_in_carico": {
        "azione_sollecito_presa_in_carico": "SOLLECITO_INVIATO",
        "data_sollecito_presa_in_carico": "2026-01-20",
    },
    "f2_appuntamento_adi": {
        "data_appuntamento_adi": "2026-03-12",
        "riferimento_pais_adi": "PAIS-2026-0042",
        "riferimento_psp_adi": "PSP-2026-0107",
    },
    "f2_sollecito_adi": {
        "azione_sollecito_adi": "SOLLECITO_INVIATO",
        "data_sollecito_adi": "2026-03-12",
    },
    "f2_sollecito_aggiornamento_adi": {
        "azione_sollecito_aggiornamento_adi": "RITARDO_GIUSTIFICATO",
        "data_sollecito_aggiornamento_adi": "2026-06-12",
        "note_sollecito_aggiornamento_adi": "La persona era ricoverata",
    },
}

MY_FORMS = sorted(k for k in FORMS if k.startswith(("f1_", "f2_")))
DELETE = object()


def load(key: str, data: dict[str, Any]) -> dict[str, Any]:
    schema = FORMS[key]()
    loaded: dict[str, Any] = schema.load(data)
    return loaded


def errors_of(key: str, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        load(key, data)
    messages: dict[str, Any] = info.value.messages  # type: ignore[assignment]
    return messages


def changed(key: str, path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID[key])
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def message_at(messages: dict[str, Any], path: tuple[str | int, ...]) -> list[str]:
    node: Any = messages
    for step in path:
        node = node[step]
    assert isinstance(node, list), node
    return node


def top_fields(key: str, kind: type[fields.Field[Any]]) -> list[str]:
    return [name for name, f in FORMS[key]().fields.items() if isinstance(f, kind)]


def test_every_form_has_a_valid_sample() -> None:
    assert sorted(VALID) == MY_FORMS
    assert len(MY_FORMS) == 37


@pytest.mark.parametrize("key", MY_FORMS)
def test_valid_sample_passes_and_dates_dump_as_iso(key: str) -> None:
    schema = FORMS[key]()
    loaded = schema.load(VALID[key])
    dumped = schema.dump(loaded)
    for name in top_fields(key, fields.Date):
        if loaded.get(name) is not None:
            assert isinstance(loaded[name], dt.date)
            assert dumped[name] == loaded[name].isoformat()


@pytest.mark.parametrize("key", MY_FORMS)
def test_missing_required_fields_are_named(key: str) -> None:
    required = [n for n, f in FORMS[key]().fields.items() if f.required]
    assert required, f"{key} has no required field"
    messages = errors_of(key, {})
    for name in required:
        assert messages[name] == ["Campo obbligatorio."], name


@pytest.mark.parametrize("key", MY_FORMS)
def test_unknown_enumeration_values_are_refused(key: str) -> None:
    enums = [n for n, f in FORMS[key]().fields.items() if any(isinstance(v, validate.OneOf) for v in f.validators)]
    for name in enums:
        messages = errors_of(key, changed(key, (name,), "VALORE_INESISTENTE"))
        assert messages[name][0].startswith("Valore non ammesso"), name


@pytest.mark.parametrize("key", MY_FORMS)
def test_dates_must_be_iso(key: str) -> None:
    for name in top_fields(key, fields.Date):
        messages = errors_of(key, changed(key, (name,), "31/12/2026"))
        assert messages[name] == ["Data non valida (formato AAAA-MM-GG)."], name


def test_unknown_fields_are_refused() -> None:
    messages = errors_of("f2_segnalazione", changed("f2_segnalazione", ("diagnosi",), "x"))
    assert "diagnosi" in messages


def test_no_form_has_a_diagnosis_or_offence_field() -> None:
    # docs/domain.md, "Data classes": categories and evidence metadata only, never a diagnosis or an offence.
    forbidden = ("diagnos", "patolog", "terapi", "reato", "reati", "farmac")
    for key in MY_FORMS:
        names = list(FORMS[key]().fields)
        assert not [n for n in names if any(w in n for w in forbidden)], key


CROSS_FIELD: list[tuple[str, str, tuple[str | int, ...], Any, tuple[str | int, ...], str]] = [
    # (form, case, field to change, new value, where the error must be, message start)
    (
        "f1_analisi_contesto",
        "codici_duplicati",
        ("partner", 2, "codice"),
        "CPI_ANCONA",
        ("partner",),
        "Ogni ente partner deve avere un codice diverso",
    ),
    (
        "f1_analisi_contesto",
        "cpi_non_essenziale",
        ("partner", 1, "essenziale"),
        False,
        ("partner",),
        "Servizi sociali (Comune/ATS) e CPI sono sempre partner essenziali",
    ),
    ("f1_analisi_contesto", "nessun_partner", ("partner",), [], ("partner",), "Indicare almeno 1 ente partner"),
    (
        "f1_analisi_contesto",
        "tipo_ente_nidificato",
        ("partner", 0, "tipo_ente"),
        "PROVINCIA",
        ("partner", 0, "tipo_ente"),
        "Valore non ammesso",
    ),
    (
        "f1_esito_contatti",
        "disponibili_oltre_contattati",
        ("enti_disponibili",),
        9,
        ("enti_disponibili",),
        "Gli enti disponibili non possono superare",
    ),
    (
        "f1_esito_contatti",
        "chiusura_prima_avvio",
        ("data_chiusura_contatti",),
        "2026-01-01",
        ("data_chiusura_contatti",),
        "La chiusura non può precedere",
    ),
    (
        "f1_co_programmazione",
        "avviso_senza_data",
        ("data_avviso",),
        None,
        ("data_avviso",),
        "Con l'avviso pubblico indicare la data",
    ),
    (
        "f1_co_programmazione",
        "avviso_dopo_sessioni",
        ("data_avviso",),
        "2026-04-01",
        ("data_avviso",),
        "L'avviso deve precedere",
    ),
    (
        "f1_bozza_accordo",
        "senza_allegato_privacy",
        ("allegato_privacy",),
        False,
        ("allegato_privacy",),
        "La bozza deve contenere l'allegato privacy",
    ),
    ("f1_bozza_accordo", "durata_eccessiva", ("durata_mesi",), 61, ("durata_mesi",), "Durata tra 1 e 60 mesi"),
    (
        "f1_risposta_partner",
        "modifiche_senza_testo",
        ("esito_adesione",),
        "CHIEDE_MODIFICHE",
        ("richieste_modifica",),
        "Descrivere le modifiche richieste",
    ),
    (
        "f1_risposta_partner",
        "rifiuto_senza_motivo",
        ("esito_adesione",),
        "RIFIUTA",
        ("motivo_rifiuto",),
        "Indicare il motivo del rifiuto",
    ),
    (
        "f1_risposta_partner",
        "codice_non_valido",
        ("codice_partner",),
        "comune ancona",
        ("codice_partner",),
        "Codice non valido",
    ),
    (
        "f1_decisione_cabina",
        "sostituzione_senza_sostituti",
        ("sostituti",),
        [],
        ("sostituti",),
        "Per sostituire l'ente indicare almeno un sostituto",
    ),
    (
        "f1_decisione_cabina",
        "interruzione_con_sostituti",
        ("decisione_cabina",),
        "INTERROMPI_TERRITORIO",
        ("sostituti",),
        "Interrompendo il territorio non si indicano",
    ),
    (
        "f1_firma_accordo",
        "senza_approvazioni",
        ("approvazioni_interne_acquisite",),
        False,
        ("approvazioni_interne_acquisite",),
        "Acquisire le approvazioni interne",
    ),
    (
        "f1_firma_accordo",
        "scadenza_prima_decorrenza",
        ("data_scadenza",),
        "2026-05-31",
        ("data_scadenza",),
        "La scadenza deve seguire la decorrenza",
    ),
    (
        "f1_firma_accordo",
        "decorrenza_prima_firma",
        ("data_decorrenza",),
        "2026-05-01",
        ("data_decorrenza",),
        "La decorrenza non può precedere la firma",
    ),
    (
        "f1_costituzione_cabina",
        "email_non_valida",
        ("referenti", 0, "email"),
        "non-una-email",
        ("referenti", 0, "email"),
        "Indirizzo email non valido",
    ),
    (
        "f2_segnalazione",
        "referente_mancante",
        ("referente_inviante",),
        DELETE,
        ("referente_inviante",),
        "Indicare il referente del servizio inviante",
    ),
    ("f2_segnalazione", "motivo_altro_senza_note", ("motivo_invio",), "ALTRO", ("note_invio",), "Con motivo «Altro»"),
    (
        "f2_informativa_consensi",
        "condivisione_senza_consenso",
        ("consenso_condivisione_ospite",),
        False,
        ("consenso_condivisione_ospite",),
        "La condivisione con un ospitante privato",
    ),
    (
        "f2_verifica_documenti",
        "incompleta_senza_elenco",
        ("documentazione_completa",),
        False,
        ("documenti_mancanti",),
        "Elencare i documenti mancanti",
    ),
    (
        "f2_verifica_documenti",
        "completa_con_mancanti",
        ("documenti_mancanti",),
        ["Verbale"],
        ("documenti_mancanti",),
        "Con documentazione completa",
    ),
    (
        "f2_richiesta_integrazione",
        "nessun_documento",
        ("documenti_richiesti",),
        [],
        ("documenti_richiesti",),
        "Indicare almeno 1 documento",
    ),
    (
        "f2_ricezione_integrazione",
        "ancora_incompleta",
        ("documentazione_ora_completa",),
        False,
        ("documentazione_ora_completa",),
        "Registrare la ricezione solo a documentazione completa",
    ),
    (
        "f2_archiviazione",
        "notifica_senza_data",
        ("data_notifica",),
        DELETE,
        ("data_notifica",),
        "Indicare la data della notifica",
    ),
    (
        "f2_analisi_preliminare",
        "inclusione_senza_presa_in_carico",
        ("orientamento_percorso",),
        "INCLUSIONE",
        ("orientamento_percorso",),
        "Il percorso di inclusione (TIS) richiede",
    ),
    (
        "f2_analisi_preliminare",
        "dimensione_sconosciuta",
        ("dimensioni_critiche",),
        ["SALUTE"],
        ("dimensioni_critiche", 0),
        "Valore non ammesso",
    ),
    ("f2_did_psp", "psp_senza_data", ("data_psp",), None, ("data_psp",), "Indicare la data del Patto di servizio"),
    (
        "f2_did_psp",
        "psp_prima_della_did",
        ("data_psp",),
        "2026-01-01",
        ("data_psp",),
        "Il Patto di servizio non può precedere la DID",
    ),
    (
        "f2_certificazione_sanitaria",
        "percentuale_senza_verbale",
        ("evidenze_sanitarie", 0, "tipo_evidenza"),
        "CERTIFICAZIONE_SERD",
        ("invalidita_civile_perc",),
        "Allegare gli estremi del verbale di invalidità civile",
    ),
    (
        "f2_certificazione_sanitaria",
        "scadenza_prima_del_rilascio",
        ("evidenze_sanitarie", 0, "data_scadenza"),
        "2025-01-01",
        ("evidenze_sanitarie", 0, "data_scadenza"),
        "La scadenza deve seguire la data di rilascio",
    ),
    (
        "f2_certificazione_sanitaria",
        "percentuale_oltre_100",
        ("invalidita_civile_perc",),
        101,
        ("invalidita_civile_perc",),
        "Percentuale tra 0 e 100",
    ),
    (
        "f2_certificazione_sanitaria",
        "nessuna_evidenza",
        ("evidenze_sanitarie",),
        [],
        ("evidenze_sanitarie",),
        "Indicare almeno 1 evidenza",
    ),
    (
        "f2_attestazione_giustizia",
        "ex_detenuto_senza_fine_pena",
        ("ex_detenuto",),
        True,
        ("data_fine_pena",),
        "Per un ex detenuto indicare la data di fine pena",
    ),
    (
        "f2_attestazione_giustizia",
        "ex_detenuto_in_misura",
        ("ex_detenuto",),
        True,
        ("ex_detenuto",),
        "Una persona ancora in esecuzione pena",
    ),
    (
        "f2_quadro_approfondito",
        "senza_case_manager",
        ("componenti_em",),
        ["operatore_cpi", "referente_sanitario"],
        ("componenti_em",),
        "L'assistente sociale",
    ),
    (
        "f2_quadro_approfondito",
        "revisione_prima_del_verbale",
        ("data_revisione",),
        "2026-01-01",
        ("data_revisione",),
        "La revisione deve seguire",
    ),
    (
        "f2_conferma_esito",
        "modifica_senza_esito",
        ("decisione_operatore",),
        "MODIFICA",
        ("esito_modificato",),
        "Indicare l'esito che sostituisce la proposta",
    ),
    (
        "f2_conferma_esito",
        "modifica_senza_motivazione",
        ("decisione_operatore",),
        "MODIFICA",
        ("motivazione_modifica",),
        "Motivare la modifica della proposta",
    ),
    (
        "f2_conferma_esito",
        "conferma_con_altro_esito",
        ("esito_modificato",),
        "NON_PRONTO",
        ("esito_modificato",),
        "Confermando la proposta non si indica",
    ),
    (
        "f2_conferma_esito",
        "archiviazione_non_sceglibile",
        ("esito_modificato",),
        "ARCHIVIATO",
        ("esito_modificato",),
        "Valore non ammesso",
    ),
    ("f2_non_pronto", "altro_senza_note", ("motivo_non_pronto",), "ALTRO", ("note",), "Con motivo «Altro»"),
    (
        "f2_invio_altri_servizi",
        "senza_comunicazione",
        ("comunicazione_motivata",),
        False,
        ("comunicazione_motivata",),
        "La chiusura richiede una comunicazione motivata",
    ),
    (
        "f2_invio_altri_servizi",
        "comunicazione_senza_data",
        ("data_comunicazione",),
        DELETE,
        ("data_comunicazione",),
        "Indicare la data della comunicazione",
    ),
    (
        "f1_verifica_continuita",
        "sostituti_non_indicati",
        ("decisione_continuita",),
        "PROSEGUE_CON_SOSTITUTI",
        ("enti_sostitutivi",),
        "Indicare gli enti che subentrano",
    ),
    (
        "f2_sollecito_presa_in_carico",
        "giustificazione_senza_note",
        ("azione_sollecito_presa_in_carico",),
        "RITARDO_GIUSTIFICATO",
        ("note_sollecito_presa_in_carico",),
        "Indicare perché il ritardo è giustificato",
    ),
    (
        "f2_segnalazione",
        "psp_attivo_senza_riferimento",
        ("situazione_did_psp",),
        "PSP_ATTIVO",
        ("riferimento_psp_esistente",),
        "Indicare il riferimento del Patto di servizio",
    ),
    (
        "f2_sollecito_esito",
        "giustificazione_senza_note",
        ("azione_sollecito_esito",),
        "RITARDO_GIUSTIFICATO",
        ("note_sollecito_esito",),
        "Indicare perché il ritardo è giustificato",
    ),
]


@pytest.mark.parametrize(
    ("key", "path", "value", "where", "message"),
    [pytest.param(k, p, v, w, m, id=f"{k}-{case}") for k, case, p, v, w, m in CROSS_FIELD],
)
def test_cross_field_rules(
    key: str, path: tuple[str | int, ...], value: Any, where: tuple[str | int, ...], message: str
) -> None:
    messages = errors_of(key, changed(key, path, value))
    assert any(m.startswith(message) for m in message_at(messages, where)), messages


def test_cross_field_context_that_must_pass() -> None:
    # The counterpart of some rules above: the same field is fine in the right context.
    autosegnalazione = changed("f2_segnalazione", ("servizio_inviante",), "AUTOSEGNALAZIONE")
    del autosegnalazione["referente_inviante"]
    load("f2_segnalazione", autosegnalazione)
    load(
        "f2_informativa_consensi",
        changed("f2_informativa_consensi", ("condivisione_ospite_privato",), False)
        | {"consenso_condivisione_ospite": False},
    )
    motivata = VALID["f2_conferma_esito"] | {
        "decisione_operatore": "MODIFICA",
        "esito_modificato": "IDONEO_IMPRESA",
        "motivazione_modifica": "Progetto d'impresa già avviato con il gruppo promotore",
    }
    assert load("f2_conferma_esito", motivata)["esito_modificato"] == "IDONEO_IMPRESA"
    ex_detenuto = VALID["f2_attestazione_giustizia"] | {
        "misura_alternativa": False,
        "ex_detenuto": True,
        "data_fine_pena": "2025-10-01",
    }
    load("f2_attestazione_giustizia", ex_detenuto)
    interrompi = VALID["f1_decisione_cabina"] | {"decisione_cabina": "INTERROMPI_TERRITORIO", "sostituti": []}
    load("f1_decisione_cabina", interrompi)


def test_optional_facts_default_to_no() -> None:
    # Decision tables read every fact: an unticked box must arrive as False / 0, not be missing.
    loaded = load(
        "f2_certificazione_sanitaria",
        {
            "compatibilita_sanitaria": "COMPATIBILE",
            "evidenze_sanitarie": [EVIDENZA_INVALIDITA | {"tipo_evidenza": "CERTIFICAZIONE_SERD"}],
            "programma_serd_dipendenze": True,
        },
    )
    assert loaded["invalidita_civile_perc"] == 0
    assert loaded["in_carico_dsm"] is False
    assert loaded["programma_serd_dipendenze"] is True


def test_the_preliminary_assessment_takes_the_age_from_the_person_record() -> None:
    # the age is never typed: the engine derives it from the record's birth date (eta), and the
    # assessment cannot be completed without one
    form = FORMS["f2_analisi_preliminare"]
    assert (form.from_person, form.derived, form.person_required) == (("data_nascita",), ("eta",), ("data_nascita",))
    assert errors_of("f2_analisi_preliminare", VALID["f2_analisi_preliminare"] | {"eta": 35}) == {
        "eta": ["Campo non previsto."]
    }
    assert "eta" in CAMPI_RAMI_VALUTAZIONE  # deleted with the branch answers before a new round


@pytest.mark.parametrize(("eta", "refused"), [(17, False), (18, True), (40, True)])
def test_the_minor_flag_is_checked_against_the_age_from_the_person_record(eta: int, refused: bool) -> None:
    form = FORMS["f2_analisi_preliminare"]
    data = load("f2_analisi_preliminare", VALID["f2_analisi_preliminare"] | {"minore_in_difficolta_familiare": True})
    messages = form.person_messages(data, None, {"eta": eta})
    if refused:
        assert messages == {
            "minore_in_difficolta_familiare": [
                "Applicabile solo a minori di 18 anni: secondo la data di nascita della scheda anagrafica "
                f"la persona ne ha {eta}."
            ]
        }
    else:
        assert messages == {}
    assert form.person_messages({**data, "minore_in_difficolta_familiare": False}, None, {"eta": eta}) == {}
