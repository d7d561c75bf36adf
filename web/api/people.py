"""API resource ``/cases/<id>/persona``: the beneficiary's identity for the case team.

GET shows it (every showing written to the access log by the engine); PUT replaces it and PATCH
changes the fields given, with the checks of the HTML form: a wrong codice fiscale is a 422 whose
field message names the problem in Italian, a code that disagrees with the birth date or gender
is a 422 (``errors.avvisi``) until ``conferma_avvisi`` is true. The answer carries an ``ETag``;
a write with ``If-Match`` (or ``revision``) made on an older revision is refused with 409, as the
process drafts' saves are. Outside the case team: 403 (a break-glass opening counts as team,
for its hours, as on every case read).
"""

from __future__ import annotations

import re
from typing import Any

from flask import request
from marshmallow import Schema, fields, validate

from engine import errors
from engine.model import PersonRecord, RepeatReferral, age_on
from web import security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import Strict
from web.errors import ensure_id

FIELDS = ("nome", "cognome", "codice_fiscale", "data_nascita", "sesso", "telefono", "email", "comune")
_ETAG = re.compile(r'\s*(?:W/)?"rev-([0-9a-f]{1,64})"\s*')


def _text(limit: int, description: str, **extra: Any) -> fields.String:
    # generous bounds: the engine checks each value and answers in Italian (422)
    return fields.String(validate=validate.Length(max=limit), metadata={"description": description}, **extra)


class PersonWriteSchema(Strict):
    nome = _text(300, "Name (required; at most 100 characters)", required=True)
    cognome = _text(300, "Surname (required; at most 100 characters)", required=True)
    codice_fiscale = _text(
        40, "Codice fiscale: length, characters and check character are checked (omocodia accepted)", allow_none=True
    )
    data_nascita = _text(10, "Date of birth, AAAA-MM-GG (an age between 15 and 100)", allow_none=True)
    sesso = _text(1, "M or F", allow_none=True)
    telefono = _text(40, "Telephone", allow_none=True)
    email = _text(200, "Email", allow_none=True)
    comune = _text(300, "Municipality of residence (at most 100 characters)", allow_none=True)
    conferma_avvisi = fields.Boolean(
        load_default=False,
        metadata={"description": "Confirm the warnings (codice fiscale that disagrees with birth date or gender)"},
    )
    revision = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "The revision you read (or If-Match with the ETag): 409 if it changed since"},
    )


class PersonPatchSchema(PersonWriteSchema):
    """Only the fields given change; an empty value clears an optional one."""

    nome = _text(300, "Name (at most 100 characters)")
    cognome = _text(300, "Surname (at most 100 characters)")


class OtherCaseSchema(Schema):
    case_id = fields.Integer(required=True)
    status = fields.String(required=True)
    territory = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    manager = fields.String(required=True, allow_none=True, metadata={"description": "Its case manager"})


class PersonSchema(Schema):
    case_id = fields.Integer(required=True)
    nome = fields.String(required=True)
    cognome = fields.String(required=True)
    codice_fiscale = fields.String(required=True, allow_none=True)
    data_nascita = fields.Date(required=True, allow_none=True)
    eta = fields.Integer(required=True, allow_none=True, metadata={"description": "Age today, from the birth date"})
    sesso = fields.String(required=True, allow_none=True)
    telefono = fields.String(required=True)
    email = fields.String(required=True)
    comune = fields.String(required=True)
    revision = fields.String(required=True, metadata={"description": "Send it back (or If-Match) when writing"})
    avvisi_confermati = fields.List(fields.String(), required=True)
    altri_casi = fields.List(
        fields.Nested(OtherCaseSchema),
        required=True,
        metadata={"description": "The same person's other cases (repeat referral): number and status only"},
    )
    may_write = fields.Boolean(required=True)


def _document(case_id: int, person: PersonRecord, repeats: tuple[RepeatReferral, ...], may_write: bool) -> Any:
    born = person.data_nascita
    body = {
        "case_id": case_id,
        **{name: getattr(person, name) for name in FIELDS},
        "eta": age_on(born, security.engine().now().date()) if born else None,
        "revision": person.revision,
        "avvisi_confermati": list(person.confirmed_warnings),
        "altri_casi": [
            {
                "case_id": r.case_id,
                "status": r.status.value,
                "territory": r.territory,
                "created_at": r.created_at,
                "manager": r.manager,
            }
            for r in repeats
        ],
        "may_write": may_write,
    }
    return body, {"ETag": f'"rev-{person.revision}"'}


def _revision(args: dict[str, Any]) -> str | None:
    if args.get("revision"):
        return str(args["revision"])
    match = _ETAG.fullmatch(request.headers.get("If-Match", ""))
    return match.group(1) if match else None


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint(
        "api_people",
        __name__,
        url_prefix=f"{prefix}/cases",
        description="The beneficiary's identity (case team only; every showing is logged)",
    )

    @blp.route("/<int:case_id>/persona", methods=["GET"])
    @requires("identity")
    @blp.response(200, PersonSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @problems(blp, 403, 404)
    def show_person(case_id: int) -> Any:
        """The person record in clear for the case team (logged in the access log); 404 until it
        is recorded, 403 outside the team."""
        ensure_id(case_id)
        sheet = security.engine().people.sheet(
            case_id, actor=api_actor(), purpose="consultazione anagrafica (API)", ip=security.client_ip()
        )
        if sheet.person is None:
            raise errors.NotFound(f"case {case_id} has no person record yet")
        return _document(case_id, sheet.person, sheet.repeats, sheet.may_write)

    def write(args: dict[str, Any], case_id: int, *, partial: bool) -> Any:
        ensure_id(case_id)
        data = {name: args[name] or "" for name in FIELDS if name in args}
        recorded = security.engine().people.record(
            case_id,
            data,
            actor=api_actor(),
            confirm=bool(args.get("conferma_avvisi")),
            ip=security.client_ip(),
            revision=_revision(args),
            partial=partial,
        )
        return _document(case_id, recorded.person, recorded.repeats, True)

    @blp.route("/<int:case_id>/persona", methods=["PUT"])
    @requires("identity_write")
    @blp.arguments(PersonWriteSchema)
    @blp.response(200, PersonSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @problems(blp, 403, 404, 409, 422)
    def replace_person(args: dict[str, Any], case_id: int) -> Any:
        """Record or replace the identity (the case's social worker); fields left out are cleared.
        422 with Italian field messages; ``errors.avvisi`` until ``conferma_avvisi`` is true; 409
        when the record changed since the revision sent."""
        return write(args, case_id, partial=False)

    @blp.route("/<int:case_id>/persona", methods=["PATCH"])
    @requires("identity_write")
    @blp.arguments(PersonPatchSchema)
    @blp.response(200, PersonSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @problems(blp, 403, 404, 409, 422)
    def change_person(args: dict[str, Any], case_id: int) -> Any:
        """Change the fields given (an empty value clears an optional one), with the same checks."""
        return write(args, case_id, partial=True)

    return blp
