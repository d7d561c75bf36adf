"""Who may see which personal data (docs/domain.md, "Data classes"): health (C2) and judicial (C3) fields.

A form field is classified by its metadata (``data_class="C2"`` or ``"C3"``); the engine
collects those names from every registered form. Case data shown to an actor keeps only the
classes the actor's roles need; every showing of a classified field is written to the access log
by the service that shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from engine.model import Actor
from engine.policy import Permission, Target, allows
from forms import FORMS

# Need-to-know (docs/access.md): which permission of the policy table shows each class. The table
# grants them to the case manager and the équipe *of the case*, and to the health or justice
# service *in charge of it*; a referent of another ASL or UEPE sees neither. A value that may
# reveal either class (C23) needs both.
PERMISSIONS_FOR_CLASS: dict[str, tuple[Permission, ...]] = {
    "C2": (Permission.READ_HEALTH,),
    "C3": (Permission.READ_JUDICIAL,),
    "C23": (Permission.READ_HEALTH, Permission.READ_JUDICIAL),
}

# Every class a form field may carry (docs/access.md): C0 common, C1 socio-economic, C2 health (art. 9),
# C3 judicial (art. 10), C4 evaluative; "C23" for a value that may reveal either of C2 and C3.
CLASSES = frozenset({"C0", "C1", "C2", "C3", "C4", "C23"})

# Variables the eligibility tables and scripts derive (not form fields) that reveal a category.
DERIVED: dict[str, str] = {
    "cat_381": "C23",  # L. 381/1991 art. 4: invalidity, psychiatric, addiction; detention, alternative measures
    "cat_l68": "C2",  # L. 68/1999 art. 1: disability
    "cat_651": "C2",  # Reg. UE 651/2014: includes DISAB_651
    "cat_112": "C23",  # D.Lgs. 112/2017: derived from the two above
    "base_giuridica": "C23",  # the article named gives the category away
    "categorie_svantaggio": "C23",
    "requisiti_accertati": "C23",
    "flag_ex_detenuto": "C3",
    "data_fine_sgravi_detenuti": "C3",  # dates the end of a sentence
    "categorie_ammissione": "C23",
    "incentivo": "C23",  # L. 381 zero contributions / L. 193 relief / L. 68 give the category away
    "base_giuridica_incentivo": "C23",
    "tipo_tirocinio_dt5": "C2",  # the L. 68 traineeship reveals a disability
    "durata_max_mesi_dt5": "C2",
    "base_giuridica_dt5": "C2",
    "motivazione_proposta": "C23",
    "motivo_riprogettazione": "C2",  # may say "relapse"
    "allerta_sanitaria": "C2",  # the health service's alert (forms/allerte.py): a relapse, an incompatibility
}


def field_class(schema: type[Any], field: Any) -> str:
    """A form field's class: its own (metadata ``data_class``) or its form's default."""
    return str((field.metadata or {}).get("data_class") or getattr(schema, "data_class", "") or "")


# Values that reveal a class from a field that is otherwise not sensitive (the instrument, the kind
# of traineeship): shown generalised to whoever may not see the class, the field itself stays.
GENERALISED_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "strumento": {"CONVENZIONE_L68": ("C2", "CONVENZIONE")},
    "strumento_alternativo": {"CONVENZIONE_L68": ("C2", "CONVENZIONE")},
    "tipo_tirocinio": {"EXTRACURRICOLARE_L68": ("C2", "EXTRACURRICOLARE")},
}


@cache
def classified_fields() -> Mapping[str, str]:
    """field name → data class, from the metadata of every registered form and the derived list."""
    found: dict[str, str] = dict(DERIVED)
    for schema in FORMS.values():
        for name, field in schema().fields.items():
            data_class = (field.metadata or {}).get("data_class")
            if data_class in PERMISSIONS_FOR_CLASS:
                found[name] = data_class
    return found


def may_see(actor: Actor, data_class: str, target: Target) -> bool:
    """Whether ``actor``, standing to the case as ``target`` says, may see ``data_class``."""
    needed = PERMISSIONS_FOR_CLASS.get(data_class)
    return needed is None or all(allows(actor, p, target) for p in needed)


def filter_data(data: Mapping[str, Any], actor: Actor, target: Target) -> tuple[dict[str, Any], list[str], list[str]]:
    """(data the actor may see, fields withheld, classified fields shown — to be logged).

    Nested values are walked too (corrections, message payloads, the completed case's data), so
    a classified field is withheld wherever it sits; ``target`` is the case's territory and the
    actor's relations to it (``engine.services.teams.target_of``), since a role counts only where
    it was granted and, for health and judicial data, only in the case's team or service in charge.
    """
    classes = classified_fields()
    withheld: set[str] = set()
    shown: set[str] = set()

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            kept = {}
            for key, item in value.items():
                data_class = classes.get(key)
                if data_class is not None and not may_see(actor, data_class, target):
                    withheld.add(key)
                    continue
                if data_class is not None:
                    shown.add(key)
                kept[key] = _generalised(key, walk(item), actor, target)
            return kept
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    visible = walk(data)
    return visible, sorted(withheld), sorted(shown)


def _generalised(name: str, value: Any, actor: Actor, target: Target) -> Any:
    revealing = GENERALISED_VALUES.get(name)
    if not revealing:
        return value
    if isinstance(value, list):
        return [_generalised(name, item, actor, target) for item in value]
    if isinstance(value, str) and value in revealing:
        data_class, generic = revealing[value]
        return value if may_see(actor, data_class, target) else generic
    return value


def classified_inside(name: str, value: Any) -> set[str]:
    """The classified field names a top-level entry is or contains (at any depth)."""
    classes = classified_fields()
    found = {name} if name in classes else set()

    def walk(item: Any) -> None:
        if isinstance(item, Mapping):
            for key, inner in item.items():
                if key in classes:
                    found.add(key)
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)

    walk(value)
    return found


# --- Tasks that tell a person is in a health or justice service's care -------------------------

# A task of the ASL's or the UEPE's lane, or one whose whole form is health or judicial data (the
# health service's alert, the UEPE's periodic report), reveals by its very name and place in the
# diagram that the person is in that service's care. Whoever may not see the class sees the task
# under this neutral label and the diagram does not mark it. A form that only *holds* some
# classified fields (the referral, the attendance register) keeps its name: its fields are withheld.
RESERVED_TASK_NAME = "Passaggio riservato a un servizio specialistico"
LANE_CLASSES: dict[str, str] = {"referente_sanitario": "C2", "referente_giustizia": "C3"}


def task_class(lane: str | None, form_key: str | None) -> str | None:
    """The class a task reveals by existing (``None``: none): its lane's, else its form's own."""
    if lane in LANE_CLASSES:
        return LANE_CLASSES[lane]
    schema = FORMS.get(form_key) if form_key else None
    own = str(getattr(schema, "data_class", "") or "")
    return own if own in PERMISSIONS_FOR_CLASS else None


def task_reserved(actor: Actor, target: Target, lane: str | None, form_key: str | None) -> bool:
    """Whether the task's name, form and lane are to be kept from ``actor`` (see above)."""
    data_class = task_class(lane, form_key)
    return data_class is not None and not may_see(actor, data_class, target)
