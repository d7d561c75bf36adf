"""Forms of phase F5 – Monitoraggio e valutazione (docs/domain.md, phase F5).

ESF+ entry micro-data (EECO fields, before the first activity), the case manager's monthly
monitoring report, the multidisciplinary team's review, the exit form (EECR01–04, within 28 days
of leaving) and the 6- and 12-month follow-ups (EECR05/EECR06).

Data classes (docs/domain.md, "Data classes"): these forms carry categories and codes only. There is no free-text
field for health conditions or offences; disability is a declared yes/no/not-declared flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.f3_progettazione import NO_DATI_SENSIBILI, NO_DATI_SENSIBILI_EN
from forms.f4_attuazione import TIPI_CONTRATTO
from forms.validators import dopo, intervallo, minimo, non_vuoto, richiedi, scelta, segnala

SI_NO_ND = [("SI", "Sì"), ("NO", "No"), ("NON_DICHIARATO", "Preferisce non dichiarare")]
FONTI_DATO = [
    ("COMUNICAZIONE_OBBLIGATORIA", "Comunicazioni obbligatorie"),
    ("INTERVISTA_TELEFONICA", "Intervista telefonica"),
    ("QUESTIONARIO_ONLINE", "Questionario online"),
    ("DOCUMENTAZIONE", "Documentazione del percorso"),
]
# ESF+ long-term unemployment (EECO03) depends on age at entry: more than 6 months of continuous
# unemployment under 25, more than 12 months from 25 on. An indicator definition, not a parameter.
ETA_GIOVANI = 25
MESI_LUNGA_DURATA_GIOVANI = 6
MESI_LUNGA_DURATA_ADULTI = 12


def eta_a(nascita: dt.date, giorno: dt.date) -> int:
    """Age in whole years on ``giorno``."""
    return giorno.year - nascita.year - ((giorno.month, giorno.day) < (nascita.month, nascita.day))


def soglia_lunga_durata(nascita: dt.date, ingresso: dt.date) -> int:
    """Months of unemployment that must be exceeded to count as long-term unemployed."""
    return MESI_LUNGA_DURATA_GIOVANI if eta_a(nascita, ingresso) < ETA_GIOVANI else MESI_LUNGA_DURATA_ADULTI


@form(
    "f5_scheda_ingresso",
    title="Scheda di ingresso ESF+ (micro-dati del partecipante)",
    title_en="ESF+ entry form (participant micro-data)",
    description=(
        "Da compilare prima della prima attività: alimenta gli indicatori comuni EECO. "
        "Fascia d'età e genere vengono dalla scheda anagrafica della persona."
    ),
    data_class="C4",
)
class SchedaIngresso(FormSchema):
    # the age group at entry and the gender: from the person record, never typed here
    from_person = ("data_nascita", "sesso")
    derived = ("fascia_eta", "genere")

    data_ingresso = fields.Date(required=True, metadata=meta("Data di ingresso nel programma", label_en="Entry date"))
    condizione_occupazionale = fields.String(
        required=True,
        validate=scelta(
            [
                ("DISOCCUPATO", "Disoccupato"),
                ("DISOCCUPATO_LUNGA_DURATA", "Disoccupato di lunga durata"),
                ("INATTIVO", "Inattivo"),
                ("OCCUPATO", "Occupato (anche autonomo)"),
            ]
        ),
        metadata=meta("Condizione occupazionale all'ingresso", label_en="Labour-market status at entry"),
    )
    mesi_disoccupazione = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=minimo(0),
        metadata=meta("Mesi di disoccupazione", label_en="Months unemployed"),
    )
    isced = fields.String(
        required=True,
        validate=scelta(
            [
                ("ISCED_0_2", "Fino alla licenza media (ISCED 0–2)"),
                ("ISCED_3_4", "Diploma o qualifica (ISCED 3–4)"),
                ("ISCED_5_8", "Titolo terziario (ISCED 5–8)"),
            ]
        ),
        metadata=meta("Titolo di studio più alto", label_en="Highest education (ISCED)"),
    )
    disabilita = fields.String(
        required=True,
        validate=scelta(SI_NO_ND),
        metadata=meta(
            "Persona con disabilità (dichiarata)",
            "Solo sì/no/non dichiarato: nessuna diagnosi.",
            label_en="Person with disabilities (declared)",
            help_en="Yes/no/not declared only: no diagnosis.",
            data_class="C2",  # health (docs/domain.md, "Data classes"), ESF+ EECO12
        ),
    )
    cittadinanza = fields.String(
        required=True,
        validate=scelta(
            [
                ("ITALIANA", "Italiana"),
                ("UE", "Altro Paese UE"),
                ("EXTRA_UE", "Paese terzo"),
                ("APOLIDE", "Apolide"),
            ]
        ),
        metadata=meta("Cittadinanza", label_en="Citizenship"),
    )
    origine_straniera = fields.String(
        required=True,
        validate=scelta(SI_NO_ND),
        metadata=meta("Origine straniera", label_en="Foreign background"),
    )
    minoranza = fields.String(
        required=True,
        validate=scelta(SI_NO_ND),
        metadata=meta("Appartenenza a una minoranza (autodichiarata)", label_en="Minority (self-declared)"),
    )
    condizione_abitativa_ethos = fields.String(
        required=True,
        validate=scelta(
            [
                ("NESSUNA", "Nessuna esclusione abitativa"),
                ("SENZA_TETTO", "Senza tetto (ETHOS 1–2)"),
                ("SENZA_CASA", "Senza casa (ETHOS 3–7)"),
                ("SISTEMAZIONE_INSICURA", "Sistemazione insicura (ETHOS 8–10)"),
                ("SISTEMAZIONE_INADEGUATA", "Sistemazione inadeguata (ETHOS 11–13)"),
            ]
        ),
        metadata=meta("Condizione abitativa (ETHOS)", label_en="Housing situation (ETHOS)"),
    )
    comune_residenza_istat = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{6}$", error="Il codice ISTAT del comune è di 6 cifre."),
        metadata=meta(
            "Comune di residenza (codice ISTAT)",
            "Per la classificazione DEGURBA.",
            label_en="Municipality (ISTAT code)",
        ),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("condizione_occupazionale") in ("DISOCCUPATO", "DISOCCUPATO_LUNGA_DURATA"):
            richiedi(data, "mesi_disoccupazione", quando="la persona è disoccupata")

    @classmethod
    def person_messages(
        cls, data: dict[str, Any], nascita: dt.date | None, facts: dict[str, Any]
    ) -> dict[str, list[str]]:
        return messaggi_identita(data, nascita)


def messaggi_identita(data: dict[str, Any], nascita: dt.date | None) -> dict[str, list[str]]:
    """The entry form's rules that need the birth date, which the form does not ask: the engine
    reads it from the person record (never typed twice) and asks these before it keeps the answer.

    ``data`` is the validated answer (dates as ISO strings); no birth date, no rule."""
    if nascita is None or not data.get("data_ingresso"):
        return {}
    ingresso = dt.date.fromisoformat(str(data["data_ingresso"])[:10])
    if nascita >= ingresso:
        return {"data_ingresso": ["L'ingresso deve seguire la data di nascita registrata nella scheda anagrafica."]}
    stato, mesi = data.get("condizione_occupazionale"), data.get("mesi_disoccupazione")
    if mesi is None:
        return {}
    soglia = soglia_lunga_durata(nascita, ingresso)
    chi = "sotto i 25 anni" if soglia == MESI_LUNGA_DURATA_GIOVANI else "dai 25 anni"
    if stato == "DISOCCUPATO_LUNGA_DURATA" and mesi <= soglia:
        return {"mesi_disoccupazione": [f"Per la lunga durata {chi} servono più di {soglia} mesi."]}
    if stato == "DISOCCUPATO" and mesi > soglia:
        return {"condizione_occupazionale": [f"Oltre {soglia} mesi {chi} indicare «disoccupato di lunga durata»."]}
    return {}


CRITICITA = [
    ("ASSENZE_RIPETUTE", "Assenze ripetute"),
    ("CONFLITTO", "Conflitto sul luogo di lavoro"),
    ("RICADUTA", "Ricaduta segnalata dal servizio (senza dettagli clinici)"),
    ("OBIETTIVI_MANCATI", "Obiettivi mancati"),
    ("PROBLEMI_LOGISTICI", "Problemi logistici"),
]


@form(
    "f5_monitoraggio_mensile",
    title="Relazione di monitoraggio mensile",
    title_en="Monthly monitoring report",
    data_class="C4",
    shows=(
        "mesi_svolti",
        "obiettivi_smart",
        "indicatori",
    ),
)
class MonitoraggioMensile(FormSchema):
    data_monitoraggio = fields.Date(required=True, metadata=meta("Data", label_en="Date"))
    percentuale_presenza = fields.Integer(
        required=True,
        validate=intervallo(0, 100),
        metadata=meta("Presenza del mese (%)", "Dal registro del tutor.", label_en="Attendance (%)"),
    )
    obiettivi_mese = fields.String(
        required=True,
        validate=scelta(
            [
                ("RISPETTATI", "Rispettati"),
                ("PARZIALMENTE", "Parzialmente"),
                ("NON_RISPETTATI", "Non rispettati"),
            ]
        ),
        metadata=meta("Obiettivi del periodo", label_en="Objectives of the period"),
    )
    criticita_rilevate = fields.List(
        fields.String(validate=scelta(CRITICITA)),
        load_default=list,
        metadata=meta(
            "Criticità rilevate", "Nessuna voce se il mese è andato bene.", label_en="Issues", data_class="C2"
        ),
    )
    note_operative = fields.String(
        load_default=None,
        allow_none=True,
        metadata=meta("Note operative", NO_DATI_SENSIBILI, label_en="Notes", help_en=NO_DATI_SENSIBILI_EN),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        criticita = data.get("criticita_rilevate", [])
        if len(set(criticita)) != len(criticita):
            segnala({"criticita_rilevate": ["Ogni criticità va indicata una sola volta."]})
        if data.get("obiettivi_mese") == "NON_RISPETTATI" and "OBIETTIVI_MANCATI" not in criticita:
            segnala({"criticita_rilevate": ["Se gli obiettivi non sono rispettati indicare «Obiettivi mancati»."]})


@form(
    "f5_revisione_equipe",
    title="Revisione dell'équipe multidisciplinare",
    title_en="Multidisciplinary team review",
    data_class="C4",
    decide_on=(
        "mesi_svolti",
        "percentuale_presenza",
        "obiettivi_mese",
        "criticita_rilevate",
        "note_operative",
    ),
)
class RevisioneEquipe(FormSchema):
    data_revisione = fields.Date(required=True, metadata=meta("Data della revisione", label_en="Review date"))
    decisione_equipe = fields.String(
        required=True,
        validate=scelta(
            [
                ("PROSEGUIRE", "Proseguire"),
                ("RIPROGETTARE", "Riprogettare il percorso"),
                ("CHIUDERE", "Chiudere il percorso"),
            ]
        ),
        metadata=meta("Decisione", label_en="Decision"),
    )
    motivo_decisione = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(
            [
                ("OBIETTIVI_NON_RAGGIUNTI", "Obiettivi non raggiunti"),
                ("PRESENZE_INSUFFICIENTI", "Presenze insufficienti"),
                ("CONFLITTO", "Conflitto"),
                ("RICADUTA", "Ricaduta"),
                ("BISOGNI_CAMBIATI", "Bisogni cambiati"),
                ("ALTRO", "Altro"),
            ]
        ),
        metadata=meta("Motivo (codice)", label_en="Reason code", data_class="C2"),
    )
    prossima_verifica = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=meta("Prossima verifica", label_en="Next review"),
    )
    verbale = fields.String(
        required=True,
        validate=non_vuoto(),
        metadata=meta("Sintesi del verbale", NO_DATI_SENSIBILI, label_en="Minutes summary"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decisione_equipe") in ("RIPROGETTARE", "CHIUDERE"):
            richiedi(data, "motivo_decisione", quando="non si prosegue")
        if data.get("decisione_equipe") == "PROSEGUIRE":
            richiedi(data, "prossima_verifica", quando="si prosegue")
            dopo(data, "data_revisione", "prossima_verifica")


@form(
    "f5_scheda_uscita",
    title="Scheda di uscita (risultati immediati ESF+)",
    title_en="Exit form (ESF+ immediate results)",
    description="Entro 28 giorni dall'uscita: indicatori EECR01–EECR04.",
    data_class="C4",
    shows=(
        "esito_attuazione",
        "mesi_svolti",
    ),
)
class SchedaUscita(FormSchema):
    data_uscita = fields.Date(required=True, metadata=meta("Data di uscita", label_en="Exit date"))
    data_rilevazione = fields.Date(required=True, metadata=meta("Data di rilevazione", label_en="Survey date"))
    motivo_uscita = fields.String(
        required=True,
        validate=scelta(
            [
                ("COMPLETAMENTO", "Percorso completato"),
                ("ASSUNZIONE", "Assunzione"),
                ("ABBANDONO", "Abbandono"),
                ("RINUNCIA", "Rinuncia"),
                ("RIPROGETTAZIONI_ESAURITE", "Riprogettazioni esaurite"),
                ("LISTA_ATTESA", "Lista d'attesa"),
                # recorded by the engine when a case is closed d'ufficio before its exit form
                ("CHIUSURA_UFFICIO", "Chiusura d'ufficio del caso"),
                ("ALTRO", "Altro"),
            ]
        ),
        metadata=meta("Motivo dell'uscita", label_en="Exit reason"),
    )
    eecr01_in_cerca = fields.Boolean(
        required=True,
        metadata=meta("In cerca di lavoro (EECR01)", label_en="Job searching (EECR01)"),
    )
    eecr02_in_formazione = fields.Boolean(
        required=True,
        metadata=meta("In istruzione o formazione (EECR02)", label_en="In education or training (EECR02)"),
    )
    eecr03_qualifica = fields.Boolean(
        required=True,
        metadata=meta("Ha ottenuto una qualifica (EECR03)", label_en="Gained a qualification (EECR03)"),
    )
    eecr04_occupato = fields.Boolean(
        required=True,
        metadata=meta(
            "Occupato, anche autonomo (EECR04)",
            "Conta l'ultima variazione.",
            label_en="Employed incl. self-employed (EECR04)",
        ),
    )
    tipo_contratto = fields.String(
        load_default=None,
        allow_none=True,
        validate=scelta(TIPI_CONTRATTO),
        metadata=meta("Tipo di contratto", label_en="Contract type"),
    )
    fonte_dato = fields.String(
        required=True,
        validate=scelta(FONTI_DATO),
        metadata=meta("Fonte del dato", label_en="Data source"),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("data_uscita") and data.get("data_rilevazione") and data["data_rilevazione"] < data["data_uscita"]:
            segnala({"data_rilevazione": ["La rilevazione non può precedere l'uscita."]})
        if data.get("eecr01_in_cerca") and data.get("eecr04_occupato"):
            segnala({"eecr04_occupato": ["«In cerca» e «occupato» si escludono: indicare l'ultima situazione."]})
        if data.get("eecr04_occupato"):
            richiedi(data, "tipo_contratto", quando="la persona è occupata")


def _follow_up_form(mesi: int) -> type[FormSchema]:
    """The 6- and 12-month follow-ups share their fields; each gets its own suffix (``_6m``,
    ``_12m``) so the 12-month answers never overwrite the 6-month ones in the case data."""
    sfx = f"_{mesi}m"
    attrs: dict[str, Any] = {
        "data_rilevazione" + sfx: fields.Date(
            required=True, metadata=meta("Data di rilevazione", label_en="Survey date")
        ),
        "condizione" + sfx: fields.String(
            required=True,
            validate=scelta(
                [
                    ("OCCUPATO", "Occupato dipendente"),
                    ("AUTONOMO", "Lavoratore autonomo"),
                    ("IN_CERCA", "In cerca di lavoro"),
                    ("IN_FORMAZIONE", "In istruzione o formazione"),
                    ("INATTIVO", "Inattivo"),
                    ("NON_RILEVATA", "Non rilevata"),
                ]
            ),
            metadata=meta(
                f"Condizione occupazionale a {mesi} mesi",
                "Occupato o autonomo = EECR05 a 6 mesi.",
                label_en=f"Labour-market status at {mesi} months",
            ),
        ),
        "tipo_contratto" + sfx: fields.String(
            load_default=None,
            allow_none=True,
            validate=scelta(TIPI_CONTRATTO),
            metadata=meta("Tipo di contratto", label_en="Contract type"),
        ),
        "situazione_migliorata" + sfx: fields.String(
            required=True,
            validate=scelta([("SI", "Sì"), ("NO", "No"), ("NON_RILEVABILE", "Non rilevabile")]),
            metadata=meta(
                "Situazione lavorativa migliorata",
                "Rispetto all'ingresso (EECR06).",
                label_en="Better labour-market situation",
            ),
        ),
        "fonte_dato" + sfx: fields.String(
            required=True,
            validate=scelta(FONTI_DATO),
            metadata=meta("Fonte del dato", label_en="Data source"),
        ),
        "motivo_mancata_rilevazione" + sfx: fields.String(
            load_default=None,
            allow_none=True,
            validate=scelta(
                [
                    ("IRREPERIBILE", "Irreperibile"),
                    ("RIFIUTO", "Rifiuta di rispondere"),
                    ("ALTRO", "Altro"),
                ]
            ),
            metadata=meta("Motivo della mancata rilevazione", label_en="Reason not surveyed"),
        ),
    }

    def _coerenza(self: FormSchema, data: dict[str, Any], **_: Any) -> None:
        if data.get("condizione" + sfx) == "OCCUPATO":
            richiedi(data, "tipo_contratto" + sfx, quando="la persona è occupata")
        if data.get("condizione" + sfx) == "NON_RILEVATA":
            richiedi(data, "motivo_mancata_rilevazione" + sfx, quando="la condizione non è rilevata")
        if data.get("condizione" + sfx) != "NON_RILEVATA" and data.get("motivo_mancata_rilevazione" + sfx):
            segnala({"motivo_mancata_rilevazione" + sfx: ["Solo quando la condizione non è rilevata."]})

    attrs["_coerenza"] = validates_schema(_coerenza)
    return type(f"FollowUp{mesi}Mesi", (FormSchema,), attrs)


FollowUp6Mesi = form(
    "f5_follow_up_6m", title="Follow-up a 6 mesi dall'uscita", title_en="6-month follow-up", data_class="C1"
)(_follow_up_form(6))
FollowUp12Mesi = form(
    "f5_follow_up_12m", title="Follow-up a 12 mesi dall'uscita", title_en="12-month follow-up", data_class="C1"
)(_follow_up_form(12))


# --- Escalation: exit form overdue (boundary timer on "Compila la scheda di uscita") ----------


@form(
    "f5_sollecito_uscita",
    title="Sollecito: scheda di uscita in ritardo",
    title_en="Reminder: exit form overdue",
    description=(
        "Sono passati i giorni previsti (giorni_scheda_uscita, 28 per l'FSE+) e la scheda di uscita non è "
        "compilata: il coordinatore sollecita l'assistente sociale e registra l'azione."
    ),
    data_class="C4",
)
class SollecitoUscita(FormSchema):
    azione_sollecito_uscita = fields.String(
        required=True,
        validate=scelta(
            [
                ("SOLLECITO_INVIATO", "Sollecito inviato all'operatore"),
                ("ATTIVITA_RIASSEGNATA", "Attività riassegnata ad altro operatore"),
                ("RITARDO_GIUSTIFICATO", "Ritardo giustificato"),
            ]
        ),
        metadata=meta("Azione del coordinatore", label_en="Coordinator's action"),
    )
    data_sollecito_uscita = fields.Date(required=True, metadata=meta("Data del sollecito", label_en="Reminder date"))
    note_sollecito_uscita = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata=meta("Note", NO_DATI_SENSIBILI, label_en="Notes", help_en=NO_DATI_SENSIBILI_EN),
    )

    @validates_schema
    def _coerenza(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("azione_sollecito_uscita") == "RITARDO_GIUSTIFICATO":
            richiedi(data, "note_sollecito_uscita", quando="il ritardo è giustificato")
