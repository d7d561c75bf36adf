"""monitoring summary: counters per territory, basis, month and key (report_summary)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 22:30:00

The counters of the cases already in ``report_case`` are computed here from their rows, with the
same ``engine.monitoring.marks`` the commands use (``impresa report rebuild`` recomputes them too).
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    summary = op.create_table(
        "report_summary",
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("territory", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("basis", "month", "territory", "key", name=op.f("pk_report_summary")),
    )
    from engine.model import CaseFacts
    from engine.monitoring import summary_of

    conn = op.get_bind()
    rows = sa.Table("report_case", sa.MetaData(), autoload_with=conn)
    names = [f.name for f in dataclasses.fields(CaseFacts)]
    facts = [CaseFacts(**{n: r._mapping[n] for n in names}) for r in conn.execute(sa.select(rows))]
    counts = summary_of(facts)
    if counts:
        op.bulk_insert(
            summary,
            [{"territory": t, "basis": b, "month": m, "key": k, "n": n} for (t, b, m, k), n in counts.items()],
        )


def downgrade() -> None:
    op.drop_table("report_summary")
