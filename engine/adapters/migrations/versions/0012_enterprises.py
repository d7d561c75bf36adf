"""enterprises (impresa) and their links to cases, people and organisations

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "impresa",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.Column("denominazione", sa.String(length=300), nullable=False),
        sa.Column("forma_giuridica", sa.String(length=40), nullable=False),
        sa.Column("regione", sa.String(length=100), nullable=False),
        sa.Column("sede", sa.String(length=300), nullable=False),
        sa.Column("partita_iva", sa.String(length=11), nullable=True),
        sa.Column("codice_ateco", sa.String(length=8), nullable=True),
        sa.Column("iscrizioni", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_impresa_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impresa")),
        sa.UniqueConstraint("case_id", name=op.f("uq_impresa_case_id")),
        sa.UniqueConstraint("partita_iva", name=op.f("uq_impresa_partita_iva")),
    )
    with op.batch_alter_table("impresa", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impresa_territory"), ["territory"])

    op.create_table(
        "impresa_legame",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("impresa_id", sa.Integer(), nullable=False),
        sa.Column("ruolo", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("nominativo", sa.String(length=200), nullable=True),
        sa.Column("categorie", JSON, nullable=False),
        sa.Column("evidenza_pa", sa.Boolean(), nullable=False),
        sa.Column("data_assunzione", sa.String(length=10), nullable=True),
        sa.Column("data_cessazione", sa.String(length=10), nullable=True),
        sa.Column("volontario", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["impresa_id"], ["impresa.id"], name=op.f("fk_impresa_legame_impresa_id_impresa")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_impresa_legame_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_impresa_legame_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impresa_legame")),
    )
    with op.batch_alter_table("impresa_legame", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impresa_legame_impresa_id_ended_at"), ["impresa_id", "ended_at"])
        batch_op.create_index(batch_op.f("ix_impresa_legame_case_id_ended_at"), ["case_id", "ended_at"])


def downgrade() -> None:
    op.drop_table("impresa_legame")
    op.drop_table("impresa")
