"""Forms of the programme's semester monitoring report (``processes/relazione_semestrale.bpmn``):
the coordinator's draft and the cabina di regia's review.

The figures themselves are not typed by anyone: when the draft is submitted the engine freezes the
cockpit's funnel, times and ESF+ indicators for the case's territory and period into the case
(docs/monitoring.md, "The semester report"). Aggregates only, small cells already suppressed:
class C0.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import richiedi, scelta, segnala

ESITI_REVISIONE = [("APPROVATA", "Approvata"), ("DA_RIVEDERE", "Da rivedere (rinviata al coordinatore)")]


@form(
    "f5_relazione_bozza",
    title="Relazione semestrale di monitoraggio",
    title_en="Semester monitoring report",
    description=(
        "All'invio il sistema fotografa nella relazione le cifre del cruscotto (percorsi, tempi, "
        "indicatori FSE+) del territorio e del periodo del caso: restano quelle anche se i dati cambiano."
    ),
    data_class="C0",
    shows=("periodo_descrizione", "osservazioni_revisione"),
)
class RelazioneBozza(FormSchema):
    commento_coordinatore = fields.String(
        required=True,
        validate=validate.Length(min=20, max=8000, error="Tra {min} e {max} caratteri."),
        metadata=meta(
            "Commento del coordinatore",
            "Andamento del semestre, criticità, azioni proposte. Niente dati personali.",
            label_en="Coordinator's commentary",
            help_en="How the semester went, issues, proposed actions. No personal data.",
        ),
    )


@form(
    "f5_relazione_revisione",
    title="Revisione della relazione semestrale",
    title_en="Review of the semester report",
    data_class="C0",
    decide_on=("periodo_descrizione", "cifre_monitoraggio", "commento_coordinatore"),
)
class RelazioneRevisione(FormSchema):
    # to whom a report sent back goes (the field error names it)
    rinvio = "la relazione è rinviata al coordinatore"

    esito_revisione = fields.String(
        required=True,
        validate=scelta(ESITI_REVISIONE),
        metadata=meta("Esito della revisione", label_en="Review outcome"),
    )
    osservazioni_revisione = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=4000, error="Al massimo {max} caratteri."),
        metadata=meta(
            "Osservazioni della cabina di regia",
            "Obbligatorie quando la relazione è rinviata.",
            label_en="Steering committee's remarks",
            help_en="Required when the report is sent back.",
        ),
    )

    @validates_schema
    def _osservazioni(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("esito_revisione") == "DA_RIVEDERE":
            richiedi(data, "osservazioni_revisione", quando=self.rinvio)
            if len(str(data.get("osservazioni_revisione") or "").strip()) < 10:
                segnala({"osservazioni_revisione": ["Spiega in almeno 10 caratteri cosa rivedere."]})
