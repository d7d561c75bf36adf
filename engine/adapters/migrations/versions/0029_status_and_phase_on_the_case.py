"""monitoring: a case's status and phase read off the case row, not kept in its read-model row

``report_case.status`` and ``report_case.phase`` repeated ``cases.status`` and ``cases.phase``,
which every command saves with its case row anyway; the reports read them from the case row they
already join (as they read the last activity since 0027). A command that only moves its case to
another phase, or ends it, then sends no ``UPDATE report_case`` at all. Nothing to copy: the
case row holds the same values.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.drop_column("status")
        batch_op.drop_column("phase")


def downgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="running"))
        batch_op.add_column(sa.Column("phase", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE report_case SET status = (SELECT c.status FROM cases c WHERE c.id = report_case.case_id), "
        "phase = (SELECT c.phase FROM cases c WHERE c.id = report_case.case_id)"
    )
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
