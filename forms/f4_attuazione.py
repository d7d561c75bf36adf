"""Forms of phase F4 – Attuazione (docs/domain.md, phase F4).

Track A: convenzione + PFI (traineeships) or contract/enrolment (hiring, training), the mandatory
start notice, the tutor's monthly attendance register with its events (sospensione, interruzione,
proroga), the team's decision after an interruption and the final outcome.
Track B (start-up): the person's monthly mentoring sessions and the final accompaniment report;
the corrective hiring plan and the steering committee's quota alert (now used by the enterprise's
own process, ``impresa``). Incorporation, registrations, hiring and the quota check after the plan
(``LEGACY_FORMS``) belonged to the person's own start-up before the enterprise became a case of its
own: they stay registered for cases still on those versions until they are migrated
(docs/enterprises.md).

Durations are checked here only against the national ceilings of the traineeship guidelines
(LG 2015/2017); the regional maxima are applied by the diagrams through ``fn_param``.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.f3_progettazione import FORME_GIURIDICHE, NO_DATI_SENSIBILI, NO_DATI_SENSIBILI_EN
from forms.validators import dopo, elenco_non_vuoto, intervallo, minimo, non_vuoto, richiedi, scelta, segnala

TIPI_CONTRATTO = [
    ("TEMPO_INDETERMINATO", "Tempo indeterminato"),
    ("TEMPO_DETERMINATO", "Tempo determinato"),
    ("APPRENDISTATO", "Apprendistato"),
    ("SOCIO_LAVORATORE", "Socio lavoratore"),
    ("LAVORO_AUTONOMO", "Lavoro autonomo"),
]
ESITI_FINALI = [
    ("ASSUNTO", "Assunto"),
    ("ALTRO_PERCORSO", "Avviato ad altro percorso"),
    ("CONCLUSO_SENZA_ESITO", "Concluso senza esito occupazionale"),
    # The inclusion ladder: a step that went well leads to designing the next one (not a redesign).
    ("GRADINO_SUCCESSIVO", "Pronto per il gradino successivo (dal TIS al tirocinio, dal tirocinio all'assunzione)"),
]

# National ceilings (months) by traineeship type: LG 22/01/2015 (TIS) and LG 25/05/2017
# (extracurricular; 24 months for L. 68 disabled). Regions may only set lower values.
DURATA_TIROCINIO_MESI: dict[str, tuple[int, int]] = {
    "TIS": (1, 24),
    "EXTRACURRICOLARE": (2, 12),
    "EXTRACURRICOLARE_L68": (2, 24),
}


TIPI_TIROCINIO = [
    ("TIS", "Tirocinio di inclusione sociale"),
    ("EXTRACURRICOLARE", "Tirocinio extracurricolare"),
    ("EXTRACURRICOLARE_L68", "Tirocinio extracurricolare L. 68/1999"),
]
_TIPI_LABEL = dict(TIPI_TIROCINIO)
# The traineeship types each instrument of F3 allows.
_TIPI_PER_STRUMENTO = {
    "TIS": {"TIS"},
    "TIROCINIO_EXTRACURRICOLARE": {"EXTRACURRICOLARE", "EXTRACURRICOLARE_L68"},
}


def _meta_data(label: str, label_en: str) -> dict[str, Any]:
    return meta(label, label_en=label_en)


# --- Track A ---------------------------------------------------------------------------------


@form(
    "f4_convenzione_pfi",
    title="Convenzione di tirocinio e progetto formativo individuale (PFI)",
    title_en="Traineeship agreement and individual training plan",
    data_class="C1",
)
class ConvenzionePfi(FormSchema):
    tipo_tirocinio = fields.String(
        required=True,
        validate=scelta(TIPI_TIROCINIO),
        metadata=meta(
            "Tipo di tirocinio",
            "Quello indicato dalla valutazione per la persona.",
            label_en="Traineeship type",
        ),
    )
    numero_convenzione = fields.String(
        required=True,
        validate=non_vuoto(50),
        metadata=_meta_data("Numero di convenzione", "Agreement no."),
    )
    data_convenzione = fields.Date(required=True, metadata=_meta_data("Data della convenzione", "Agreement date"))
    soggetto_promotore = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=_meta_data("Soggetto promotore", "Promoting body"),
    )
    soggetto_ospitante = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=_meta_data("Soggetto ospitante", "Host organisation"),
    )
    settore_ateco = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{2}(\.\d{1,2}){0,2}$", error="Codice ATECO non valido (es. 56.10)."),
        metadata=meta("Settore ATECO", "Es. 56.10", label_en="ATECO sector"),
    )
    sede = fields.String(required=True, validate=non_vuoto(200), metadata=_meta_data("Sede del tirocinio", "Place"))
    ore_settimanali = fields.Float(
        required=True,
        validate=intervallo(1, 40),
        metadata=_meta_data("Ore settimanali", "Hours per week"),
    )
    data_inizio_tirocinio = fields.Date(required=True, metadata=_meta_data("Data di inizio", "Start date"))
    data_fine_prevista = fields.Date(required=True, metadata=_meta_data("Data di fine prevista", "Planned end date"))
    durata_mesi = fields.Integer(
        required=True,
        validate=intervallo(1, 24),
        metadata=meta(
            "Durata (mesi)",
            "Entro il massimo del tipo di tirocinio e della Regione.",
            label_en="Duration (months)",
        ),
    )
    indennita_mensile_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=_meta_data("Indennità mensile (€)", "Monthly allowance (€)"),
    )
    polizza_inail = fields.String(
        required=True,
        validate=non_vuoto(50),
        metadata=_meta_data("Posizione INAIL", "INAIL policy"),
    )
    polizza_rc = fields.String(
        required=True, validate=non_vuoto(50), metadata=_meta_data("Polizza RC", "Liability policy")
    )
    tutor_promotore = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=_meta_data("Tutor del promotore", "Promoter tutor"),
    )
    tutor_aziendale_nominativo = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=_meta_data("Tutor aziendale", "Company tutor"),
    )
    obiettivi_competenze = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=_meta_data("Obiettivi e competenze", "Objectives and skills"),
    )
    firma_ente_in_carico = fields.Boolean(
        load_default=False,
        metadata=meta(
            "Firmato dall'ente che ha in carico la persona",
            "Obbligatorio per il TIS.",
            label_en="Signed by the service in charge",
        ),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        dopo(data, "data_inizio_tirocinio", "data_fine_prevista")
        if (
            data.get("data_convenzione")
            and data.get("data_inizio_tirocinio")
            and data["data_convenzione"] > data["data_inizio_tirocinio"]
        ):
            segnala({"data_convenzione": ["La convenzione deve precedere l'inizio del tirocinio."]})
        tipo, durata = data.get("tipo_tirocinio"), data.get("durata_mesi")
        if tipo in DURATA_TIROCINIO_MESI and durata is not None:
            low, high = DURATA_TIROCINIO_MESI[tipo]
            if not low <= durata <= high:
                segnala({"durata_mesi": [f"Per questo tipo di tirocinio la durata va da {low} a {high} mesi."]})
        if tipo == "TIS" and not data.get("firma_ente_in_carico"):
            segnala({"firma_ente_in_carico": ["Il TIS va firmato anche dall'ente che ha in carico la persona."]})

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        """DT-5: the type must be the one the table gave and the one chosen in design, within its maximum."""
        errors: dict[str, list[str]] = {}
        tipo, attesi = data["tipo_tirocinio"], _TIPI_PER_STRUMENTO.get(case.get("strumento") or "")
        if attesi is not None and tipo not in attesi:
            errors["tipo_tirocinio"] = ["Non corrisponde allo strumento scelto in progettazione."]
        elif case.get("tipo_tirocinio_dt5") not in (None, tipo):
            errors["tipo_tirocinio"] = [
                f"Per questa persona il tirocinio è: {_TIPI_LABEL[case['tipo_tirocinio_dt5']]}."
            ]
        massimo = case.get("durata_max_mesi_dt5")
        if massimo is not None and tipo == case.get("tipo_tirocinio_dt5") and data["durata_mesi"] > massimo:
            errors["durata_mesi"] = [f"Per questa persona la durata massima è {massimo} mesi."]
        return errors


@form(
    "f4_avvio_inserimento",
    title="Contratto di lavoro o iscrizione al percorso formativo",
    title_en="Employment contract or training enrolment",
    data_class="C1",
)
class AvvioInserimento(FormSchema):
    tipo_avvio = fields.String(
        required=True,
        validate=scelta([("ASSUNZIONE", "Assunzione"), ("FORMAZIONE", "Percorso formativo")]),
        metadata=_meta_data("Tipo di avvio", "Start type"),
    )
    ente = fields.String(
        required=True,
        validate=non_vuoto(200),
        metadata=_meta_data("Datore di lavoro o ente di formazione", "Employer or training body"),
    )
    tipo_contratto = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(TIPI_CONTRATTO),
        metadata=_meta_data("Tipo di contratto", "Contract type"),
    )
    data_inizio_inserimento = fields.Date(required=True, metadata=_meta_data("Data di inizio", "Start date"))
    data_fine_inserimento = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=meta("Data di fine", "Non per il tempo indeterminato.", label_en="End date"),
    )
    ore_settimanali = fields.Float(
        required=True,
        validate=intervallo(1, 40),
        metadata=_meta_data("Ore settimanali", "Hours per week"),
    )
    durata_mesi = fields.Integer(
        required=True,
        validate=intervallo(1, 24),
        metadata=meta(
            "Durata dell'accompagnamento (mesi)",
            "Mesi di tutoraggio e monitoraggio previsti.",
            label_en="Support period (months)",
        ),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("tipo_avvio") == "ASSUNZIONE":
            richiedi(data, "tipo_contratto", quando="si tratta di un'assunzione")
            if data.get("tipo_contratto") in ("TEMPO_DETERMINATO", "APPRENDISTATO"):
                richiedi(data, "data_fine_inserimento", quando="il contratto è a termine")
        elif data.get("tipo_avvio") == "FORMAZIONE":
            richiedi(data, "data_fine_inserimento", quando="si tratta di un percorso formativo")
        dopo(data, "data_inizio_inserimento", "data_fine_inserimento")


@form(
    "f4_comunicazione_avvio",
    title="Comunicazione obbligatoria di avvio (UniLav)",
    title_en="Mandatory start notice (UniLav)",
    data_class="C1",
)
class ComunicazioneAvvio(FormSchema):
    tipo_comunicazione = fields.String(
        required=True,
        validate=scelta([("UNILAV", "UniLav inviato"), ("NON_DOVUTA", "Non dovuta")]),
        metadata=_meta_data("Comunicazione", "Notice"),
    )
    codice_comunicazione = fields.String(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("Codice comunicazione", "Notice code"),
    )
    data_comunicazione = fields.Date(
        load_default=None, allow_none=True, metadata=_meta_data("Data di invio", "Date sent")
    )
    data_avvio = fields.Date(required=True, metadata=_meta_data("Data effettiva di avvio", "Actual start date"))
    motivo_non_dovuta = fields.String(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("Perché non è dovuta", "Why not due"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("tipo_comunicazione") == "UNILAV":
            richiedi(data, "codice_comunicazione", "data_comunicazione", quando="l'UniLav è dovuto")
            # The UniLav start notice is due by the day before the start: the same day is late.
            if data["data_comunicazione"] >= data["data_avvio"]:
                segnala(
                    {
                        "data_comunicazione": [
                            "La comunicazione obbligatoria va inviata entro il giorno precedente l'avvio."
                        ]
                    }
                )
        elif data.get("tipo_comunicazione") == "NON_DOVUTA":
            richiedi(data, "motivo_non_dovuta", quando="la comunicazione non è dovuta")


@form(
    "f4_registro_presenze",
    title="Registro presenze mensile",
    title_en="Monthly attendance register",
    data_class="C1",
)
class RegistroPresenze(FormSchema):
    periodo_dal = fields.Date(required=True, metadata=_meta_data("Periodo dal", "Period from"))
    periodo_al = fields.Date(required=True, metadata=_meta_data("Periodo al", "Period to"))
    ore_previste = fields.Float(required=True, validate=minimo(0), metadata=_meta_data("Ore previste", "Planned hours"))
    ore_presenza = fields.Float(
        required=True, validate=minimo(0), metadata=_meta_data("Ore di presenza", "Hours attended")
    )
    attivita_svolte = fields.String(
        required=True, validate=non_vuoto(), metadata=_meta_data("Attività svolte", "Activities")
    )
    osservazioni_tutor = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta(
            "Osservazioni del tutor",
            NO_DATI_SENSIBILI,
            label_en="Tutor notes",
            help_en=NO_DATI_SENSIBILI_EN,
        ),
    )
    evento_mese = fields.String(
        required=True,
        validate=scelta(
            [
                ("NESSUNO", "Nessun evento"),
                ("SOSPENSIONE", "Sospensione (il mese non conta)"),
                ("INTERRUZIONE", "Interruzione"),
                ("PROROGA", "Richiesta di proroga"),
            ]
        ),
        metadata=_meta_data("Evento del mese", "Event of the month"),
    )
    motivo_sospensione = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(
            [
                ("MALATTIA", "Malattia"),
                ("INFORTUNIO", "Infortunio"),
                ("MATERNITA", "Maternità o paternità"),
                ("CHIUSURA_AZIENDALE", "Chiusura aziendale"),
                ("ALTRO", "Altro motivo"),
            ]
        ),
        metadata=meta(
            "Motivo della sospensione",
            "Solo il codice: mai la diagnosi.",
            label_en="Suspension reason",
            data_class="C2",  # health (docs/domain.md, "Data classes"): illness or injury is health data
        ),
    )
    iniziativa_interruzione = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(
            [
                ("TIROCINANTE", "Della persona"),
                ("OSPITANTE", "Dell'ospitante"),
                ("PROMOTORE", "Del promotore"),
            ]
        ),
        metadata=_meta_data("Interruzione su iniziativa", "Interrupted by"),
    )
    motivo_interruzione = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(
            [
                ("RINUNCIA_PERSONA", "Rinuncia della persona"),
                ("GRAVE_INADEMPIENZA", "Grave inadempienza"),
                ("INCOMPATIBILITA", "Incompatibilità con la mansione"),
                ("ALTRO", "Altro motivo"),
            ]
        ),
        metadata=_meta_data("Motivo dell'interruzione", "Interruption reason"),
    )
    mesi_proroga = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=intervallo(1, 12),
        metadata=_meta_data("Mesi di proroga richiesti", "Extension months"),
    )
    attestazione_servizio = fields.Boolean(
        load_default=False,
        metadata=meta(
            "Attestazione del servizio in carico",
            "Necessaria per prorogare un TIS.",
            label_en="Attestation of the service in charge",
        ),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        dopo(data, "periodo_dal", "periodo_al")
        if data.get("ore_presenza", 0) > data.get("ore_previste", 0):
            segnala({"ore_presenza": ["Le ore di presenza non possono superare le ore previste."]})
        evento = data.get("evento_mese")
        if evento == "SOSPENSIONE":
            richiedi(data, "motivo_sospensione", quando="il tirocinio è sospeso")
        elif evento == "INTERRUZIONE":
            richiedi(
                data,
                "iniziativa_interruzione",
                "motivo_interruzione",
                quando="il percorso si interrompe",
            )
        elif evento == "PROROGA":
            richiedi(data, "mesi_proroga", quando="si chiede una proroga")


@form(
    "f4_decisione_interruzione",
    title="Decisione dopo l'interruzione",
    title_en="Decision after an interruption",
    data_class="C1",
    decide_on=(
        "mesi_svolti",
        "durata_max_mesi",
        "mesi_sospensione",
        "interrotto",
    ),
)
class DecisioneInterruzione(FormSchema):
    decisione_interruzione = fields.String(
        required=True,
        validate=scelta([("RIPROGETTARE", "Riprogettare il percorso"), ("CHIUDERE", "Chiudere per abbandono")]),
        metadata=_meta_data("Decisione", "Decision"),
    )
    motivo_decisione = fields.String(
        required=True,
        validate=non_vuoto(),
        # the same name as the équipe's coded reason, which may say "relapse" (C2)
        metadata=meta("Motivazione", NO_DATI_SENSIBILI, label_en="Reason", data_class="C2"),
    )
    data_decisione = fields.Date(required=True, metadata=_meta_data("Data del verbale", "Minutes date"))


@form(
    "f4_esito_finale",
    title="Esito finale e attestazione delle competenze",
    title_en="Final outcome and skills certificate",
    data_class="C1",
)
class EsitoFinale(FormSchema):
    esito_finale = fields.String(required=True, validate=scelta(ESITI_FINALI), metadata=_meta_data("Esito", "Outcome"))
    data_fine_effettiva = fields.Date(required=True, metadata=_meta_data("Data di fine effettiva", "Actual end date"))
    attestazione_rilasciata = fields.Boolean(
        required=True,
        metadata=_meta_data("Attestazione finale / dossier delle competenze rilasciato", "Final certificate issued"),
    )
    datore_lavoro = fields.String(
        load_default=None, allow_none=True, metadata=_meta_data("Datore di lavoro", "Employer")
    )
    tipo_contratto = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(TIPI_CONTRATTO),
        metadata=_meta_data("Tipo di contratto", "Contract type"),
    )
    data_comunicazione_assunzione = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("Data della comunicazione di assunzione", "Hiring notice date"),
    )
    altro_percorso = fields.String(
        load_default=None, allow_none=True, metadata=_meta_data("Altro percorso", "Other path")
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("esito_finale") == "ASSUNTO":
            richiedi(
                data,
                "datore_lavoro",
                "tipo_contratto",
                "data_comunicazione_assunzione",
                quando="la persona è assunta",
            )
        elif data.get("esito_finale") == "ALTRO_PERCORSO":
            richiedi(data, "altro_percorso", quando="la persona passa ad altro percorso")


# --- Track B (start-up) ----------------------------------------------------------------------

# Forms of earlier versions of ``attuazione_startup`` only (see the module docstring).
# --- the person's link to an enterprise removed (event sub-process of percorso_beneficiario) ----

DECISIONI_IMPRESA_SCOLLEGATA = [
    ("PROSEGUE", "Il percorso prosegue (nuovo collegamento o altra impresa)"),
    ("DA_SOSPENDERE", "Il percorso va sospeso"),
    ("DA_CHIUDERE", "Il percorso va chiuso"),
]


@form(
    "f4_verifica_impresa_scollegata",
    title="Verifica del percorso dopo l'uscita dall'impresa",
    title_en="Path check after leaving the enterprise",
    description=(
        "La persona non è più collegata all'impresa. Decidere se il percorso prosegue (con un nuovo "
        "collegamento o un'altra impresa), va sospeso o va chiuso: alla conferma il caso viene sospeso o "
        "chiuso d'ufficio con questa motivazione."
    ),
    data_class="C0",
)
class VerificaImpresaScollegataForm(FormSchema):
    decisione_impresa_scollegata = fields.String(
        required=True,
        validate=scelta(DECISIONI_IMPRESA_SCOLLEGATA),
        metadata=meta("Esito della verifica", label_en="Outcome of the check"),
    )
    motivazione_impresa_scollegata = fields.String(
        required=True,
        validate=non_vuoto(2000),
        metadata=meta("Motivazione", label_en="Reasons"),
    )
    data_verifica_impresa_scollegata = fields.Date(
        required=True, metadata=meta("Data della verifica", label_en="Date of the check")
    )


LEGACY_FORMS = frozenset({"f4_costituzione", "f4_iscrizioni", "f4_assunzioni_startup", "f4_verifica_quota"})

# The name must state the enterprise's qualification (L. 381/1991 art. 1; D.Lgs. 112/2017 art. 6).
_DENOMINAZIONE_OBBLIGATORIA = {
    "COOP_SOCIALE_B": "cooperativa sociale",
    "IMPRESA_SOCIALE_SRL": "impresa sociale",
    "IMPRESA_SOCIALE_COOP": "impresa sociale",
    "COOP_COMUNITA": "cooperativa",
}


@form(
    "f4_costituzione",
    title="Costituzione: atto costitutivo e statuto",
    title_en="Incorporation: deed and articles",
    data_class="C1",
)
class Costituzione(FormSchema):
    forma_giuridica = fields.String(
        required=True,
        validate=scelta(FORME_GIURIDICHE),
        metadata=_meta_data("Forma giuridica", "Legal form"),
    )
    denominazione = fields.String(required=True, validate=non_vuoto(200), metadata=_meta_data("Denominazione", "Name"))
    data_atto = fields.Date(required=True, metadata=_meta_data("Data dell'atto", "Deed date"))
    notaio = fields.String(required=True, validate=non_vuoto(200), metadata=_meta_data("Notaio", "Notary"))
    n_soci_fondatori = fields.Integer(
        required=True, validate=minimo(1), metadata=_meta_data("Soci fondatori", "Founding members")
    )
    capitale_sociale_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=_meta_data("Capitale sociale (€)", "Share capital (€)"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        needed = _DENOMINAZIONE_OBBLIGATORIA.get(data.get("forma_giuridica", ""))
        if needed and needed not in data.get("denominazione", "").lower():
            segnala({"denominazione": [f"La denominazione deve contenere «{needed}»."]})


@form("f4_iscrizioni", title="Iscrizioni e registrazioni", title_en="Registrations", data_class="C1")
class Iscrizioni(FormSchema):
    data_iscrizione_registro_imprese = fields.Date(
        required=True,
        metadata=meta(
            "Iscrizione al Registro imprese",
            "Sezione speciale per le imprese sociali.",
            label_en="Companies register",
        ),
    )
    partita_iva = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{11}$", error="La partita IVA è composta da 11 cifre."),
        metadata=_meta_data("Partita IVA", "VAT number"),
    )
    iscrizione_albo_cooperative = fields.String(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("N. Albo società cooperative", "Cooperatives register no."),
    )
    iscrizione_albo_regionale = fields.String(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("Iscrizione all'albo regionale", "Regional register"),
    )
    scia_presentata = fields.Boolean(required=True, metadata=_meta_data("SCIA o licenze presentate", "Licences filed"))

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        # The check digit (Luhn-like, last digit) catches most typing errors of a partita IVA.
        piva = data.get("partita_iva", "")
        if re.fullmatch(r"\d{11}", piva) and not _partita_iva_valida(piva):
            segnala({"partita_iva": ["Cifra di controllo della partita IVA errata."]})


def _partita_iva_valida(piva: str) -> bool:
    digits = [int(c) for c in piva]
    total = sum(digits[i] for i in range(0, 10, 2))
    total += sum((2 * digits[i]) // 10 + (2 * digits[i]) % 10 for i in range(1, 10, 2))
    return (10 - total % 10) % 10 == digits[10]


@form(
    "f4_assunzioni_startup",
    title="Assunzioni e comunicazioni obbligatorie",
    title_en="Hiring and mandatory notices",
    data_class="C1",
)
class AssunzioniStartup(FormSchema):
    data_inizio_attivita = fields.Date(
        required=True,
        metadata=meta("Inizio attività", "La quota del 30% si verifica da qui.", label_en="Start of activity"),
    )
    n_svantaggiati = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta(
            "Lavoratori svantaggiati",
            "Per teste, non per ore.",
            label_en="Disadvantaged workers (heads)",
        ),
    )
    n_non_svantaggiati = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=meta(
            "Altri lavoratori",
            "Con posizione INPS attiva; esclusi volontari e svantaggiati.",
            label_en="Other workers (heads)",
        ),
    )
    beneficiario_assunto = fields.Boolean(
        required=True, metadata=_meta_data("La persona è assunta", "The person is hired")
    )
    tipo_contratto = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(TIPI_CONTRATTO),
        metadata=_meta_data("Tipo di contratto", "Contract type"),
    )
    data_comunicazione_obbligatoria = fields.Date(
        load_default=None, allow_none=True, metadata=_meta_data("Data UniLav", "UniLav date")
    )
    richiesta_sgravi_inps = fields.Boolean(
        load_default=False, metadata=_meta_data("Richiesti sgravi INPS", "INPS relief requested")
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("beneficiario_assunto"):
            richiedi(
                data,
                "tipo_contratto",
                "data_comunicazione_obbligatoria",
                quando="la persona è assunta",
            )
            if data.get("n_svantaggiati") == 0:
                segnala({"n_svantaggiati": ["La persona assunta va contata tra i lavoratori svantaggiati."]})


@form("f4_piano_correttivo", title="Piano di assunzioni correttivo", title_en="Corrective hiring plan", data_class="C1")
class PianoCorrettivo(FormSchema):
    assunzioni_previste = fields.Integer(
        required=True,
        validate=minimo(1),
        metadata=_meta_data("Assunzioni di svantaggiati previste", "Planned disadvantaged hires"),
    )
    data_piano = fields.Date(required=True, metadata=_meta_data("Data del piano", "Plan date"))
    scadenza_piano = fields.Date(required=True, metadata=_meta_data("Scadenza del piano", "Plan deadline"))
    azioni = fields.String(required=True, validate=non_vuoto(), metadata=_meta_data("Azioni", "Actions"))

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        dopo(data, "data_piano", "scadenza_piano")


@form(
    "f4_verifica_quota",
    title="Verifica della quota dopo il piano correttivo",
    title_en="Quota check after corrective plan",
    data_class="C1",
)
class VerificaQuota(FormSchema):
    data_verifica = fields.Date(required=True, metadata=_meta_data("Data della verifica", "Check date"))
    n_svantaggiati = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=_meta_data("Lavoratori svantaggiati", "Disadvantaged workers"),
    )
    n_non_svantaggiati = fields.Integer(
        required=True, validate=minimo(0), metadata=_meta_data("Altri lavoratori", "Other workers")
    )


@form(
    "f4_allerta_quota",
    title="Allerta alla cabina di regia: quota non rispettata",
    title_en="Steering-committee alert: quota not met",
    data_class="C1",
    # the enterprise's case: the check that missed the quota, the history of checks and plans
    decide_on=("esito_quota", "verifiche_quota", "piani_correttivi", "allerte_quota", "organico"),
)
class AllertaQuota(FormSchema):
    provvedimento = fields.String(
        required=True,
        validate=scelta(
            [
                ("AFFIANCAMENTO", "Affiancamento rafforzato"),
                ("NUOVO_PIANO", "Nuovo piano di assunzioni"),
                ("SEGNALAZIONE_FINANZIATORE", "Segnalazione al finanziatore"),
                ("ALTRO", "Altro"),
            ]
        ),
        metadata=_meta_data("Provvedimento", "Measure"),
    )
    motivazione = fields.String(required=True, validate=non_vuoto(), metadata=_meta_data("Motivazione", "Reason"))
    data_seduta = fields.Date(required=True, metadata=_meta_data("Data della seduta", "Meeting date"))


@form(
    "f4_sessione_mentoring",
    title="Sessione di mentoring mensile",
    title_en="Monthly mentoring session",
    data_class="C1",
)
class SessioneMentoring(FormSchema):
    data_sessione = fields.Date(required=True, metadata=_meta_data("Data della sessione", "Session date"))
    ore_mentoring = fields.Float(
        required=True,
        validate=intervallo(0.5, 40),
        metadata=_meta_data("Ore di mentoring", "Mentoring hours"),
    )
    temi = fields.List(
        fields.String(
            validate=scelta(
                [
                    ("GOVERNANCE", "Governance"),
                    ("AMMINISTRAZIONE", "Amministrazione"),
                    ("COMMERCIALE", "Commerciale"),
                    ("PRODUZIONE", "Produzione"),
                    ("INSERIMENTO_LAVORATIVO", "Inserimento lavorativo"),
                    ("FINANZA", "Finanza"),
                ]
            )
        ),
        required=True,
        validate=elenco_non_vuoto(),
        metadata=_meta_data("Temi trattati", "Topics"),
    )
    presenza_beneficiario = fields.Boolean(
        required=True, metadata=_meta_data("La persona era presente", "The person attended")
    )
    beneficiario_uscito = fields.Boolean(
        load_default=False,
        metadata=_meta_data("La persona ha lasciato l'impresa", "The person left the enterprise"),
    )
    motivo_uscita_impresa = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta([("DIMISSIONI", "Dimissioni"), ("LICENZIAMENTO", "Licenziamento"), ("ALTRO", "Altro")]),
        metadata=_meta_data("Motivo dell'uscita", "Reason for leaving"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("beneficiario_uscito"):
            richiedi(data, "motivo_uscita_impresa", quando="la persona ha lasciato l'impresa")


@form(
    "f4_relazione_finale_startup",
    title="Relazione finale di accompagnamento",
    title_en="Final accompaniment report",
    data_class="C1",
)
class RelazioneFinaleStartup(FormSchema):
    esito_finale = fields.String(
        required=True,
        validate=scelta(ESITI_FINALI),
        metadata=_meta_data("Esito per la persona", "Outcome for the person"),
    )
    impresa_attiva = fields.Boolean(required=True, metadata=_meta_data("Impresa attiva", "Enterprise active"))
    n_lavoratori_totali = fields.Integer(
        required=True, validate=minimo(0), metadata=_meta_data("Lavoratori totali", "Total workers")
    )
    n_svantaggiati_finale = fields.Integer(
        required=True,
        validate=minimo(0),
        metadata=_meta_data("Di cui svantaggiati", "Of which disadvantaged"),
    )
    tipo_contratto = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(TIPI_CONTRATTO),
        metadata=_meta_data("Tipo di contratto", "Contract type"),
    )
    data_relazione = fields.Date(required=True, metadata=_meta_data("Data della relazione", "Report date"))
    sintesi = fields.String(required=True, validate=non_vuoto(), metadata=_meta_data("Sintesi", "Summary"))

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("n_svantaggiati_finale", 0) > data.get("n_lavoratori_totali", 0):
            segnala({"n_svantaggiati_finale": ["Non possono superare i lavoratori totali."]})
        if data.get("esito_finale") == "ASSUNTO":
            richiedi(data, "tipo_contratto", quando="la persona è assunta")
            if not data.get("impresa_attiva"):
                segnala({"impresa_attiva": ["Una persona assunta richiede un'impresa attiva."]})


# --- Withdrawal during implementation (message ``rinuncia_beneficiario``) ---------------------

MOTIVI_RINUNCIA = [
    ("ALTRO_LAVORO", "Ha trovato un altro lavoro"),
    ("TRASFERIMENTO", "Si trasferisce in un altro territorio"),
    ("MOTIVI_FAMILIARI", "Motivi familiari"),
    ("NON_INTERESSATA", "Non è più interessata al percorso"),
    ("ALTRO", "Altro motivo personale"),
]


@form(
    "f4_rinuncia_beneficiario",
    title="Rinuncia della persona durante l'attuazione",
    title_en="Withdrawal of the person during implementation",
    description=(
        "La persona ha comunicato la rinuncia: il tirocinio, l'inserimento o l'accompagnamento in corso è "
        "interrotto e l'attuazione si chiude per abbandono (docs/domain.md, phase F4). Seguono la scheda di uscita e i "
        "follow-up."
    ),
    data_class="C1",
)
class RinunciaBeneficiario(FormSchema):
    prefill_from = ("rinuncia",)  # the withdrawal recorded from the case page or the API

    data_rinuncia = fields.Date(
        required=True,
        metadata=meta(
            "Data della rinuncia",
            "Ultimo giorno di presenza o data della comunicazione.",
            label_en="Withdrawal date",
        ),
    )
    motivo_rinuncia = fields.String(
        required=True,
        validate=scelta(MOTIVI_RINUNCIA),
        metadata=meta(
            "Motivo della rinuncia", NO_DATI_SENSIBILI, label_en="Reason for withdrawal", help_en=NO_DATI_SENSIBILI_EN
        ),
    )
    preavviso_dato = fields.Boolean(
        required=True,
        metadata=_meta_data("La persona ha dato preavviso", "Notice given by the person"),
    )
    cessazione_comunicata = fields.Boolean(
        required=True,
        metadata=meta(
            "Comunicazione obbligatoria di cessazione inviata",
            "UniLav di cessazione anticipata, entro 5 giorni dall'evento, quando è dovuta.",
            label_en="Mandatory termination notice sent",
            help_en="Early-termination UniLav notice, within 5 days, where due.",
        ),
    )
    data_comunicazione_cessazione = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=_meta_data("Data della comunicazione di cessazione", "Termination notice date"),
    )
    note_rinuncia = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata=meta("Note", NO_DATI_SENSIBILI, label_en="Notes", help_en=NO_DATI_SENSIBILI_EN),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("cessazione_comunicata"):
            richiedi(data, "data_comunicazione_cessazione", quando="la cessazione è comunicata")
            dopo(data, "data_rinuncia", "data_comunicazione_cessazione", stesso_giorno=True)
        elif data.get("data_comunicazione_cessazione"):
            segnala({"data_comunicazione_cessazione": ["Indicare la data solo se la cessazione è comunicata."]})


ESITI_AFFIANCAMENTO = [
    ("AUTONOMIA_RAGGIUNTA", "La persona lavora in autonomia"),
    ("SUPPORTO_RIDOTTO", "Basta un supporto ridotto"),
    ("SUPPORTO_CONTINUATIVO", "Serve un supporto continuativo"),
]


@form(
    "f4_relazione_job_coach",
    title="Relazione finale del job coach",
    title_en="Job coach's final report",
    description="Il job coach riferisce sull'affiancamento prima dell'esito finale dell'attuazione.",
    data_class="C1",
)
class RelazioneJobCoachForm(FormSchema):
    ore_affiancamento_svolte = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=2000, error="Tra {min} e {max} ore."),
        metadata=meta("Ore di affiancamento svolte", label_en="Support hours given"),
    )
    esito_affiancamento = fields.String(
        required=True,
        validate=scelta(ESITI_AFFIANCAMENTO),
        metadata=meta("Esito dell'affiancamento", label_en="Outcome of the support"),
    )
    osservazioni_job_coach = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000, error="Tra {min} e {max} caratteri."),
        metadata=meta("Osservazioni del job coach", label_en="Job coach's remarks"),
    )
    data_relazione_job_coach = fields.Date(required=True, metadata=meta("Data della relazione", label_en="Report date"))
