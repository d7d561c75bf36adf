"""user sessions: a signed-in browser session is a row the server can revoke

``user_session`` holds one row per login (the SHA-256 of the random id the cookie carries, the
user, when it started, was last seen and expires, and when it was revoked). Logout and a new
password revoke the rows, so a copied or late-arriving cookie no longer signs anyone in. Cookies
issued before this migration name no session and are asked to log in again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"], name=op.f("fk_user_session_username_app_user")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_username"))
    op.drop_table("user_session")
