"""Signed-in sessions live on the server: a login opens one, and only a live one signs a request
in; logout, a new password, expiry or a disabled account end it, whatever cookie still names it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update

from engine import Engine
from engine.adapters import tables
from engine.clock import FixedClock
from engine.policy import CLI_OPERATOR
from engine.services.accounts import SESSION_RECORD_DAYS


def _users(engine: Engine) -> None:
    engine.users.add("anna", "Anna", [("assistente_sociale", "T1")], actor=CLI_OPERATOR)
    engine.users.add("bruno", "Bruno", [("coordinatore", ""), ("auditor", "")], actor=CLI_OPERATOR)


def test_a_live_session_signs_in_and_a_revoked_one_is_refused(engine: Engine) -> None:
    _users(engine)
    anna = engine.users.get("anna", actor=CLI_OPERATOR)
    session_id = engine.accounts.open_session(actor=anna)
    assert engine.accounts.signed_in(session_id) == anna
    other = engine.accounts.open_session(actor=anna)  # another browser of hers

    assert engine.accounts.close_session(session_id, actor=anna) is True
    assert engine.accounts.signed_in(session_id) is None  # the same id, replayed after logout
    assert engine.accounts.close_session(session_id, actor=anna) is False  # already ended
    assert engine.accounts.signed_in(other) == anna  # her other session is untouched

    bruno = engine.users.get("bruno", actor=CLI_OPERATOR)
    assert engine.accounts.close_session(other, actor=bruno) is False  # nobody ends another's session
    assert engine.accounts.signed_in(other) == anna
    assert engine.accounts.signed_in("a-guessed-id") is None
    assert engine.accounts.signed_in("") is None


def test_only_a_hash_of_the_session_id_is_stored(engine: Engine) -> None:
    _users(engine)
    session_id = engine.accounts.open_session(actor=engine.users.get("anna", actor=CLI_OPERATOR))
    with engine.db.connect() as conn:
        stored = conn.execute(select(tables.user_session)).one()
    assert stored.username == "anna" and stored.revoked_at is None
    assert session_id not in stored.id_hash and len(stored.id_hash) == 64


def test_a_session_expires_after_hours_without_a_request_and_each_request_extends_it(
    engine: Engine, clock: FixedClock
) -> None:
    _users(engine)
    anna = engine.users.get("anna", actor=CLI_OPERATOR)
    busy, idle = engine.accounts.open_session(actor=anna), engine.accounts.open_session(actor=anna)
    clock.advance(hours=7)
    assert engine.accounts.signed_in(busy) == anna  # a request: its expiry moves on
    clock.advance(hours=7)
    assert engine.accounts.signed_in(busy) == anna
    assert engine.accounts.signed_in(idle) is None  # 14 hours without a request
    clock.advance(hours=8)
    assert engine.accounts.signed_in(busy) is None


def test_a_new_password_or_a_disabled_account_ends_the_users_sessions(engine: Engine) -> None:
    _users(engine)
    anna, bruno = (engine.users.get(u, actor=CLI_OPERATOR) for u in ("anna", "bruno"))
    first, second = engine.accounts.open_session(actor=anna), engine.accounts.open_session(actor=anna)
    kept = engine.accounts.open_session(actor=bruno)
    engine.accounts.set_password("anna", "una-password-nuova", actor=CLI_OPERATOR)
    assert engine.accounts.signed_in(first) is None and engine.accounts.signed_in(second) is None
    assert engine.accounts.signed_in(kept) == bruno

    with engine.db.begin() as conn:
        conn.execute(update(tables.app_user).where(tables.app_user.c.username == "bruno").values(active=False))
    assert engine.accounts.signed_in(kept) is None


def test_signing_a_request_in_is_one_query(engine: Engine) -> None:
    """The session, the account and its grants in one indexed lookup (a request within the minute
    of the last one records nothing)."""
    _users(engine)
    bruno = engine.users.get("bruno", actor=CLI_OPERATOR)
    session_id = engine.accounts.open_session(actor=bruno)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        found = engine.accounts.signed_in(session_id)
    finally:
        event.remove(engine.db, "before_cursor_execute", record)
    assert found == bruno and found.roles == {"coordinatore", "auditor"}
    queries = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE"))]
    assert len(queries) == 1 and "user_session" in queries[0], statements


def test_sessions_that_ended_long_ago_are_forgotten_at_the_next_login(engine: Engine, clock: FixedClock) -> None:
    _users(engine)
    anna = engine.users.get("anna", actor=CLI_OPERATOR)
    old = engine.accounts.open_session(actor=anna)
    engine.accounts.close_session(old, actor=anna)
    engine.accounts.open_session(actor=anna)  # still within the record: both rows kept
    clock.advance(days=SESSION_RECORD_DAYS + 1)
    engine.accounts.open_session(actor=anna)
    with engine.db.connect() as conn:
        rows = conn.execute(select(tables.user_session.c.created_at)).all()
    assert [r.created_at for r in rows] == [clock.now()]
