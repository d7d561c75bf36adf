"""per-task workflow state

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:20:00

A case's workflow moves from one document in ``cases.state`` to one row per task in
``case_task`` (``cases.state`` keeps a small header). Every stored case is converted here, without
specs (``engine.bpmn.state_rows.rows_from_document``); a case the conversion did not reach would
still load and be converted on its next command.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 200


def upgrade() -> None:
    op.create_table(
        "case_task",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("workflow", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_task_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "task_id", name=op.f("pk_case_task")),
    )
    _convert_stored_cases()


def _convert_stored_cases() -> None:
    from engine.bpmn.state_rows import is_row_header, rows_from_document

    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("state", sa.Text))
    rows = sa.table(
        "case_task",
        sa.column("case_id", sa.Integer),
        sa.column("task_id", sa.String),
        sa.column("workflow", sa.String),
        sa.column("position", sa.Integer),
        sa.column("payload", sa.Text),
    )
    after = 0
    while True:
        batch = conn.execute(
            sa.select(cases.c.id, cases.c.state).where(cases.c.id > after).order_by(cases.c.id).limit(BATCH)
        ).all()
        for case_id, state in batch:
            if not state or is_row_header(state):
                continue
            try:
                header, task_rows = rows_from_document(state)
            except (ValueError, KeyError, TypeError):
                continue  # not a workflow document: it never loaded, and stays as it was
            conn.execute(
                rows.insert(),
                [
                    {
                        "case_id": case_id,
                        "task_id": r.task_id,
                        "workflow": r.workflow,
                        "position": r.position,
                        "payload": r.payload,
                    }
                    for r in task_rows
                ],
            )
            conn.execute(sa.update(cases).where(cases.c.id == case_id).values(state=header))
        if len(batch) < BATCH:
            return
        after = batch[-1][0]


def downgrade() -> None:
    """Back to one document per case (each task with its full data, which the older code reads)."""
    import json

    from engine.bpmn.state_rows import document_from_rows, is_row_header
    from engine.model import TaskRow

    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("state", sa.Text))
    rows = sa.table(
        "case_task",
        sa.column("case_id", sa.Integer),
        sa.column("task_id", sa.String),
        sa.column("workflow", sa.String),
        sa.column("position", sa.Integer),
        sa.column("payload", sa.Text),
    )
    for case_id, state in conn.execute(sa.select(cases.c.id, cases.c.state).order_by(cases.c.id)).all():
        if not is_row_header(state):
            continue
        task_rows = [
            TaskRow(*r)
            for r in conn.execute(
                sa.select(rows.c.task_id, rows.c.workflow, rows.c.position, rows.c.payload).where(
                    rows.c.case_id == case_id
                )
            )
        ]
        document = json.dumps(document_from_rows(state, task_rows), separators=(",", ":"))
        conn.execute(sa.update(cases).where(cases.c.id == case_id).values(state=document))
    op.drop_table("case_task")
