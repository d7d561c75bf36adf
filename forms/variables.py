"""Labels for what no form collects: the phases, the variables the diagrams and decision tables
compute, and the codes those variables hold (case states, outcomes, categories, incentives).

``forms.present`` reads this table after the forms' own metadata: a variable listed here and in
a form takes its label from here only where the form has none. ``hidden`` variables are the
diagrams' bookkeeping (round counters, lists of codes kept to route the flow): never shown.
Each code has an Italian and an English label.
"""

from __future__ import annotations

from typing import Any

# Phase code → (Italian, English) title, in the order of the path.
PHASES: dict[str, tuple[str, str]] = {
    "F1": ("F1 · Accordo di partenariato", "F1 · Partnership agreement"),
    "F2": ("F2 · Valutazione del bisogno", "F2 · Needs assessment"),
    "F3": ("F3 · Progettazione personalizzata", "F3 · Personal plan"),
    "F4": ("F4 · Attuazione", "F4 · Implementation"),
    "F5": ("F5 · Monitoraggio e follow-up", "F5 · Monitoring and follow-up"),
}

# Process id → the phase it implements (the case page opens the current phase's data).
PROCESS_PHASES: dict[str, str] = {
    "accordo_partenariato": "F1",
    "valutazione_bisogno": "F2",
    "progettazione": "F3",
    "attuazione": "F4",
    "attuazione_tirocinio": "F4",
    "attuazione_startup": "F4",
    "monitoraggio": "F5",
    "follow_up": "F5",
    "impresa": "F4",
}

# Codes held by computed variables (and some the forms offer too), with their labels.
CODES: dict[str, tuple[str, str]] = {
    # case states (stato_caso, storico_stati)
    "SEGNALATO": ("Segnalato", "Referred"),
    "IN_VALUTAZIONE": ("In valutazione", "Being assessed"),
    "IN_PROGETTAZIONE": ("In progettazione", "Plan being drawn up"),
    "PATTO_SOTTOSCRITTO": ("Patto sottoscritto", "Pact signed"),
    "IN_ATTUAZIONE": ("In attuazione", "Under way"),
    "SOSPESO": ("Sospeso", "Suspended"),
    "FOLLOW_UP_6M": ("Follow-up a 6 mesi", "6-month follow-up"),
    "FOLLOW_UP_12M": ("Follow-up a 12 mesi", "12-month follow-up"),
    "CHIUSO": ("Chiuso", "Closed"),
    "ABBANDONO": ("Abbandono", "Dropped out"),
    "RINUNCIA": ("Rinuncia", "Withdrawn"),
    "CONCLUSO_CON_ESITO": ("Concluso con esito positivo", "Completed with an outcome"),
    "CONCLUSO_SENZA_ESITO": ("Concluso senza esito", "Completed without an outcome"),
    "LISTA_ATTESA": ("In lista d'attesa", "On the waiting list"),
    "STARTUP_VALIDATA": ("Start-up validata", "Start-up approved"),
    "ARCHIVIATO": ("Archiviato (documenti non pervenuti)", "Archived (documents not received)"),
    # reasons recorded in the state history
    "SEGNALAZIONE": ("Segnalazione ricevuta", "Referral received"),
    "AVVIO_VALUTAZIONE": ("Avvio della valutazione", "Assessment started"),
    "FIRMA": ("Firma del patto", "Pact signed"),
    "RIPROGETTAZIONE": ("Riprogettazione", "Plan redesigned"),
    "GRADINO_SUCCESSIVO": ("Gradino successivo del percorso", "Next step of the inclusion ladder"),
    "ABBINAMENTO_NON_RIUSCITO": ("Nessuna impresa disponibile", "No host available"),
    "NUOVO_ABBINAMENTO": ("Nuovo abbinamento dalla lista d'attesa", "Matching again from the waiting list"),
    "RIPROGETTAZIONI_ESAURITE": ("Riprogettazioni esaurite", "No redesigns left"),
    "RIFIUTO_PARTNER_ESSENZIALE": ("Rifiuto di un partner essenziale", "An essential partner refused"),
    "TIMER_6_MESI": ("Trascorsi 6 mesi dall'uscita", "6 months since exit"),
    "TIMER_12_MESI": ("Trascorsi 12 mesi dall'uscita", "12 months since exit"),
    # assessment outcomes
    "IDONEO_LAVORO": ("Idoneo – inserimento lavorativo", "Eligible – job placement"),
    "IDONEO_IMPRESA": ("Idoneo – avvio d'impresa", "Eligible – starting a business"),
    "IDONEO_PREVIA_INCLUSIONE": ("Idoneo previo percorso di inclusione", "Eligible after an inclusion path"),
    "NON_IDONEO_REQUISITI": ("Non idoneo per requisiti", "Not eligible (requirements)"),
    "NON_PRONTO": ("Non pronto (rivalutazione)", "Not ready (to be reassessed)"),
    # disadvantage categories (decision tables DT-1 … DT-4)
    "INV_FIS_PSI_SENS": (
        "Invalido fisico, psichico o sensoriale (L. 381/1991)",
        "Physical, mental or sensory disability",
    ),
    "EX_DEGENTE_OP_OPG": ("Ex degente di ospedale psichiatrico (L. 381/1991)", "Former psychiatric in-patient"),
    "TRATT_PSICHIATRICO": ("In trattamento psichiatrico (L. 381/1991)", "In psychiatric care"),
    "TOSSICODIPENDENTE": ("Persona con dipendenza da sostanze (L. 381/1991)", "Person with a drug addiction"),
    "ALCOLISTA": ("Persona con dipendenza da alcol (L. 381/1991)", "Person with an alcohol addiction"),
    "MINORE_DIFF_FAM": (
        "Minore in età lavorativa in difficoltà familiare (L. 381/1991)",
        "Minor of working age in family hardship",
    ),
    "DETENUTO_INTERNATO": ("Detenuto o internato (L. 381/1991)", "Prisoner or internee"),
    "MISURA_ALTERNATIVA": ("In misura alternativa alla detenzione (L. 381/1991)", "Serving an alternative measure"),
    "EX_DETENUTO_FLAG": ("Ex detenuto (sgravi L. 193/2000)", "Former prisoner (L. 193/2000 relief)"),
    "SVANT_651": ("Lavoratore svantaggiato (Reg. UE 651/2014)", "Disadvantaged worker (EU Reg. 651/2014)"),
    "MOLTO_SVANT_651": ("Lavoratore molto svantaggiato (Reg. UE 651/2014)", "Severely disadvantaged worker"),
    "DISAB_651": ("Lavoratore con disabilità (Reg. UE 651/2014)", "Worker with disabilities (EU Reg. 651/2014)"),
    "L68_A": ("Collocamento mirato – invalidità civile (L. 68/1999 lett. a)", "Targeted placement – civil disability"),
    "L68_B": (
        "Collocamento mirato – invalidità del lavoro (L. 68/1999 lett. b)",
        "Targeted placement – work disability",
    ),
    "L68_C": ("Collocamento mirato – non vedenti o sordi (L. 68/1999 lett. c)", "Targeted placement – blind or deaf"),
    "L68_D": (
        "Collocamento mirato – invalidi di guerra o servizio (L. 68/1999 lett. d)",
        "Targeted placement – war/service disability",
    ),
    "L68_ART18": ("Categoria protetta (L. 68/1999 art. 18)", "Protected category (L. 68/1999 art. 18)"),
    "L68": ("Collocamento mirato (L. 68/1999)", "Targeted placement (L. 68/1999)"),
    "PROTEZIONE_INTERNAZIONALE": ("Titolare di protezione internazionale", "Beneficiary of international protection"),
    "SENZA_DIMORA": ("Persona senza dimora", "Homeless person"),
    "NON_DETERMINATA": ("Non ancora determinata", "Not yet determined"),
    "IS_A_MOLTO_SVANTAGGIATO": (
        "Impresa sociale – lavoratore molto svantaggiato",
        "Social enterprise – severely disadvantaged",
    ),
    "IS_B_SVANTAGGIATO_DISABILE": (
        "Impresa sociale – svantaggiato o con disabilità",
        "Social enterprise – disadvantaged or disabled",
    ),
    "IS_B_PROTEZIONE_INTERNAZIONALE": (
        "Impresa sociale – protezione internazionale",
        "Social enterprise – international protection",
    ),
    "IS_B_SENZA_DIMORA": ("Impresa sociale – persona senza dimora", "Social enterprise – homeless person"),
    # incentives and instruments (DT-5)
    "GBER": ("Aiuti all'assunzione (Reg. UE 651/2014)", "Hiring aid (EU Reg. 651/2014)"),
    "L381_CONTRIBUTI": (
        "Contributi azzerati in cooperativa sociale (L. 381/1991)",
        "No contributions in a social co-op",
    ),
    "SMURAGLIA": ("Sgravi per ex detenuti (L. 193/2000)", "Relief for former prisoners (L. 193/2000)"),
    "NESSUNO": ("Nessuno", "None"),
    "EXTRACURRICOLARE": ("Tirocinio extracurricolare", "Work traineeship"),
    "EXTRACURRICOLARE_L68": ("Tirocinio extracurricolare per persone con disabilità", "Work traineeship (disability)"),
    "TIS": ("Tirocinio di inclusione sociale", "Social inclusion traineeship"),
    "PROSEGUIRE": ("Proseguire", "Continue"),
    # tracks
    "A": ("Percorso A – inserimento lavorativo", "Track A – job placement"),
    "B": ("Percorso B – avvio d'impresa", "Track B – starting a business"),
    # enterprises (track B): the enterprise's own case and a person's link to it
    "IN_COSTITUZIONE": ("In costituzione", "Being incorporated"),
    "COSTITUITA": ("Costituita", "Incorporated"),
    "VALIDATA": ("Validata", "Approved"),
    "NON_SOSTENIBILE": ("Non sostenibile", "Not sustainable"),
    "FOLLOW_UP": ("Follow-up", "Follow-up"),
    "ACCOMPAGNAMENTO": ("In accompagnamento", "Being accompanied"),
    "AVVIO": ("Avvio dell'attività", "Start of activity"),
    "TRIMESTRALE": ("Verifica trimestrale", "Quarterly check"),
    "VARIAZIONE_ORGANICO": ("Variazione dell'organico", "Roster change"),
    "L381": ("L. 381/1991 (cooperativa sociale B)", "L. 381/1991 (social co-operative B)"),
    "DLGS112": ("D.Lgs. 112/2017 (impresa sociale)", "Leg. Decree 112/2017 (social enterprise)"),
    "FONDATORE": ("Socio fondatore", "Founding member"),
    "SOCIO_LAVORATORE": ("Socio fondatore e lavoratore", "Founding and working member"),
    "LAVORATORE": ("Lavoratore", "Worker"),
    "SOCIO_COMUNITA": ("Socio della comunità", "Community member"),
    "IMPRESA_MENTOR": ("Impresa mentor", "Mentoring company"),
}

_STATI = ["SEGNALATO", "IN_VALUTAZIONE", "IN_PROGETTAZIONE", "PATTO_SOTTOSCRITTO", "IN_ATTUAZIONE", "SOSPESO"]
_STATI += ["FOLLOW_UP_6M", "FOLLOW_UP_12M", "CHIUSO", "ABBANDONO", "RINUNCIA", "CONCLUSO_CON_ESITO"]
_STATI += ["CONCLUSO_SENZA_ESITO", "LISTA_ATTESA"]
_CATEGORIE = [
    k for k in CODES if k.startswith(("INV_", "EX_", "TRATT", "TOSS", "ALCO", "MINORE", "DETENUTO", "MISURA"))
]
_CATEGORIE += ["SVANT_651", "MOLTO_SVANT_651", "DISAB_651", "L68_A", "L68_B", "L68_C", "L68_D", "L68_ART18"]
_CATEGORIE += ["PROTEZIONE_INTERNAZIONALE", "SENZA_DIMORA", "IS_A_MOLTO_SVANTAGGIATO", "IS_B_SVANTAGGIATO_DISABILE"]
_CATEGORIE += ["IS_B_PROTEZIONE_INTERNAZIONALE", "IS_B_SENZA_DIMORA"]
_ESITI = ["IDONEO_LAVORO", "IDONEO_IMPRESA", "IDONEO_PREVIA_INCLUSIONE", "NON_IDONEO_REQUISITI", "NON_PRONTO"]
_ESITI += ["ARCHIVIATO"]


def _v(label: str, label_en: str, phase: str = "", **extra: Any) -> dict[str, Any]:
    return {"label": label, "label_en": label_en, "phase": phase, **extra}


# Variables computed by the diagrams (or set when a case starts): label, phase, how to show them.
VARIABLES: dict[str, dict[str, Any]] = {
    "territorio": _v("Territorio", "Territory"),
    "beneficiario_pseudonimo": _v("Pseudonimo del beneficiario", "Beneficiary pseudonym"),
    "titolo": _v("Titolo", "Title"),
    "regione": _v("Regione", "Region"),
    "stato_caso": _v("Stato del percorso", "Path state", codes=_STATI),
    "storico_stati": _v(
        "Storico degli stati",
        "State history",
        codes=_STATI,
        items={
            "stato": ("Stato", "State", "text"),
            "data": ("Dal", "Since", "datetime"),
            "motivo": ("Motivo", "Reason", "text"),
        },
    ),
    "motivo_chiusura": _v("Motivo della chiusura", "Reason for closing"),
    "n_riprogettazioni": _v("Riprogettazioni", "Redesigns", hidden=True),
    "gradini_inclusione": _v(
        "Gradini del percorso completati",
        "Ladder steps completed",
        items={"strumento": ("Strumento", "Instrument", "text"), "data": ("Concluso il", "Completed on", "date")},
    ),
    "round_rivalutazione": _v("Rivalutazioni", "Reassessments", hidden=True),
    # F1
    "round_modifiche": _v("Giri di modifica", "Rounds of changes", "F1", hidden=True),
    "lacune_partenariato": _v("Lacune del partenariato", "Partnership gaps", "F1"),
    "partner_sostituiti": _v("Partner sostituiti", "Partners replaced", "F1"),
    "codici_esclusi": _v("Enti esclusi", "Excluded bodies", "F1", hidden=True),
    "partner_in_consultazione": _v("Partner in consultazione", "Partners consulted", "F1"),
    "risposte_partner": _v("Risposte dei partner", "Partners' answers", "F1"),
    "codici_consultati": _v("Enti consultati", "Bodies consulted", "F1", hidden=True),
    "codici_risposte": _v("Enti che hanno risposto", "Bodies that answered", "F1", hidden=True),
    "essenziali": _v("Partner essenziali", "Essential partners", "F1", hidden=True),
    "giri_esauriti": _v("Giri di consultazione esauriti", "Consultation rounds used up", "F1"),
    "non_aderenti": _v("Partner non aderenti", "Partners not joining", "F1"),
    "rifiuti_essenziali": _v("Rifiuti di partner essenziali", "Refusals by essential partners", "F1"),
    "richieste_modifiche": _v("Richieste di modifica", "Change requests", "F1"),
    "partenariato_attivo": _v("Partenariato attivo", "Partnership active", "F1"),
    "allerta_sanitaria": _v("Allerta del servizio sanitario", "Health-service alert", "F4"),
    "sostituti_da_consultare": _v("Sostituti da consultare", "Substitutes to consult", "F1", hidden=True),
    "risposte_giro": _v("Risposte alla bozza in esame", "Answers to the current draft", "F1"),
    "tacito": _v("Nessuna risposta", "No answer", "F1", hidden=True),
    "codici_lacune": _v("Enti non aderenti", "Bodies not joining", "F1", hidden=True),
    "partner_aderenti": _v("Enti aderenti", "Bodies joining", "F1"),
    "approvazioni_interne": _v("Approvazioni interne", "Internal approvals", "F1"),
    "codici_approvazioni": _v("Enti che hanno approvato", "Bodies that approved", "F1", hidden=True),
    "firmatari": _v("Firmatari per ente", "Signatories per institution", "F1"),
    # F2: what the decision tables found and the proposal the operator reviews
    "data_avvio_valutazione": _v("Avvio della valutazione", "Assessment started on", "F2", kind="date"),
    # the times agreed in the territory's partnership agreement (F1), given to the path when it starts
    "giorni_presa_in_carico_concordati": _v(
        "Giorni per la presa in carico (accordo di partenariato)", "Days to take in charge (agreement)", "F2"
    ),
    "giorni_esito_concordati": _v(
        "Giorni per l'esito della valutazione (accordo di partenariato)", "Days to the outcome (agreement)", "F2"
    ),
    "giorni_presa_in_carico": _v("Giorni per la presa in carico", "Days to take in charge", "F2"),
    "giorni_esito": _v("Giorni per l'esito della valutazione", "Days to the assessment outcome", "F2"),
    "scadenza_presa_in_carico": _v("Scadenza della presa in carico", "Take in charge by", "F2", kind="date"),
    "scadenza_esito_valutazione": _v(
        "Scadenza dell'esito della valutazione", "Assessment outcome due by", "F2", kind="date"
    ),
    # the preliminary assessment's age, which the engine derives from the person record's birth
    # date on the day the task is completed (typed in the form before: older cases keep that)
    "eta": _v("Età (anni compiuti, dalla scheda anagrafica)", "Age (completed years, from the person record)", "F2"),
    "cat_381": _v("Categorie L. 381/1991", "L. 381/1991 categories", "F2", codes=_CATEGORIE),
    "cat_651": _v("Categorie Reg. UE 651/2014", "EU Reg. 651/2014 categories", "F2", codes=_CATEGORIE),
    "cat_112": _v("Categorie D.Lgs. 112/2017", "Leg. Decree 112/2017 categories", "F2", codes=_CATEGORIE),
    "cat_l68": _v("Categorie L. 68/1999", "L. 68/1999 categories", "F2", codes=_CATEGORIE),
    "base_giuridica": _v("Base giuridica", "Legal basis", "F2"),
    "esito_proposto": _v("Esito proposto", "Proposed outcome", "F2", codes=_ESITI),
    "motivazione_proposta": _v("Motivazione della proposta", "Reasons for the proposal", "F2"),
    "requisiti_accertati": _v(
        "Requisiti di legge riscontrati",
        "Legal requirements met",
        "F2",
        codes=_CATEGORIE,
        items={
            "tabella": ("Tabella di decisione", "Decision table", "text"),
            "categoria": ("Categoria", "Category", "text"),
            "base_giuridica": ("Base giuridica", "Legal basis", "text"),
        },
    ),
    "flag_ex_detenuto": _v("Ex detenuto", "Former prisoner", "F2"),
    "data_fine_sgravi_detenuti": _v("Fine degli sgravi per ex detenuti", "End of relief for former prisoners", "F2"),
    "categorie_svantaggio": _v("Categorie di svantaggio", "Disadvantage categories", "F2", codes=_CATEGORIE),
    "categorie_ammissione": _v("Categorie di ammissione", "Admission categories", "F2", codes=_CATEGORIE),
    "ha_requisiti": _v("Requisiti presenti", "Requirements met", "F2"),
    "esito": _v("Esito della valutazione", "Assessment outcome", "F2", codes=_ESITI),
    "esito_modificato_da_operatore": _v("Esito modificato dall'operatore", "Outcome changed by the operator", "F2"),
    "traccia": _v("Percorso", "Track", "F2", codes=["A", "B"]),
    # ADI/SFL deadlines with the social services, run beside the path from the taking in charge
    "scadenza_primo_appuntamento_adi": _v(
        "Scadenza del primo appuntamento ADI/SFL", "First ADI/SFL appointment due by", "F2", kind="date"
    ),
    "prossimo_aggiornamento_adi": _v("Prossimo aggiornamento ADI/SFL", "Next ADI/SFL update", "F2", kind="date"),
    "apertura_aggiornamento_adi": _v(
        "Apertura dell'aggiornamento ADI/SFL", "ADI/SFL update opens on", "F2", kind="date"
    ),
    "appuntamenti_adi": _v(
        "Appuntamenti ADI/SFL",
        "ADI/SFL appointments",
        "F2",
        items={
            "data": ("Data", "Date", "date"),
            "pais": ("Riferimento del PaIS", "PaIS reference", "text"),
            "psp": ("Riferimento del PSP", "PSP reference", "text"),
        },
    ),
    "previa_inclusione": _v("Previo percorso di inclusione", "Inclusion path first", "F2"),
    # F3
    "tentativi_abbinamento": _v("Tentativi di abbinamento", "Matching attempts", "F3"),
    "data_ingresso_lista_attesa": _v("In lista d'attesa dal", "On the waiting list since", "F3", kind="date"),
    "rimatching_lista_attesa": _v("Nuovi abbinamenti dalla lista d'attesa", "Rematching rounds from the list", "F3"),
    "rinegoziazioni": _v("Rinegoziazioni", "Renegotiations", "F3"),
    "incentivo": _v("Incentivi applicabili", "Applicable incentives", "F3"),
    "base_giuridica_incentivo": _v("Base giuridica degli incentivi", "Legal basis of the incentives", "F3"),
    "ente_ospitante": _v("Ente ospitante", "Host organisation", "F3"),
    "esito_progettazione": _v("Esito della progettazione", "Planning outcome", "F3"),
    "tipo_tirocinio_dt5": _v("Tipo di tirocinio", "Traineeship type", "F3"),
    "durata_min_mesi_dt5": _v("Durata minima (mesi)", "Minimum length (months)", "F3"),
    "durata_max_mesi_dt5": _v("Durata massima (mesi)", "Maximum length (months)", "F3"),
    "proroga_su_attestazione_dt5": _v("Prorogabile su attestazione", "Extendable on certification", "F3"),
    "base_giuridica_dt5": _v("Base giuridica della durata", "Legal basis of the length", "F3"),
    # F4
    "esito_attuazione": _v("Esito dell'attuazione", "Implementation outcome", "F4"),
    "durata_max_mesi": _v("Durata massima (mesi)", "Maximum length (months)", "F4"),
    "mese_attuazione": _v("Mese in corso", "Current month", "F4"),
    "mesi_svolti": _v("Mesi svolti", "Months done", "F4"),
    "mesi_sospensione": _v("Mesi di sospensione", "Months suspended", "F4"),
    "interrotto": _v("Interrotto", "Interrupted", "F4"),
    "stato_precedente": _v("Stato precedente", "Previous state", "F4", hidden=True),
    "evento_mese": _v("Evento del mese", "Event of the month", "F4"),
    # F4 track B: the person's link to the enterprise (impresa_collegata)
    "impresa_collegata": _v("Collegamento all'impresa", "Link to the enterprise", "F4", hidden=True),
    "impresa_id": _v("Impresa (numero)", "Enterprise (number)", "F4"),
    "impresa_caso_id": _v("Fascicolo dell'impresa (caso n.)", "Enterprise's case (no.)", "F4"),
    "denominazione_impresa": _v("Impresa", "Enterprise", "F4"),
    "ruolo_impresa": _v(
        "Ruolo nell'impresa", "Role in the enterprise", "F4", codes=["FONDATORE", "SOCIO_LAVORATORE", "LAVORATORE"]
    ),
    # the enterprise's own case (process impresa)
    "scostamento": _v("Scostamento dal piano (%)", "Gap from the plan (%)", "F4", hidden=True),
    "stato_impresa": _v(
        "Stato del fascicolo",
        "Case state",
        "F4",
        codes=[
            "IN_PROGETTAZIONE",
            "NON_SOSTENIBILE",
            "IN_COSTITUZIONE",
            "COSTITUITA",
            "ACCOMPAGNAMENTO",
            "FOLLOW_UP",
            "CHIUSO",
        ],
    ),
    # the enterprise's own case: the design it runs for its founders, and its incorporation
    "progettazione_impresa": _v("Progettazione nel fascicolo", "Designed in this case", "F3", hidden=True),
    "forma_giuridica_registrata": _v("Forma giuridica registrata", "Registered legal form", "F3", hidden=True),
    "esito_progettazione_impresa": _v(
        "Esito della progettazione dell'impresa",
        "Outcome of the enterprise's design",
        "F3",
        codes=["VALIDATA", "NON_SOSTENIBILE"],
    ),
    "data_costituzione": _v("Data di costituzione", "Incorporated on", "F4", kind="date"),
    # a founder's or worker's path: what the enterprise's case told it (impresa_progettata, impresa_costituita)
    "impresa_progettata": _v("Progettazione dell'impresa", "Design of the enterprise", "F3", hidden=True),
    "impresa_costituita": _v("Costituzione dell'impresa", "Incorporation of the enterprise", "F4", hidden=True),
    "data_costituzione_impresa": _v("Costituzione dell'impresa", "Enterprise incorporated on", "F4", kind="date"),
    "organico": _v(
        "Organico",
        "Roster",
        "F4",
        items={
            "persona": ("Persona", "Person", "text"),
            "data_assunzione": ("Assunzione", "Hired", "date"),
            "data_cessazione": ("Cessazione", "Left", "date"),
            "categorie": ("Categorie", "Categories", "text"),
            "evidenza_pa": ("Documentazione PA", "PA documents", "text"),
            "volontario": ("Volontario", "Volunteer", "text"),
        },
    ),
    "esito_quota": _v(
        "Ultima verifica della quota",
        "Latest quota check",
        "F4",
        codes=["L381", "DLGS112"],
        items={
            "richiesta": ("Quota prevista", "Quota applies", "text"),
            "rispettata": ("Rispettata", "Met", "text"),
            "giorno": ("Giorno", "Day", "date"),
            "regime": ("Norma", "Rule", "text"),
            "base": ("Lavoratori nella base", "Workers in the base", "text"),
            "quota": ("Svantaggiati richiesti", "Disadvantaged required", "text"),
            "svantaggiati_conteggiati": ("Svantaggiati conteggiati", "Disadvantaged counted", "text"),
            "lett_a_nei_24_mesi": ("Lett. a nei 24 mesi", "Lett. a within 24 months", "text"),
            "lett_a_conteggiati": ("Lett. a conteggiati (max 1/3)", "Lett. a counted (max 1/3)", "text"),
            "mancanti": ("Svantaggiati mancanti", "Disadvantaged missing", "text"),
        },
    ),
    "quota_prevista": _v(
        "Quota prevista dal business plan",
        "Quota in the business plan",
        "F3",
        codes=["L381", "DLGS112"],
        items={
            "richiesta": ("Quota prevista", "Quota applies", "text"),
            "rispettata": ("Rispettata", "Met", "text"),
            "giorno": ("Giorno", "Day", "date"),
            "regime": ("Norma", "Rule", "text"),
            "base": ("Lavoratori nella base", "Workers in the base", "text"),
            "quota": ("Svantaggiati richiesti", "Disadvantaged required", "text"),
            "svantaggiati_conteggiati": ("Svantaggiati conteggiati", "Disadvantaged counted", "text"),
            "lett_a_nei_24_mesi": ("Lett. a nei 24 mesi", "Lett. a within 24 months", "text"),
            "lett_a_conteggiati": ("Lett. a conteggiati (max 1/3)", "Lett. a counted (max 1/3)", "text"),
            "mancanti": ("Svantaggiati mancanti", "Disadvantaged missing", "text"),
        },
    ),
    "verifiche_quota": _v(
        "Verifiche della quota",
        "Quota checks",
        "F4",
        codes=["AVVIO", "TRIMESTRALE", "VARIAZIONE_ORGANICO"],
        items={
            "mese": ("Mese", "Month", "text"),
            "motivo": ("Motivo", "Reason", "text"),
            "giorno": ("Giorno", "Day", "date"),
            "rispettata": ("Rispettata", "Met", "text"),
            "mancanti": ("Svantaggiati mancanti", "Disadvantaged missing", "text"),
        },
    ),
    "mese": _v("Mese dall'avvio", "Month since start", "F4"),
    "mesi_accompagnamento": _v("Mesi di accompagnamento", "Months of accompaniment", "F4"),
    "prossimo_mese": _v("Prossima scadenza mensile", "Next monthly date", "F4", kind="date"),
    "motivo_verifica": _v("Motivo della verifica", "Reason for the check", "F4", hidden=True),
    "variazione": _v("Variazione dell'organico", "Roster change", "F4", hidden=True),
    "ore_mentoring_totali": _v("Ore di mentoring (totale)", "Mentoring hours (total)", "F4"),
    "diario_mentoring": _v(
        "Diario di mentoring",
        "Mentoring log",
        "F4",
        items={
            "mese": ("Mese", "Month", "text"),
            "data": ("Data", "Date", "date"),
            "ore": ("Ore", "Hours", "text"),
            "temi": ("Temi", "Topics", "text"),
        },
    ),
    "piani_correttivi": _v("Piani correttivi", "Corrective plans", "F4"),
    "allerte_quota": _v("Allerte alla cabina di regia", "Alerts to the steering committee", "F4"),
    "monitoraggi_kpi": _v(
        "Monitoraggi trimestrali",
        "Quarterly monitoring",
        "F4",
        items={
            "mese": ("Mese", "Month", "text"),
            "fatturato": ("Fatturato", "Revenue", "money"),
            "fatturato_previsto": ("Fatturato previsto", "Planned revenue", "money"),
            "scostamento_pct": ("Scostamento dal piano (%)", "Gap from the plan (%)", "text"),
            "assunzioni": ("Assunzioni", "Hires", "text"),
            "assunzioni_previste": ("Assunzioni previste", "Planned hires", "text"),
        },
    ),
    "data_fine_accompagnamento": _v("Fine dell'accompagnamento", "End of accompaniment", "F4", kind="date"),
    "follow_up_12m": _v("Follow-up a 12 mesi", "12-month follow-up", "F5"),
    "follow_up_24m": _v("Follow-up a 24 mesi", "24-month follow-up", "F5"),
    # F5
    "esito_monitoraggio": _v("Esito del monitoraggio", "Monitoring outcome", "F5"),
    # the ESF+ entry form's facts the engine derives from the person record (never typed there)
    "fascia_eta": _v(
        "Fascia d'età all'ingresso",
        "Age group at entry",
        "F5",
        options={
            "<18": ("Meno di 18 anni", "Under 18"),
            "18-29": ("18–29 anni", "18–29 years"),
            "30-54": ("30–54 anni", "30–54 years"),
            "55+": ("55 anni e oltre", "55 and over"),
        },
    ),
    "genere": _v(
        "Genere",
        "Gender",
        "F5",
        options={
            "F": ("Donna", "Woman"),
            "M": ("Uomo", "Man"),
            "NON_BINARIO": ("Non binario", "Non-binary"),
            "NON_DICHIARATO": ("Non dichiarato", "Not declared"),
        },
    ),
    # typed in the entry form before it took them from the person record: older cases keep it
    "data_nascita": _v("Data di nascita", "Date of birth", "F5", kind="date"),
    # what the event of a recorded identity says on the audit timeline: which fields were
    # written (never their values), under the person's pseudonym
    "persona": _v("Persona (pseudonimo)", "Person (pseudonym)"),
    "campi": _v(
        "Dati registrati",
        "Data recorded",
        options={
            "cognome": ("Cognome", "Surname"),
            "nome": ("Nome", "First name"),
            "codice_fiscale": ("Codice fiscale", "Tax code"),
            "data_nascita": ("Data di nascita", "Date of birth"),
            "sesso": ("Sesso", "Sex"),
            "comune": ("Comune di residenza", "Municipality of residence"),
            "telefono": ("Telefono", "Phone"),
            "email": ("Email", "Email"),
        },
    ),
    "avvisi_confermati": _v("Differenze dal codice fiscale confermate", "Differences from the tax code confirmed"),
    # the semester monitoring report (programme level): the frozen figures, reviews, the archive
    # the code (2026-H1) routes the figures; people read its description
    "periodo": _v("Periodo", "Period", hidden=True),
    "periodo_descrizione": _v("Periodo della relazione", "Period of the report"),
    "data_fotografia": _v("Cifre fotografate il", "Figures frozen on", kind="datetime"),
    "cifre_monitoraggio": _v(
        "Cifre del cruscotto (fotografate)",
        "Cockpit figures (frozen)",
        items={
            "prospetto": ("Prospetto", "Table", "text"),
            "voce": ("Voce", "Row", "text"),
            "valori": ("Valori", "Figures", "text"),
        },
    ),
    "revisioni": _v(
        "Revisioni della cabina di regia",
        "Steering committee's reviews",
        items={
            "data": ("Data", "Date", "date"),
            "esito": ("Esito", "Outcome", "text"),
            "osservazioni": ("Osservazioni", "Remarks", "text"),
        },
    ),
    "data_approvazione": _v("Approvata il", "Approved on", kind="date"),
    "approvata_da": _v("Approvata da", "Approved by"),
    "relazione_pdf_sha256": _v("Impronta del PDF archiviato (SHA-256)", "Archived PDF fingerprint (SHA-256)"),
    # the valutatore's evaluation report (processes/valutazione_programma.bpmn)
    "titolo_documento": _v("Documento", "Document"),
    "sezioni_documento": _v(
        "Sezioni del rapporto",
        "Report sections",
        items={"titolo": ("Sezione", "Section", "text"), "testo": ("Testo", "Text", "text")},
    ),
}
