"""monitoring: a case's last activity on the case row, saved with it by every command

``report_case.last_activity_at`` moved to ``cases.last_activity_at``: a command saves its case
row anyway, so moving the last activity costs it no statement of its own (before, every command
sent one ``UPDATE report_case`` for it). The quiet-cases list reads it off the case's indexes by
status and by territory and status (the latter replaces the index by territory and status).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE cases SET last_activity_at = (SELECT r.last_activity_at FROM report_case r WHERE r.case_id = cases.id)"
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_territory_status"))
        batch_op.create_index(
            batch_op.f("ix_cases_territory_status_last_activity_at"), ["territory", "status", "last_activity_at"]
        )
        batch_op.create_index(batch_op.f("ix_cases_status_last_activity_at"), ["status", "last_activity_at"])
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_case_territory_status_last_activity_at"))
        batch_op.drop_index(batch_op.f("ix_report_case_status_last_activity_at"))
        batch_op.drop_column("last_activity_at")


def downgrade() -> None:
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE report_case SET last_activity_at = "
        "(SELECT c.last_activity_at FROM cases c WHERE c.id = report_case.case_id)"
    )
    with op.batch_alter_table("report_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_case_status_last_activity_at"), ["status", "last_activity_at"])
        batch_op.create_index(
            batch_op.f("ix_report_case_territory_status_last_activity_at"), ["territory", "status", "last_activity_at"]
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status_last_activity_at"))
        batch_op.drop_index(batch_op.f("ix_cases_territory_status_last_activity_at"))
        batch_op.create_index(batch_op.f("ix_cases_territory_status"), ["territory", "status"])
    # A plain ALTER (SQLite 3.35+ and PostgreSQL): batch mode would copy and drop ``cases`` on
    # SQLite, which the rows of the tables that refer to a case forbid.
    op.execute("ALTER TABLE cases DROP COLUMN last_activity_at")
