"""The engine's side of ``forms/``: find a form by key, validate a submission, export JSON Schema.

Validation returns JSON-ready data (dates as ISO strings) because that is what goes into task
data, the case snapshot and the audit log. Errors become ``InvalidData`` with marshmallow's
field messages, before any workflow state is touched.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from engine.bpmn.sandbox import is_reserved
from engine.errors import InvalidData, NotFound
from forms import FORMS, FormSchema
from forms.labels_en import OPTION_LABELS_EN
from forms.plausibility import TEXT_MAX, text_too_long

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# NUL (PostgreSQL refuses it) and lone UTF-16 surrogates (not Unicode: cannot be encoded or stored)
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def get_form(form_key: str) -> type[FormSchema]:
    try:
        return FORMS[form_key]
    except KeyError:
        raise NotFound(f"form {form_key!r} not found") from None


_INSTANCES: dict[str, FormSchema] = {}


def _form(form_key: str) -> FormSchema:
    """One instance per form, reused: a schema keeps no state between loads and dumps, and
    building one (its fields, nested schemas and validators) costs more than the load itself."""
    cls = get_form(form_key)
    found = _INSTANCES.get(form_key)
    if type(found) is not cls:  # first use, or the key now names another class (a test's form)
        found = _INSTANCES[form_key] = cls()
    return found


def known_forms() -> frozenset[str]:
    return frozenset(FORMS)


def _unstorable(value: Any, depth: int = 0) -> str | None:
    """Why a value cannot be stored faithfully (NUL, lone surrogates, NaN/Infinity, absurd nesting)."""
    if depth > 32:
        return "Struttura troppo annidata."
    if isinstance(value, str):
        return "Il testo contiene caratteri non ammessi." if _UNSTORABLE_TEXT.search(value) else None
    if isinstance(value, float):
        return "Numero non valido." if value != value or value in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        for key, item in value.items():
            reason = _unstorable(key, depth + 1) or _unstorable(item, depth + 1)
            if reason:
                return reason
    elif isinstance(value, list | tuple):
        for item in value:
            reason = _unstorable(item, depth + 1)
            if reason:
                return reason
    return None


def check_storable(data: dict[str, Any], what: str = "data") -> None:
    """Refuse values PostgreSQL or JSON would not keep as given (422 with the field named)."""
    bad = {k: [reason] for k, v in data.items() if (reason := _unstorable(v) or _unstorable(k))}
    if bad:
        raise InvalidData(f"{what}: values that cannot be stored", bad)


def check_text_length(data: dict[str, Any], what: str = "data") -> None:
    """One ceiling for every text (``TEXT_MAX``, fields may be stricter): a longer one is refused
    whole with its length, never cut, so nothing written is silently lost."""
    bad = {
        k: [f"Il testo supera il limite di {TEXT_MAX} caratteri ({n} inseriti): accorcialo."]
        for k, v in data.items()
        if (n := text_too_long(v)) is not None
    }
    if bad:
        raise InvalidData(f"{what}: text too long", bad)


def form_fields() -> dict[str, frozenset[str]]:
    """form key → the names of its fields (what a completed task puts into the case data)."""
    return {key: frozenset(schema().fields) for key, schema in FORMS.items()}


def field_choices() -> dict[str, tuple[Any, ...]]:
    """field name → the options a form offers for it (every form's, merged), for the fields with
    a fixed list: what a decision table reading that variable can expect."""
    found: dict[str, list[Any]] = {}
    for schema in FORMS.values():
        for name, field in schema().fields.items():
            for v in field.validators:
                if isinstance(v, validate.OneOf):
                    known = found.setdefault(name, [])
                    known += [c for c in v.choices if c not in known]
    return {name: tuple(values) for name, values in found.items()}


def check_free_data(data: Any, what: str = "data", *, variables: bool = False) -> dict[str, Any]:
    """Data without a form: a JSON object with plain names as keys. With ``variables`` its keys
    become case variables that diagram code reads, so the sandbox's own names are refused too
    (``fn_today``, ``len``, ``math``…): a case whose data shadowed a helper could run no script."""
    if not isinstance(data, dict):
        raise InvalidData(f"{what} must be a JSON object", {"_schema": ["Deve essere un oggetto JSON."]})
    check_storable(data, what)
    check_text_length(data, what)
    bad = [k for k in data if not isinstance(k, str) or not _NAME.match(k)]
    if bad:
        raise InvalidData(
            f"{what}: invalid field names {bad}",
            {k: ["Nome di campo non valido (lettere, cifre e _; non può iniziare con _)."] for k in bad},
        )
    reserved = [k for k in data if variables and is_reserved(k)]
    if reserved:
        raise InvalidData(
            f"{what}: reserved names {reserved}",
            {k: ["Nome riservato alle funzioni dei processi: usa un altro nome."] for k in reserved},
        )
    return data


def validate_submission(form_key: str | None, data: Any) -> dict[str, Any]:
    """Validate ``data`` against the task's form; returns the JSON-ready cleaned data."""
    if form_key is None:
        return check_free_data(data, variables=True)
    schema = _form(form_key)
    if not isinstance(data, dict):
        raise InvalidData("form data must be a JSON object", {"_schema": ["Deve essere un oggetto JSON."]})
    check_storable(data, f"form {form_key}")
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise InvalidData(f"form {form_key}: invalid data", messages) from None
    check_text_length(data, f"form {form_key}")  # after the fields' own (stricter) limits spoke
    dumped: dict[str, Any] = schema.dump(loaded)
    return dumped


def from_person(form_key: str | None) -> tuple[str, ...]:
    """The person-record fields a form takes instead of asking them (``()`` for most forms)."""
    return get_form(form_key).from_person if form_key else ()


def check_against_case(form_key: str | None, clean: dict[str, Any], case: dict[str, Any]) -> None:
    """Cross-task rules of a form (its ``check_case``), checked before the task runs."""
    if form_key is None:
        return
    messages = get_form(form_key).check_case(clean, case)
    if messages:
        raise InvalidData(f"form {form_key}: contradicts the case", messages)


def json_schema(form_key: str) -> dict[str, Any]:
    """The form as JSON Schema (draft 2020-12), with labels/help as title/description."""
    cls = get_form(form_key)
    schema = cls()
    out = _object_schema(schema)
    out.update({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": cls.title})
    if cls.title_en:
        out["x-title_en"] = cls.title_en  # the task page's heading in English mode
    if cls.description:
        out["description"] = cls.description
    out["x-form-key"] = form_key
    if cls.prefill_from:
        out["x-prefill-from"] = list(cls.prefill_from)
    if cls.from_person:
        out["x-from-person"] = list(cls.from_person)
        out["x-derived"] = list(cls.derived)
        out["x-person-required"] = list(cls.person_required)
    return out


def _object_schema(schema: Schema) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required = []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        props[name] = _field_schema(field)
        if field.required:
            required.append(name)
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


_SIMPLE: list[tuple[type[fields.Field[Any]], dict[str, Any]]] = [
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Number, {"type": "number"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.Url, {"type": "string", "format": "uri"}),
    (fields.String, {"type": "string"}),
]


def _field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(field, fields.List):
        out = {"type": "array", "items": _field_schema(field.inner)}
    elif isinstance(field, fields.Nested):
        nested = field.schema
        out = _object_schema(nested)
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
    else:
        for cls, spec in _SIMPLE:
            if isinstance(field, cls):
                out = dict(spec)
                break
    meta = field.metadata or {}
    if meta.get("label"):
        out["title"] = meta["label"]
    if meta.get("help"):
        out["description"] = meta["help"]
    for key in ("label_en", "help_en"):
        if meta.get(key):
            out[f"x-{key}"] = meta[key]
    if meta.get("registry"):
        out["x-registry"] = meta["registry"]  # the value is a code of the registry (engine.forms.registry_codes)
    if field.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    for v in field.validators:
        _apply_validator(out, v)
    return out


def _apply_validator(out: dict[str, Any], v: Any) -> None:
    if isinstance(v, validate.OneOf):
        out["enum"] = list(v.choices)
        if v.labels:
            out["x-enum-labels"] = list(v.labels)
            out["x-enum-labels_en"] = [OPTION_LABELS_EN.get(str(label), str(label)) for label in v.labels]
    elif isinstance(v, validate.Range):
        if v.min is not None:
            out["exclusiveMinimum" if not v.min_inclusive else "minimum"] = v.min
        if v.max is not None:
            out["exclusiveMaximum" if not v.max_inclusive else "maximum"] = v.max
    elif isinstance(v, validate.Length):
        array = out.get("type") == "array"
        if v.min is not None:
            out["minItems" if array else "minLength"] = v.min
        if v.max is not None:
            out["maxItems" if array else "maxLength"] = v.max
        if v.equal is not None:
            out["minItems" if array else "minLength"] = v.equal
            out["maxItems" if array else "maxLength"] = v.equal
    elif isinstance(v, validate.Regexp):
        out["pattern"] = v.regex.pattern


def registry_codes(form_key: str | None, clean: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """The organisation codes a submission names in fields marked ``registry="organisation"``
    (also inside lists of nested items), with the path of each: ``(("partner", 0, "codice"), "CPI_X")``."""
    if form_key is None:
        return []
    found: list[tuple[tuple[str | int, ...], str]] = []

    def walk(schema: Schema, data: Any, path: tuple[str | int, ...]) -> None:
        if not isinstance(data, dict):
            return
        for name, field in schema.fields.items():
            value = data.get(name)
            if value is None:
                continue
            if field.metadata.get("registry") == "organisation" and isinstance(value, str):
                found.append(((*path, name), value))
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
                items = value if isinstance(field, fields.List) else [value]
                for i, item in enumerate(items):
                    walk(inner.schema, item, (*path, name, i) if isinstance(field, fields.List) else (*path, name))

    walk(_form(form_key), clean, ())
    return found


def registry_members(form_key: str | None, clean: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The people a submission names in top-level fields marked ``registry="member"``, each with
    the organisation it must belong to (the code in the field named by ``member_of``):
    ``("firmatario", "lucia", "ATS_X")``."""
    if form_key is None:
        return []
    found: list[tuple[str, str, str]] = []
    for name, field in _form(form_key).fields.items():
        value, of = clean.get(name), field.metadata.get("member_of")
        if field.metadata.get("registry") == "member" and isinstance(value, str) and isinstance(of, str):
            organisation = clean.get(of)
            if isinstance(organisation, str):
                found.append((name, value, organisation))
    return found
