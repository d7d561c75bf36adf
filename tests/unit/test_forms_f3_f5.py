"""Unit tests of the F3–F5 user-task forms (forms/f3_progettazione.py, f4_attuazione.py,
f5_monitoraggio.py): each form accepts a valid submission and rejects invalid ones with the
expected Italian message on the expected field (required, enumeration, date, cross-field rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from marshmallow import ValidationError

from forms import FORMS
from forms.f5_monitoraggio import messaggi_identita

DROP = object()  # marks a key to remove from the valid sample

VALID: dict[str, dict[str, Any]] = {
    "f3_piano_job_coach": {
        "ore_settimanali_affiancamento": 6,
        "obiettivi_affiancamento": "Orientarsi in magazzino e nei turni",
        "data_piano_job_coach": "2026-03-01",
    },
    "f4_relazione_job_coach": {
        "ore_affiancamento_svolte": 60,
        "esito_affiancamento": "SUPPORTO_RIDOTTO",
        "osservazioni_job_coach": "Autonoma nelle mansioni, da seguire nei cambi di turno",
        "data_relazione_job_coach": "2026-09-01",
    },
    "f3_progetto_personalizzato": {
        "obiettivi_smart": "Acquisire competenze di magazzino entro 6 mesi",
        "azioni": "Tirocinio con tutoraggio settimanale",
        "risorse": "Tutor, job coach",
        "budget_euro": 3600,
        "indicatori": "Presenza, valutazione del tutor",
        "impegni_persona": "Frequenza regolare",
        "data_inizio_progetto": "2026-02-01",
        "data_fine_progetto": "2026-08-01",
        "date_verifica": ["2026-04-01", "2026-06-01"],
        "consenso_condivisione_ospitante": True,
    },
    "f3_scelta_strumento": {
        "strumento": "TIS",
        "destinatario_l68": False,
        "incentivi": ["NESSUNO"],
        "motivazione": "Persona in carico ai servizi",
    },
    "f3_abbinamento": {
        "esito_abbinamento": "DISPONIBILE",
        "impresa_ospitante": "Logistica srl",
        "tutor_aziendale_nominativo": "M. Rossi",
        "analisi_posto_lavoro": "Magazzino",
        "accessibilita_verificata": True,
    },
    "f3_alternativa_abbinamento": {
        "scelta_alternativa": "STRUMENTO_ALTERNATIVO",
        "strumento_alternativo": "ASSUNZIONE_COOP_B",
        "ente_alternativo": "Coop Beta",
        "motivazione_alternativa": "Tre abbinamenti non riusciti",
    },
    "f3_adesione_beneficiario": {
        "decisione_beneficiario": "FIRMA",
        "data_firma": "2026-02-10",
        "documenti_firmati": ["PROGETTO_PERSONALIZZATO"],
    },
    "f3_rinegoziazione": {"modifiche_proposte": "Orario ridotto", "data_incontro": "2026-02-12"},
    "f3_idea_impresa": {
        "titolo_idea": "Bottega di comunità",
        "bisogno_comunita": "Nessun negozio nel borgo",
        "n_promotori_beneficiari": 3,
        "n_promotori_comunita": 4,
        "impresa_mentor": "Coop Alfa",
    },
    "f3_studio_fattibilita": {
        "analisi_mercato": "300 famiglie",
        "prodotto_servizio": "Alimentari",
        "fattibile": True,
        "data_studio": "2026-03-01",
    },
    "f3_forma_giuridica": {
        "forma_giuridica": "COOP_COMUNITA",
        "legge_regionale": "L.R. Puglia 23/2014",
        "motivazione_forma": "Servizio alla comunità",
    },
    "f3_business_plan": {
        "anni_piano": 3,
        "ricavi_primo_anno_euro": 180000,
        "costi_primo_anno_euro": 170000,
        "fonti_finanziamento": ["MICROCREDITO"],
        "n_svantaggiati_previsti": 3,
        "n_non_svantaggiati_previsti": 6,
        "piano_inserimento": "3 addetti vendita",
    },
    "f3_validazione_business_plan": {
        "esito_validazione": "SOSTENIBILE",
        "parere_mentor": "Solido",
        "data_validazione": "2026-04-01",
    },
    "f3_bozza_statuto": {
        "denominazione_proposta": "Bottega cooperativa sociale",
        "oggetto_sociale": "Inserimento lavorativo",
        "regolamento_interno": True,
    },
    "f4_convenzione_pfi": {
        "tipo_tirocinio": "EXTRACURRICOLARE",
        "numero_convenzione": "CONV-1",
        "data_convenzione": "2026-02-01",
        "soggetto_promotore": "Ente capofila",
        "soggetto_ospitante": "Logistica srl",
        "settore_ateco": "52.10",
        "sede": "Ancona",
        "ore_settimanali": 25,
        "data_inizio_tirocinio": "2026-02-15",
        "data_fine_prevista": "2026-08-14",
        "durata_mesi": 6,
        "indennita_mensile_euro": 500,
        "polizza_inail": "INAIL-1",
        "polizza_rc": "RC-1",
        "tutor_promotore": "L. Bianchi",
        "tutor_aziendale_nominativo": "M. Rossi",
        "obiettivi_competenze": "Gestione ordini",
    },
    "f4_avvio_inserimento": {
        "tipo_avvio": "ASSUNZIONE",
        "ente": "Coop Beta",
        "tipo_contratto": "TEMPO_DETERMINATO",
        "data_inizio_inserimento": "2026-03-01",
        "data_fine_inserimento": "2027-02-28",
        "ore_settimanali": 30,
        "durata_mesi": 6,
    },
    "f4_comunicazione_avvio": {
        "tipo_comunicazione": "UNILAV",
        "codice_comunicazione": "UL-1",
        "data_comunicazione": "2026-02-14",
        "data_avvio": "2026-02-15",
    },
    "f4_registro_presenze": {
        "periodo_dal": "2026-02-15",
        "periodo_al": "2026-03-14",
        "ore_previste": 100,
        "ore_presenza": 90,
        "attivita_svolte": "Inventario",
        "evento_mese": "NESSUNO",
    },
    "f4_decisione_interruzione": {
        "decisione_interruzione": "RIPROGETTARE",
        "motivo_decisione": "Mansione non adatta",
        "data_decisione": "2026-04-01",
    },
    "f4_esito_finale": {
        "esito_finale": "ASSUNTO",
        "data_fine_effettiva": "2026-08-14",
        "attestazione_rilasciata": True,
        "datore_lavoro": "Logistica srl",
        "tipo_contratto": "APPRENDISTATO",
        "data_comunicazione_assunzione": "2026-08-13",
    },
    "f4_costituzione": {
        "forma_giuridica": "IMPRESA_SOCIALE_SRL",
        "denominazione": "Bottega Srl Impresa Sociale",
        "data_atto": "2026-05-01",
        "notaio": "Notaio Verdi",
        "n_soci_fondatori": 3,
        "capitale_sociale_euro": 10000,
    },
    "f4_iscrizioni": {
        "data_iscrizione_registro_imprese": "2026-05-20",
        "partita_iva": "12345678903",
        "scia_presentata": True,
    },
    "f4_assunzioni_startup": {
        "data_inizio_attivita": "2026-06-01",
        "n_svantaggiati": 4,
        "n_non_svantaggiati": 12,
        "beneficiario_assunto": True,
        "tipo_contratto": "SOCIO_LAVORATORE",
        "data_comunicazione_obbligatoria": "2026-05-31",
    },
    "f4_piano_correttivo": {
        "assunzioni_previste": 1,
        "data_piano": "2026-06-10",
        "scadenza_piano": "2026-09-10",
        "azioni": "Selezione con il CPI",
    },
    "f4_verifica_quota": {"data_verifica": "2026-09-10", "n_svantaggiati": 4, "n_non_svantaggiati": 12},
    "f4_allerta_quota": {
        "provvedimento": "NUOVO_PIANO",
        "motivazione": "Quota sotto soglia",
        "data_seduta": "2026-09-20",
    },
    # the enterprise's own process (forms/impresa.py)
    "imp_costituzione": {"data_atto": "2026-05-01", "notaio": "Notaio Verdi"},
    "imp_iscrizioni": {"data_iscrizione_registro_imprese": "2026-05-20", "scia_licenze": True},
    "imp_avvio_attivita": {"data_inizio_attivita": "2026-06-01", "comunicazioni_obbligatorie": True},
    "imp_mentoring": {"data_sessione": "2026-07-01", "ore_mentoring": 6.5, "temi": ["FINANZA"]},
    "imp_kpi": {
        "fatturato_trimestre_euro": 40000.0,
        "fatturato_previsto_euro": 45000.0,
        "assunzioni_trimestre": 1,
        "assunzioni_previste": 1,
    },
    "imp_relazione_finale": {"impresa_attiva": True, "sintesi": "Impresa avviata"},
    "imp_follow_up": {
        "impresa_attiva": True,
        "lavoratori": 10,
        "lavoratori_svantaggiati": 3,
        "fonte": "INDAGINE",
        "classe_dimensionale": "PICCOLA",
    },
    "f4_verifica_impresa_scollegata": {
        "decisione_impresa_scollegata": "PROSEGUE",
        "motivazione_impresa_scollegata": "Entra come socia nella cooperativa di comunità del paese",
        "data_verifica_impresa_scollegata": "2026-09-01",
    },
    "f4_sessione_mentoring": {
        "data_sessione": "2026-07-01",
        "ore_mentoring": 3.5,
        "temi": ["GOVERNANCE", "FINANZA"],
        "presenza_beneficiario": True,
    },
    "f4_relazione_finale_startup": {
        "esito_finale": "ASSUNTO",
        "impresa_attiva": True,
        "n_lavoratori_totali": 10,
        "n_svantaggiati_finale": 4,
        "tipo_contratto": "SOCIO_LAVORATORE",
        "data_relazione": "2027-06-01",
        "sintesi": "Impresa avviata",
    },
    "f5_scheda_ingresso": {
        "data_ingresso": "2026-01-20",
        "condizione_occupazionale": "DISOCCUPATO",
        "mesi_disoccupazione": 5,
        "isced": "ISCED_3_4",
        "disabilita": "NON_DICHIARATO",
        "cittadinanza": "EXTRA_UE",
        "origine_straniera": "SI",
        "minoranza": "NO",
        "condizione_abitativa_ethos": "SENZA_CASA",
        "comune_residenza_istat": "042002",
    },
    "f5_monitoraggio_mensile": {
        "data_monitoraggio": "2026-03-15",
        "percentuale_presenza": 90,
        "obiettivi_mese": "PARZIALMENTE",
        "criticita_rilevate": ["PROBLEMI_LOGISTICI"],
    },
    "f5_revisione_equipe": {
        "data_revisione": "2026-05-15",
        "decisione_equipe": "PROSEGUIRE",
        "prossima_verifica": "2026-08-15",
        "verbale": "Percorso regolare",
    },
    "f4_rinuncia_beneficiario": {
        "data_rinuncia": "2026-04-10",
        "motivo_rinuncia": "ALTRO_LAVORO",
        "preavviso_dato": True,
        "cessazione_comunicata": True,
        "data_comunicazione_cessazione": "2026-04-13",
        "note_rinuncia": "Assunta da un'altra impresa del territorio",
    },
    "f5_sollecito_uscita": {
        "azione_sollecito_uscita": "SOLLECITO_INVIATO",
        "data_sollecito_uscita": "2026-09-12",
    },
    "f5_scheda_uscita": {
        "data_uscita": "2026-08-14",
        "data_rilevazione": "2026-08-20",
        "motivo_uscita": "ASSUNZIONE",
        "eecr01_in_cerca": False,
        "eecr02_in_formazione": False,
        "eecr03_qualifica": True,
        "eecr04_occupato": True,
        "tipo_contratto": "APPRENDISTATO",
        "fonte_dato": "COMUNICAZIONE_OBBLIGATORIA",
    },
    "f5_follow_up_6m": {
        "data_rilevazione_6m": "2026-02-14",
        "condizione_6m": "OCCUPATO",
        "tipo_contratto_6m": "APPRENDISTATO",
        "situazione_migliorata_6m": "SI",
        "fonte_dato_6m": "COMUNICAZIONE_OBBLIGATORIA",
    },
    "f5_follow_up_12m": {
        "data_rilevazione_12m": "2026-08-14",
        "condizione_12m": "NON_RILEVATA",
        "motivo_mancata_rilevazione_12m": "IRREPERIBILE",
        "situazione_migliorata_12m": "NON_RILEVABILE",
        "fonte_dato_12m": "INTERVISTA_TELEFONICA",
    },
    # F5 at programme level: the semester report
    "f5_relazione_bozza": {"commento_coordinatore": "Semestre regolare, due prese in carico in ritardo."},
    "f5_relazione_revisione": {"esito_revisione": "APPROVATA", "osservazioni_revisione": None},
    # F5 at programme level: the valutatore's evaluation
    "f5_valutazione_rapporto": {
        "tipo_valutazione": "INTERMEDIA",
        "domande_valutative": "Il programma raggiunge le persone più lontane dal lavoro?",
        "metodo": "Cifre aggregate del cruscotto, nessun dato individuale.",
        "risultati": "Sei valutazioni su sette segnalazioni; esiti in prevalenza idonei.",
        "raccomandazioni": "Rafforzare la presa in carico nei primi dieci giorni.",
    },
    "f5_valutazione_revisione": {"esito_revisione": "APPROVATA", "osservazioni_revisione": None},
}

REQUIRED = "Campo obbligatorio."
ENUM = "Valore non ammesso"
DATE = "Data non valida"
AFTER = "La data deve essere successiva alla data di inizio."

# (form key, changes to the valid sample, field expected in error, text expected in its message)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # the job coach (third-sector body)
    ("f3_piano_job_coach", {"ore_settimanali_affiancamento": 0}, "ore_settimanali_affiancamento", "Tra 1 e 40"),
    ("f4_relazione_job_coach", {"esito_affiancamento": "BOH"}, "esito_affiancamento", ENUM),
    # F3 track A
    ("f3_progetto_personalizzato", {"obiettivi_smart": DROP}, "obiettivi_smart", REQUIRED),
    ("f3_progetto_personalizzato", {"data_inizio_progetto": "01/02/2026"}, "data_inizio_progetto", DATE),
    ("f3_progetto_personalizzato", {"data_fine_progetto": "2026-01-01"}, "data_fine_progetto", AFTER),
    ("f3_progetto_personalizzato", {"date_verifica": ["2027-01-01"]}, "date_verifica", "tra inizio e fine"),
    ("f3_progetto_personalizzato", {"date_verifica": []}, "date_verifica", "almeno un elemento"),
    ("f3_progetto_personalizzato", {"budget_euro": -1}, "budget_euro", "almeno 0"),
    ("f3_scelta_strumento", {"strumento": "VOUCHER"}, "strumento", ENUM),
    ("f3_scelta_strumento", {"strumento": "CONVENZIONE_L68"}, "destinatario_l68", "collocamento mirato"),
    ("f3_scelta_strumento", {"incentivi": ["NESSUNO", "GBER"]}, "incentivi", "esclude"),
    ("f3_scelta_strumento", {"destinatario_l68": DROP}, "destinatario_l68", REQUIRED),
    ("f3_abbinamento", {"esito_abbinamento": "FORSE"}, "esito_abbinamento", ENUM),
    ("f3_abbinamento", {"impresa_ospitante": DROP}, "impresa_ospitante", "impresa è disponibile"),
    ("f3_abbinamento", {"accessibilita_verificata": False}, "accessibilita_verificata", "accessibilità"),
    (
        "f3_abbinamento",
        {"esito_abbinamento": "NON_DISPONIBILE"},
        "motivo_non_disponibilita",
        "non è disponibile",
    ),
    ("f3_alternativa_abbinamento", {"ente_alternativo": DROP}, "ente_alternativo", "alternativa"),
    ("f3_alternativa_abbinamento", {"strumento_alternativo": "NESSUNO"}, "strumento_alternativo", ENUM),
    ("f3_alternativa_abbinamento", {"motivazione_alternativa": ""}, "motivazione_alternativa", "caratteri"),
    ("f3_adesione_beneficiario", {"data_firma": DROP}, "data_firma", "la persona firma"),
    ("f3_adesione_beneficiario", {"documenti_firmati": ["BOZZA_PFI"]}, "documenti_firmati", "progetto personalizzato"),
    ("f3_adesione_beneficiario", {"decisione_beneficiario": "RIFIUTA"}, "motivazione_rifiuto", "rifiuta"),
    ("f3_adesione_beneficiario", {"data_firma": "2026-02-30"}, "data_firma", DATE),
    ("f3_rinegoziazione", {"data_incontro": DROP}, "data_incontro", REQUIRED),
    # F3 track B
    ("f3_idea_impresa", {"n_promotori_beneficiari": 0}, "n_promotori_beneficiari", "almeno 1"),
    ("f3_idea_impresa", {"n_promotori_comunita": "molti"}, "n_promotori_comunita", "numero intero"),
    ("f3_studio_fattibilita", {"fattibile": DROP}, "fattibile", REQUIRED),
    ("f3_studio_fattibilita", {"data_studio": "ieri"}, "data_studio", DATE),
    ("f3_forma_giuridica", {"legge_regionale": DROP}, "legge_regionale", "cooperativa di comunità"),
    ("f3_forma_giuridica", {"forma_giuridica": "SPA"}, "forma_giuridica", ENUM),
    ("f3_business_plan", {"anni_piano": 10}, "anni_piano", "tra 3 e 5"),
    ("f3_business_plan", {"n_svantaggiati_previsti": 0}, "n_svantaggiati_previsti", "almeno un lavoratore"),
    ("f3_business_plan", {"fonti_finanziamento": ["LOTTERIA"]}, "fonti_finanziamento", ENUM),
    (
        "f3_validazione_business_plan",
        {"esito_validazione": "DA_RIVEDERE"},
        "richieste_revisione",
        "non è sostenibile",
    ),
    ("f3_validazione_business_plan", {"esito_validazione": "BOH"}, "esito_validazione", ENUM),
    ("f3_bozza_statuto", {"regolamento_interno": "forse"}, "regolamento_interno", "sì o no"),
    # F4 track A
    ("f4_convenzione_pfi", {"durata_mesi": 13}, "durata_mesi", "da 2 a 12 mesi"),
    ("f4_convenzione_pfi", {"durata_mesi": 1}, "durata_mesi", "da 2 a 12 mesi"),
    (
        "f4_convenzione_pfi",
        {"tipo_tirocinio": "EXTRACURRICOLARE_L68", "durata_mesi": 24, "data_fine_prevista": "2028-02-14"},
        "",
        "",
    ),
    ("f4_convenzione_pfi", {"tipo_tirocinio": "TIS"}, "firma_ente_in_carico", "ente che ha in carico"),
    ("f4_convenzione_pfi", {"data_fine_prevista": "2026-02-01"}, "data_fine_prevista", AFTER),
    ("f4_convenzione_pfi", {"data_convenzione": "2026-03-01"}, "data_convenzione", "precedere"),
    ("f4_convenzione_pfi", {"settore_ateco": "magazzino"}, "settore_ateco", "ATECO"),
    ("f4_convenzione_pfi", {"ore_settimanali": 0}, "ore_settimanali", "tra 1 e 40"),
    ("f4_convenzione_pfi", {"indennita_mensile_euro": -5}, "indennita_mensile_euro", "almeno 0"),
    ("f4_avvio_inserimento", {"tipo_contratto": DROP}, "tipo_contratto", "assunzione"),
    ("f4_avvio_inserimento", {"data_fine_inserimento": DROP}, "data_fine_inserimento", "a termine"),
    ("f4_avvio_inserimento", {"data_fine_inserimento": "2026-01-01"}, "data_fine_inserimento", AFTER),
    ("f4_avvio_inserimento", {"tipo_avvio": "STAGE"}, "tipo_avvio", ENUM),
    ("f4_comunicazione_avvio", {"data_comunicazione": "2026-02-16"}, "data_comunicazione", "giorno precedente"),
    # UniLav: due by the day before the start; the same day is late, the day before is in time.
    ("f4_comunicazione_avvio", {"data_comunicazione": "2026-02-15"}, "data_comunicazione", "giorno precedente"),
    ("f4_comunicazione_avvio", {"data_comunicazione": "2026-02-14"}, "", ""),
    ("f4_comunicazione_avvio", {"codice_comunicazione": DROP}, "codice_comunicazione", "UniLav"),
    ("f4_comunicazione_avvio", {"tipo_comunicazione": "NON_DOVUTA"}, "motivo_non_dovuta", "non è dovuta"),
    ("f4_registro_presenze", {"ore_presenza": 120}, "ore_presenza", "non possono superare"),
    ("f4_registro_presenze", {"ore_previste": -1}, "ore_previste", "almeno 0"),
    ("f4_registro_presenze", {"periodo_al": "2026-02-01"}, "periodo_al", AFTER),
    ("f4_registro_presenze", {"evento_mese": "SOSPENSIONE"}, "motivo_sospensione", "sospeso"),
    ("f4_registro_presenze", {"evento_mese": "INTERRUZIONE"}, "iniziativa_interruzione", "interrompe"),
    ("f4_registro_presenze", {"evento_mese": "PROROGA"}, "mesi_proroga", "proroga"),
    ("f4_registro_presenze", {"evento_mese": "PROROGA", "mesi_proroga": 13}, "mesi_proroga", "tra 1 e 12"),
    ("f4_registro_presenze", {"evento_mese": "FERIE"}, "evento_mese", ENUM),
    (
        "f4_registro_presenze",
        {"evento_mese": "SOSPENSIONE", "motivo_sospensione": "DEPRESSIONE"},
        "motivo_sospensione",
        ENUM,
    ),
    ("f4_decisione_interruzione", {"motivo_decisione": DROP}, "motivo_decisione", REQUIRED),
    ("f4_decisione_interruzione", {"decisione_interruzione": "ASPETTARE"}, "decisione_interruzione", ENUM),
    ("f4_esito_finale", {"tipo_contratto": DROP}, "tipo_contratto", "assunta"),
    ("f4_esito_finale", {"esito_finale": "ALTRO_PERCORSO"}, "altro_percorso", "altro percorso"),
    ("f4_esito_finale", {"data_fine_effettiva": DROP}, "data_fine_effettiva", REQUIRED),
    # F4 track B
    ("f4_costituzione", {"denominazione": "Bottega Srl"}, "denominazione", "impresa sociale"),
    (
        "f4_costituzione",
        {"forma_giuridica": "COOP_SOCIALE_B", "denominazione": "Bottega Impresa Sociale"},
        "denominazione",
        "cooperativa sociale",
    ),
    ("f4_costituzione", {"data_atto": DROP}, "data_atto", REQUIRED),
    ("f4_iscrizioni", {"partita_iva": "1234"}, "partita_iva", "11 cifre"),
    ("f4_iscrizioni", {"partita_iva": "12345678901"}, "partita_iva", "controllo"),
    ("f4_assunzioni_startup", {"tipo_contratto": DROP}, "tipo_contratto", "assunta"),
    ("f4_assunzioni_startup", {"n_svantaggiati": 0}, "n_svantaggiati", "svantaggiati"),
    ("f4_assunzioni_startup", {"n_non_svantaggiati": -1}, "n_non_svantaggiati", "almeno 0"),
    ("f4_piano_correttivo", {"scadenza_piano": "2026-06-01"}, "scadenza_piano", AFTER),
    ("f4_piano_correttivo", {"assunzioni_previste": 0}, "assunzioni_previste", "almeno 1"),
    ("f4_verifica_quota", {"n_svantaggiati": DROP}, "n_svantaggiati", REQUIRED),
    ("f4_allerta_quota", {"provvedimento": "NIENTE"}, "provvedimento", ENUM),
    ("f3_business_plan", {"n_molto_svantaggiati_previsti": 9}, "n_molto_svantaggiati_previsti", "superare"),
    ("imp_costituzione", {"data_atto": DROP}, "data_atto", REQUIRED),
    ("imp_iscrizioni", {"data_iscrizione_registro_imprese": DROP}, "data_iscrizione_registro_imprese", REQUIRED),
    ("imp_avvio_attivita", {"comunicazioni_obbligatorie": DROP}, "comunicazioni_obbligatorie", REQUIRED),
    ("imp_mentoring", {"ore_mentoring": 0}, "ore_mentoring", "tra 0.5 e 80"),
    ("imp_kpi", {"fatturato_trimestre_euro": -1}, "fatturato_trimestre_euro", "almeno 0"),
    ("imp_relazione_finale", {"sintesi": ""}, "sintesi", "caratteri"),
    ("imp_follow_up", {"fonte": "BOH"}, "fonte", ENUM),
    ("f4_verifica_impresa_scollegata", {"decisione_impresa_scollegata": "BOH"}, "decisione_impresa_scollegata", ENUM),
    ("imp_follow_up", {"classe_dimensionale": "MICRO"}, "classe_dimensionale", "supera questa classe"),
    ("imp_follow_up", {"lavoratori_svantaggiati": 11}, "lavoratori_svantaggiati", "parte dei lavoratori"),
    ("f4_sessione_mentoring", {"ore_mentoring": 0}, "ore_mentoring", "tra 0.5 e 40"),
    ("f4_sessione_mentoring", {"temi": []}, "temi", "almeno un elemento"),
    ("f4_sessione_mentoring", {"beneficiario_uscito": True}, "motivo_uscita_impresa", "lasciato"),
    ("f4_relazione_finale_startup", {"n_svantaggiati_finale": 11}, "n_svantaggiati_finale", "superare"),
    ("f4_relazione_finale_startup", {"impresa_attiva": False}, "impresa_attiva", "impresa attiva"),
    ("f4_relazione_finale_startup", {"tipo_contratto": DROP}, "tipo_contratto", "assunta"),
    # F5
    ("f5_scheda_ingresso", {"mesi_disoccupazione": DROP}, "mesi_disoccupazione", "disoccupata"),
    # the birth date and gender are the person record's: the form does not take them
    ("f5_scheda_ingresso", {"data_nascita": "1990-04-12"}, "data_nascita", "Campo non previsto"),
    ("f5_scheda_ingresso", {"genere": "F"}, "genere", "Campo non previsto"),
    ("f5_scheda_ingresso", {"disabilita": "INVALIDITA_60"}, "disabilita", ENUM),
    ("f5_scheda_ingresso", {"isced": "LAUREA"}, "isced", ENUM),
    ("f5_scheda_ingresso", {"comune_residenza_istat": "Ancona"}, "comune_residenza_istat", "6 cifre"),
    ("f5_scheda_ingresso", {"diagnosi": "qualsiasi"}, "diagnosi", "Campo non previsto"),
    ("f5_monitoraggio_mensile", {"percentuale_presenza": 120}, "percentuale_presenza", "tra 0 e 100"),
    ("f5_monitoraggio_mensile", {"obiettivi_mese": "NON_RISPETTATI"}, "criticita_rilevate", "Obiettivi mancati"),
    (
        "f5_monitoraggio_mensile",
        {"criticita_rilevate": ["CONFLITTO", "CONFLITTO"]},
        "criticita_rilevate",
        "una sola volta",
    ),
    ("f5_monitoraggio_mensile", {"criticita_rilevate": ["MALATTIA"]}, "criticita_rilevate", ENUM),
    ("f5_revisione_equipe", {"decisione_equipe": "RIPROGETTARE"}, "motivo_decisione", "non si prosegue"),
    ("f5_revisione_equipe", {"prossima_verifica": "2026-05-01"}, "prossima_verifica", AFTER),
    ("f5_revisione_equipe", {"prossima_verifica": DROP}, "prossima_verifica", "si prosegue"),
    ("f4_rinuncia_beneficiario", {"data_rinuncia": DROP}, "data_rinuncia", REQUIRED),
    ("f4_rinuncia_beneficiario", {"motivo_rinuncia": "MALATTIA"}, "motivo_rinuncia", ENUM),
    (
        "f4_rinuncia_beneficiario",
        {"data_comunicazione_cessazione": DROP},
        "data_comunicazione_cessazione",
        "la cessazione è comunicata",
    ),
    (
        "f4_rinuncia_beneficiario",
        {"data_comunicazione_cessazione": "2026-04-01"},
        "data_comunicazione_cessazione",
        AFTER,
    ),
    ("f4_rinuncia_beneficiario", {"cessazione_comunicata": False}, "data_comunicazione_cessazione", "solo se"),
    ("f4_rinuncia_beneficiario", {"cessazione_comunicata": False, "data_comunicazione_cessazione": None}, "", ""),
    ("f5_sollecito_uscita", {"azione_sollecito_uscita": DROP}, "azione_sollecito_uscita", REQUIRED),
    ("f5_sollecito_uscita", {"azione_sollecito_uscita": "IGNORATO"}, "azione_sollecito_uscita", ENUM),
    (
        "f5_sollecito_uscita",
        {"azione_sollecito_uscita": "RITARDO_GIUSTIFICATO"},
        "note_sollecito_uscita",
        "il ritardo è giustificato",
    ),
    ("f5_scheda_uscita", {"eecr01_in_cerca": True}, "eecr04_occupato", "si escludono"),
    ("f5_scheda_uscita", {"data_rilevazione": "2026-08-01"}, "data_rilevazione", "precedere"),
    ("f5_scheda_uscita", {"tipo_contratto": DROP}, "tipo_contratto", "occupata"),
    ("f5_scheda_uscita", {"motivo_uscita": "NOIA"}, "motivo_uscita", ENUM),
    ("f5_follow_up_6m", {"tipo_contratto_6m": DROP}, "tipo_contratto_6m", "occupata"),
    ("f5_follow_up_6m", {"condizione_6m": "NON_RILEVATA"}, "motivo_mancata_rilevazione_6m", "non è rilevata"),
    ("f5_follow_up_6m", {"condizione_6m": "DISPERSO"}, "condizione_6m", ENUM),
    (
        "f5_follow_up_12m",
        {"condizione_12m": "IN_CERCA"},
        "motivo_mancata_rilevazione_12m",
        "Solo quando",
    ),
    ("f5_follow_up_12m", {"data_rilevazione_12m": "2027-13-01"}, "data_rilevazione_12m", DATE),
    # F5 semester report
    ("f5_relazione_bozza", {"commento_coordinatore": "breve"}, "commento_coordinatore", "Tra 20 e 8000 caratteri."),
    ("f5_relazione_revisione", {"esito_revisione": "FORSE"}, "esito_revisione", ENUM),
    (
        "f5_relazione_revisione",
        {"esito_revisione": "DA_RIVEDERE", "osservazioni_revisione": None},
        "osservazioni_revisione",
        "",
    ),
    # F5 evaluation
    ("f5_valutazione_rapporto", {"tipo_valutazione": "EX_POST"}, "tipo_valutazione", ENUM),
    ("f5_valutazione_rapporto", {"risultati": "breve"}, "risultati", "Tra 20 e 8000 caratteri."),
    (
        "f5_valutazione_revisione",
        {"esito_revisione": "DA_RIVEDERE", "osservazioni_revisione": None},
        "osservazioni_revisione",
        "rinviato al valutatore",
    ),
]


def _sample(key: str, changes: dict[str, Any]) -> dict[str, Any]:
    data = {**VALID[key], **changes}
    return {k: v for k, v in data.items() if v is not DROP}


def _texts(errors: Any) -> list[str]:
    """Flatten marshmallow messages: list items report errors as {index: [messages]}."""
    if isinstance(errors, dict):
        return [t for v in errors.values() for t in _texts(v)]
    if isinstance(errors, list):
        return [t for v in errors for t in _texts(v)]
    return [str(errors)]


def test_every_f3_f5_form_has_a_valid_sample() -> None:
    ours = {k for k in FORMS if k.split("_")[0] in ("f3", "f4", "f5", "imp")}
    assert ours == set(VALID)


def test_every_f3_f5_form_has_an_invalid_case() -> None:
    assert {key for key, *_ in INVALID} == set(VALID)


@pytest.mark.parametrize("key", sorted(VALID))
def test_valid_data_passes_and_dumps_dates_as_iso(key: str) -> None:
    schema = FORMS[key]()
    loaded = schema.load(VALID[key])
    dumped = schema.dump(loaded)
    assert schema.load(dumped) == loaded
    for name, value in VALID[key].items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            assert dumped[name] == value


@pytest.mark.parametrize("key", sorted(VALID))
def test_forms_are_labelled_in_italian_and_english(key: str) -> None:
    cls = FORMS[key]
    assert cls.title and cls.title_en
    for name, fld in cls().fields.items():
        assert fld.metadata.get("label"), f"{key}.{name} has no label"
        assert fld.metadata.get("label_en"), f"{key}.{name} has no English label"


@pytest.mark.parametrize(
    ("key", "changes", "field", "message"),
    INVALID,
    ids=[f"{k}-{f or 'ok'}-{i}" for i, (k, _, f, _) in enumerate(INVALID)],
)
def test_invalid_data_is_rejected(key: str, changes: dict[str, Any], field: str, message: str) -> None:
    schema = FORMS[key]()
    data = _sample(key, changes)
    if not field:  # a boundary that must be accepted
        schema.load(data)
        return
    with pytest.raises(ValidationError) as err:
        schema.load(data)
    messages = err.value.messages
    assert isinstance(messages, dict)
    assert field in messages, f"expected an error on {field}, got {messages}"
    assert any(message in m for m in _texts(messages[field])), messages[field]


# ESF+ long-term unemployment by age at entry (> 12 months from 25, > 6 months under 25): the
# birth date is the person record's, so the engine asks these rules with it (entry 20/01/2026).
IDENTITY_RULES: list[tuple[str, dict[str, Any], str, str]] = [
    ("2026-02-01", {}, "data_ingresso", "seguire la data di nascita"),
    ("1990-04-12", {"condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA"}, "mesi_disoccupazione", "più di 12"),
    ("1990-04-12", {"mesi_disoccupazione": 14}, "condizione_occupazionale", "lunga durata"),
    (
        "1990-04-12",
        {"condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA", "mesi_disoccupazione": 12},
        "mesi_disoccupazione",
        "più di 12",
    ),
    ("1990-04-12", {"condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA", "mesi_disoccupazione": 13}, "", ""),
    ("2002-01-21", {"mesi_disoccupazione": 6}, "", ""),
    ("2002-01-21", {"mesi_disoccupazione": 7}, "condizione_occupazionale", "sotto i 25 anni"),
    (
        "2002-01-21",
        {"condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA", "mesi_disoccupazione": 6},
        "mesi_disoccupazione",
        "più di 6",
    ),
    ("2002-01-21", {"condizione_occupazionale": "DISOCCUPATO_LUNGA_DURATA", "mesi_disoccupazione": 7}, "", ""),
    # 25 on the day of entry: an adult, so 7 months is not long-term.
    ("2001-01-20", {"mesi_disoccupazione": 7}, "", ""),
]


@pytest.mark.parametrize(("born", "changes", "field", "message"), IDENTITY_RULES)
def test_the_entry_form_rules_on_age_use_the_person_record_s_birth_date(
    born: str, changes: dict[str, Any], field: str, message: str
) -> None:
    answer = FORMS["f5_scheda_ingresso"]().dump(
        FORMS["f5_scheda_ingresso"]().load(_sample("f5_scheda_ingresso", changes))
    )
    messages = messaggi_identita(answer, dt.date.fromisoformat(born))
    if not field:
        assert messages == {}
        return
    assert field in messages and message in messages[field][0], messages
    assert messaggi_identita(answer, None) == {}  # no birth date recorded: no rule


def test_free_text_never_asks_for_diagnoses() -> None:
    # Data classes (docs/domain.md, "Data classes and who sees them"): no field of these forms is
    # named after health or justice details.
    forbidden = ("diagnos", "patolog", "reato", "condanna", "terapia", "farmac")
    for key in VALID:
        for name in FORMS[key]().fields:
            assert not any(word in name for word in forbidden), f"{key}.{name}"
