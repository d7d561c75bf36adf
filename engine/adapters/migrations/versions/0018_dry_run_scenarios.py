"""dry-run scenarios

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dry_run_scenario",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dry_run_scenario")),
    )
    with op.batch_alter_table("dry_run_scenario") as batch_op:
        batch_op.create_index(batch_op.f("ix_dry_run_scenario_process_id_id"), ["process_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("dry_run_scenario")
