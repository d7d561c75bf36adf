"""inbox, accounts and access log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:36:20.092926
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"], name=op.f("fk_api_token_username_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "params", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"], name=op.f("fk_saved_filter_username_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filter")),
        sa.UniqueConstraint("username", "name", name=op.f("uq_saved_filter_username_name")),
    )
    op.create_table(
        "data_access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column(
            "fields", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_data_access_log_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_access_log")),
    )
    with op.batch_alter_table("data_access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_access_log_case_id_at"), ["case_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_access_log_username_at"), ["username", "at"], unique=False)

    op.create_table(
        "task_draft",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_draft_task_id_human_task")),
        sa.PrimaryKeyConstraint("task_id", "username", name=op.f("pk_task_draft")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phase", sa.String(length=200), nullable=True))

    # Existing rows: no priority, a sort key from due_at (far future when none), '' territory.
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("due_sort", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE human_task SET due_sort = COALESCE(due_at, '9999-12-31 00:00:00')")
    op.execute("UPDATE human_task SET territory = '' WHERE territory IS NULL")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.alter_column("due_sort", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("territory", existing_type=sa.VARCHAR(length=100), nullable=False)
        batch_op.drop_index(batch_op.f("ix_human_task_status_role_territory_due_at"))
        batch_op.create_index(
            batch_op.f("ix_human_task_status_role_due_sort_created_at_id"),
            ["status", "role", "due_sort", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_human_task_status_role_territory_due_sort_created_at_id"),
            ["status", "role", "territory", "due_sort", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_status_role_territory_due_sort_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_human_task_status_role_due_sort_created_at_id"))
        batch_op.create_index(
            batch_op.f("ix_human_task_status_role_territory_due_at"),
            ["status", "role", "territory", "due_at"],
            unique=False,
        )
        batch_op.alter_column("territory", existing_type=sa.VARCHAR(length=100), nullable=True)
        batch_op.drop_column("due_sort")
        batch_op.drop_column("priority")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("phase")

    op.drop_table("task_draft")
    with op.batch_alter_table("data_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_access_log_username_at"))
        batch_op.drop_index(batch_op.f("ix_data_access_log_case_id_at"))

    op.drop_table("data_access_log")
    op.drop_table("saved_filter")
    op.drop_table("api_token")
