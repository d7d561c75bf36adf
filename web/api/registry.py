"""API resources of the registry: ``/organisations`` (with their members) and ``/protocols``
(draft, edit, signature, activation, documents, history). Reads need a role that reads the
registry; writes a coordinator's; the engine checks the territory of each organisation and
protocol."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Response
from werkzeug.exceptions import NotFound

from engine import errors
from engine.model import Organisation, PartnerProtocol, ProtocolDocument, ProtocolTerms, RegistryEvent
from web import security
from web.api.auth import api_actor, requires
from web.api.common import Blueprint, problems
from web.api.registry_schemas import (
    DocumentCreateSchema,
    DocumentSchema,
    MemberCreateSchema,
    OrganisationCreateSchema,
    OrganisationQuerySchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    ProtocolCreateSchema,
    ProtocolDependentCasesSchema,
    ProtocolQuerySchema,
    ProtocolSchema,
    ProtocolUpdateSchema,
    ProtocolWithdrawalSchema,
    RegistryEventSchema,
    SignatureSchema,
)
from web.errors import ensure_id

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,59}$")
BINARY = {"type": "string", "format": "binary"}


def check_code(code: str) -> str:
    if not CODE.match(code):
        raise NotFound(f"Organisation {code!r} not found.")
    return code


def terms_of(args: dict[str, Any], origin_case_id: int | None = None) -> ProtocolTerms:
    """The engine's protocol terms from a validated request body."""
    return ProtocolTerms(
        kind=args["kind"],
        scope=args["scope"],
        starts_on=args["starts_on"].isoformat(),
        expires_on=args["expires_on"].isoformat() if args.get("expires_on") else None,
        reference=args.get("reference", ""),
        parties=tuple(args.get("parties") or ()),
        territory=args.get("territory"),
        renewal_clause=args.get("renewal_clause", ""),
        withdrawal_clause=args.get("withdrawal_clause", ""),
        withdrawal_notice_days=int(args.get("withdrawal_notice_days", 0)),
        origin_case_id=origin_case_id,
    )


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_registry", __name__, url_prefix=prefix, description="Registry: organisations and protocols")

    @blp.route("/organisations", methods=["GET"])
    @requires("registry")
    @blp.arguments(OrganisationQuerySchema, location="query")
    @blp.response(200, OrganisationSchema(many=True))
    @problems(blp, 403, 422)
    def list_organisations(args: dict[str, Any]) -> list[Organisation]:
        """Organisations serving the territories the caller reads, by name."""
        return security.engine().registry.organisations(
            actor=api_actor(), kind=args.get("kind"), territory=args.get("territory")
        )

    @blp.route("/organisations", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(OrganisationCreateSchema)
    @blp.response(201, OrganisationSchema)
    @problems(blp, 403, 409, 422)
    def create_organisation(args: dict[str, Any]) -> Organisation:
        """Register an organisation (codice fiscale and partita IVA checked; 409 if the code or the
        codice fiscale is taken)."""
        eng, actor = security.engine(), api_actor()
        eng.registry.add_organisation(
            args["code"],
            args["name"],
            args["kind"],
            args["territories"],
            actor=actor,
            tax_code=args.get("tax_code"),
            vat_number=args.get("vat_number"),
        )
        return eng.registry.organisation(args["code"], actor=actor)

    @blp.route("/organisations/<code>", methods=["GET"])
    @requires("registry")
    @blp.response(200, OrganisationSchema)
    @problems(blp, 403, 404)
    def show_organisation(code: str) -> Organisation:
        """One organisation with its members."""
        return security.engine().registry.organisation(check_code(code), actor=api_actor())

    @blp.route("/organisations/<code>", methods=["PUT"])
    @requires("registry_manage")
    @blp.arguments(OrganisationUpdateSchema)
    @blp.response(200, OrganisationSchema)
    @problems(blp, 403, 404, 409, 422)
    def update_organisation(args: dict[str, Any], code: str) -> Organisation:
        """Change an organisation's name, kind, codes and the territories it serves."""
        eng, actor = security.engine(), api_actor()
        eng.registry.update_organisation(
            check_code(code),
            args["name"],
            args["kind"],
            args["territories"],
            actor=actor,
            tax_code=args.get("tax_code"),
            vat_number=args.get("vat_number"),
        )
        return eng.registry.organisation(code, actor=actor)

    @blp.route("/organisations/<code>/members", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(MemberCreateSchema)
    @blp.response(201, OrganisationSchema)
    @problems(blp, 403, 404, 409, 422)
    def add_member(args: dict[str, Any], code: str) -> Organisation:
        """A user acts for the organisation (signs its protocols, receives its tasks)."""
        eng, actor = security.engine(), api_actor()
        eng.registry.add_member(check_code(code), args["username"], actor=actor, position=args["position"])
        return eng.registry.organisation(code, actor=actor)

    @blp.route("/protocols", methods=["GET"])
    @requires("registry")
    @blp.arguments(ProtocolQuerySchema, location="query")
    @blp.response(200, ProtocolSchema(many=True))
    @problems(blp, 403, 422)
    def list_protocols(args: dict[str, Any]) -> list[PartnerProtocol]:
        """Protocols of the territories the caller reads, by territory and expiry."""
        return security.engine().registry.protocols(
            actor=api_actor(),
            territory=args.get("territory"),
            status=args.get("status"),
            organisation=args.get("organisation"),
            active=args["active"],
            expiring_within_days=args.get("expiring_within_days"),
        )

    @blp.route("/protocols", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(ProtocolCreateSchema)
    @blp.response(201, ProtocolSchema)
    @problems(blp, 403, 404, 409, 422)
    def create_protocol(args: dict[str, Any]) -> PartnerProtocol:
        """A draft protocol (409 when one between the same parties overlaps it in time)."""
        eng, actor = security.engine(), api_actor()
        protocol_id = eng.registry.add_protocol_terms(
            args["organisation"], terms_of(args, args.get("origin_case_id")), actor=actor
        )
        return eng.registry.protocol(protocol_id, actor=actor)

    @blp.route("/protocols/<int:protocol_id>", methods=["GET"])
    @requires("registry")
    @blp.response(200, ProtocolSchema)
    @problems(blp, 403, 404)
    def show_protocol(protocol_id: int) -> PartnerProtocol:
        """One protocol with its parties, signatories and documents."""
        return security.engine().registry.protocol(ensure_id(protocol_id), actor=api_actor())

    @blp.route("/protocols/<int:protocol_id>", methods=["PUT"])
    @requires("registry_manage")
    @blp.arguments(ProtocolUpdateSchema)
    @blp.response(200, ProtocolSchema)
    @problems(blp, 403, 404, 409, 422)
    def update_protocol(args: dict[str, Any], protocol_id: int) -> PartnerProtocol:
        """Change a draft's terms (409 once signed)."""
        return security.engine().registry.update_protocol(ensure_id(protocol_id), terms_of(args), actor=api_actor())

    @blp.route("/protocols/<int:protocol_id>/signature", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(SignatureSchema)
    @blp.response(200, ProtocolSchema)
    @problems(blp, 403, 404, 409, 422)
    def sign_protocol(args: dict[str, Any], protocol_id: int) -> PartnerProtocol:
        """Record the signature: number, date, and a member signing for every party."""
        return security.engine().registry.sign_protocol(
            ensure_id(protocol_id),
            args["number"],
            args["signed_on"].isoformat(),
            [(s["organisation"], s["username"]) for s in args["signatories"]],
            actor=api_actor(),
        )

    @blp.route("/protocols/<int:protocol_id>/activation", methods=["POST"])
    @requires("registry_manage")
    @blp.response(200, ProtocolSchema)
    @problems(blp, 403, 404, 409)
    def activate_protocol(protocol_id: int) -> PartnerProtocol:
        """A signed protocol comes into force (409 unless signed)."""
        return security.engine().registry.activate_protocol(ensure_id(protocol_id), actor=api_actor())

    @blp.route("/protocols/<int:protocol_id>/withdrawal", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(ProtocolWithdrawalSchema)
    @blp.response(200, ProtocolSchema)
    @problems(blp, 403, 404, 409, 422)
    def withdraw(args: dict[str, Any], protocol_id: int) -> PartnerProtocol:
        """A party withdraws: the protocol stays in force until the effect date, then is
        ``receduto`` and the party's places in running cases go to the substitute."""
        return security.engine().registry.withdraw_protocol(
            ensure_id(protocol_id),
            args["organisation"],
            args["effective_on"].isoformat(),
            actor=api_actor(),
            substitute=args.get("substitute"),
        )

    @blp.route("/protocols/<int:protocol_id>/dependent-cases", methods=["GET"])
    @requires("registry_manage")
    @blp.response(200, ProtocolDependentCasesSchema)
    @problems(blp, 403, 404)
    def dependent_cases(protocol_id: int) -> dict[str, list[int]]:
        """The running cases whose team names a party (flagged if the protocol lapses)."""
        return {"cases": security.engine().registry.dependent_cases(ensure_id(protocol_id), actor=api_actor())}

    @blp.route("/protocols/<int:protocol_id>/documents", methods=["POST"])
    @requires("registry_manage")
    @blp.arguments(DocumentCreateSchema)
    @blp.response(201, DocumentSchema)
    @problems(blp, 403, 404, 422)
    def add_document(args: dict[str, Any], protocol_id: int) -> ProtocolDocument:
        """Store a document of the protocol; the answer carries its SHA-256."""
        try:
            content = base64.b64decode(args["content"], validate=True)
        except (binascii.Error, ValueError) as err:
            raise errors.InvalidData("content", {"content": ["Contenuto non in base64."]}) from err
        return security.engine().registry.add_document(
            ensure_id(protocol_id), args["name"], args["media_type"], content, actor=api_actor()
        )

    @blp.route("/protocols/<int:protocol_id>/documents/<int:document_id>", methods=["GET"])
    @requires("registry")
    @blp.response(200, BINARY, content_type="application/octet-stream", description="The stored file")
    @problems(blp, 403, 404)
    def download_document(protocol_id: int, document_id: int) -> Response:
        """A stored document, as uploaded; ``X-Content-SHA256`` carries its hash."""
        meta, content = security.engine().registry.document(
            ensure_id(protocol_id), ensure_id(document_id), actor=api_actor()
        )
        return document_response(meta, content)

    @blp.route("/protocols/<int:protocol_id>/history", methods=["GET"])
    @requires("registry")
    @blp.response(200, RegistryEventSchema(many=True))
    @problems(blp, 403, 404)
    def protocol_history(protocol_id: int) -> list[RegistryEvent]:
        """Every change to the protocol: who, when, what."""
        return security.engine().registry.protocol_history(ensure_id(protocol_id), actor=api_actor())

    return blp


def document_response(meta: ProtocolDocument, content: bytes) -> Response:
    """A stored document as an attachment (never rendered inline: it may be anything)."""
    response = Response(content, mimetype="application/octet-stream")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", meta.name) or "documento"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["X-Content-SHA256"] = meta.sha256
    return response
