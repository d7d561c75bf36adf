"""tamper-evident event chain

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 05:51:32.786376
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "heads", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cmd", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("state_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("salts", json_type, nullable=True))
        batch_op.add_column(sa.Column("commitments", json_type, nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased", json_type, nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_head", sa.String(length=64), nullable=True))
    _seal_existing_events()
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.alter_column("commitments", existing_type=json_type, nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("erased", existing_type=json_type, nullable=False)
        batch_op.alter_column("salts", existing_type=json_type, nullable=False)


def _seal_existing_events() -> None:
    """Events written before the chain existed are sealed now, in order, one case at a time."""
    import datetime as dt

    from engine.audit.chain import GENESIS, seal
    from engine.model import CaseEvent

    conn = op.get_bind()
    events = sa.table(
        "case_event",
        sa.column("id"),
        sa.column("case_id"),
        sa.column("seq"),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor"),
        sa.column("kind"),
        sa.column("task_id"),
        sa.column("task_name"),
        sa.column("bpmn_id"),
        sa.column("data", sa.JSON()),
        sa.column("cmd"),
        sa.column("salts", sa.JSON()),
        sa.column("commitments", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("hash"),
        sa.column("erased", sa.JSON()),
    )
    cases = sa.table("cases", sa.column("id"), sa.column("event_head"))
    rows = conn.execute(sa.select(events).order_by(events.c.case_id, events.c.seq)).all()
    by_case: dict[int, list[object]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    for case_id, case_rows in by_case.items():
        sealed = seal(
            [
                CaseEvent(
                    case_id=r.case_id,
                    seq=r.seq,
                    at=r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC),
                    actor=r.actor,
                    kind=r.kind,
                    task_id=r.task_id,
                    task_name=r.task_name,
                    bpmn_id=r.bpmn_id,
                    data=r.data or {},
                    cmd=r.seq,
                )
                for r in case_rows
            ],
            GENESIS,
        )
        for row, event in zip(case_rows, sealed, strict=True):
            conn.execute(
                events.update()
                .where(events.c.id == row.id)
                .values(
                    cmd=event.cmd,
                    salts=event.salts,
                    commitments=event.commitments,
                    prev_hash=event.prev_hash,
                    hash=event.hash,
                    erased=[],
                )
            )
        conn.execute(cases.update().where(cases.c.id == case_id).values(event_head=sealed[-1].hash))


def downgrade() -> None:

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("event_head")

    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("erased")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("commitments")
        batch_op.drop_column("salts")
        batch_op.drop_column("state_digest")
        batch_op.drop_column("cmd")

    op.drop_table("audit_anchor")
