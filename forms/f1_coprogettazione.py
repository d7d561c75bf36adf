"""Forms of F1's co-progettazione route (DM 72/2021, art. 55 D.Lgs. 117/2017), the alternative to
a draft agreement after the co-programming table: the public notice, the proposals received, the
commission's evaluation (the selected bodies are picked from the registry), the minuted co-design
table, the final project; the convention is signed with the agreement's signature form."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import intervallo, non_vuoto, segnala


@form(
    "f1_avviso_coprogettazione",
    title="Avviso pubblico di co-progettazione",
    title_en="Public notice for co-design",
    data_class="C0",
)
class AvvisoCoprogettazione(FormSchema):
    numero_avviso = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Numero dell'avviso", label_en="Notice no."),
    )
    data_pubblicazione = fields.Date(required=True, metadata=meta("Data di pubblicazione", label_en="Published on"))
    termine_proposte = fields.Date(
        required=True, metadata=meta("Termine per le proposte", label_en="Deadline for proposals")
    )
    oggetto_coprogettazione = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000),
        metadata=meta("Oggetto della co-progettazione", label_en="Subject of the co-design"),
    )

    @validates_schema
    def check_termine(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["termine_proposte"] <= data["data_pubblicazione"]:
            segnala({"termine_proposte": ["Il termine deve seguire la pubblicazione."]})


@form(
    "f1_proposte_coprogettazione",
    title="Proposte ricevute",
    title_en="Proposals received",
    data_class="C0",
)
class ProposteCoprogettazione(FormSchema):
    data_chiusura = fields.Date(required=True, metadata=meta("Chiusura dei termini", label_en="Closed on"))
    numero_proposte = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=500, error="Serve almeno una proposta per proseguire."),
        metadata=meta("Proposte ricevute", label_en="Proposals received"),
    )


class EnteSelezionato(FormSchema):
    """A body the commission selected (an item of ``enti_selezionati``)."""

    codice = fields.String(
        required=True,
        validate=validate.Length(min=2, max=60),
        metadata=meta(
            "Codice ente",
            "Il codice dell'organizzazione nel registro della rete",
            label_en="Code",
            registry="organisation",
        ),
    )
    nome = fields.String(
        required=True, validate=validate.Length(min=2, max=200), metadata=meta("Denominazione", label_en="Name")
    )
    punteggio = fields.Integer(
        required=True,
        validate=intervallo(0, 100),
        metadata=meta("Punteggio", label_en="Score"),
    )


@form(
    "f1_commissione_coprogettazione",
    title="Valutazione della commissione",
    title_en="Commission's evaluation",
    data_class="C0",
)
class CommissioneCoprogettazione(FormSchema):
    numero_atto_nomina = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Atto di nomina della commissione", label_en="Appointment act"),
    )
    data_valutazione = fields.Date(required=True, metadata=meta("Data della valutazione", label_en="Evaluated on"))
    enti_selezionati = fields.List(
        fields.Nested(EnteSelezionato),
        required=True,
        validate=validate.Length(min=1, error="Selezionare almeno {min} ente."),
        metadata=meta("Enti selezionati", label_en="Selected bodies"),
    )


@form(
    "f1_tavolo_coprogettazione",
    title="Tavolo di co-progettazione",
    title_en="Co-design table",
    data_class="C0",
)
class TavoloCoprogettazione(FormSchema):
    sessioni_coprogettazione = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=100, error="Indicare almeno {min} sessione."),
        metadata=meta("Sessioni verbalizzate", label_en="Minuted sessions"),
    )
    data_ultima_sessione_coprogettazione = fields.Date(
        required=True, metadata=meta("Data dell'ultima sessione", label_en="Last session on")
    )
    protocollo_verbali_coprogettazione = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Protocollo dei verbali", label_en="Minutes protocol no."),
    )


@form(
    "f1_progetto_definitivo",
    title="Progetto definitivo",
    title_en="Final project",
    data_class="C0",
)
class ProgettoDefinitivo(FormSchema):
    numero_atto_approvazione = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Atto di approvazione", label_en="Approval act"),
    )
    data_approvazione = fields.Date(required=True, metadata=meta("Data di approvazione", label_en="Approved on"))
    durata_progetto_mesi = fields.Integer(
        required=True,
        validate=intervallo(1, 120),
        metadata=meta("Durata del progetto (mesi)", label_en="Project length (months)"),
    )
