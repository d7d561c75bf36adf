"""draft edit locks, revisions and lock events

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("process_draft") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("locked_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "process_draft_revision",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "revision", name=op.f("pk_process_draft_revision")),
    )
    # the drafts already there: their current content is their first revision
    op.execute(
        "INSERT INTO process_draft_revision (draft_id, revision, content, author, saved_at) "
        "SELECT id, 1, content, author, updated_at FROM process_draft"
    )
    op.create_table(
        "process_draft_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft_event")),
    )
    with op.batch_alter_table("process_draft_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_process_draft_event_draft_id_id"), ["draft_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("process_draft_event")
    op.drop_table("process_draft_revision")
    with op.batch_alter_table("process_draft") as batch_op:
        batch_op.drop_column("locked_at")
        batch_op.drop_column("locked_by")
        batch_op.drop_column("revision")
