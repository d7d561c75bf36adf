"""Forms of the protocol lifecycle (``processes/scadenza_protocollo.bpmn``): the coordinator's
renewal decision when a protocol approaches its expiry."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate, validates_schema

from forms.base import FormSchema, form, meta
from forms.validators import scelta, segnala

ESITI = [
    ("RINNOVATO", "Rinnovato"),
    ("NON_RINNOVATO", "Non rinnovato: il protocollo scadrà"),
]


@form(
    "protocollo_rinnovo",
    title="Rinnovo del protocollo in scadenza",
    title_en="Renewal of an expiring protocol",
    data_class="C0",
    decide_on=("protocollo_numero", "data_scadenza"),
)
class RinnovoProtocollo(FormSchema):
    esito_rinnovo = fields.String(
        required=True,
        validate=scelta(ESITI),
        metadata=meta("Esito", "Il rinnovo va deciso prima della scadenza.", label_en="Outcome"),
    )
    nuova_scadenza = fields.Date(
        load_default=None,
        allow_none=True,
        metadata=meta("Nuova scadenza", "Solo se il protocollo è rinnovato.", label_en="New expiry"),
    )
    estremi_atto = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata=meta("Estremi dell'atto di rinnovo", label_en="Renewal act"),
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000), metadata=meta("Note", label_en="Notes"))

    @validates_schema
    def check_rinnovo(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["esito_rinnovo"] == "RINNOVATO" and not data.get("nuova_scadenza"):
            segnala({"nuova_scadenza": ["Indica la nuova scadenza del protocollo rinnovato."]})

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        new, current = data.get("nuova_scadenza"), case.get("data_scadenza")
        if data.get("esito_rinnovo") == "RINNOVATO" and new and current and str(new) <= str(current):
            return {"nuova_scadenza": ["La nuova scadenza deve seguire quella attuale."]}
        return {}
