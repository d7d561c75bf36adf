"""sealed case snapshots, a chained access log, access heads in anchors

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 19:00:00

Existing events keep no snapshot digest and existing access-log rows no hash: ``audit verify``
checks snapshots from the next command of each case on, and chains a case's access log from
its next showing on (unchained rows may only precede chained ones).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.add_column(sa.Column("data_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("data_access_log") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_anchor") as batch_op:
        batch_op.add_column(sa.Column("access_heads", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_anchor") as batch_op:
        batch_op.drop_column("access_heads")
    with op.batch_alter_table("data_access_log") as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.drop_column("data_digest")
