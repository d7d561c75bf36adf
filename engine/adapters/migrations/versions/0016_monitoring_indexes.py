"""monitoring: open tasks by territory, quiet cases by territory

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 19:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_task_territory_status"), ["territory", "status"])
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_case_territory_status_last_activity_at"), ["territory", "status", "last_activity_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_case_territory_status_last_activity_at"))
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_territory_status"))
