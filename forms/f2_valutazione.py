"""Forms of phase F2 "Valutazione del bisogno" (one case per beneficiary; docs/domain.md, phase F2).

Each schema is the form of one user task of ``processes/valutazione_bisogno.bpmn``. The fields
that feed the eligibility tables (DT-1…DT-4) are booleans, percentages, ages and months, never a
diagnosis or an offence (GDPR minimisation, docs/domain.md, "Data classes"): certifications store the *category*
plus evidence metadata (type, issuing body, protocol no., issue/expiry dates).

The forms of the four parallel assessment branches give every field a value (required or
``load_default``), because the re-assessment loop of the diagram deletes exactly those fields
before running the branches again (see ``CAMPI_RAMI_VALUTAZIONE``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import non_vuoto, scelta, segnala
from forms.variables import CODES

# --- data classes (docs/domain.md, "Data classes"): read by engine/privacy.py -------------------------------------
# C2 = health (art. 9 GDPR): invalidity, disability, psychiatric/addiction care, health-service
# certifications. C3 = judicial (art. 10 GDPR): detention, alternative measures, end of sentence.
C2 = "C2"
C3 = "C3"

# --- vocabularies --------------------------------------------------------------------------

# the minor-in-family-difficulty flag (L. 381/1991 art. 4) applies below this age
MAGGIORE_ETA = 18

SERVIZI_INVIANTI = [
    ("SERVIZIO_SOCIALE", "Servizio sociale (Comune/ATS)"),
    ("CPI", "Centro per l'Impiego"),
    ("SERD", "SerD"),
    ("CSM_DSM", "CSM / DSM"),
    ("UEPE", "UEPE"),
    ("ETS", "Ente del Terzo settore"),
    ("AUTOSEGNALAZIONE", "Autosegnalazione allo sportello"),
]
SERVIZI_DESTINATARI = [
    ("SERVIZIO_SOCIALE", "Servizio sociale (Comune/ATS)"),
    ("CPI", "Centro per l'Impiego"),
    ("CSM_DSM", "CSM / DSM"),
    ("SERD", "SerD"),
    ("UEPE", "UEPE"),
    ("ETS", "Ente del Terzo settore"),
    ("ALTRO", "Altro servizio"),
]

# The L. 381/1991 art. 4 c.1 categories (codes of DT-1).
CATEGORIE_L381 = (
    "INV_FIS_PSI_SENS",
    "EX_DEGENTE_OP_OPG",
    "TRATT_PSICHIATRICO",
    "TOSSICODIPENDENTE",
    "ALCOLISTA",
    "MINORE_DIFF_FAM",
    "DETENUTO_INTERNATO",
    "MISURA_ALTERNATIVA",
)
# Presumed category at referral: a code of the decision tables, never a diagnosis.
CATEGORIE_PRESUNTE = [
    (code, CODES[code][0])
    for code in (
        *CATEGORIE_L381,
        "SVANT_651",
        "MOLTO_SVANT_651",
        "DISAB_651",
        "L68_A",
        "L68_B",
        "L68_C",
        "L68_D",
        "L68_ART18",
        "PROTEZIONE_INTERNAZIONALE",
        "SENZA_DIMORA",
        "NON_DETERMINATA",
    )
]
URGENZE = [
    ("ORDINARIA", "Ordinaria"),
    ("PRIORITARIA", "Prioritaria"),
    ("URGENTE", "Urgente"),
]
# Whether the job centre must register the DID and sign the service pact in F2 (D.Lgs. 150/2015):
# not for a person who already has a pact (at the job centre, or on SIISL for ADI/SFL), nor for one
# not ready for work (the DID declares immediate availability).
SITUAZIONI_DID_PSP = [
    ("DA_REGISTRARE", "Nessuna DID né Patto di servizio: li registra il Centro per l'Impiego"),
    ("PSP_ATTIVO", "Patto di servizio personalizzato già sottoscritto (Centro per l'Impiego o SIISL)"),
    ("NON_PRONTO_LAVORO", "Non pronta al lavoro: DID e Patto rinviati"),
]
MOTIVI_INVIO = [
    ("RICERCA_LAVORO", "Ricerca di lavoro"),
    ("AVVIO_IMPRESA", "Avvio d'impresa"),
    ("INCLUSIONE_SOCIO_LAVORATIVA", "Inclusione socio-lavorativa"),
    ("ALTRO", "Altro"),
]
CANALI = [
    ("COLLOQUIO", "Colloquio"),
    ("PEC", "PEC"),
    ("EMAIL", "Email"),
    ("RACCOMANDATA", "Raccomandata"),
]

ORIENTAMENTI = [
    ("LAVORO", "Inserimento lavorativo"),
    ("IMPRESA", "Avvio d'impresa sociale / di comunità"),
    ("INCLUSIONE", "Percorso di inclusione prima del lavoro (TIS)"),
]
AUTONOMIE = [
    ("ADEGUATA", "Adeguata"),
    ("PARZIALE", "Parziale"),
    ("INSUFFICIENTE", "Insufficiente"),
]
COMPATIBILITA = [
    ("COMPATIBILE", "Compatibile con un percorso lavorativo"),
    ("COMPATIBILE_CON_PRESCRIZIONI", "Compatibile con prescrizioni"),
    ("NON_COMPATIBILE", "Attualmente non compatibile"),
]
DIMENSIONI = [
    ("LAVORO", "Lavoro"),
    ("SALUTE_LIMITAZIONI", "Salute e limitazioni"),
    ("ABITAZIONE", "Abitazione"),
    ("FAMIGLIA", "Famiglia"),
    ("REDDITO", "Reddito"),
    ("COMPETENZE", "Competenze"),
    ("VINCOLI_GIUSTIZIA", "Vincoli con la giustizia"),
]
LAVORO_AUTONOMO = [
    ("NESSUNO", "Nessuna attività autonoma"),
    ("SOTTO_NO_TAX_AREA", "Solo con reddito sotto la no tax area"),
    ("SOPRA_NO_TAX_AREA_6_MESI", "Con reddito sopra la no tax area negli ultimi 6 mesi"),
    ("SOPRA_NO_TAX_AREA_12_MESI", "Con reddito sopra la no tax area tra 7 e 12 mesi fa"),
    ("SOPRA_NO_TAX_AREA_24_MESI", "Con reddito sopra la no tax area tra 13 e 24 mesi fa"),
]
CLASSI_PROFILAZIONE = [
    ("BASSA", "Bassa"),
    ("MEDIA", "Media"),
    ("ALTA", "Alta"),
    ("MOLTO_ALTA", "Molto alta"),
]
COMPONENTI_EM = [
    ("assistente_sociale", "Assistente sociale"),
    ("operatore_cpi", "Operatore del Centro per l'Impiego"),
    ("referente_sanitario", "Referente sanitario"),
    ("referente_giustizia", "Referente della giustizia (UEPE)"),
    ("educatore_job_coach", "Educatore / job coach"),
]

TIPI_EVIDENZA = [
    ("VERBALE_INVALIDITA_CIVILE", "Verbale di invalidità civile"),
    ("VERBALE_INAIL", "Verbale INAIL"),
    ("CERTIFICAZIONE_DSM_CSM", "Certificazione DSM / CSM"),
    ("CERTIFICAZIONE_SERD", "Certificazione SerD"),
    ("ATTESTAZIONE_SSN", "Attestazione del Servizio sanitario nazionale"),
    ("RELAZIONE_SERVIZIO_SOCIALE", "Relazione del servizio sociale"),
    ("PROVVEDIMENTO_TRIBUNALE_MINORI", "Provvedimento del Tribunale per i minorenni"),
    ("ATTESTAZIONE_ISTITUTO_PENITENZIARIO", "Attestazione dell'istituto penitenziario"),
    ("PROVVEDIMENTO_SORVEGLIANZA", "Provvedimento della magistratura di sorveglianza"),
    ("ATTESTAZIONE_UEPE", "Attestazione UEPE"),
    ("ALTRO", "Altro documento"),
]
MOTIVI_NON_PRONTO = [
    ("VINCOLI_SANITARI", "Vincoli sanitari"),
    ("VINCOLI_GIUSTIZIA", "Vincoli con la giustizia"),
    ("ALTRO", "Altro motivo"),
]

# An operator may only choose an assessment outcome; ARCHIVIATO comes from the document timer.
ESITI_VALUTAZIONE = [
    ("IDONEO_LAVORO", "Idoneo – inserimento lavorativo"),
    ("IDONEO_IMPRESA", "Idoneo – avvio d'impresa"),
    ("IDONEO_PREVIA_INCLUSIONE", "Idoneo previo percorso di inclusione"),
    ("NON_IDONEO_REQUISITI", "Non idoneo per requisiti"),
    ("NON_PRONTO", "Non pronto (rivalutazione)"),
]
# Outcomes of F2 (the parent process branches on ``esito``).
ESITI = [*(code for code, _ in ESITI_VALUTAZIONE), "ARCHIVIATO"]

NO_DIAGNOSI = "Non indicare diagnosi, patologie, terapie o reati."


def flag(label: str, help: str, label_en: str, help_en: str = "", **extra: Any) -> fields.Boolean:
    """An optional yes/no fact for the decision tables: absent means "no".

    ``extra`` goes into the metadata, e.g. ``data_class=C2`` for a health fact.
    """
    return fields.Boolean(load_default=False, metadata=meta(label, help, label_en=label_en, help_en=help_en, **extra))


def percentuale(label: str, help: str, label_en: str, **extra: Any) -> fields.Integer:
    return fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=100, error="Percentuale tra {min} e {max}."),
        metadata=meta(label, help, label_en=label_en, **extra),
    )


# --- nested items --------------------------------------------------------------------------


class EvidenzaSchema(FormSchema):
    """Metadata of a PA document proving a category (L. 381/1991 art. 4 c.2): not the document."""

    tipo_evidenza = fields.String(
        required=True,
        validate=scelta(TIPI_EVIDENZA),
        metadata=meta("Tipo di evidenza", label_en="Evidence type"),
    )
    ente_emittente = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Ente emittente", "Es. Commissione medica INPS, SerD ASL AN", label_en="Issuer"),
    )
    numero_protocollo = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero di protocollo", label_en="Protocol no."),
    )
    data_rilascio = fields.Date(required=True, metadata=meta("Data di rilascio", label_en="Issued on"))
    data_scadenza = fields.Date(
        load_default=None,
        metadata=meta("Data di scadenza / revisione", "Vuota se senza scadenza", label_en="Expires on"),
    )

    @validates_schema
    def check_scadenza(self, data: dict[str, Any], **kwargs: Any) -> None:
        scadenza = data.get("data_scadenza")
        if scadenza is not None and scadenza <= data["data_rilascio"]:
            segnala({"data_scadenza": ["La scadenza deve seguire la data di rilascio."]})


def evidenze(label: str, label_en: str, **extra: Any) -> fields.List[Any]:
    return fields.List(
        fields.Nested(EvidenzaSchema),
        required=True,
        validate=validate.Length(min=1, error="Indicare almeno {min} evidenza documentale."),
        metadata=meta(label, "Solo gli estremi del documento, non il suo contenuto", label_en=label_en, **extra),
    )


# --- intake --------------------------------------------------------------------------------


@form("f2_segnalazione", title="Scheda di segnalazione", title_en="Referral form", data_class="C4")
class SegnalazioneForm(FormSchema):
    data_segnalazione = fields.Date(required=True, metadata=meta("Data della segnalazione", label_en="Referral date"))
    servizio_inviante = fields.String(
        required=True,
        validate=scelta(SERVIZI_INVIANTI),
        metadata=meta("Servizio inviante", label_en="Referring service", data_class="C23"),
    )
    referente_inviante = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata=meta("Referente del servizio inviante", label_en="Referring officer"),
    )
    motivo_invio = fields.String(
        required=True,
        validate=scelta(MOTIVI_INVIO),
        metadata=meta("Motivo dell'invio", label_en="Reason for referral"),
    )
    categoria_presunta = fields.String(
        required=True,
        validate=scelta(CATEGORIE_PRESUNTE),
        metadata=meta(
            "Categoria presunta",
            "La categoria di svantaggio che l'invio ipotizza: la valutazione la verificherà. " + NO_DIAGNOSI,
            label_en="Presumed category",
            help_en="The disadvantage category the referral assumes (the assessment checks it); no diagnosis",
            # Most codes are health or disability categories; some are judicial (DT-1 rows 7-8).
            data_class="C23",
        ),
    )
    urgenza = fields.String(
        required=True,
        validate=scelta(URGENZE),
        metadata=meta("Urgenza", label_en="Urgency"),
    )
    beneficiario_adi = fields.Boolean(
        load_default=False,
        metadata=meta("Beneficiario ADI/SFL", "DL 48/2023: scadenze di legge", label_en="ADI/SFL"),
    )
    note_invio = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata=meta("Note sull'invio", NO_DIAGNOSI, label_en="Notes"),
    )
    situazione_did_psp = fields.String(
        load_default="DA_REGISTRARE",
        validate=scelta(SITUAZIONI_DID_PSP),
        metadata=meta(
            "DID e Patto di servizio personalizzato",
            "Il Centro per l'Impiego interviene solo se la persona non ha ancora il Patto ed è pronta al lavoro",
            label_en="DID and personalised service pact",
        ),
    )
    riferimento_psp_esistente = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata=meta(
            "Riferimento del Patto di servizio già sottoscritto",
            "Numero o protocollo (Centro per l'Impiego o SIISL)",
            label_en="Existing service pact reference",
        ),
    )
    data_psp_esistente = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=meta("Data del Patto di servizio già sottoscritto", label_en="Existing service pact date"),
    )

    @validates_schema
    def check_inviante(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["situazione_did_psp"] == "PSP_ATTIVO":
            if not data.get("riferimento_psp_esistente"):
                errors["riferimento_psp_esistente"] = ["Indicare il riferimento del Patto di servizio."]
            if data.get("data_psp_esistente") is None:
                errors["data_psp_esistente"] = ["Indicare la data del Patto di servizio."]
            elif data["data_psp_esistente"] > data["data_segnalazione"]:
                errors["data_psp_esistente"] = ["Il Patto già sottoscritto non può seguire la segnalazione."]
        if data["servizio_inviante"] != "AUTOSEGNALAZIONE" and not data.get("referente_inviante"):
            errors["referente_inviante"] = ["Indicare il referente del servizio inviante."]
        if data["motivo_invio"] == "ALTRO" and not data.get("note_invio"):
            errors["note_invio"] = ["Con motivo «Altro» descrivere brevemente il motivo."]
        segnala(errors)


@form(
    "f2_informativa_consensi",
    title="Informativa privacy e consensi",
    title_en="Privacy notice and consents",
    data_class="C4",
)
class InformativaConsensiForm(FormSchema):
    tipo_informativa = fields.String(
        required=True,
        validate=scelta(
            [
                ("ART13", "Art. 13 GDPR (dati raccolti presso l'interessato)"),
                ("ART14", "Art. 14 GDPR (dati ricevuti da terzi)"),
            ],
        ),
        metadata=meta("Informativa", label_en="Privacy notice"),
    )
    versione_informativa = fields.String(
        required=True,
        validate=non_vuoto(50),
        metadata=meta("Versione dell'informativa", label_en="Notice version"),
    )
    data_consegna = fields.Date(required=True, metadata=meta("Data di consegna", label_en="Delivered on"))
    firmatario = fields.String(
        required=True,
        validate=scelta(
            [
                ("INTERESSATO", "Interessato"),
                ("TUTORE", "Tutore"),
                ("AMMINISTRATORE_SOSTEGNO", "Amministratore di sostegno"),
            ],
        ),
        metadata=meta("Firmatario", label_en="Signed by"),
    )
    condivisione_ospite_privato = fields.Boolean(
        required=True,
        metadata=meta(
            "Condivisione prevista con un ospitante privato",
            "Es. impresa ospitante del tirocinio: serve il consenso",
            label_en="Sharing with a private host planned",
        ),
    )
    consenso_condivisione_ospite = fields.Boolean(
        load_default=False,
        metadata=meta(
            "Consenso alla condivisione con l'ospitante",
            "Solo limitazioni rilevanti per il lavoro, mai diagnosi o reati",
            label_en="Consent to sharing with the host",
        ),
    )
    consenso_follow_up = fields.Boolean(
        load_default=False,
        metadata=meta("Consenso al ricontatto per il follow-up", label_en="Follow-up consent"),
    )

    @validates_schema
    def check_consensi(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Consent is the basis only for the private host (docs/domain.md, "Data classes"); it is never a precondition.
        if data["condivisione_ospite_privato"] and not data["consenso_condivisione_ospite"]:
            segnala(
                {"consenso_condivisione_ospite": ["La condivisione con un ospitante privato richiede il consenso."]}
            )


@form("f2_verifica_documenti", title="Verifica della documentazione", title_en="Document check", data_class="C4")
class VerificaDocumentiForm(FormSchema):
    data_verifica = fields.Date(required=True, metadata=meta("Data della verifica", label_en="Date"))
    documentazione_completa = fields.Boolean(
        required=True, metadata=meta("Documentazione completa", label_en="Documents complete")
    )
    documenti_mancanti = fields.List(
        fields.String(validate=validate.Length(min=2, max=200)),
        load_default=list,
        metadata=meta("Documenti mancanti", label_en="Missing documents"),
    )
    certificazione_sanitaria_necessaria = fields.Boolean(
        required=True,
        metadata=meta(
            "Serve la certificazione dei servizi sanitari",
            "Categoria presunta di competenza ASL (invalidità, DSM, SerD)",
            label_en="Health-service certification needed",
            data_class=C2,
        ),
    )
    attestazione_giustizia_necessaria = fields.Boolean(
        required=True,
        metadata=meta(
            "Serve l'attestazione UEPE / istituto",
            "Detenuti, internati, misure alternative, fine pena",
            label_en="Justice-service attestation needed",
            data_class=C3,
        ),
    )

    @validates_schema
    def check_mancanti(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not data["documentazione_completa"] and not data["documenti_mancanti"]:
            errors["documenti_mancanti"] = ["Elencare i documenti mancanti."]
        if data["documentazione_completa"] and data["documenti_mancanti"]:
            errors["documenti_mancanti"] = ["Con documentazione completa non ci sono documenti mancanti."]
        segnala(errors)


@form(
    "f2_richiesta_integrazione",
    title="Richiesta di integrazione documenti",
    title_en="Request for missing documents",
    data_class="C4",
    shows=("documenti_mancanti",),
)
class RichiestaIntegrazioneForm(FormSchema):
    data_richiesta = fields.Date(required=True, metadata=meta("Data della richiesta", label_en="Date"))
    canale_richiesta = fields.String(
        required=True,
        validate=scelta(CANALI),
        metadata=meta("Canale", label_en="Channel"),
    )
    documenti_richiesti = fields.List(
        fields.String(validate=validate.Length(min=2, max=200)),
        required=True,
        validate=validate.Length(min=1, error="Indicare almeno {min} documento."),
        metadata=meta("Documenti richiesti", label_en="Requested documents"),
    )


@form(
    "f2_ricezione_integrazione",
    title="Ricezione dell'integrazione documenti",
    title_en="Missing documents received",
    data_class="C4",
    shows=("documenti_mancanti",),
)
class RicezioneIntegrazioneForm(FormSchema):
    data_ricezione = fields.Date(required=True, metadata=meta("Data di ricezione", label_en="Date"))
    documenti_ricevuti = fields.List(
        fields.String(validate=validate.Length(min=2, max=200)),
        required=True,
        validate=validate.Length(min=1, error="Indicare almeno {min} documento."),
        metadata=meta("Documenti ricevuti", label_en="Documents received"),
    )
    documentazione_ora_completa = fields.Boolean(
        required=True,
        metadata=meta(
            "La documentazione è ora completa",
            "Se manca ancora qualcosa, lasciare aperta l'attività fino alla scadenza",
            label_en="Documents now complete",
        ),
    )

    @validates_schema
    def check_completa(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Completing this task means "documents arrived in time"; partial deliveries keep waiting.
        if not data["documentazione_ora_completa"]:
            segnala({"documentazione_ora_completa": ["Registrare la ricezione solo a documentazione completa."]})


@form("f2_archiviazione", title="Archiviazione della segnalazione", title_en="Referral archived", data_class="C4")
class ArchiviazioneForm(FormSchema):
    data_archiviazione = fields.Date(required=True, metadata=meta("Data", label_en="Date"))
    notifica_inviante = fields.Boolean(
        required=True, metadata=meta("Notifica al servizio inviante", label_en="Sender notified")
    )
    data_notifica = fields.Date(load_default=None, metadata=meta("Data della notifica", label_en="Notified on"))

    @validates_schema
    def check_notifica(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["notifica_inviante"] and data.get("data_notifica") is None:
            segnala({"data_notifica": ["Indicare la data della notifica."]})


# --- the four parallel assessment branches -------------------------------------------------


@form("f2_analisi_preliminare", title="Analisi preliminare", title_en="Preliminary assessment", data_class="C4")
class AnalisiPreliminareForm(FormSchema):
    # the age (``eta``, completed years on the day the task is completed) that the decision
    # tables read: from the birth date in the person record, never typed here
    from_person = ("data_nascita",)
    derived = ("eta",)
    person_required = ("data_nascita",)

    data_analisi = fields.Date(required=True, metadata=meta("Data dell'analisi", label_en="Date"))
    minore_in_difficolta_familiare = flag(
        "Minore in età lavorativa in situazione di difficoltà familiare",
        "L. 381/1991 art. 4: con relazione del servizio sociale",
        "Working-age minor in family difficulty",
    )
    vive_solo_con_persone_a_carico = flag(
        "Adulto che vive solo con una o più persone a carico",
        "Reg. UE 651/2014 art. 2 n. 4 lett. e",
        "Adult living alone with dependants",
    )
    genere_sottorappresentato_settore = flag(
        "Genere sottorappresentato nel settore/professione",
        "Reg. UE 651/2014 art. 2 n. 4 lett. f (decreto annuale sulle disparità)",
        "Under-represented gender in the sector",
    )
    minoranza_etnica_ue = flag(
        "Minoranza etnica di uno Stato UE con bisogno di formazione/esperienza",
        "Reg. UE 651/2014 art. 2 n. 4 lett. g",
        "EU ethnic minority needing training",
    )
    protezione_internazionale = flag(
        "Titolare di protezione internazionale",
        "D.Lgs. 251/2007",
        "International protection holder",
    )
    senza_dimora_iscritto = flag(
        "Senza dimora iscritto nel registro (L. 1228/1954 art. 2)",
        "In povertà tale da non poter reperire o mantenere un'abitazione",
        "Registered homeless person",
    )
    categoria_art18_l68 = flag(
        "Categoria protetta art. 18 c.2 L. 68/1999",
        "Orfani e coniugi superstiti di caduti sul lavoro/guerra/servizio, vittime del terrorismo "
        "e della criminalità organizzata",
        "Protected category L. 68/1999 art. 18",
    )
    in_carico_servizi = flag(
        "In carico al servizio sociale professionale o ai servizi sanitari",
        "Presupposto del tirocinio di inclusione (TIS)",
        "Followed by social/health services",
    )
    dimensioni_critiche = fields.List(
        fields.String(validate=scelta(DIMENSIONI)),
        load_default=list,
        metadata=meta(
            "Dimensioni critiche",
            "Lavoro, salute (solo limitazioni), casa…",
            label_en="Critical areas",
            data_class="C23",
        ),
    )
    orientamento_percorso = fields.String(
        required=True,
        validate=scelta(ORIENTAMENTI),
        metadata=meta("Percorso indicato", label_en="Suggested track"),
    )
    autonomia_lavorativa = fields.String(
        required=True,
        validate=scelta(AUTONOMIE),
        metadata=meta("Autonomia lavorativa", label_en="Work autonomy"),
    )
    caso_complesso = fields.Boolean(
        required=True,
        metadata=meta(
            "Bisogni complessi: serve il quadro di analisi dell'équipe",
            label_en="Complex needs: team assessment needed",
        ),
    )
    punti_di_forza = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=meta("Risorse e punti di forza", NO_DIAGNOSI, label_en="Strengths"),
    )

    @validates_schema
    def check_coerenza(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["orientamento_percorso"] == "INCLUSIONE" and not data["in_carico_servizi"]:
            errors["orientamento_percorso"] = [
                "Il percorso di inclusione (TIS) richiede la presa in carico dei servizi."
            ]
        segnala(errors)

    @classmethod
    def person_messages(
        cls, data: dict[str, Any], nascita: dt.date | None, facts: dict[str, Any]
    ) -> dict[str, list[str]]:
        """The minor's flag needs the age the engine derived from the person record."""
        eta = facts.get("eta")
        if data.get("minore_in_difficolta_familiare") and isinstance(eta, int) and eta >= MAGGIORE_ETA:
            return {
                "minore_in_difficolta_familiare": [
                    f"Applicabile solo a minori di {MAGGIORE_ETA} anni: secondo la data di nascita della "
                    f"scheda anagrafica la persona ne ha {eta}."
                ]
            }
        return {}


@form(
    "f2_did_psp",
    title="DID, profilazione e Patto di servizio personalizzato",
    title_en="Job-centre registration, profiling and service pact",
    data_class="C4",
)
class DidPspForm(FormSchema):
    data_did = fields.Date(
        required=True,
        metadata=meta("Data della DID", "D.Lgs. 150/2015 art. 19", label_en="DID date"),
    )
    # DM Lavoro 17/10/2017: "privo di impiego regolarmente retribuito" da 6, 12 o 24 mesi = nel
    # periodo nessun contratto di lavoro subordinato di almeno 6 mesi, né lavoro autonomo con un
    # reddito sopra la no tax area. Three facts and the self-employment answer, not one number.
    contratto_6m_ultimi_6_mesi = fields.Boolean(
        required=True,
        metadata=meta(
            "Negli ultimi 6 mesi ha avuto un contratto di lavoro subordinato di almeno 6 mesi",
            "DM 17/10/2017",
            label_en="Employment contract of 6+ months in the last 6 months",
        ),
    )
    contratto_6m_ultimi_12_mesi = fields.Boolean(
        required=True,
        metadata=meta(
            "Negli ultimi 12 mesi ha avuto un contratto di lavoro subordinato di almeno 6 mesi",
            "DM 17/10/2017",
            label_en="Employment contract of 6+ months in the last 12 months",
        ),
    )
    contratto_6m_ultimi_24_mesi = fields.Boolean(
        required=True,
        metadata=meta(
            "Negli ultimi 24 mesi ha avuto un contratto di lavoro subordinato di almeno 6 mesi",
            "DM 17/10/2017",
            label_en="Employment contract of 6+ months in the last 24 months",
        ),
    )
    lavoro_autonomo = fields.String(
        load_default="NESSUNO",
        validate=scelta(LAVORO_AUTONOMO),
        metadata=meta(
            "Lavoro autonomo negli ultimi 24 mesi",
            "Il lavoro autonomo con reddito sotto la no tax area non interrompe lo stato di disoccupazione.",
            label_en="Self-employment in the last 24 months",
        ),
    )
    titolo_isced3 = fields.Boolean(
        required=True,
        metadata=meta(
            "Diploma di scuola secondaria superiore o qualifica professionale (ISCED 3)",
            label_en="Upper-secondary / vocational qualification",
        ),
    )
    fine_studi_senza_primo_impiego = flag(
        "Studi a tempo pieno conclusi da non più di 2 anni, senza primo impiego regolare",
        "Reg. UE 651/2014 art. 2 n. 4 lett. c",
        "Left full-time education ≤ 2 years ago, no first regular job",
    )
    iscritto_collocamento_mirato = flag(
        "Iscritto all'elenco del collocamento mirato come persona con disabilità (L. 68/1999 art. 1)",
        "Non le categorie protette dell'art. 18 c.2 (orfani, coniugi superstiti, vittime): vanno indicate "
        "nell'analisi preliminare.",
        "On the targeted-placement list as a person with disabilities (art. 1)",
        data_class=C2,  # the L. 68 list is for persons with disabilities
    )
    classe_profilazione = fields.String(
        required=True,
        validate=scelta(CLASSI_PROFILAZIONE),
        metadata=meta("Classe di profilazione", label_en="Profiling class"),
    )
    psp_sottoscritto = fields.Boolean(
        required=True,
        metadata=meta("Patto di servizio sottoscritto", label_en="Service pact signed"),
    )
    data_psp = fields.Date(load_default=None, metadata=meta("Data del Patto di servizio", label_en="Pact date"))
    operatore_responsabile = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Operatore CPI responsabile", label_en="Responsible officer"),
    )

    @validates_schema
    def check_psp(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        # A contract in a shorter window lies in every longer one too.
        if data["contratto_6m_ultimi_6_mesi"] and not data["contratto_6m_ultimi_12_mesi"]:
            errors["contratto_6m_ultimi_12_mesi"] = ["Un contratto degli ultimi 6 mesi rientra anche negli ultimi 12."]
        if data["contratto_6m_ultimi_12_mesi"] and not data["contratto_6m_ultimi_24_mesi"]:
            errors["contratto_6m_ultimi_24_mesi"] = ["Un contratto degli ultimi 12 mesi rientra anche negli ultimi 24."]
        if data["psp_sottoscritto"] and data.get("data_psp") is None:
            errors["data_psp"] = ["Indicare la data del Patto di servizio."]
        elif data.get("data_psp") is not None and data["data_psp"] < data["data_did"]:
            errors["data_psp"] = ["Il Patto di servizio non può precedere la DID."]
        segnala(errors)


@form(
    "f2_certificazione_sanitaria",
    title="Certificazione dei servizi sanitari",
    title_en="Health-service certification",
    description="Solo categoria ed estremi dei documenti (GDPR art. 9, minimizzazione).",
    data_class="C4",
)
class CertificazioneSanitariaForm(FormSchema):
    invalidita_civile_perc = percentuale(
        "Invalidità civile riconosciuta (%)",
        "Dal verbale della commissione medica; 0 se assente",
        "Civil invalidity (%)",
        data_class=C2,
    )
    assegno_ordinario_invalidita = flag(
        "Titolare di assegno ordinario di invalidità INPS",
        "L. 68/1999 art. 1 c.1 lett. a",
        "INPS disability allowance",
        data_class=C2,
    )
    invalidita_inail_perc = percentuale(
        "Invalidità da lavoro INAIL (%)",
        "Infortunio o malattia professionale; 0 se assente",
        "Work invalidity (%)",
        data_class=C2,
    )
    cieco_o_sordo = flag("Persona non vedente o sorda", "L. 68/1999 art. 1 c.1 lett. c", "Blind or deaf", data_class=C2)
    invalido_guerra_servizio = flag(
        "Invalido di guerra, civile di guerra o per servizio (cat. I-VIII)",
        "L. 68/1999 art. 1 c.1 lett. d",
        "War or service invalid",
        data_class=C2,
    )
    ex_degente_psichiatrico = flag(
        "Ex degente di ospedale psichiatrico, anche giudiziario (OPG/REMS)",
        "L. 381/1991 art. 4",
        "Former psychiatric in-patient",
        data_class=C2,
    )
    in_carico_dsm = flag("In trattamento presso il DSM/CSM", "L. 381/1991 art. 4", "In psychiatric care", data_class=C2)
    programma_serd_dipendenze = flag(
        "In programma terapeutico SerD per dipendenza",
        "L. 381/1991 art. 4",
        "In an addiction programme",
        data_class=C2,
    )
    programma_alcologia = flag(
        "In programma presso il servizio di alcologia",
        "L. 381/1991 art. 4",
        "In an alcohol programme",
        data_class=C2,
    )
    disabilita_riconosciuta = flag(
        "Disabilità riconosciuta dalla normativa nazionale",
        "Reg. UE 651/2014 art. 2 n. 3",
        "Disability recognised by national law",
        data_class=C2,
    )
    compatibilita_sanitaria = fields.String(
        required=True,
        validate=scelta(COMPATIBILITA),
        metadata=meta(
            "Compatibilità attuale con un percorso lavorativo",
            "Solo l'esito, senza motivi clinici",
            label_en="Current compatibility with work",
            data_class=C2,
        ),
    )
    evidenze_sanitarie = evidenze("Evidenze documentali", "Evidence", data_class=C2)

    @validates_schema
    def check_evidenze(self, data: dict[str, Any], **kwargs: Any) -> None:
        # A percentage without its verbale cannot be used for L. 68 or L. 381 (art. 4 c.2).
        tipi = {e["tipo_evidenza"] for e in data.get("evidenze_sanitarie", [])}
        errors: dict[str, list[str]] = {}
        if data["invalidita_civile_perc"] > 0 and "VERBALE_INVALIDITA_CIVILE" not in tipi:
            errors["invalidita_civile_perc"] = ["Allegare gli estremi del verbale di invalidità civile."]
        if data["invalidita_inail_perc"] > 0 and "VERBALE_INAIL" not in tipi:
            errors["invalidita_inail_perc"] = ["Allegare gli estremi del verbale INAIL."]
        segnala(errors)


@form(
    "f2_attestazione_giustizia",
    title="Attestazione UEPE / istituto penitenziario",
    title_en="Justice-service attestation",
    description="Solo categoria ed estremi dei provvedimenti, mai il reato (GDPR art. 10).",
    data_class="C4",
)
class AttestazioneGiustiziaForm(FormSchema):
    detenuto_internato = flag(
        "Detenuto o internato in istituto penitenziario",
        "Anche ammesso al lavoro esterno (art. 21 L. 354/1975)",
        "Detained or interned",
        data_class=C3,
    )
    misura_alternativa = flag(
        "Ammesso a misura alternativa alla detenzione",
        "Affidamento in prova, detenzione domiciliare, semilibertà",
        "Alternative measure",
        data_class=C3,
    )
    ex_detenuto = flag(
        "Ex detenuto (pena conclusa)",
        "Per la finestra di sgravi di 18/24 mesi (L. 193/2000)",
        "Former detainee",
        data_class=C3,
    )
    data_fine_pena = fields.Date(
        load_default=None, metadata=meta("Data di fine pena", label_en="End of sentence", data_class=C3)
    )
    semiliberta_lavoro_esterno = flag(
        "Durante la pena ha avuto semilibertà o lavoro esterno",
        "Gli sgravi dopo la fine pena durano 18 mesi in questo caso, altrimenti 24 (L. 193/2000).",
        "Semi-liberty or external work during the sentence",
        data_class=C3,
    )
    compatibilita_giustizia = fields.String(
        required=True,
        validate=scelta(COMPATIBILITA),
        metadata=meta(
            "Compatibilità delle prescrizioni con un percorso lavorativo",
            label_en="Compatibility of the prescriptions with work",
            data_class=C3,
        ),
    )
    evidenze_giustizia = evidenze("Evidenze documentali", "Evidence", data_class=C3)

    @validates_schema
    def check_posizione(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["ex_detenuto"] and data.get("data_fine_pena") is None:
            errors["data_fine_pena"] = ["Per un ex detenuto indicare la data di fine pena."]
        if data["ex_detenuto"] and (data["detenuto_internato"] or data["misura_alternativa"]):
            errors["ex_detenuto"] = ["Una persona ancora in esecuzione pena non è ex detenuta."]
        if data["semiliberta_lavoro_esterno"] and not data["ex_detenuto"]:
            errors["semiliberta_lavoro_esterno"] = ["Indicarlo solo per un ex detenuto (pena conclusa)."]
        segnala(errors)


# Every field the four parallel branches write; the re-assessment loop deletes them before the
# branches run again, otherwise the parallel join would keep a stale value of the branch that
# arrives last (docs/spiffworkflow.md §12, "last completed branch wins").
CAMPI_RAMI_VALUTAZIONE: tuple[str, ...] = tuple(
    name
    for schema in (
        AnalisiPreliminareForm,
        DidPspForm,
        CertificazioneSanitariaForm,
        AttestazioneGiustiziaForm,
    )
    # with the facts the engine adds to the answer (the age from the person record)
    for name in (*schema().fields, *schema.derived)
)


# --- after the parallel branches -----------------------------------------------------------


@form(
    "f2_quadro_approfondito",
    title="Quadro di analisi approfondito (équipe multidisciplinare)",
    title_en="In-depth assessment (multidisciplinary team)",
    data_class="C4",
)
class QuadroApprofonditoForm(FormSchema):
    data_verbale_em = fields.Date(required=True, metadata=meta("Data del verbale EM", label_en="Minutes date"))
    numero_verbale_em = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero del verbale EM", label_en="Minutes no."),
    )
    componenti_em = fields.List(
        fields.String(validate=scelta(COMPONENTI_EM)),
        required=True,
        validate=validate.Length(min=2, error="L'équipe ha almeno {min} componenti."),
        metadata=meta("Componenti presenti", label_en="Members present"),
    )
    orientamento_percorso = fields.String(
        required=True,
        validate=scelta(ORIENTAMENTI),
        metadata=meta(
            "Percorso indicato dall'équipe",
            "Sostituisce quello dell'analisi preliminare",
            label_en="Track chosen by the team",
        ),
    )
    autonomia_lavorativa = fields.String(
        required=True,
        validate=scelta(AUTONOMIE),
        metadata=meta("Autonomia lavorativa", label_en="Work autonomy"),
    )
    prossimo_passo = fields.String(
        required=True,
        validate=validate.Length(min=5, max=2000),
        metadata=meta("Prossimo passo", NO_DIAGNOSI, label_en="Next step"),
    )
    data_revisione = fields.Date(required=True, metadata=meta("Data di revisione", label_en="Review date"))

    @validates_schema
    def check_verbale(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if "assistente_sociale" not in data["componenti_em"]:
            errors["componenti_em"] = ["L'assistente sociale case manager fa sempre parte dell'équipe."]
        if data["data_revisione"] <= data["data_verbale_em"]:
            errors["data_revisione"] = ["La revisione deve seguire la data del verbale."]
        segnala(errors)


@form(
    "f2_conferma_esito",
    title="Conferma dell'esito di valutazione",
    title_en="Confirmation of the assessment outcome",
    description="La proposta delle tabelle decisionali va confermata o modificata da un operatore (GDPR art. 22).",
    data_class="C4",
    decide_on=(
        "esito_proposto",
        "motivazione_proposta",
        "requisiti_accertati",
        "categorie_svantaggio",
        "ha_requisiti",
    ),
)
class ConfermaEsitoForm(FormSchema):
    decisione_operatore = fields.String(
        required=True,
        validate=scelta([("CONFERMA", "Confermo la proposta"), ("MODIFICA", "Modifico la proposta")]),
        metadata=meta("Decisione sulla proposta", label_en="Decision on the proposal"),
    )
    esito_modificato = fields.String(
        load_default=None,
        validate=scelta(ESITI_VALUTAZIONE),
        metadata=meta("Esito deciso dall'operatore", label_en="Outcome chosen by the officer"),
    )
    motivazione_modifica = fields.String(
        load_default=None,
        validate=validate.Length(max=4000),
        metadata=meta("Motivazione della modifica", label_en="Reasons for the change"),
    )
    data_conferma = fields.Date(required=True, metadata=meta("Data", label_en="Date"))

    @validates_schema
    def check_modifica(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["decisione_operatore"] == "MODIFICA":
            if not data.get("esito_modificato"):
                errors["esito_modificato"] = ["Indicare l'esito che sostituisce la proposta."]
            if len((data.get("motivazione_modifica") or "").strip()) < 20:
                errors["motivazione_modifica"] = ["Motivare la modifica della proposta (almeno 20 caratteri)."]
        elif data.get("esito_modificato"):
            errors["esito_modificato"] = ["Confermando la proposta non si indica un altro esito."]
        segnala(errors)


@form(
    "f2_comunicazione_esito",
    title="Comunicazione dell'esito",
    title_en="Outcome communicated",
    data_class="C4",
    shows=(
        "esito",
        "motivazione_proposta",
        "motivazione_modifica",
        "categorie_ammissione",
    ),
)
class ComunicazioneEsitoForm(FormSchema):
    protocollo_scheda_valutazione = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Protocollo della scheda di valutazione multidimensionale", label_en="Protocol no."),
    )
    data_comunicazione_beneficiario = fields.Date(
        required=True,
        metadata=meta("Comunicato al beneficiario il", label_en="Told the beneficiary on"),
    )
    data_comunicazione_inviante = fields.Date(
        load_default=None,
        metadata=meta("Comunicato al servizio inviante il", label_en="Told the sender on"),
    )
    canale_comunicazione = fields.String(
        required=True,
        validate=scelta(CANALI),
        metadata=meta("Canale", label_en="Channel"),
    )


@form(
    "f2_non_pronto",
    title="Invio ai servizi e programmazione della rivalutazione",
    title_en="Referral and planned re-assessment",
    data_class="C4",
    decide_on=(
        "esito",
        "motivazione_proposta",
    ),
)
class NonProntoForm(FormSchema):
    motivo_non_pronto = fields.String(
        required=True,
        validate=scelta(MOTIVI_NON_PRONTO),
        # VINCOLI_SANITARI / VINCOLI_GIUSTIZIA reveal a health or judicial constraint.
        metadata=meta("Motivo", "Solo la categoria del vincolo. " + NO_DIAGNOSI, label_en="Reason", data_class="C23"),
    )
    servizio_di_riferimento = fields.String(
        required=True,
        validate=scelta(SERVIZI_DESTINATARI),
        metadata=meta(
            "Servizio che accompagna nel frattempo", label_en="Service in charge meanwhile", data_class="C23"
        ),
    )
    data_invio = fields.Date(required=True, metadata=meta("Data dell'invio", label_en="Referral date"))
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=1000),
        metadata=meta("Note", NO_DIAGNOSI, label_en="Notes"),
    )

    @validates_schema
    def check_note(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["motivo_non_pronto"] == "ALTRO" and not data.get("note"):
            segnala({"note": ["Con motivo «Altro» descrivere brevemente il motivo."]})


@form(
    "f2_invio_altri_servizi",
    title="Chiusura con invio ad altri servizi",
    title_en="Closure with referral to other services",
    data_class="C4",
    decide_on=(
        "esito",
        "motivazione_proposta",
        "motivazione_modifica",
    ),
)
class InvioAltriServiziForm(FormSchema):
    servizio_destinatario = fields.String(
        required=True,
        validate=scelta(SERVIZI_DESTINATARI),
        metadata=meta("Servizio destinatario", label_en="Service referred to", data_class="C23"),
    )
    data_invio = fields.Date(required=True, metadata=meta("Data dell'invio", label_en="Referral date"))
    comunicazione_motivata = fields.Boolean(
        required=True,
        metadata=meta(
            "Comunicazione motivata inviata all'interessato",
            label_en="Reasoned notice sent to the person",
        ),
    )
    data_comunicazione = fields.Date(
        load_default=None, metadata=meta("Data della comunicazione", label_en="Notice date")
    )

    @validates_schema
    def check_comunicazione(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not data["comunicazione_motivata"]:
            errors["comunicazione_motivata"] = ["La chiusura richiede una comunicazione motivata."]
        elif data.get("data_comunicazione") is None:
            errors["data_comunicazione"] = ["Indicare la data della comunicazione."]
        segnala(errors)


# --- escalations: the coordinator's reminders on late work (non-interrupting timers) -------------

AZIONI_SOLLECITO = [
    ("SOLLECITO_INVIATO", "Sollecito inviato all'operatore"),
    ("ATTIVITA_RIASSEGNATA", "Attività riassegnata ad altro operatore"),
    ("RITARDO_GIUSTIFICATO", "Ritardo giustificato"),
]


def sollecito(key: str, suffix: str, title: str, title_en: str, description: str) -> type[FormSchema]:
    """A coordinator's reminder on late work (a non-interrupting timer's task): the action taken,
    its date and notes, named after the deadline (``azione_sollecito_<suffix>``…) so that reminders
    of different deadlines never overwrite each other in the case data."""
    azione, data, note = f"azione_sollecito_{suffix}", f"data_sollecito_{suffix}", f"note_sollecito_{suffix}"

    @validates_schema
    def check_giustificazione(self: FormSchema, values: dict[str, Any], **kwargs: Any) -> None:
        if values[azione] == "RITARDO_GIUSTIFICATO" and not values.get(note):
            segnala({note: ["Indicare perché il ritardo è giustificato."]})

    attributes: dict[str, Any] = {
        azione: fields.String(
            required=True,
            validate=scelta(AZIONI_SOLLECITO),
            metadata=meta("Azione del coordinatore", label_en="Coordinator's action"),
        ),
        data: fields.Date(required=True, metadata=meta("Data del sollecito", label_en="Reminder date")),
        note: fields.String(
            load_default=None,
            validate=validate.Length(max=1000),
            metadata=meta("Note", NO_DIAGNOSI, label_en="Notes"),
        ),
        "check_giustificazione": check_giustificazione,
    }
    schema = type(f"Sollecito_{suffix}", (FormSchema,), attributes)
    return form(key, title=title, title_en=title_en, description=description, data_class="C4")(schema)


sollecito(
    "f2_sollecito_esito",
    "esito",
    "Sollecito: esito della valutazione in ritardo",
    "Reminder: assessment outcome overdue",
    "Sono passati, dalla segnalazione, i giorni per l'esito concordati nell'accordo di partenariato (o previsti "
    "dal programma) e la valutazione non è conclusa: il coordinatore sollecita chi ha l'attività aperta e "
    "registra l'azione.",
)
sollecito(
    "f2_sollecito_presa_in_carico",
    "presa_in_carico",
    "Sollecito: presa in carico in ritardo",
    "Reminder: referral not yet taken in charge",
    "Sono passati i giorni di presa in carico concordati nell'accordo di partenariato (o previsti dal programma) "
    "e la scheda di segnalazione non è ancora registrata: il coordinatore sollecita e registra l'azione.",
)


# --- ADI/SFL legal deadlines (DL 48/2023 and DM 154/2023) ---------------------------------------


@form(
    "f2_appuntamento_adi",
    title="Appuntamento ADI/SFL con i servizi sociali",
    title_en="ADI/SFL appointment with the social services",
    description=(
        "La persona riceve l'Assegno di inclusione o il Supporto per la formazione e il lavoro: il primo "
        "appuntamento con i servizi sociali è dovuto entro 120 giorni dalla segnalazione, poi un aggiornamento "
        "ogni 90 giorni. Registrare la data e i riferimenti del patto per l'inclusione (PaIS) e del patto di "
        "servizio personalizzato (PSP) già in essere."
    ),
    data_class="C1",
)
class AppuntamentoAdiForm(FormSchema):
    data_appuntamento_adi = fields.Date(
        required=True, metadata=meta("Data dell'appuntamento", label_en="Appointment date")
    )
    riferimento_pais_adi = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata=meta(
            "Riferimento del PaIS",
            "Numero o protocollo del patto per l'inclusione sociale",
            label_en="PaIS reference",
            help_en="Number or protocol of the social inclusion pact",
        ),
    )
    riferimento_psp_adi = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata=meta(
            "Riferimento del PSP",
            "Patto di servizio personalizzato sottoscritto al Centro per l'Impiego o su SIISL",
            label_en="PSP reference",
            help_en="Personalised service pact signed at the job centre or on SIISL",
        ),
    )
    note_appuntamento_adi = fields.String(
        load_default=None,
        validate=validate.Length(max=1000),
        metadata=meta("Note", NO_DIAGNOSI, label_en="Notes"),
    )


sollecito(
    "f2_sollecito_adi",
    "adi",
    "Sollecito: primo appuntamento ADI/SFL scaduto",
    "Reminder: first ADI/SFL appointment overdue",
    "Sono passati 120 giorni dalla segnalazione di una persona che riceve ADI/SFL e il primo appuntamento con i "
    "servizi sociali non è registrato: il coordinatore sollecita l'assistente sociale e registra l'azione.",
)
sollecito(
    "f2_sollecito_aggiornamento_adi",
    "aggiornamento_adi",
    "Sollecito: aggiornamento ADI/SFL scaduto",
    "Reminder: ADI/SFL update overdue",
    "Sono passati 90 giorni dall'ultimo appuntamento di una persona che riceve ADI/SFL e l'aggiornamento con i "
    "servizi sociali non è registrato: il coordinatore sollecita l'assistente sociale e registra l'azione.",
)
