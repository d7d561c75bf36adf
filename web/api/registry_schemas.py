"""Request and response shapes of the registry resources (organisations, protocols, documents)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.model import ORGANISATION_KINDS, PROTOCOL_KINDS, PROTOCOL_STATUSES
from web.api.schemas import MAX_ID, Query, Strict

CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9_-]{1,59}$")
Clause = validate.Length(max=4000)


class MemberSchema(Schema):
    username = fields.String(required=True)
    position = fields.String(required=True)
    display_name = fields.String(required=True)


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(ORGANISATION_KINDS)))
    kind_label = fields.Function(lambda o: ORGANISATION_KINDS.get(o.kind, ""), required=True)
    tax_code = fields.String(required=True, allow_none=True, metadata={"description": "Codice fiscale"})
    vat_number = fields.String(required=True, allow_none=True, metadata={"description": "Partita IVA"})
    territories = fields.List(fields.String(), required=True, metadata={"description": "Territories served"})
    members = fields.List(fields.Nested(MemberSchema), required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True, allow_none=True)


class OrganisationUpdateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=validate.OneOf(list(ORGANISATION_KINDS)))
    territories = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=50),
    )
    tax_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    vat_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class OrganisationCreateSchema(OrganisationUpdateSchema):
    code = fields.String(required=True, validate=CODE, metadata={"description": "e.g. CPI_ANCONA"})


class OrganisationQuerySchema(Query):
    kind = fields.String(validate=validate.OneOf(list(ORGANISATION_KINDS)))
    territory = fields.String(validate=validate.Length(min=1, max=100))


class MemberCreateSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    position = fields.String(load_default="", validate=validate.Length(max=200))


class PartySchema(Schema):
    organisation_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class SignatorySchema(Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    organisation_code = fields.String(required=True)
    signed_on = fields.String(required=True, metadata={"description": "AAAA-MM-GG"})


class DocumentSchema(Schema):
    id = fields.Integer(required=True)
    protocol_id = fields.Integer(required=True)
    name = fields.String(required=True)
    media_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    uploaded_at = fields.DateTime(required=True)
    uploaded_by = fields.String(required=True)


class ProtocolSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_code = fields.String(required=True)
    organisation_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(PROTOCOL_KINDS)))
    kind_label = fields.Function(lambda p: PROTOCOL_KINDS.get(p.kind, ""), required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(PROTOCOL_STATUSES)))
    status_label = fields.Function(lambda p: PROTOCOL_STATUSES.get(p.status, ""), required=True)
    number = fields.String(required=True)
    signed_on = fields.String(required=True, allow_none=True)
    scope = fields.String(required=True)
    territory = fields.String(required=True)
    starts_on = fields.String(required=True)
    expires_on = fields.String(required=True, allow_none=True)
    reference = fields.String(required=True)
    renewal_clause = fields.String(required=True)
    withdrawal_clause = fields.String(required=True)
    withdrawal_notice_days = fields.Integer(required=True)
    origin_case_id = fields.Integer(required=True, allow_none=True)
    lifecycle_case_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The case watching its expiry and withdrawals"}
    )
    parties = fields.List(fields.Nested(PartySchema), required=True)
    signatories = fields.List(fields.Nested(SignatorySchema), required=True)
    documents = fields.List(fields.Nested(DocumentSchema), required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True)
    updated_at = fields.DateTime(required=True, allow_none=True)


class ProtocolUpdateSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(list(PROTOCOL_KINDS)))
    scope = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    starts_on = fields.Date(required=True)
    expires_on = fields.Date(load_default=None, allow_none=True)
    territory = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    parties = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "The other parties' organisation codes"},
    )
    reference = fields.String(load_default="", validate=validate.Length(max=200))
    renewal_clause = fields.String(load_default="", validate=Clause)
    withdrawal_clause = fields.String(load_default="", validate=Clause)
    withdrawal_notice_days = fields.Integer(load_default=0, validate=validate.Range(min=0, max=3650))


class ProtocolCreateSchema(ProtocolUpdateSchema):
    organisation = fields.String(
        required=True, validate=validate.Length(min=1, max=60), metadata={"description": "The lead party's code"}
    )
    origin_case_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID))


class ProtocolQuerySchema(Query):
    territory = fields.String(validate=validate.Length(min=1, max=100))
    status = fields.String(validate=validate.OneOf(list(PROTOCOL_STATUSES)))
    organisation = fields.String(validate=validate.Length(min=1, max=60))
    active = fields.Boolean(load_default=False, metadata={"description": "Only those in force today"})
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))


class SignatureEntrySchema(Strict):
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=60))
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SignatureSchema(Strict):
    number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    signed_on = fields.Date(required=True)
    signatories = fields.List(
        fields.Nested(SignatureEntrySchema), required=True, validate=validate.Length(min=1, max=50)
    )


class DocumentCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    media_type = fields.String(load_default="application/pdf", validate=validate.Length(min=1, max=100))
    content = fields.String(
        required=True,
        validate=validate.Length(min=1, max=14_000_000),
        metadata={"description": "The file, base64-encoded", "format": "byte"},
    )


class RegistryEventSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    kind = fields.String(required=True)
    data = fields.Dict(required=True)


class ProtocolWithdrawalSchema(Strict):
    organisation = fields.String(
        required=True, validate=validate.Length(min=1, max=60), metadata={"description": "The withdrawing party"}
    )
    effective_on = fields.Date(required=True, metadata={"description": "Not in the past, not before the notice"})
    substitute = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "The organisation taking the party's places in running cases"},
    )


class ProtocolDependentCasesSchema(Schema):
    cases = fields.List(fields.Integer(), required=True, metadata={"description": "Running cases relying on it"})
