"""Alembic migrations build exactly the schema the code declares, on the test database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from engine.adapters.migrate import upgrade
from engine.adapters.orm import metadata
from engine.adapters.unit_of_work import make_db_engine


def test_upgrade_from_empty_matches_the_declared_schema(tmp_path: Path) -> None:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        schema = f"m_{uuid.uuid4().hex[:10]}"
        admin = make_db_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    try:
        upgrade(url)
        db = make_db_engine(url)
        with db.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        db.dispose()
        upgrade(url)  # idempotent
    finally:
        if base.startswith("postgresql"):
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
