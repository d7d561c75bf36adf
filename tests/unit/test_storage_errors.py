"""Database errors → engine errors: PostgreSQL's by SQLSTATE (whatever the server's language),
SQLite's by their fixed English message."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from engine.adapters.unit_of_work import storage_error
from engine.errors import Conflict, StorageBusy, StorageUnavailable


class DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (IntegrityError("INSERT", {}, DriverError("la chiave duplicata viola il vincolo", "23505")), Conflict),
        (IntegrityError("INSERT", {}, DriverError("viola il vincolo di chiave esterna", "23503")), None),
        (IntegrityError("INSERT", {}, DriverError("UNIQUE constraint failed: app_user.username")), Conflict),
        (IntegrityError("INSERT", {}, DriverError("FOREIGN KEY constraint failed")), None),
        (OperationalError("UPDATE", {}, DriverError("impossibile serializzare l'accesso", "40001")), Conflict),
        (OperationalError("UPDATE", {}, DriverError("rilevato stallo", "40P01")), Conflict),
        (OperationalError("SELECT", {}, DriverError("impossibile ottenere il lock", "55P03")), StorageBusy),
        (OperationalError("SELECT", {}, DriverError("database is locked")), StorageBusy),
        (OperationalError("SELECT", {}, DriverError('la relazione "cases" non esiste', "42P01")), StorageUnavailable),
        (OperationalError("SELECT", {}, DriverError("no such table: cases")), StorageUnavailable),
        (OperationalError("SELECT", {}, DriverError("connessione terminata", "57P01")), StorageUnavailable),
        (OperationalError("SELECT", {}, DriverError("errore di sintassi", "42601")), None),
    ],
)
def test_database_errors_are_recognised_by_sqlstate_or_sqlite_message(error: Exception, expected: type | None) -> None:
    translated = storage_error(error)  # type: ignore[arg-type]
    assert type(translated) is expected if expected is not None else translated is None
