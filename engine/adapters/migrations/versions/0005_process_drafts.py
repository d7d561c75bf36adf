"""process drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:04:04.986572
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "problems", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
    )
    with op.batch_alter_table("process_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_draft_file_name"), ["file_name"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("process_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_draft_file_name"))

    op.drop_table("process_draft")
