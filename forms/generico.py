"""Generic forms usable by any diagram: a plain confirmation with an optional note."""

from __future__ import annotations

from marshmallow import fields, validate

from forms.base import FormSchema, form, meta


@form("generico_conferma", title="Conferma attività", title_en="Confirm activity", data_class="C0")
class ConfermaAttivita(FormSchema):
    conferma = fields.Boolean(
        required=True,
        metadata=meta(
            "Attività svolta",
            "Confermare che l'attività è stata svolta.",
            label_en="Activity done",
            help_en="Confirm the activity was done.",
        ),
    )
    note = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata=meta("Note", "Osservazioni facoltative.", label_en="Notes"),
    )
