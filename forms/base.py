"""The base every user-task form derives from, and the registry that finds a form by its key.

A form is a marshmallow ``Schema`` registered under the key a diagram names in its user task's
``formKey`` property. Labels and help texts live in each field's metadata (Italian first, with
``label_en``/``help_en``), so the web UI and the JSON Schema export read them from one place.
Error messages are Italian; the web layer may translate them by their marshmallow key.
This package depends on marshmallow only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from forms.plausibility import date_messages
from forms.validators import italian

FORMS: dict[str, type[FormSchema]] = {}

ITALIAN_MESSAGES = {
    "required": "Campo obbligatorio.",
    "null": "Il campo non può essere vuoto.",
    "invalid": "Valore non valido.",
    "validator_failed": "Valore non valido.",
    "invalid_utf8": "Il testo contiene caratteri non validi.",
    "too_large": "Numero troppo grande.",
    "special": "Inserire un numero.",
    "format": "Valore non valido.",
    "invalid_awareness": "Data e ora non valide: indicare il fuso orario.",
    "type": "Dati non validi.",
}
_TYPE_MESSAGES: dict[type[fields.Field[Any]], str] = {
    fields.Date: "Data non valida (formato AAAA-MM-GG).",
    fields.DateTime: "Data e ora non valide.",
    fields.Integer: "Inserire un numero intero.",
    fields.Float: "Inserire un numero.",
    fields.Boolean: "Indicare sì o no.",
    fields.Email: "Indirizzo email non valido.",
    fields.String: "Inserire un testo.",
    fields.List: "Inserire un elenco.",
}


def italianize(field_obj: fields.Field[Any]) -> None:
    """Italian messages for a field, its validators and (for a list) its items."""
    messages = dict(field_obj.error_messages)
    messages.update({k: v for k, v in ITALIAN_MESSAGES.items() if k in messages or k == "required"})
    for cls, text in _TYPE_MESSAGES.items():
        if isinstance(field_obj, cls):
            messages["invalid"] = text
    field_obj.error_messages = messages
    for v in field_obj.validators:
        italian(v, isinstance(field_obj, fields.List))
    if isinstance(field_obj, fields.List):
        italianize(field_obj.inner)


class FormSchema(Schema):
    """Base of all forms: unknown fields are errors, messages are Italian."""

    error_messages = {"unknown": "Campo non previsto.", "type": "Dati non validi."}

    form_key: str = ""
    title: str = ""
    title_en: str = ""
    description: str = ""
    # the class of every field that does not name its own (``data_class`` in its metadata)
    data_class: str = ""
    # a decision form: the case variables the person decides on, shown above the form
    decide_on: tuple[str, ...] = ()
    # case variables (objects) whose same-named fields prefill the form: what the case already
    # knows is not typed again (e.g. the date a withdrawal message carried)
    prefill_from: tuple[str, ...] = ()
    # any other form: the case variables the person needs to know to fill it, shown above it
    shows: tuple[str, ...] = ()
    # what the form takes from the person record instead of asking it (never typed twice): the
    # engine adds the facts it derives when the task is completed (engine.services.engine_data)
    from_person: tuple[str, ...] = ()
    # those facts, named as the answer holds them (e.g. ``eta``, the age on the completion day)
    derived: tuple[str, ...] = ()
    # the record fields the answer cannot do without: a record lacking one refuses the answer
    person_required: tuple[str, ...] = ()

    class Meta:
        unknown = RAISE

    @classmethod
    def check_case(cls, data: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
        """Field messages for answers that contradict what the case already knows.

        ``data`` is the validated submission (dates as ISO strings), ``case`` the task's data.
        A form overrides this when a rule spans tasks (e.g. the instrument the decision table gave).
        """
        return {}

    @classmethod
    def person_messages(
        cls, data: dict[str, Any], nascita: dt.date | None, facts: dict[str, Any]
    ) -> dict[str, list[str]]:
        """Field messages for answers that contradict the person record: its birth date
        (``nascita``, never in the answer) and the ``facts`` the engine derived from it.

        ``data`` is the validated submission (dates as ISO strings). A form that takes facts
        from the record (``from_person``) overrides this for its rules on them."""
        return {}

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        italianize(field_obj)

    @validates_schema(skip_on_field_errors=False)
    def _plausible_dates(self, data: dict[str, Any], **_: Any) -> None:
        """Event dates not in the future nor implausibly old, ages, durations (forms.plausibility).

        Checked even when other fields are wrong (``data`` then holds the fields that loaded), so a
        future date is named with the missing answers at once, not after they are fixed."""
        messages = date_messages(self.form_key, data)
        if messages:
            raise ValidationError(messages)


S = TypeVar("S", bound=type[FormSchema])


def form(
    key: str,
    *,
    title: str,
    title_en: str = "",
    description: str = "",
    data_class: str,
    decide_on: tuple[str, ...] = (),
    shows: tuple[str, ...] = (),
) -> Callable[[S], S]:
    """Register a schema under a form key (the ``formKey`` a user task names).

    ``data_class`` (C0 common … C4 evaluative; docs/access.md) classes every field of the form
    that does not name a stricter one in its metadata. ``decide_on`` makes it a decision form:
    the case variables (a proposal, the facts) the task page shows above it; ``shows`` names
    what another form's task needs to know from the case (e.g. the outcome to communicate).
    """

    def register(cls: S) -> S:
        if key in FORMS and FORMS[key] is not cls:
            raise ValueError(f"form key {key!r} is registered twice")
        cls.form_key, cls.title, cls.title_en, cls.description = key, title, title_en, description
        cls.data_class = data_class
        cls.decide_on = decide_on
        cls.shows = shows
        FORMS[key] = cls
        return cls

    return register


def meta(label: str, help: str = "", *, label_en: str = "", help_en: str = "", **extra: Any) -> dict[str, Any]:
    """Field metadata in one call: ``fields.String(metadata=meta("Nome", "Come da documento"))``."""
    return {"label": label, "help": help, "label_en": label_en, "help_en": help_en, **extra}
