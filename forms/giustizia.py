"""Forms of the UEPE's periodic report to the supervisory magistrate for a person under an
alternative measure (``processes/relazione_uepe.bpmn``). Judicial data (class C3)."""

from __future__ import annotations

from marshmallow import fields, validate

from forms.base import FormSchema, form, meta
from forms.validators import non_vuoto, scelta

ANDAMENTI = [
    ("REGOLARE", "Regolare"),
    ("CRITICITA", "Con criticità segnalate"),
    ("PROPOSTA_REVOCA", "Proposta di revoca della misura"),
]


@form(
    "uepe_relazione_periodica",
    title="Relazione periodica al magistrato di sorveglianza",
    title_en="Periodic report to the supervisory judge",
    data_class="C3",
)
class RelazionePeriodica(FormSchema):
    data_invio_relazione = fields.Date(required=True, metadata=meta("Data di invio", label_en="Sent on"))
    protocollo_relazione = fields.String(
        required=True,
        validate=non_vuoto(100),
        metadata=meta("Protocollo di invio", label_en="Protocol no."),
    )
    andamento_misura = fields.String(
        required=True,
        validate=scelta(ANDAMENTI),
        metadata=meta("Andamento della misura", label_en="Course of the measure"),
    )
    sintesi_relazione = fields.String(
        required=True,
        validate=validate.Length(min=10, max=4000),
        metadata=meta("Sintesi della relazione", label_en="Summary"),
    )
