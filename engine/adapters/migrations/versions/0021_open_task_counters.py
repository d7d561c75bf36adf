"""monitoring: open inbox rows counted by territory, role, organisation, claim and due day

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 23:20:00

The counters of the rows already open are computed here from ``human_task``; two indexes let
the cockpit read the tasks falling due today and the oldest open task of a group directly.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    counters = op.create_table(
        "report_open_task",
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "territory", "role", "organisation_id", "assigned", "due_on", name=op.f("pk_report_open_task")
        ),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_task_status_due_sort"), ["status", "due_sort"])
        batch_op.create_index(
            batch_op.f("ix_human_task_status_role_organisation_id_created_at"),
            ["status", "role", "organisation_id", "created_at"],
        )
    from engine.adapters.report_repository import task_key

    conn = op.get_bind()
    tasks = sa.table(
        "human_task",
        sa.column("status"),
        sa.column("territory"),
        sa.column("role"),
        sa.column("organisation_id"),
        sa.column("assignee"),
        sa.column("due_at", sa.DateTime(timezone=True)),
    )
    counts: dict[tuple[str, str, int, int, dt.date], int] = {}
    for row in conn.execute(sa.select(tasks).where(tasks.c.status == "ready")):
        values = dict(row._mapping)
        due = values["due_at"]
        if isinstance(due, str):  # SQLite hands back the stored text
            due = dt.datetime.fromisoformat(due)
        if (key := task_key({**values, "due_at": due})) is not None:
            counts[key] = counts.get(key, 0) + 1
    if counts:
        names = ("territory", "role", "organisation_id", "assigned", "due_on")
        op.bulk_insert(counters, [dict(zip(names, k, strict=True)) | {"n": n} for k, n in sorted(counts.items())])


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_status_role_organisation_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_human_task_status_due_sort"))
    op.drop_table("report_open_task")
