"""The forms' one dialect: the validators and option helpers every form module uses, and the
Italian wording of every generic message.

Naming rule: helpers are named in Italian, like the fields and vocabularies they serve
(``scelta``, ``minimo``, ``intervallo``, ``non_vuoto``, ``elenco_non_vuoto``, ``richiedi``,
``dopo``, ``segnala``); a vocabulary is a plural noun holding (code, Italian label) pairs
(``TIPI_ENTE``, ``STRUMENTI``), never codes with a parallel list of labels. Wording rule: a
validator states no message of its own unless the field needs one (a unit, a format);
``italian`` gives every other one the same Italian text, whichever module made it
(``forms.base`` applies it to every field of every form, ``web.api`` to its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import ValidationError, validate

SCELTA = "Valore non ammesso. Valori validi: {labels}."
SCELTA_CODICI = "Valore non ammesso. Valori validi: {choices}."


def italian(v: Any, items: bool = False) -> None:
    """Give a validator that kept marshmallow's English default an Italian message (in place:
    validators are shared between fields, and the Italian text is the same for all of them);
    ``items`` says that a length counts the elements of a list, not characters."""
    if isinstance(v, validate.Length) and v.error is None:
        unit = "elementi" if items else "caratteri"
        v.message_min = f"Inserire almeno {{min}} {unit}."
        v.message_max = f"Inserire al massimo {{max}} {unit}."
        v.message_all = f"Inserire da {{min}} a {{max}} {unit}."
        v.message_equal = f"Inserire esattamente {{equal}} {unit}."
    elif isinstance(v, validate.Range) and v.error is None:
        low = "almeno" if v.min_inclusive else "più di"
        high = "al massimo" if v.max_inclusive else "meno di"
        v.message_min = f"Il valore deve essere {low} {{min}}."
        v.message_max = f"Il valore deve essere {high} {{max}}."
        both = v.min_inclusive and v.max_inclusive
        v.message_all = (
            "Il valore deve essere tra {min} e {max}."
            if both
            else f"Il valore deve essere {low} {{min}} e {high} {{max}}."
        )
    elif isinstance(v, validate.OneOf) and v.error == validate.OneOf.default_message:
        # the options' labels when there are (codes are for machines), else the values themselves
        v.error = SCELTA if v.labels else SCELTA_CODICI
    elif isinstance(v, validate.Email) and v.error == validate.Email.default_message:
        v.error = "Indirizzo email non valido."
    elif isinstance(v, validate.Regexp) and v.error == validate.Regexp.default_message:
        v.error = "Formato non valido."


def scelta(options: Sequence[tuple[str, str]]) -> validate.OneOf:
    """An enumeration, as (code, Italian label) pairs: the code is stored, the label shown."""
    v = validate.OneOf([code for code, _ in options], labels=[label for _, label in options])
    italian(v)
    return v


def minimo(value: float) -> validate.Range:
    v = validate.Range(min=value)
    italian(v)
    return v


def intervallo(low: float, high: float) -> validate.Range:
    v = validate.Range(min=low, max=high)
    italian(v)
    return v


def non_vuoto(max_len: int = 4000) -> validate.Length:
    """A text of at least one character, at most ``max_len``."""
    v = validate.Length(min=1, max=max_len)
    italian(v)
    return v


def elenco_non_vuoto() -> validate.Length:
    return validate.Length(min=1, error="Indicare almeno un elemento.")


def segnala(errors: Mapping[str, list[str]]) -> None:
    """Report every cross-field error found at once, keyed by the field the user must fix."""
    if errors:
        raise ValidationError(dict(errors))


def richiedi(data: Mapping[str, Any], *names: str, quando: str) -> None:
    """A field error for every name missing or empty in ``data``; ``quando`` explains why."""
    segnala({n: [f"Campo obbligatorio quando {quando}."] for n in names if data.get(n) in (None, "", [])})


def dopo(data: Mapping[str, Any], start: str, end: str, *, stesso_giorno: bool = False) -> None:
    """An error on ``end`` if it is before ``start`` (or the same day, unless ``stesso_giorno``)."""
    a, b = data.get(start), data.get(end)
    if isinstance(a, dt.date) and isinstance(b, dt.date) and (b < a or (b == a and not stesso_giorno)):
        segnala({end: ["La data deve essere successiva alla data di inizio."]})
