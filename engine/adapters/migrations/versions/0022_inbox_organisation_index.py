"""inbox: an organisation's open tasks in the page's order, a person's organisations by name

The inbox reads an organisation's tasks off (organisation_id, status, audience, due_sort,
created_at, id): the first page is the index's first rows, however many tasks the organisation
has. It replaces (organisation_id, status, due_sort), which left the rest of the order to a sort.
Every inbox page first reads the person's organisations: (username, organisation_id) answers
that without walking the member table (its key starts with the organisation).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 22:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

OLD = ["organisation_id", "status", "due_sort"]
NEW = ["organisation_id", "status", "audience", "due_sort", "created_at", "id"]
MEMBER = ["username", "organisation_id"]


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_" + "_".join(OLD)))
        batch_op.create_index(batch_op.f("ix_human_task_" + "_".join(NEW)), NEW)
    with op.batch_alter_table("organisation_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_member_username_organisation_id"), MEMBER)


def downgrade() -> None:
    with op.batch_alter_table("organisation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_member_username_organisation_id"))
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_task_" + "_".join(NEW)))
        batch_op.create_index(batch_op.f("ix_human_task_" + "_".join(OLD)), OLD)
