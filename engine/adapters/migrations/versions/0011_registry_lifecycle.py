"""registry: organisations serve many territories and carry tax codes; protocols get a status,
number, signatories, parties, clauses, documents and their origin case; the registry log

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:50:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "organisation_territory",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_territory_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "territory", name=op.f("pk_organisation_territory")),
    )
    with op.batch_alter_table("organisation_territory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_territory_territory"), ["territory"], unique=False)
    # each organisation's single territory becomes its first served territory
    op.execute("INSERT INTO organisation_territory (organisation_id, territory) SELECT id, territory FROM organisation")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_territory_kind"))
        batch_op.drop_column("territory")
        batch_op.add_column(sa.Column("tax_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("vat_number", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_organisation_tax_code"), ["tax_code"])
        batch_op.create_index(batch_op.f("ix_organisation_kind"), ["kind"], unique=False)

    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="bozza"))
        batch_op.add_column(sa.Column("number", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("signed_on", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("renewal_clause", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("withdrawal_clause", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("withdrawal_notice_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("origin_case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_protocol_status"), ["status"], unique=False)
    # protocols recorded before the lifecycle were in force as recorded: active until their expiry
    today = dt.date.today().isoformat()
    op.execute(
        sa.text(
            "UPDATE protocol SET status = CASE WHEN expires_on IS NOT NULL AND expires_on < :today "
            "THEN 'scaduto' ELSE 'attivo' END"
        ).bindparams(today=today)
    )
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        for column in ("status", "number", "renewal_clause", "withdrawal_clause", "withdrawal_notice_days"):
            batch_op.alter_column(column, server_default=None)

    op.create_table(
        "protocol_party",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_protocol_party_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["protocol_id"], ["protocol.id"], name=op.f("fk_protocol_party_protocol_id_protocol")),
        sa.PrimaryKeyConstraint("protocol_id", "organisation_id", name=op.f("pk_protocol_party")),
    )
    with op.batch_alter_table("protocol_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_party_organisation_id"), ["organisation_id"], unique=False)
    op.execute("INSERT INTO protocol_party (protocol_id, organisation_id) SELECT id, organisation_id FROM protocol")

    op.create_table(
        "protocol_signatory",
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_protocol_signatory_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_protocol_signatory_protocol_id_protocol")
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["app_user.username"], name=op.f("fk_protocol_signatory_username_app_user")
        ),
        sa.PrimaryKeyConstraint("protocol_id", "username", name=op.f("pk_protocol_signatory")),
    )
    op.create_table(
        "protocol_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_protocol_document_protocol_id_protocol")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_document")),
    )
    with op.batch_alter_table("protocol_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_document_protocol_id"), ["protocol_id"], unique=False)
    op.create_table(
        "registry_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("protocol_id", sa.Integer(), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_event")),
    )
    with op.batch_alter_table("registry_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_event_protocol_id_id"), ["protocol_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_event_organisation_id_id"), ["organisation_id", "id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("registry_event")
    op.drop_table("protocol_document")
    op.drop_table("protocol_signatory")
    op.drop_table("protocol_party")
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_status"))
        for column in (
            "updated_at",
            "origin_case_id",
            "withdrawal_notice_days",
            "withdrawal_clause",
            "renewal_clause",
            "signed_on",
            "number",
            "status",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("territory", sa.String(length=100), nullable=False, server_default=""))
    op.execute(
        "UPDATE organisation SET territory = COALESCE((SELECT MIN(territory) FROM organisation_territory t "
        "WHERE t.organisation_id = organisation.id), '')"
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_kind"))
        batch_op.drop_constraint(batch_op.f("uq_organisation_tax_code"), type_="unique")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("vat_number")
        batch_op.drop_column("tax_code")
        batch_op.create_index(batch_op.f("ix_organisation_territory_kind"), ["territory", "kind"], unique=False)
    op.drop_table("organisation_territory")
