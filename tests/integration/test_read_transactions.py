"""Read units of work on PostgreSQL: ``BEGIN READ ONLY``, ended by ``COMMIT``.

psycopg forgets every statement it has prepared on a connection at each ``ROLLBACK`` (and sends
``DEALLOCATE ALL``): reads ended that way made the commands after them parse and plan their
statements again. A read transaction now commits, and cannot write anything it would keep."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine import Engine


def _prepared(engine: Engine) -> int:
    with engine.db.connect() as conn:  # the pool's one idle connection: the one the reads used
        found = int(conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one())
        conn.commit()  # not rolled back: that would deallocate them
        return found


@pytest.mark.postgres_only  # psycopg's prepared statements (SQLite prepares in its own cache)
def test_reads_keep_the_connections_prepared_statements_and_cannot_write(engine: Engine) -> None:
    assert engine.db.dialect.name == "postgresql"
    engine.db.dispose()  # one fresh connection in the pool from here on
    for _ in range(8):  # psycopg prepares a statement at its fifth execution
        with engine._ctx.uow(write=False) as uow:  # noqa: SLF001 - the unit of work itself is under test
            uow.conn.execute(text("SELECT count(*) FROM cases WHERE id > :n"), {"n": 0}).scalar_one()
    prepared = _prepared(engine)
    assert prepared >= 1
    with engine._ctx.uow(write=False) as uow:  # noqa: SLF001
        uow.conn.execute(text("SELECT count(*) FROM cases WHERE id > :n"), {"n": 0}).scalar_one()
    assert _prepared(engine) == prepared  # a read's end kept them (a ROLLBACK deallocated them all)

    with pytest.raises(DBAPIError, match="read-only transaction"), engine._ctx.uow(write=False) as uow:  # noqa: SLF001
        uow.conn.execute(text("DELETE FROM cases"))
    with engine._ctx.uow() as uow:  # noqa: SLF001 - a command's transaction writes as before
        assert uow.conn.connection.driver_connection.read_only is not True
