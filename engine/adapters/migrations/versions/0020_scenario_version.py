"""dry-run scenarios keep the process version and the draft revision they were saved against

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 23:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dry_run_scenario") as batch_op:
        batch_op.add_column(sa.Column("process_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dry_run_scenario") as batch_op:
        batch_op.drop_column("draft_revision")
        batch_op.drop_column("draft_id")
        batch_op.drop_column("process_version")
