"""monitoring read model: one row per case (report_case); access-log rows without a case (exports)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 19:00:00

Existing cases get their rows from ``impresa report rebuild`` (a replay of their events).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_case",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=200), nullable=True),
        sa.Column("stato_caso", sa.String(length=60), nullable=True),
        sa.Column("referral_on", sa.Date(), nullable=True),
        sa.Column("taken_in_charge_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("track", sa.String(length=60), nullable=True),
        sa.Column("instrument", sa.String(length=60), nullable=True),
        sa.Column("pact_on", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("implementation_outcome", sa.String(length=60), nullable=True),
        sa.Column("closure_reason", sa.String(length=60), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("redesigns", sa.Integer(), nullable=False),
        sa.Column("adi", sa.Boolean(), nullable=False),
        sa.Column("entry_on", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=60), nullable=True),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("labour_status", sa.String(length=60), nullable=True),
        sa.Column("isced", sa.String(length=60), nullable=True),
        sa.Column("disability", sa.String(length=60), nullable=True),
        sa.Column("citizenship", sa.String(length=60), nullable=True),
        sa.Column("foreign_background", sa.String(length=60), nullable=True),
        sa.Column("minority", sa.String(length=60), nullable=True),
        sa.Column("housing", sa.String(length=60), nullable=True),
        sa.Column("municipality", sa.String(length=60), nullable=True),
        sa.Column("exit_on", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(length=60), nullable=True),
        sa.Column("eecr01", sa.Boolean(), nullable=True),
        sa.Column("eecr02", sa.Boolean(), nullable=True),
        sa.Column("eecr03", sa.Boolean(), nullable=True),
        sa.Column("eecr04", sa.Boolean(), nullable=True),
        sa.Column("follow_up_6m_on", sa.Date(), nullable=True),
        sa.Column("condition_6m", sa.String(length=60), nullable=True),
        sa.Column("improved_6m", sa.String(length=60), nullable=True),
        sa.Column("follow_up_12m_on", sa.Date(), nullable=True),
        sa.Column("condition_12m", sa.String(length=60), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_report_case_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_report_case")),
    )
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_case_territory_referral_on"), ["territory", "referral_on"])
        batch_op.create_index(batch_op.f("ix_report_case_territory_entry_on"), ["territory", "entry_on"])
        batch_op.create_index(batch_op.f("ix_report_case_territory_exit_on"), ["territory", "exit_on"])
        batch_op.create_index(batch_op.f("ix_report_case_status_last_activity_at"), ["status", "last_activity_at"])
    with op.batch_alter_table("data_access_log", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM data_access_log WHERE case_id IS NULL")
    with op.batch_alter_table("data_access_log", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("report_case")
