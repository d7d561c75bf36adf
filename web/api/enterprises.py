"""API resources of track-B enterprises: ``/enterprises`` (create, list, read, details),
``/enterprises/{id}/registrations`` and ``/enterprises/{id}/links`` (founders, workers, community
members, the mentoring company; a worker's leaving date; removal of a link entered by mistake).
Reads need a role that reads enterprises, writes a coordinator's; the engine checks territories."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from engine.model import (
    ENTERPRISE_CATEGORIES,
    ENTERPRISE_LEGAL_FORMS,
    ENTERPRISE_REGISTRIES,
    ENTERPRISE_ROLES,
    Enterprise,
)
from web import security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.schemas import MAX_ID, Query, Strict
from web.errors import ensure_id

Id = validate.Range(min=1, max=MAX_ID)


class RegistrationSchema(Schema):
    registro = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_REGISTRIES)))
    registro_label = fields.Function(lambda r: ENTERPRISE_REGISTRIES.get(r.registro, ""), required=True)
    numero = fields.String(required=True)
    data = fields.String(required=True, metadata={"description": "ISO day"})


class LinkSchema(Schema):
    id = fields.Integer(required=True)
    ruolo = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_ROLES)))
    ruolo_label = fields.Function(lambda lk: ENTERPRISE_ROLES.get(lk.ruolo, ""), required=True)
    case_id = fields.Integer(required=True, allow_none=True, metadata={"description": "Beneficiary case"})
    organisation_code = fields.String(required=True, allow_none=True)
    nominativo = fields.String(required=True, allow_none=True)
    categorie = fields.List(fields.String(), required=True)
    evidenza_pa = fields.Boolean(required=True)
    data_assunzione = fields.String(required=True, allow_none=True)
    data_cessazione = fields.String(required=True, allow_none=True)
    volontario = fields.Boolean(required=True)
    in_organico = fields.Boolean(required=True, metadata={"description": "On the roster the quota counts"})


class EnterpriseSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True, metadata={"description": "The enterprise's own case"})
    territory = fields.String(required=True)
    denominazione = fields.String(required=True)
    forma_giuridica = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_LEGAL_FORMS)))
    forma_giuridica_label = fields.Function(lambda e: ENTERPRISE_LEGAL_FORMS.get(e.forma_giuridica, ""), required=True)
    regione = fields.String(required=True)
    sede = fields.String(required=True)
    partita_iva = fields.String(required=True, allow_none=True)
    codice_ateco = fields.String(required=True, allow_none=True)
    iscrizioni = fields.List(fields.Nested(RegistrationSchema), required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)
    created_at = fields.DateTime(required=True)


class EnterpriseQuerySchema(Query):
    territory = fields.String(validate=validate.Length(min=1, max=100))


class EnterpriseCreateSchema(Strict):
    territory = fields.String(required=True, validate=validate.Length(min=1, max=100))
    denominazione = fields.String(required=True, validate=validate.Length(min=1, max=300))
    forma_giuridica = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_LEGAL_FORMS)))
    regione = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sede = fields.String(required=True, validate=validate.Length(min=1, max=300))
    partita_iva = fields.String(validate=validate.Length(max=20), allow_none=True)
    codice_ateco = fields.String(validate=validate.Length(max=8), allow_none=True)
    # the beneficiary's path it is founded from: the enterprise's case then runs the track-B design
    founder_case_id = fields.Integer(validate=Id, allow_none=True)


class EnterpriseDetailsSchema(Strict):
    partita_iva = fields.String(validate=validate.Length(max=20))
    codice_ateco = fields.String(validate=validate.Length(max=8))
    sede = fields.String(validate=validate.Length(max=300))


class RegistrationCreateSchema(Strict):
    registro = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_REGISTRIES)))
    numero = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Date(required=True)


class LinkCreateSchema(Strict):
    ruolo = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_ROLES)))
    case_id = fields.Integer(validate=Id)
    organisation = fields.String(validate=validate.Length(min=1, max=60))
    nominativo = fields.String(validate=validate.Length(min=1, max=200))
    categorie = fields.List(fields.String(validate=validate.OneOf(list(ENTERPRISE_CATEGORIES))), load_default=list)
    evidenza_pa = fields.Boolean(load_default=False)
    data_assunzione = fields.Date()
    volontario = fields.Boolean(load_default=False)


class LeavingSchema(Strict):
    data_cessazione = fields.Date(required=True)


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_enterprises", __name__, url_prefix=prefix, description="Track-B enterprises")

    @blp.route("/enterprises", methods=["GET"])
    @requires("enterprises")
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, EnterpriseSchema(many=True))
    @problems(blp, 403, 422)
    def list_enterprises(args: dict[str, Any]) -> list[Enterprise]:
        """Enterprises of the territories where the caller reads them."""
        return security.engine().enterprises.list(actor=api_actor(), territory=args.get("territory"))

    @blp.route("/enterprises", methods=["POST"])
    @requires("enterprises_manage")
    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @problems(blp, 403, 422)
    def create_enterprise(args: dict[str, Any]) -> Enterprise:
        """Register an enterprise and start its own case (partita IVA check digit, ATECO code and
        the name's qualification checked; 422 with field messages). With ``founder_case_id`` the
        enterprise is founded from that beneficiary's path (linked as founder): its case first
        runs the track-B design, once for all founders."""
        return security.engine().enterprises.create(
            args["territory"],
            args["denominazione"],
            args["forma_giuridica"],
            args["regione"],
            args["sede"],
            actor=api_actor(),
            partita_iva=args.get("partita_iva") or None,
            codice_ateco=args.get("codice_ateco") or None,
            founder_case_id=args.get("founder_case_id"),
        )

    @blp.route("/enterprises/<int:enterprise_id>", methods=["GET"])
    @requires("enterprises")
    @blp.response(200, EnterpriseSchema)
    @problems(blp, 403, 404)
    def show_enterprise(enterprise_id: int) -> Enterprise:
        """One enterprise with its registrations and links (roster included)."""
        return security.engine().enterprises.get(ensure_id(enterprise_id), actor=api_actor())

    @blp.route("/enterprises/<int:enterprise_id>", methods=["PATCH"])
    @requires("enterprises_manage")
    @blp.arguments(EnterpriseDetailsSchema)
    @blp.response(200, EnterpriseSchema)
    @problems(blp, 403, 404, 409, 422)
    def update_enterprise(args: dict[str, Any], enterprise_id: int) -> Enterprise:
        """Set the partita IVA, ATECO code or seat."""
        return security.engine().enterprises.update_details(ensure_id(enterprise_id), actor=api_actor(), **args)

    @blp.route("/enterprises/<int:enterprise_id>/registrations", methods=["POST"])
    @requires("enterprises_manage")
    @blp.arguments(RegistrationCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @problems(blp, 403, 404, 409, 422)
    def add_registration(args: dict[str, Any], enterprise_id: int) -> Enterprise:
        """Record a registration (one per register)."""
        return security.engine().enterprises.add_registration(
            ensure_id(enterprise_id), args["registro"], args["numero"], args["data"].isoformat(), actor=api_actor()
        )

    @blp.route("/enterprises/<int:enterprise_id>/links", methods=["POST"])
    @requires("enterprises_manage")
    @blp.arguments(LinkCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @problems(blp, 403, 404, 409, 422)
    def add_link(args: dict[str, Any], enterprise_id: int) -> Enterprise:
        """Link a beneficiary case, a person outside the programme or the mentoring company; a
        worker joins the roster and the enterprise's case checks the quota at once."""
        hired = args.get("data_assunzione")
        return security.engine().enterprises.link(
            ensure_id(enterprise_id),
            args["ruolo"],
            actor=api_actor(),
            case_id=args.get("case_id"),
            organisation=args.get("organisation"),
            nominativo=args.get("nominativo"),
            categorie=args["categorie"],
            evidenza_pa=args["evidenza_pa"],
            data_assunzione=hired.isoformat() if hired else None,
            volontario=args["volontario"],
        )

    @blp.route("/enterprises/<int:enterprise_id>/links/<int:link_id>/leaving", methods=["POST"])
    @requires("enterprises_manage")
    @blp.arguments(LeavingSchema)
    @blp.response(200, EnterpriseSchema)
    @problems(blp, 403, 404, 409, 422)
    def end_employment(args: dict[str, Any], enterprise_id: int, link_id: int) -> Enterprise:
        """A worker leaves the enterprise (the link stays with its leaving date)."""
        return security.engine().enterprises.end_employment(
            ensure_id(enterprise_id), ensure_id(link_id), args["data_cessazione"].isoformat(), actor=api_actor()
        )

    @blp.route("/enterprises/<int:enterprise_id>/links/<int:link_id>", methods=["DELETE"])
    @requires("enterprises_manage")
    @blp.response(204)
    @problems(blp, 403, 404, 409)
    def remove_link(enterprise_id: int, link_id: int) -> Response:
        """Remove a link entered by mistake."""
        security.engine().enterprises.unlink(ensure_id(enterprise_id), ensure_id(link_id), actor=api_actor())
        return Response(status=204)

    return blp
