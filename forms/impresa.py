"""Forms of the enterprise's own process (track B, ``impresa``): incorporation, registrations,
start of activity, mentoring sessions (hours summed by the diagram), business KPIs each quarter,
the final accompaniment report and the survival/employment follow-ups at 12 and 24 months.

The corrective hiring plan and the steering committee's alert reuse the F4 forms
(``f4_piano_correttivo``, ``f4_allerta_quota``). The roster itself is not a form: hires and
leavers are engine commands on the enterprise record, which send the roster to the case.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import elenco_non_vuoto, intervallo, minimo, non_vuoto, scelta

TEMI_MENTORING = [
    ("GOVERNANCE", "Governance"),
    ("AMMINISTRAZIONE", "Amministrazione"),
    ("COMMERCIALE", "Commerciale"),
    ("PRODUZIONE", "Produzione"),
    ("INSERIMENTO_LAVORATIVO", "Inserimento lavorativo"),
    ("FINANZA", "Finanza"),
]
FONTI_FOLLOW_UP = [
    ("COMUNICAZIONI_OBBLIGATORIE", "Comunicazioni obbligatorie"),
    ("VISURA_CAMERALE", "Visura camerale"),
    ("INDAGINE", "Intervista o questionario"),
]
# Size class of Recommendation 2003/361/EC, with the head-count ceiling each allows. ESF+ EECO19
# (Reg. (UE) 2021/1057, Annex I) counts the micro, small and medium-sized enterprises supported,
# cooperatives and social-economy enterprises included: every enterprise of the programme is one
# by its legal form, so EECO19 follows the size class alone (``ESF_EECO19``).
CLASSI_DIMENSIONALI = [
    ("MICRO", "Microimpresa (meno di 10 occupati, fatturato o bilancio fino a 2 milioni di euro)"),
    ("PICCOLA", "Piccola impresa (meno di 50 occupati, fino a 10 milioni di euro)"),
    ("MEDIA", "Media impresa (meno di 250 occupati, fino a 50 milioni di fatturato o 43 di bilancio)"),
    ("GRANDE", "Grande impresa"),
]
TETTO_OCCUPATI = {"MICRO": 10, "PICCOLA": 50, "MEDIA": 250}
ESF_EECO19 = frozenset(TETTO_OCCUPATI)


@form("imp_costituzione", title="Atto costitutivo e statuto", title_en="Deed and articles", data_class="C1")
class Costituzione(FormSchema):
    data_atto = fields.Date(required=True, metadata=meta("Data dell'atto", label_en="Deed date"))
    notaio = fields.String(required=True, validate=non_vuoto(200), metadata=meta("Notaio", label_en="Notary"))
    regolamento_interno = fields.Boolean(
        load_default=False, metadata=meta("Regolamento interno approvato", label_en="Internal rules approved")
    )


@form("imp_iscrizioni", title="Iscrizioni e registrazioni completate", title_en="Registrations done", data_class="C1")
class Iscrizioni(FormSchema):
    data_iscrizione_registro_imprese = fields.Date(
        required=True,
        metadata=meta(
            "Iscrizione al Registro imprese",
            "Le iscrizioni (registro, albi) e la partita IVA si registrano nella scheda dell'impresa.",
            label_en="Companies register",
        ),
    )
    scia_licenze = fields.Boolean(load_default=False, metadata=meta("SCIA e licenze ottenute", label_en="Licences"))


@form("imp_avvio_attivita", title="Avvio dell'attività", title_en="Start of activity", data_class="C1")
class AvvioAttivita(FormSchema):
    data_inizio_attivita = fields.Date(
        required=True,
        metadata=meta(
            "Inizio dell'attività",
            "La quota di lavoratori svantaggiati si verifica da qui, ogni trimestre.",
            label_en="Start of activity",
        ),
    )
    comunicazioni_obbligatorie = fields.Boolean(
        required=True, metadata=meta("Comunicazioni obbligatorie di assunzione inviate", label_en="Hiring notices sent")
    )


@form("imp_mentoring", title="Sessione di mentoring", title_en="Mentoring session", data_class="C1")
class Mentoring(FormSchema):
    data_sessione = fields.Date(required=True, metadata=meta("Data della sessione", label_en="Session date"))
    ore_mentoring = fields.Float(
        required=True, validate=intervallo(0.5, 80), metadata=meta("Ore di mentoring", label_en="Mentoring hours")
    )
    temi = fields.List(
        fields.String(validate=scelta(TEMI_MENTORING)),
        required=True,
        validate=elenco_non_vuoto(),
        metadata=meta("Temi trattati", label_en="Topics"),
    )


@form("imp_kpi", title="Monitoraggio trimestrale dell'impresa", title_en="Quarterly business KPIs", data_class="C1")
class Kpi(FormSchema):
    fatturato_trimestre_euro = fields.Float(
        required=True, validate=minimo(0), metadata=meta("Fatturato del trimestre (€)", label_en="Quarter revenue")
    )
    fatturato_previsto_euro = fields.Float(
        required=True,
        validate=minimo(0),
        metadata=meta("Fatturato previsto dal business plan (€)", label_en="Planned revenue"),
    )
    assunzioni_trimestre = fields.Integer(
        required=True, validate=minimo(0), metadata=meta("Assunzioni nel trimestre", label_en="Hires in the quarter")
    )
    assunzioni_previste = fields.Integer(
        required=True, validate=minimo(0), metadata=meta("Assunzioni previste dal piano", label_en="Planned hires")
    )
    note_kpi = fields.String(load_default="", metadata=meta("Note", label_en="Notes"))


@form(
    "imp_relazione_finale",
    title="Relazione finale di accompagnamento",
    title_en="Final accompaniment report",
    data_class="C1",
)
class RelazioneFinale(FormSchema):
    impresa_attiva = fields.Boolean(required=True, metadata=meta("Impresa attiva", label_en="Enterprise active"))
    sintesi = fields.String(required=True, validate=non_vuoto(), metadata=meta("Sintesi", label_en="Summary"))


@form("imp_follow_up", title="Follow-up dell'impresa", title_en="Enterprise follow-up", data_class="C1")
class FollowUp(FormSchema):
    impresa_attiva = fields.Boolean(required=True, metadata=meta("Impresa ancora attiva", label_en="Still active"))
    lavoratori = fields.Integer(required=True, validate=minimo(0), metadata=meta("Lavoratori", label_en="Workers"))
    lavoratori_svantaggiati = fields.Integer(
        required=True, validate=minimo(0), metadata=meta("Di cui svantaggiati", label_en="Of whom disadvantaged")
    )
    fonte = fields.String(
        required=True, validate=scelta(FONTI_FOLLOW_UP), metadata=meta("Fonte del dato", label_en="Source")
    )
    classe_dimensionale = fields.String(
        required=True,
        validate=scelta(CLASSI_DIMENSIONALI),
        metadata=meta(
            "Classe dimensionale (Raccomandazione 2003/361/CE)",
            "Micro, piccola e media impresa contano per l'indicatore FSE+ EECO19",
            label_en="Size class (Recommendation 2003/361/EC)",
            help_en="Micro, small and medium-sized enterprises count for the ESF+ indicator EECO19",
        ),
    )

    @validates_schema
    def check_dimensione(self, data: dict[str, Any], **kwargs: Any) -> None:
        tetto = TETTO_OCCUPATI.get(data["classe_dimensionale"])
        messages: dict[str, list[str]] = {}
        if tetto is not None and data["lavoratori"] >= tetto:
            messages["classe_dimensionale"] = [f"Con {data['lavoratori']} lavoratori l'impresa supera questa classe."]
        if data["lavoratori_svantaggiati"] > data["lavoratori"]:
            messages["lavoratori_svantaggiati"] = ["Gli svantaggiati sono una parte dei lavoratori."]
        if messages:
            raise ValidationError(messages)
