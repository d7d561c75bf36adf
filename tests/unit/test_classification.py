"""Every form field has a data class (C0–C4), and no enumerated value reveals a health (C2) or
judicial (C3) fact from a field classed lower: that is how such facts leaked to tutors, partners,
the job centre and the evaluators' export (docs/access.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from marshmallow import fields, validate

from engine.privacy import CLASSES, GENERALISED_VALUES, field_class
from forms import FORMS

# Codes that name a health condition or service (C2) or a judicial position or service (C3).
REVEALS = {
    "C2": re.compile(r"SERD|CSM|DSM|SANITAR|PSICHIATR|DIPENDEN|ALCOL|TOSSIC|INVALID|DISAB|L68|RICADUTA|CLINIC"),
    "C3": re.compile(
        r"UEPE|USSM|DETENUT|CARCER|PENITENZ|GIUSTIZIA|PENA\b|MISURA_ALTERNATIVA|SMURAGLIA|MESSA_ALLA_PROVA"
    ),
}
COVERS = {"C2": {"C2", "C23"}, "C3": {"C3", "C23"}}


def every_field() -> Iterator[tuple[str, str, fields.Field]]:
    for key, schema in FORMS.items():
        for name, field in schema().fields.items():
            yield key, name, field


def choices(field: fields.Field) -> list[str]:
    inner = [field]
    if isinstance(field, fields.List):
        inner.append(field.inner)
    found = []
    for f in inner:
        for validator in f.validators:
            if isinstance(validator, validate.OneOf):
                found += [str(c) for c in validator.choices]
    return found


def test_every_form_field_has_a_data_class() -> None:
    unclassified = [
        f"{key}.{name}" for key, name, field in every_field() if field_class(FORMS[key], field) not in CLASSES
    ]
    assert unclassified == []


def test_no_enumerated_value_reveals_health_or_judicial_data_from_a_field_classed_lower() -> None:
    leaks = []
    for key, name, field in every_field():
        data_class = field_class(FORMS[key], field)
        for value in choices(field):
            for revealed, pattern in REVEALS.items():
                generalised = GENERALISED_VALUES.get(name, {}).get(value, ("", ""))[0] == revealed
                if pattern.search(value) and data_class not in COVERS[revealed] and not generalised:
                    leaks.append(f"{key}.{name}={value} reveals {revealed} but is {data_class}")
    assert leaks == []


def test_the_check_catches_a_leaking_field() -> None:
    from forms.base import FormSchema

    class Leaky(FormSchema):
        data_class = "C1"
        servizio = fields.String(validate=validate.OneOf(["SERD", "CPI"]))

    field = Leaky().fields["servizio"]
    assert field_class(Leaky, field) == "C1" and REVEALS["C2"].search(choices(field)[0])


def test_a_generalised_value_is_shown_whole_only_to_who_may_see_its_class() -> None:
    from engine.model import Actor
    from engine.policy import Relation, Target
    from engine.privacy import filter_data

    in_team = Target(None, frozenset({Relation.TEAM, Relation.ORGANISATION}))
    data = {"strumento": "CONVENZIONE_L68", "tipo_tirocinio": "EXTRACURRICOLARE_L68"}
    tutor = Actor("t", frozenset({"tutor_aziendale"}))
    social = Actor("s", frozenset({"assistente_sociale"}))
    assert filter_data(data, tutor, in_team)[0] == {"strumento": "CONVENZIONE", "tipo_tirocinio": "EXTRACURRICOLARE"}
    assert filter_data(data, social, in_team)[0] == data
