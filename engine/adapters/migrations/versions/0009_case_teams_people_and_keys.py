"""case teams, break-glass openings, sealed person records, key checks; inbox audience

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_team",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_team_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_case_team_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_team")),
    )
    with op.batch_alter_table("case_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_team_username_ended_at_case_id"), ["username", "ended_at", "case_id"])
        batch_op.create_index(
            batch_op.f("ix_case_team_organisation_id_ended_at_case_id"), ["organisation_id", "ended_at", "case_id"]
        )
        batch_op.create_index(batch_op.f("ix_case_team_case_id_relation"), ["case_id", "relation"])

    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_break_glass_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_break_glass_username_case_id_expires_at"), ["username", "case_id", "expires_at"]
        )
        batch_op.create_index(batch_op.f("ix_break_glass_territory_at"), ["territory", "at"])

    op.create_table(
        "person",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column(
            "sealed", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_pseudonym"), ["pseudonym"])
        batch_op.create_index(batch_op.f("ix_person_key_id"), ["key_id"])

    op.create_table(
        "case_person",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_person_case_id_cases")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_case_person_person_id_person")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_person")),
    )
    with op.batch_alter_table("case_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_person_person_id"), ["person_id"])

    op.create_table(
        "key_check",
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_key_check")),
    )

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=20), server_default="territory", nullable=False))
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_human_task_status_role_territory_due_sort_created_at_id"))
        batch_op.create_index(
            batch_op.f("ix_human_task_status_audience_role_territory_due_sort_created_at_id"),
            ["status", "audience", "role", "territory", "due_sort", "created_at", "id"],
        )
        batch_op.create_index(
            batch_op.f("ix_human_task_organisation_id_status_due_sort"), ["organisation_id", "status", "due_sort"]
        )


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_organisation_id_status_due_sort"))
        batch_op.drop_index(batch_op.f("ix_human_task_status_audience_role_territory_due_sort_created_at_id"))
        batch_op.create_index(
            batch_op.f("ix_human_task_status_role_territory_due_sort_created_at_id"),
            ["status", "role", "territory", "due_sort", "created_at", "id"],
        )
        batch_op.drop_column("organisation_id")
        batch_op.drop_column("audience")
    op.drop_table("key_check")
    op.drop_table("case_person")
    op.drop_table("person")
    op.drop_table("break_glass")
    op.drop_table("case_team")
