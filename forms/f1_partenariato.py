"""Forms of phase F1 "Accordo di partenariato" (one case per territory; docs/domain.md, phase F1).

Each schema is the form of one user task of ``processes/accordo_partenariato.bpmn``: territory
mapping, institutional contacts, co-programming table, draft agreement, each partner's answer
(one sub-process per partner: the answer, or after its deadline the coordinator's reminder and
the outcome, becomes the item ``risposta_partner``), the steering committee's decision on an
essential partner's refusal, each adhering partner's internal approval (act, date, who signs;
multi-instance with a reminder), signature and set-up of the committee.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import minimo, non_vuoto, scelta, segnala

# --- shared vocabularies -------------------------------------------------------------------

TIPI_ENTE = [
    ("COMUNE_ATS", "Comune / Ambito territoriale sociale"),
    ("CPI", "Centro per l'Impiego (Regione)"),
    ("ASL", "ASL (DSM, SerD)"),
    ("UEPE", "UEPE / amministrazione penitenziaria"),
    ("ETS", "Ente del Terzo settore / cooperativa sociale"),
    ("ASSOCIAZIONE_DATORIALE", "Associazione datoriale"),
    ("IMPRESA_MENTOR", "Impresa mentor"),
    ("ALTRO", "Altro"),
]
# docs/domain.md, phase F1: social services and the job centre cannot be missing from a territory.
TIPI_ENTE_SEMPRE_ESSENZIALI = {"COMUNE_ATS", "CPI"}

STRUMENTI = [
    ("PROTOCOLLO_INTESA", "Protocollo d'intesa"),
    ("ACCORDO_TRA_PA", "Accordo tra PA (L. 241/1990 art. 15)"),
    ("CONVENZIONE_CTS", "Co-progettazione e convenzione (D.Lgs. 117/2017 art. 55)"),
    ("MANDATO_ATS_ATI", "ATS/ATI con mandato al capofila"),
    ("CONVENZIONE_381_68", "Convenzione art. 5 L. 381/1991 o L. 68/1999"),
]
CANALI_INVIO = [
    ("PIATTAFORMA", "Piattaforma del programma"),
    ("PEC", "PEC"),
    ("EMAIL", "Email"),
]

ESITI_ADESIONE = [
    ("ADERISCE", "Aderisce"),
    ("CHIEDE_MODIFICHE", "Chiede modifiche"),
    ("RIFIUTA", "Rifiuta"),
]
DECISIONI_CABINA = [
    ("SOSTITUISCI", "Sostituire l'ente"),
    ("INTERROMPI_TERRITORIO", "Interrompere il territorio"),
]

CODICE_ENTE = validate.Regexp(r"^[A-Z0-9_]{2,30}$", error="Codice non valido: lettere maiuscole, cifre e _ (2-30).")


# --- nested items --------------------------------------------------------------------------


class PartnerSchema(FormSchema):
    """One institution of the territorial partnership (an item of the ``partner`` list)."""

    codice = fields.String(
        required=True,
        validate=CODICE_ENTE,
        # picked from the registry of organisations once the territory keeps one (engine.forms.registry_codes)
        metadata=meta(
            "Codice ente",
            "Il codice dell'organizzazione nel registro della rete, es. ATS_ANCONA",
            label_en="Code",
            help_en="The organisation's code in the network registry",
            registry="organisation",
        ),
    )
    nome = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Denominazione", label_en="Name"),
    )
    tipo_ente = fields.String(
        required=True,
        validate=scelta(TIPI_ENTE),
        metadata=meta("Tipo di ente", label_en="Type of institution"),
    )
    essenziale = fields.Boolean(
        required=True,
        metadata=meta(
            "Partner essenziale",
            "Senza questo ente il partenariato non può partire (es. servizi sociali, CPI)",
            label_en="Essential partner",
            help_en="The partnership cannot start without it (e.g. social services, job centre)",
        ),
    )
    strumento = fields.String(
        required=True,
        validate=scelta(STRUMENTI),
        metadata=meta("Strumento di adesione", label_en="Partnership instrument"),
    )


class SostitutoSchema(FormSchema):
    """An institution replacing an essential partner that refused (e.g. another Comune)."""

    codice_sostituito = fields.String(
        required=True,
        validate=CODICE_ENTE,
        metadata=meta("Codice dell'ente sostituito", label_en="Code of the replaced partner"),
    )
    codice = fields.String(required=True, validate=CODICE_ENTE, metadata=meta("Codice ente sostituto", label_en="Code"))
    nome = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Denominazione del sostituto", label_en="Name"),
    )
    tipo_ente = fields.String(
        required=True,
        validate=scelta(TIPI_ENTE),
        metadata=meta("Tipo di ente", label_en="Type of institution"),
    )
    data_adesione = fields.Date(
        required=True,
        metadata=meta(
            "Data di adesione del sostituto",
            "Il sostituto aderisce al testo dell'accordo già condiviso",
            label_en="Date the substitute joined",
        ),
    )


class ReferenteSchema(FormSchema):
    """The referent an institution names in the steering committee."""

    codice_ente = fields.String(
        required=True,
        validate=CODICE_ENTE,
        metadata=meta("Codice ente", label_en="Institution code"),
    )
    nome_referente = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Nome e cognome del referente", label_en="Referent's name"),
    )
    # fields.Email reports its validator's English message: use an explicit Italian one.
    email = fields.String(
        required=True,
        validate=validate.Email(),
        metadata=meta("Email istituzionale", label_en="Institutional email"),
    )


# --- user-task forms -----------------------------------------------------------------------


@form(
    "f1_analisi_contesto",
    title="Analisi di contesto e mappatura del territorio",
    title_en="Context analysis and stakeholder map",
    data_class="C0",
)
class AnalisiContestoForm(FormSchema):
    data_analisi = fields.Date(required=True, metadata=meta("Data dell'analisi", label_en="Date of the analysis"))
    ambito_territoriale = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta(
            "Ambito territoriale sociale",
            "Denominazione dell'ATS / distretto",
            label_en="Social district",
        ),
    )
    indicatori_territoriali = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000),
        metadata=meta(
            "Sintesi degli indicatori territoriali",
            "Disoccupazione, servizi presenti, imprese, bisogni emersi",
            label_en="Summary of territorial indicators",
        ),
    )
    partner = fields.List(
        fields.Nested(PartnerSchema),
        required=True,
        validate=validate.Length(min=1, error="Indicare almeno {min} ente partner."),
        metadata=meta(
            "Enti partner da coinvolgere",
            "Mappa degli stakeholder: ogni ente riceverà la bozza di accordo",
            label_en="Partner institutions",
        ),
    )

    @validates_schema
    def check_partner(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        codici = [p["codice"] for p in data.get("partner", [])]
        if len(codici) != len(set(codici)):
            errors["partner"] = ["Ogni ente partner deve avere un codice diverso."]
        elif any(
            p["tipo_ente"] in TIPI_ENTE_SEMPRE_ESSENZIALI and not p["essenziale"] for p in data.get("partner", [])
        ):
            errors["partner"] = ["Servizi sociali (Comune/ATS) e CPI sono sempre partner essenziali."]
        segnala(errors)


@form("f1_esito_contatti", title="Esito dei contatti istituzionali", title_en="Outcome of contacts", data_class="C0")
class EsitoContattiForm(FormSchema):
    data_avvio_contatti = fields.Date(
        required=True, metadata=meta("Data di avvio dei contatti", label_en="Contacts started on")
    )
    data_chiusura_contatti = fields.Date(
        required=True, metadata=meta("Data di chiusura dei contatti", label_en="Contacts closed on")
    )
    enti_contattati = fields.Integer(
        required=True,
        validate=validate.Range(min=1, error="Indicare almeno {min} ente contattato."),
        metadata=meta("Enti contattati", label_en="Institutions contacted"),
    )
    enti_disponibili = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta("Enti disponibili a partecipare", label_en="Institutions willing to take part"),
    )
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=meta("Note", label_en="Notes"),
    )

    @validates_schema
    def check_coerenza(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["data_chiusura_contatti"] < data["data_avvio_contatti"]:
            errors["data_chiusura_contatti"] = ["La chiusura non può precedere l'avvio dei contatti."]
        if data["enti_disponibili"] > data["enti_contattati"]:
            errors["enti_disponibili"] = ["Gli enti disponibili non possono superare quelli contattati."]
        segnala(errors)


PROCEDURE_COPROGRAMMAZIONE = [
    ("AVVISO_PUBBLICO_DM72", "Avviso pubblico (DM 72/2021, PA procedente)"),
    ("TAVOLO_CONCERTAZIONE", "Tavolo di concertazione"),
]
# after the co-programming table: a draft agreement the partners adhere to, or co-design (DM 72/2021)
PERCORSI = [
    ("CO_PROGRAMMAZIONE", "Co-programmazione: bozza d'accordo e adesioni"),
    ("CO_PROGETTAZIONE", "Co-progettazione (DM 72/2021): avviso e convenzione"),
]


@form(
    "f1_co_programmazione",
    title="Tavolo di co-programmazione",
    title_en="Co-programming table",
    data_class="C0",
)
class CoProgrammazioneForm(FormSchema):
    percorso = fields.String(
        load_default="CO_PROGRAMMAZIONE",
        validate=scelta(PERCORSI),
        metadata=meta(
            "Percorso",
            "La co-progettazione segue l'avviso pubblico: proposte, commissione, tavolo, progetto, convenzione",
            label_en="Route",
        ),
    )
    procedura = fields.String(
        required=True,
        validate=scelta(PROCEDURE_COPROGRAMMAZIONE),
        metadata=meta(
            "Procedura",
            "Se la procedura è promossa da una PA serve l'avviso pubblico (DM 72/2021)",
            label_en="Procedure",
        ),
    )
    data_avviso = fields.Date(
        load_default=None,
        metadata=meta("Data di pubblicazione dell'avviso", label_en="Notice published on"),
    )
    numero_sessioni = fields.Integer(
        required=True,
        validate=validate.Range(min=1, error="Indicare almeno {min} sessione."),
        metadata=meta("Sessioni verbalizzate", label_en="Minuted sessions"),
    )
    data_ultima_sessione = fields.Date(
        required=True, metadata=meta("Data dell'ultima sessione", label_en="Last session on")
    )
    protocollo_verbali = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Protocollo dei verbali", label_en="Minutes protocol no."),
    )
    documento_sintesi = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000),
        metadata=meta("Documento di sintesi", label_en="Summary document"),
    )

    @validates_schema
    def check_avviso(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["procedura"] == "AVVISO_PUBBLICO_DM72":
            if data.get("data_avviso") is None:
                errors["data_avviso"] = ["Con l'avviso pubblico indicare la data di pubblicazione."]
            elif data["data_avviso"] > data["data_ultima_sessione"]:
                errors["data_avviso"] = ["L'avviso deve precedere le sessioni del tavolo."]
        segnala(errors)


@form("f1_bozza_accordo", title="Bozza dell'accordo di partenariato", title_en="Draft agreement", data_class="C0")
class BozzaAccordoForm(FormSchema):
    versione_bozza = fields.Integer(
        required=True,
        validate=validate.Range(min=1, error="La versione parte da {min}."),
        metadata=meta("Versione della bozza", label_en="Draft version"),
    )
    data_bozza = fields.Date(required=True, metadata=meta("Data della bozza", label_en="Draft date"))
    strumento = fields.String(
        required=True,
        validate=scelta(STRUMENTI),
        metadata=meta("Strumento giuridico", label_en="Legal instrument"),
    )
    oggetto = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000),
        metadata=meta("Oggetto e ruoli per fase", label_en="Object and roles per phase"),
    )
    durata_mesi = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=60, error="Durata tra {min} e {max} mesi."),
        metadata=meta("Durata (mesi)", "Di norma 24-36 mesi, rinnovabile", label_en="Duration"),
    )
    canale_invio = fields.String(
        required=True,
        validate=scelta(CANALI_INVIO),
        metadata=meta("Canale di invio dei casi", label_en="Referral channel"),
    )
    sla_presa_in_carico_giorni = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=90, error="Tra {min} e {max} giorni."),
        metadata=meta("Tempo massimo di presa in carico (giorni)", label_en="Referral SLA (days)"),
    )
    sla_esito_valutazione_giorni = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=180, error="Tra {min} e {max} giorni."),
        metadata=meta(
            "Tempo massimo per l'esito della valutazione (giorni)",
            "Dalla segnalazione; se non indicato vale il parametro del programma",
            label_en="Assessment outcome SLA (days)",
            help_en="From the referral; when empty the programme parameter applies",
        ),
    )
    ruolo_privacy = fields.String(
        required=True,
        validate=scelta(
            [
                ("CONTITOLARITA_ART26", "Contitolarità (art. 26 GDPR)"),
                ("RESPONSABILE_ART28", "Responsabile del trattamento (art. 28 GDPR)"),
            ]
        ),
        metadata=meta("Ruoli privacy", label_en="Data-protection roles"),
    )
    allegato_privacy = fields.Boolean(
        required=True,
        metadata=meta("Allegato privacy presente", label_en="Data-protection annex attached"),
    )
    clausola_recesso = fields.Boolean(required=True, metadata=meta("Clausola di recesso", label_en="Withdrawal clause"))

    @validates_schema
    def check_allegato(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Sharing data on vulnerable people needs the art. 26/28 annex before anyone signs.
        if not data["allegato_privacy"]:
            segnala({"allegato_privacy": ["La bozza deve contenere l'allegato privacy."]})


def _richieste_modifica() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Length(max=4000),
        metadata=meta("Modifiche richieste", label_en="Requested changes"),
    )


def _motivo_rifiuto() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=meta("Motivo del rifiuto", label_en="Reason for refusal"),
    )


def _motivazioni_mancanti(esito: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """A partner asking for changes says which; one refusing says why."""
    errors: dict[str, list[str]] = {}
    if esito == "CHIEDE_MODIFICHE" and not data.get("richieste_modifica"):
        errors["richieste_modifica"] = ["Descrivere le modifiche richieste."]
    if esito == "RIFIUTA" and not data.get("motivo_rifiuto"):
        errors["motivo_rifiuto"] = ["Indicare il motivo del rifiuto."]
    return errors


@form(
    "f1_risposta_partner",
    title="Risposta dell'ente partner alla bozza",
    title_en="Partner's answer to the draft",
    description="Attività multi-istanza: la variabile ente_partner contiene l'ente interpellato.",
    data_class="C0",
)
class RispostaPartnerForm(FormSchema):
    codice_partner = fields.String(
        required=True,
        validate=CODICE_ENTE,
        metadata=meta(
            "Codice dell'ente",
            "Precompilato con il codice dell'ente interpellato (ente_partner.codice)",
            label_en="Institution code",
        ),
    )
    esito_adesione = fields.String(
        required=True,
        validate=scelta(ESITI_ADESIONE),
        metadata=meta("Risposta", label_en="Answer"),
    )
    richieste_modifica = _richieste_modifica()
    motivo_rifiuto = _motivo_rifiuto()
    nome_referente = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata=meta("Referente che risponde", label_en="Answering referent"),
    )
    data_risposta = fields.Date(required=True, metadata=meta("Data della risposta", label_en="Answer date"))

    @validates_schema
    def check_motivazioni(self, data: dict[str, Any], **kwargs: Any) -> None:
        segnala(_motivazioni_mancanti(data["esito_adesione"], data))


ESITI_SOLLECITO = [
    ("ADERISCE", "Aderisce (risposta giunta dopo il termine)"),
    ("CHIEDE_MODIFICHE", "Chiede modifiche (risposta giunta dopo il termine)"),
    ("RIFIUTA", "Rifiuta"),
    ("NESSUNA_RISPOSTA", "Nessuna risposta nemmeno dopo il sollecito"),
]


@form(
    "f1_sollecito_risposta",
    title="Sollecito all'ente che non ha risposto nei termini",
    title_en="Reminder to a partner that did not answer in time",
    description=(
        "Il termine per la risposta alla bozza è scaduto. Sollecitare l'ente e registrare la risposta "
        "avuta fuori termine; la mancata risposta vale come rifiuto."
    ),
    data_class="C0",
)
class SollecitoRispostaForm(FormSchema):
    codice_partner = fields.String(
        required=True,
        validate=CODICE_ENTE,
        metadata=meta("Codice dell'ente", "Precompilato con l'ente sollecitato", label_en="Institution code"),
    )
    data_sollecito = fields.Date(required=True, metadata=meta("Data del sollecito", label_en="Reminder sent on"))
    esito_sollecito = fields.String(
        required=True,
        validate=scelta(ESITI_SOLLECITO),
        metadata=meta("Esito del sollecito", label_en="Outcome of the reminder"),
    )
    richieste_modifica = _richieste_modifica()
    motivo_rifiuto = _motivo_rifiuto()
    nome_referente = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata=meta("Referente che ha risposto", label_en="Answering referent"),
    )

    @validates_schema
    def check_esito(self, data: dict[str, Any], **kwargs: Any) -> None:
        segnala(_motivazioni_mancanti(data["esito_sollecito"], data))

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        return _same_partner(data, case.get("ente_partner"))


def _same_partner(data: dict[str, Any], item: Any) -> dict[str, list[str]]:
    """A per-partner task answers for the partner it was opened for, never another."""
    if isinstance(item, dict) and item.get("codice") and data["codice_partner"] != item["codice"]:
        return {"codice_partner": [f"Questa attività riguarda l'ente «{item['codice']}»."]}
    return {}


TIPI_ATTO_APPROVAZIONE = [
    ("DELIBERA_GIUNTA", "Delibera di Giunta"),
    ("ATTO_DIRETTORE_GENERALE", "Atto del Direttore generale (ASL)"),
    ("AUTORIZZAZIONE_MINISTERIALE", "Autorizzazione UEPE / amministrazione penitenziaria"),
    ("DELIBERA_ORGANO_ETS", "Delibera dell'organo dell'ente del Terzo settore"),
    ("DETERMINA_DIRIGENZIALE", "Determina dirigenziale"),
    ("ALTRO_ATTO", "Altro atto"),
]


@form(
    "f1_approvazione_interna",
    title="Approvazione interna dell'accordo",
    title_en="Internal approval of the agreement",
    description=(
        "Attività multi-istanza, una per ente aderente: estremi dell'atto con cui l'ente approva il testo "
        "dell'accordo e chi firmerà per l'ente (un componente dell'organizzazione nel registro)."
    ),
    data_class="C0",
)
class ApprovazioneInternaForm(FormSchema):
    codice_partner = fields.String(
        required=True,
        validate=CODICE_ENTE,
        metadata=meta("Codice dell'ente", "Precompilato con l'ente che approva", label_en="Institution code"),
    )
    tipo_atto = fields.String(
        required=True,
        validate=scelta(TIPI_ATTO_APPROVAZIONE),
        metadata=meta("Tipo di atto", label_en="Kind of act"),
    )
    numero_atto = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero dell'atto", label_en="Act no."),
    )
    data_atto = fields.Date(required=True, metadata=meta("Data dell'atto", label_en="Act date"))
    firmatario = fields.String(
        required=True,
        validate=non_vuoto(100),
        # a member of the approving organisation once the territory keeps a registry (engine.forms.registry_members)
        metadata=meta(
            "Chi firma per l'ente",
            "Il nome utente di un componente dell'organizzazione nel registro della rete",
            label_en="Who signs for the institution",
            help_en="The user name of a member of the organisation in the network registry",
            registry="member",
            member_of="codice_partner",
        ),
    )

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        return _same_partner(data, case.get("ente_aderente"))


@form(
    "f1_sollecito_approvazioni",
    title="Sollecito delle approvazioni interne",
    title_en="Reminder of the internal approvals",
    description=(
        "Il termine per le approvazioni interne è passato: sollecitare gli enti che non hanno ancora approvato."
    ),
    data_class="C0",
)
class SollecitoApprovazioniForm(FormSchema):
    data_sollecito_approvazioni = fields.Date(
        required=True, metadata=meta("Data del sollecito", label_en="Reminder sent on")
    )
    enti_sollecitati = fields.String(
        required=True,
        validate=validate.Length(min=2, max=1000),
        metadata=meta("Enti sollecitati", label_en="Institutions reminded"),
    )


@form(
    "f1_decisione_cabina",
    title="Esame del rifiuto di un partner essenziale",
    title_en="Steering committee: essential partner refused",
    data_class="C0",
    decide_on=(
        "rifiuti_essenziali",
        "non_aderenti",
        "lacune_partenariato",
        "risposte_partner",
    ),
)
class DecisioneCabinaForm(FormSchema):
    decisione_cabina = fields.String(
        required=True,
        validate=scelta(DECISIONI_CABINA),
        metadata=meta("Decisione", label_en="Decision"),
    )
    sostituti = fields.List(
        fields.Nested(SostitutoSchema),
        load_default=list,
        metadata=meta(
            "Enti sostituti",
            "Uno per ogni partner essenziale che ha rifiutato (es. altro Comune dell'Ambito)",
            label_en="Substitute institutions",
        ),
    )
    motivazione_cabina = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000),
        metadata=meta("Motivazione", label_en="Reasons"),
    )
    numero_verbale_cabina = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero del verbale", label_en="Minutes no."),
    )
    data_decisione = fields.Date(required=True, metadata=meta("Data della decisione", label_en="Decision date"))

    @validates_schema
    def check_sostituti(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["decisione_cabina"] == "SOSTITUISCI" and not data.get("sostituti"):
            errors["sostituti"] = ["Per sostituire l'ente indicare almeno un sostituto."]
        if data["decisione_cabina"] == "INTERROMPI_TERRITORIO" and data.get("sostituti"):
            errors["sostituti"] = ["Interrompendo il territorio non si indicano sostituti."]
        segnala(errors)


@form("f1_firma_accordo", title="Firma dell'accordo di partenariato", title_en="Agreement signature", data_class="C0")
class FirmaAccordoForm(FormSchema):
    approvazioni_interne_acquisite = fields.Boolean(
        required=True,
        metadata=meta(
            "Approvazioni interne acquisite",
            "Delibera di Giunta, atto del Direttore generale ASL, autorizzazione UEPE, delibere degli organi degli ETS",
            label_en="Internal approvals obtained",
        ),
    )
    data_firma = fields.Date(required=True, metadata=meta("Data di firma", label_en="Signed on"))
    tipo_firma = fields.String(
        required=True,
        validate=scelta([("PADES", "Firma digitale PAdES"), ("CADES", "CAdES"), ("AUTOGRAFA", "Autografa")]),
        metadata=meta("Tipo di firma", label_en="Signature type"),
    )
    numero_protocollo = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero di protocollo", label_en="Protocol no."),
    )
    data_decorrenza = fields.Date(required=True, metadata=meta("Decorrenza", label_en="Effective from"))
    data_scadenza = fields.Date(required=True, metadata=meta("Scadenza", label_en="Expires on"))

    @validates_schema
    def check_date(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not data["approvazioni_interne_acquisite"]:
            errors["approvazioni_interne_acquisite"] = [
                "Acquisire le approvazioni interne degli enti prima della firma."
            ]
        if data["data_decorrenza"] < data["data_firma"]:
            errors["data_decorrenza"] = ["La decorrenza non può precedere la firma."]
        if data["data_scadenza"] <= data["data_decorrenza"]:
            errors["data_scadenza"] = ["La scadenza deve seguire la decorrenza."]
        segnala(errors)


@form(
    "f1_costituzione_cabina",
    title="Costituzione della cabina di regia",
    title_en="Setting up the steering committee",
    data_class="C0",
)
class CostituzioneCabinaForm(FormSchema):
    data_insediamento = fields.Date(required=True, metadata=meta("Data di insediamento", label_en="First meeting on"))
    numero_verbale_insediamento = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Verbale di insediamento", label_en="Minutes no."),
    )
    referenti = fields.List(
        fields.Nested(ReferenteSchema),
        required=True,
        validate=validate.Length(min=1, error="Indicare almeno {min} referente."),
        metadata=meta("Referenti per ente", label_en="Referents per institution"),
    )
    periodicita_riunioni = fields.String(
        required=True,
        validate=scelta([("MENSILE", "Mensile"), ("BIMESTRALE", "Bimestrale"), ("TRIMESTRALE", "Trimestrale")]),
        metadata=meta("Periodicità delle riunioni", label_en="Meeting frequency"),
    )

    @validates_schema
    def check_referenti(self, data: dict[str, Any], **kwargs: Any) -> None:
        codici = [r["codice_ente"] for r in data.get("referenti", [])]
        if len(codici) != len(set(codici)):
            segnala({"referenti": ["Un solo referente per ente."]})


# --- effects of a partnership change on running beneficiary paths -----------------------------
# Form of the coordinator's task in the event sub-process of ``percorso_beneficiario`` started by
# the message ``partenariato_cambiato`` when the territory's partnership is no longer active.

DECISIONI_CONTINUITA = [
    ("PROSEGUE", "Il percorso prosegue: servizi e impegni restano garantiti"),
    ("PROSEGUE_CON_SOSTITUTI", "Il percorso prosegue con enti sostitutivi"),
    ("DA_SOSPENDERE", "Il percorso va sospeso"),
    ("DA_CHIUDERE", "Il percorso va chiuso"),
]


@form(
    "f1_verifica_continuita",
    title="Verifica della continuità del percorso",
    title_en="Continuity check of the beneficiary path",
    description=(
        "Il partenariato del territorio non è più attivo. Verificare se il percorso della persona può proseguire "
        "e con quali enti. Se il percorso va sospeso o chiuso, alla conferma il caso viene sospeso o chiuso "
        "d'ufficio con questa motivazione."
    ),
    data_class="C0",
)
class VerificaContinuitaForm(FormSchema):
    decisione_continuita = fields.String(
        required=True,
        validate=scelta(DECISIONI_CONTINUITA),
        metadata=meta("Esito della verifica", label_en="Outcome of the check"),
    )
    enti_sostitutivi = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata=meta(
            "Enti che subentrano",
            "Solo se il percorso prosegue con enti sostitutivi",
            label_en="Substitute institutions",
        ),
    )
    motivazione_continuita = fields.String(
        required=True,
        validate=non_vuoto(2000),
        metadata=meta("Motivazione", label_en="Reasons"),
    )
    data_verifica_continuita = fields.Date(
        required=True, metadata=meta("Data della verifica", label_en="Date of the check")
    )

    @validates_schema
    def check_sostituti(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["decisione_continuita"] == "PROSEGUE_CON_SOSTITUTI" and not data.get("enti_sostitutivi"):
            segnala({"enti_sostitutivi": ["Indicare gli enti che subentrano."]})
