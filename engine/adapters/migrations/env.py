"""Alembic environment: runs the migrations in ``versions/`` against the configured database."""

from __future__ import annotations

from alembic import context

from engine.adapters.tables import metadata
from engine.adapters.unit_of_work import make_db_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set"
db = make_db_engine(url)
with db.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
db.dispose()
