"""Forms of phase F3 – Progettazione dell'intervento (docs/domain.md, phase F3).

Track A (inserimento lavorativo): progetto personalizzato, choice of instrument, matching with a
host/mentor enterprise, fallback after failed matching, the beneficiary's agreement and the one
renegotiation round. Track B (start-up): idea and founding group, feasibility study, legal form,
business plan, validation by the comitato tecnico and statuto draft.

Free-text fields never ask for diagnoses or offences (docs/domain.md, "Data classes"): help texts say so.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import dopo, elenco_non_vuoto, intervallo, minimo, non_vuoto, richiedi, scelta, segnala

NO_DATI_SENSIBILI = "Non indicare diagnosi, patologie o reati: solo informazioni utili al lavoro."
NO_DATI_SENSIBILI_EN = "Do not enter diagnoses, conditions or offences: work-relevant facts only."


# --- enumerations used by F3 and read again by F4 --------------------------------------------

STRUMENTI = [
    ("TIS", "Tirocinio di inclusione sociale (TIS)"),
    ("TIROCINIO_EXTRACURRICOLARE", "Tirocinio extracurricolare"),
    ("FORMAZIONE", "Percorso di formazione"),
    ("ASSUNZIONE_COOP_B", "Assunzione in cooperativa sociale di tipo B"),
    ("ASSUNZIONE_IMPRESA_SOCIALE", "Assunzione in impresa sociale"),
    ("ASSUNZIONE_IMPRESA_PROFIT", "Assunzione in impresa profit"),
    ("CONVENZIONE_L68", "Convenzione L. 68/1999 (collocamento mirato)"),
]
FORME_GIURIDICHE = [
    ("COOP_SOCIALE_B", "Cooperativa sociale di tipo B (L. 381/1991)"),
    ("IMPRESA_SOCIALE_SRL", "Impresa sociale in forma di S.r.l. (D.Lgs. 112/2017)"),
    ("IMPRESA_SOCIALE_COOP", "Impresa sociale in forma cooperativa (D.Lgs. 112/2017)"),
    ("COOP_COMUNITA", "Cooperativa di comunità (legge regionale)"),
]
INCENTIVI = [
    ("L381_CONTRIBUTI", "Azzeramento contributi L. 381/1991 art. 4"),
    ("SMURAGLIA", "Sgravi L. 193/2000 (Smuraglia)"),
    ("GBER", "Aiuti all'assunzione Reg. (UE) 651/2014"),
    ("L68", "Incentivi L. 68/1999"),
    ("NESSUNO", "Nessun incentivo"),
]
_INCENTIVI_LABEL = dict(INCENTIVI)


# --- Track A ---------------------------------------------------------------------------------


@form(
    "f3_progetto_personalizzato",
    title="Progetto personalizzato",
    title_en="Individual plan",
    description="Obiettivi SMART, azioni, risorse, indicatori e date di verifica del percorso.",
    data_class="C4",
    shows=(
        "esito",
        "orientamento_percorso",
        "autonomia_lavorativa",
        "dimensioni_critiche",
        "punti_di_forza",
        "categorie_ammissione",
    ),
)
class ProgettoPersonalizzato(FormSchema):
    obiettivi_smart = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta(
            "Obiettivi (SMART)",
            "Specifici, misurabili, raggiungibili, rilevanti, con scadenza. " + NO_DATI_SENSIBILI,
            label_en="Objectives (SMART)",
            help_en="Specific, measurable, achievable, relevant, time-bound. " + NO_DATI_SENSIBILI_EN,
        ),
    )
    azioni = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Azioni e responsabili", "Chi fa cosa e quando.", label_en="Actions"),
    )
    risorse = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Risorse", "Servizi, persone, strumenti impegnati.", label_en="Resources"),
    )
    budget_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=meta("Budget (€)", "Costo previsto del percorso.", label_en="Budget (€)"),
    )
    indicatori = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Indicatori", "Come si misura il raggiungimento.", label_en="Indicators"),
    )
    impegni_persona = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Impegni della persona", label_en="Commitments of the person"),
    )
    data_inizio_progetto = fields.Date(required=True, metadata=meta("Data di inizio", label_en="Start date"))
    data_fine_progetto = fields.Date(required=True, metadata=meta("Data di fine", label_en="End date"))
    date_verifica = fields.List(
        fields.Date(),
        required=True,
        validate=elenco_non_vuoto(),
        metadata=meta(
            "Date di verifica",
            "Comprese tra inizio e fine del progetto.",
            label_en="Verification dates",
            help_en="Between the plan's start and end.",
        ),
    )
    job_coach_previsto = fields.Boolean(
        load_default=False,
        metadata=meta(
            "Affiancamento di un job coach",
            "Un job coach dell'ente del Terzo settore nominato nella squadra del caso affianca la persona",
            label_en="Support by a job coach",
            help_en="A job coach of the third-sector body named in the case team supports the person",
        ),
    )
    consenso_condivisione_ospitante = fields.Boolean(
        required=True,
        metadata=meta(
            "Consenso alla condivisione con l'ospitante",
            "Solo limitazioni utili al lavoro, mai diagnosi.",
            label_en="Consent to share with the host",
        ),
    )
    riferimento_pais = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta(
            "Riferimento PaIS/PAI esistente",
            "Collegare, non duplicare, il piano sociale o sanitario già in essere.",
            label_en="Existing PaIS/PAI reference",
        ),
    )

    @validates_schema
    def _coerenza_date(self, data: dict[str, Any], **_: Any) -> None:
        dopo(data, "data_inizio_progetto", "data_fine_progetto")
        start, end = data.get("data_inizio_progetto"), data.get("data_fine_progetto")
        if start and end and any(not start <= d <= end for d in data.get("date_verifica", [])):
            segnala({"date_verifica": ["Le date di verifica devono cadere tra inizio e fine del progetto."]})


@form(
    "f3_scelta_strumento",
    title="Scelta dello strumento di inserimento",
    title_en="Choice of the integration instrument",
    data_class="C4",
    decide_on=(
        "categorie_ammissione",
        "incentivo",
        "base_giuridica_incentivo",
        "tipo_tirocinio_dt5",
        "durata_min_mesi_dt5",
        "durata_max_mesi_dt5",
        "base_giuridica_dt5",
    ),
)
class SceltaStrumento(FormSchema):
    strumento = fields.String(
        required=True,
        validate=scelta(STRUMENTI),
        metadata=meta(
            "Strumento", "Coerente con il tipo di tirocinio indicato dalla valutazione.", label_en="Instrument"
        ),
    )
    destinatario_l68 = fields.Boolean(
        required=True,
        metadata=meta(
            "Iscritto al collocamento mirato (L. 68/1999)",
            "Determina la durata massima del tirocinio.",
            label_en="Registered for targeted placement (L. 68/1999)",
            data_class="C2",  # health (docs/domain.md, "Data classes"): the L. 68 list is for persons with disabilities
        ),
    )
    incentivi = fields.List(
        fields.String(validate=scelta(INCENTIVI)),
        required=True,
        validate=elenco_non_vuoto(),
        metadata=meta("Incentivi verificati", label_en="Incentives checked", data_class="C23"),
    )
    motivazione = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Motivazione della scelta", NO_DATI_SENSIBILI, label_en="Reason"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("strumento") == "CONVENZIONE_L68" and not data.get("destinatario_l68"):
            segnala({"destinatario_l68": ["La convenzione L. 68 richiede l'iscrizione al collocamento mirato."]})
        if "NESSUNO" in data.get("incentivi", []) and len(data["incentivi"]) > 1:
            segnala({"incentivi": ["'Nessun incentivo' esclude le altre voci."]})

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        """DT-5: the traineeship type and the incentives follow from the assessment."""
        errors: dict[str, list[str]] = {}
        tipo = case.get("tipo_tirocinio_dt5")
        if data["strumento"] == "TIS" and tipo is not None and tipo != "TIS":
            errors["strumento"] = ["Il TIS è per chi è in carico ai servizi con un obiettivo di inclusione."]
        if "incentivo" in case:  # the incentive table's list (absent on cases designed before it)
            ammessi = set(case["incentivo"] or []) | {"NESSUNO"}
            fuori = [_INCENTIVI_LABEL[i] for i in data["incentivi"] if i not in ammessi]
            if fuori:
                errors["incentivi"] = ["Non previsti per le categorie della persona: " + ", ".join(fuori) + "."]
        cat_l68 = case.get("cat_l68")
        if data["destinatario_l68"] and cat_l68 is not None and not [c for c in cat_l68 if c != "L68_ART18"]:
            errors["destinatario_l68"] = ["Dalla valutazione non risulta una disabilità (L. 68/1999 art. 1)."]
        return errors


@form(
    "f3_abbinamento",
    title="Abbinamento con impresa ospitante o mentor",
    title_en="Matching with host or mentor company",
    data_class="C4",
    shows=(
        "strumento",
        "tipo_tirocinio_dt5",
        "durata_max_mesi_dt5",
        "obiettivi_smart",
    ),
)
class Abbinamento(FormSchema):
    esito_abbinamento = fields.String(
        required=True,
        validate=scelta([("DISPONIBILE", "Impresa disponibile"), ("NON_DISPONIBILE", "Nessuna disponibilità")]),
        metadata=meta("Esito dell'abbinamento", label_en="Matching outcome"),
    )
    impresa_ospitante = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Impresa ospitante", label_en="Host company"),
    )
    tutor_aziendale_nominativo = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Tutor aziendale", label_en="Company tutor"),
    )
    analisi_posto_lavoro = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta(
            "Analisi del posto di lavoro",
            "Mansioni, orari, accessibilità.",
            label_en="Job analysis",
        ),
    )
    accessibilita_verificata = fields.Boolean(
        load_default=False,
        metadata=meta("Accessibilità verificata", label_en="Accessibility checked"),
    )
    motivo_non_disponibilita = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(
            [
                ("NESSUNA_POSIZIONE", "Nessuna posizione aperta"),
                ("TUTOR_NON_DISPONIBILE", "Tutor non disponibile"),
                ("ACCESSIBILITA", "Luogo non accessibile"),
                ("INCOMPATIBILITA_PRESCRIZIONI", "Incompatibile con le prescrizioni"),
                ("RIFIUTO_IMPRESA", "Rifiuto dell'impresa"),
            ]
        ),
        metadata=meta("Motivo della mancata disponibilità", label_en="Reason for no availability"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("esito_abbinamento") == "DISPONIBILE":
            richiedi(
                data,
                "impresa_ospitante",
                "tutor_aziendale_nominativo",
                "analisi_posto_lavoro",
                quando="l'impresa è disponibile",
            )
            if not data.get("accessibilita_verificata"):
                segnala({"accessibilita_verificata": ["Verificare l'accessibilità prima dell'abbinamento."]})
        elif data.get("esito_abbinamento") == "NON_DISPONIBILE":
            richiedi(data, "motivo_non_disponibilita", quando="l'impresa non è disponibile")


@form(
    "f3_alternativa_abbinamento",
    title="Alternativa dopo abbinamenti non riusciti",
    title_en="Fallback after failed matching",
    data_class="C4",
)
class AlternativaAbbinamento(FormSchema):
    scelta_alternativa = fields.String(
        required=True,
        validate=scelta([("STRUMENTO_ALTERNATIVO", "Strumento alternativo"), ("LISTA_ATTESA", "Lista d'attesa")]),
        metadata=meta("Scelta", label_en="Decision"),
    )
    strumento_alternativo = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(STRUMENTI),
        metadata=meta("Strumento alternativo", label_en="Alternative instrument"),
    )
    ente_alternativo = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta(
            "Ente che accoglie",
            "Ente del partenariato che garantisce l'accoglienza (coop B, ente di formazione).",
            label_en="Receiving body",
        ),
    )
    motivazione_alternativa = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Motivazione", NO_DATI_SENSIBILI, label_en="Reason"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("scelta_alternativa") == "STRUMENTO_ALTERNATIVO":
            richiedi(
                data,
                "strumento_alternativo",
                "ente_alternativo",
                quando="si sceglie un'alternativa",
            )


@form(
    "f3_adesione_beneficiario",
    title="Adesione e firma del patto",
    title_en="Beneficiary's agreement and signature",
    data_class="C4",
    shows=(
        "strumento",
        "impresa_ospitante",
        "data_inizio_progetto",
        "data_fine_progetto",
        "obiettivi_smart",
    ),
)
class AdesioneBeneficiario(FormSchema):
    decisione_beneficiario = fields.String(
        required=True,
        validate=scelta([("FIRMA", "Firma il progetto"), ("RIFIUTA", "Rifiuta il progetto")]),
        metadata=meta("Decisione della persona", label_en="Person's decision"),
    )
    data_firma = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=meta("Data della firma", label_en="Signature date"),
    )
    documenti_firmati = fields.List(
        fields.String(
            validate=scelta(
                [
                    ("PROGETTO_PERSONALIZZATO", "Progetto personalizzato"),
                    ("BOZZA_PFI", "Bozza di PFI"),
                    ("BOZZA_CONVENZIONE", "Bozza di convenzione"),
                    ("PATTO_INCLUSIONE", "Patto per l'inclusione"),
                ]
            )
        ),
        load_default=list,
        metadata=meta("Documenti firmati", label_en="Signed documents"),
    )
    motivazione_rifiuto = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Motivazione del rifiuto", NO_DATI_SENSIBILI, label_en="Reason for refusal"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decisione_beneficiario") == "FIRMA":
            richiedi(data, "data_firma", "documenti_firmati", quando="la persona firma")
            if "PROGETTO_PERSONALIZZATO" not in data["documenti_firmati"]:
                segnala({"documenti_firmati": ["Il progetto personalizzato deve essere tra i documenti firmati."]})
        elif data.get("decisione_beneficiario") == "RIFIUTA":
            richiedi(data, "motivazione_rifiuto", quando="la persona rifiuta")


@form("f3_rinegoziazione", title="Rinegoziazione del progetto", title_en="Plan renegotiation", data_class="C4")
class Rinegoziazione(FormSchema):
    modifiche_proposte = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Modifiche proposte", NO_DATI_SENSIBILI, label_en="Proposed changes"),
    )
    data_incontro = fields.Date(required=True, metadata=meta("Data dell'incontro", label_en="Meeting date"))


# --- Track B ---------------------------------------------------------------------------------


@form(
    "f3_idea_impresa",
    title="Idea d'impresa e gruppo promotore",
    title_en="Business idea and founders",
    data_class="C4",
)
class IdeaImpresa(FormSchema):
    titolo_idea = fields.String(
        required=True, validate=non_vuoto(200), metadata=meta("Titolo dell'idea", label_en="Idea")
    )
    bisogno_comunita = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Bisogno della comunità", label_en="Community need"),
    )
    n_promotori_beneficiari = fields.Integer(
        required=True,
        validate=minimo(1),
        metadata=meta(
            "Promotori beneficiari",
            "Futuri soci lavoratori del programma.",
            label_en="Beneficiary founders",
        ),
    )
    n_promotori_comunita = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta("Promotori della comunità", label_en="Community founders"),
    )
    impresa_mentor = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=meta("Impresa mentor", label_en="Mentor company"),
    )


@form("f3_studio_fattibilita", title="Studio di fattibilità", title_en="Feasibility study", data_class="C4")
class StudioFattibilita(FormSchema):
    analisi_mercato = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Analisi di mercato", label_en="Market analysis"),
    )
    prodotto_servizio = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Prodotto o servizio", label_en="Product or service"),
    )
    beni_disponibili = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Beni disponibili", "Es. beni confiscati o comunali.", label_en="Available assets"),
    )
    fattibile = fields.Boolean(required=True, metadata=meta("Idea fattibile", label_en="Feasible"))
    data_studio = fields.Date(required=True, metadata=meta("Data dello studio", label_en="Study date"))


@form("f3_forma_giuridica", title="Scelta della forma giuridica", title_en="Choice of legal form", data_class="C4")
class FormaGiuridica(FormSchema):
    forma_giuridica = fields.String(
        required=True,
        validate=scelta(FORME_GIURIDICHE),
        metadata=meta("Forma giuridica", label_en="Legal form"),
    )
    legge_regionale = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta(
            "Legge regionale di riferimento",
            "Obbligatoria per la cooperativa di comunità (non esiste una legge nazionale).",
            label_en="Regional law",
        ),
    )
    motivazione_forma = fields.String(
        required=True, validate=non_vuoto(), metadata=meta("Motivazione", label_en="Reason")
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("forma_giuridica") == "COOP_COMUNITA":
            richiedi(data, "legge_regionale", quando="si sceglie la cooperativa di comunità")

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        # In an enterprise's own case the legal form is the one it was founded with (its record).
        registrata = case.get("forma_giuridica_registrata")
        if registrata and data.get("forma_giuridica") != registrata:
            nome = dict(FORME_GIURIDICHE).get(str(registrata), str(registrata))
            messaggio = f"L'impresa è registrata come «{nome}»: la forma giuridica si sceglie quando la si fonda."
            return {"forma_giuridica": [messaggio]}
        return {}


@form("f3_business_plan", title="Business plan", title_en="Business plan", data_class="C4")
class BusinessPlan(FormSchema):
    anni_piano = fields.Integer(
        required=True,
        validate=intervallo(3, 5),
        metadata=meta("Anni del piano", "Da 3 a 5.", label_en="Plan years"),
    )
    ricavi_primo_anno_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=meta("Ricavi primo anno (€)", label_en="First-year revenue (€)"),
    )
    costi_primo_anno_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=meta("Costi primo anno (€)", label_en="First-year costs (€)"),
    )
    fonti_finanziamento = fields.List(
        fields.String(
            validate=scelta(
                [
                    ("CAPITALE_PROPRIO", "Capitale proprio"),
                    ("CONTRIBUTI", "Contributi pubblici"),
                    ("MICROCREDITO", "Microcredito"),
                    ("BANCA_ETICA", "Banca etica"),
                    ("FONDAZIONI", "Fondazioni"),
                ]
            )
        ),
        required=True,
        validate=elenco_non_vuoto(),
        metadata=meta("Fonti di finanziamento", label_en="Financing sources"),
    )
    n_svantaggiati_previsti = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta("Lavoratori svantaggiati previsti", label_en="Planned disadvantaged workers"),
    )
    n_non_svantaggiati_previsti = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta("Altri lavoratori previsti", label_en="Planned other workers"),
    )
    n_molto_svantaggiati_previsti = fields.Integer(
        load_default=0,
        validate=minimo(0),
        metadata=meta(
            "Di cui molto svantaggiati (D.Lgs. 112/2017, lett. a)",
            "Per un'impresa sociale: contano al massimo per un terzo della quota e per 24 mesi.",
            label_en="Of whom very disadvantaged (lett. a)",
        ),
    )
    piano_inserimento = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta(
            "Piano di inserimento lavorativo",
            "Ruoli, non diagnosi.",
            label_en="Work-integration plan",
        ),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("n_svantaggiati_previsti") == 0:
            segnala(
                {"n_svantaggiati_previsti": ["Un'impresa di inserimento prevede almeno un lavoratore svantaggiato."]}
            )
        if data.get("n_molto_svantaggiati_previsti", 0) > data.get("n_svantaggiati_previsti", 0):
            segnala({"n_molto_svantaggiati_previsti": ["Non possono superare i lavoratori svantaggiati previsti."]})


@form(
    "f3_validazione_business_plan",
    title="Validazione del comitato tecnico e del mentor",
    title_en="Validation by technical committee and mentor",
    data_class="C4",
    decide_on=(
        "titolo_idea",
        "bisogno_comunita",
        "forma_giuridica",
        "anni_piano",
        "ricavi_primo_anno_euro",
        "costi_primo_anno_euro",
        "fonti_finanziamento",
        "n_svantaggiati_previsti",
        "n_non_svantaggiati_previsti",
        "quota_prevista",
        "piano_inserimento",
    ),
)
class ValidazioneBusinessPlan(FormSchema):
    esito_validazione = fields.String(
        required=True,
        validate=scelta(
            [
                ("SOSTENIBILE", "Sostenibile"),
                ("DA_RIVEDERE", "Da rivedere"),
                ("NON_SOSTENIBILE", "Non sostenibile"),
            ]
        ),
        metadata=meta("Esito", label_en="Outcome"),
    )
    parere_mentor = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Parere del mentor", label_en="Mentor's opinion"),
    )
    richieste_revisione = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Richieste di revisione o motivazione", label_en="Requested changes or reason"),
    )
    data_validazione = fields.Date(required=True, metadata=meta("Data della seduta", label_en="Meeting date"))

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("esito_validazione") in ("DA_RIVEDERE", "NON_SOSTENIBILE"):
            richiedi(data, "richieste_revisione", quando="il piano non è sostenibile così com'è")

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        """The plan's projected roster, checked with the quota engine before the plan (cases
        designed before the check carry no ``quota_prevista``)."""
        quota = case.get("quota_prevista")
        if data["esito_validazione"] == "SOSTENIBILE" and isinstance(quota, dict) and not quota.get("rispettata", True):
            mancanti = quota.get("mancanti", 0)
            return {
                "esito_validazione": [
                    f"Il piano non rispetta la quota di lavoratori svantaggiati (ne mancano {mancanti}): "
                    "va rivisto prima di dichiararlo sostenibile."
                ]
            }
        return {}


@form(
    "f3_bozza_statuto",
    title="Bozza di statuto e regolamento",
    title_en="Draft articles and internal rules",
    data_class="C4",
)
class BozzaStatuto(FormSchema):
    denominazione_proposta = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=meta("Denominazione proposta", label_en="Proposed name"),
    )
    oggetto_sociale = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Oggetto sociale", label_en="Corporate purpose"),
    )
    regolamento_interno = fields.Boolean(
        required=True,
        metadata=meta("Regolamento interno redatto", label_en="Internal rules drafted"),
    )
    assemblea_comunita = fields.Boolean(
        load_default=False,
        metadata=meta(
            "Assemblea di comunità svolta",
            "Per la cooperativa di comunità.",
            label_en="Community assembly held",
        ),
    )


@form(
    "f3_piano_job_coach",
    title="Piano di affiancamento del job coach",
    title_en="Job coach's support plan",
    description="Il job coach dell'ente del Terzo settore nominato nella squadra del caso concorda ore e obiettivi.",
    data_class="C1",
)
class PianoJobCoachForm(FormSchema):
    ore_settimanali_affiancamento = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=40, error="Tra {min} e {max} ore alla settimana."),
        metadata=meta("Ore di affiancamento a settimana", label_en="Support hours per week"),
    )
    obiettivi_affiancamento = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000, error="Tra {min} e {max} caratteri."),
        metadata=meta("Obiettivi dell'affiancamento", label_en="Aims of the support"),
    )
    data_piano_job_coach = fields.Date(required=True, metadata=meta("Data del piano", label_en="Plan date"))
