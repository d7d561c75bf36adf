"""replay checkpoints: a case's whole workflow state every few events, its digest in the chain

``case_checkpoint`` keeps the state a command left (every ``checkpoint_every`` events); the
command's first event seals the checkpoint's digest (``case_event.checkpoint_digest``), so replay
can start from it and ``audit verify`` can check it. Cases stored before have no checkpoint and
replay from their first event, as before.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint_digest", sa.String(length=64), nullable=True))
    op.create_table(
        "case_checkpoint",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_checkpoint_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_case_checkpoint")),
    )


def downgrade() -> None:
    op.drop_table("case_checkpoint")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("checkpoint_digest")
