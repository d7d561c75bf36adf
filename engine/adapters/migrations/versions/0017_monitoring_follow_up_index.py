"""monitoring: the six-month follow-ups of a territory (ESF+ EECR05–06)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 19:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_case_territory_follow_up_6m_on"), ["territory", "follow_up_6m_on"])


def downgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_case_territory_follow_up_6m_on"))
