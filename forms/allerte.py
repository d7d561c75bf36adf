"""Forms of the health service's alerts into a beneficiary's path: the alert the service in charge
(ASL, DSM, SerD) sends into the case — a relapse, or the activity no longer compatible with the
person's health — validated by the engine's command before it becomes the message
``allerta_sanitaria``, and the case manager's assessment of it (``percorso_beneficiario``, event
sub-process ``Sub_allerta_sanitaria``). Both are health data (class C2, art. 9 GDPR)."""

from __future__ import annotations

from marshmallow import fields, validate

from forms.base import FormSchema, form, meta
from forms.validators import scelta

TIPI_ALLERTA = [
    ("RICADUTA", "Ricaduta"),
    ("INCOMPATIBILITA", "Incompatibilità con l'attività in corso"),
]
ESITI_ALLERTA = [
    ("PROSEGUE", "Il percorso prosegue come previsto"),
    ("PROGETTO_DA_ADATTARE", "Il progetto va adattato con l'équipe"),
    ("DA_SOSPENDERE", "Il percorso va sospeso"),
]


@form(
    "allerta_sanitaria",
    title="Allerta del servizio sanitario",
    title_en="Health-service alert",
    description="Inviata dal servizio sanitario in carico; la ricevono solo la squadra del caso e il servizio.",
    data_class="C2",
)
class AllertaSanitariaForm(FormSchema):
    tipo_allerta = fields.String(
        required=True,
        validate=scelta(TIPI_ALLERTA),
        metadata=meta("Tipo di allerta", label_en="Kind of alert", data_class="C2"),
    )
    descrizione_allerta = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000),
        metadata=meta("Che cosa è successo", label_en="What happened", data_class="C2"),
    )
    data_allerta = fields.Date(
        required=True, metadata=meta("Data dell'evento", label_en="Date of the event", data_class="C2")
    )


@form(
    "valuta_allerta_sanitaria",
    title="Valuta l'allerta del servizio sanitario",
    title_en="Assess the health-service alert",
    data_class="C2",
    decide_on=("allerta_sanitaria",),
)
class ValutaAllertaForm(FormSchema):
    esito_allerta = fields.String(
        required=True,
        validate=scelta(ESITI_ALLERTA),
        metadata=meta("Come prosegue il percorso", label_en="How the path goes on", data_class="C2"),
    )
    azioni_concordate = fields.String(
        required=True,
        validate=validate.Length(min=5, max=2000),
        metadata=meta("Azioni concordate con il servizio", label_en="Actions agreed with the service", data_class="C2"),
    )
    data_valutazione_allerta = fields.Date(
        required=True, metadata=meta("Data della valutazione", label_en="Date of the assessment")
    )
