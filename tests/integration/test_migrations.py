"""Alembic migrations build exactly the schema the code declares, on the test database."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from engine.adapters.migrate import upgrade
from engine.adapters.tables import metadata
from engine.adapters.unit_of_work import make_db_engine
from engine.policy import CLI_OPERATOR


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


def _process_version(conn: Connection, at: dt.datetime) -> None:
    """Process version 1 of process ``p``, as an old database holds it."""
    conn.execute(
        text(
            "INSERT INTO process_version (id, process_id, version, name, sha256, deployed_at, deployed_by, note) "
            "VALUES (1, 'p', 1, 'p', :h, :at, 'x', '')"
        ),
        {"h": "0" * 64, "at": at},
    )


def test_events_written_before_the_chain_are_sealed_by_the_migration(tmp_path: Path) -> None:
    from engine import Settings, build_engine
    from tests.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003")
    at = dt.datetime(2026, 1, 5, 9, 0)
    db = make_db_engine(url)
    with db.begin() as conn:
        _process_version(conn, at)
        conn.execute(
            text(
                "INSERT INTO cases (id, process_id, process_version_id, status, state, data, territory, title, "
                "version, event_seq, created_at, updated_at, started_by) VALUES "
                "(1, 'p', 1, 'running', '{}', '{}', 'T1', '', 1, 2, :at, :at, 'anna')"
            ),
            {"at": at},
        )
        for seq, kind in ((1, "started"), (2, "task_completed")):
            conn.execute(
                text(
                    "INSERT INTO case_event (case_id, seq, at, actor, kind, data) VALUES (1, :s, :at, 'anna', :k, :d)"
                ),
                {"s": seq, "at": at, "k": kind, "d": '{"x": 1}'},
            )
    db.dispose()

    upgrade(url)

    engine = build_engine(Settings(database_url=url, processes_dir=ROOT / "processes", instance_dir=tmp_path))
    report = engine.audit.verify(actor=CLI_OPERATOR)
    assert report.ok and report.events == 2
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_event SET actor = 'mallory' WHERE seq = 1"))
    assert [(b.case_id, b.seq) for b in engine.audit.verify(actor=CLI_OPERATOR).breaks] == [(1, 1)]
    engine.close()


def test_the_last_activity_moves_from_the_read_model_row_to_the_case(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0026")
    at, quiet = dt.datetime(2026, 1, 5, 9, 0), dt.datetime(2026, 3, 1, 12, 30)
    db = make_db_engine(url)
    with db.begin() as conn:
        _process_version(conn, at)
        for case_id in (1, 2):  # case 2 has no read-model row (not a beneficiary case)
            conn.execute(
                text(
                    "INSERT INTO cases (id, process_id, process_version_id, status, state, data, territory, title, "
                    "version, event_seq, created_at, updated_at, started_by) VALUES "
                    "(:id, 'p', 1, 'running', '{}', '{}', 'T1', '', 1, 2, :at, :at, 'anna')"
                ),
                {"id": case_id, "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO report_case (case_id, process_id, territory, status, redesigns, adi, last_activity_at) "
                "VALUES (1, 'p', 'T1', 'running', 0, 0, :quiet)"
            ),
            {"quiet": quiet},
        )
    db.dispose()

    upgrade(url)

    db = make_db_engine(url)
    with db.connect() as conn:
        moved = dict(conn.execute(text("SELECT id, last_activity_at FROM cases ORDER BY id")).all())
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(report_case)"))]
    db.dispose()
    assert moved[2] is None and moved[1] is not None and str(moved[1]).startswith("2026-03-01 12:30")
    assert "last_activity_at" not in columns


def test_the_times_counters_move_to_their_step_and_quarter(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0027")
    db = make_db_engine(url)
    old = [  # month, territory, key, n: January and March are one quarter, April the next
        ("2026-01-01", "T1", "take|0|10", 3),
        ("2026-03-01", "T1", "take|0|10", 2),
        ("2026-03-01", "T1", "take_wait|1|2026-03-02", 1),
        ("2026-04-01", "T1", "decide|41", 4),
        ("2026-01-01", "T2", "decide_wait|2026-01-10", 1),
    ]
    with db.begin() as conn:
        for month, territory, key, n in old:
            conn.execute(
                text("INSERT INTO report_summary (basis, month, territory, key, n) VALUES ('days', :m, :t, :k, :n)"),
                {"m": month, "t": territory, "k": key, "n": n},
            )
        conn.execute(
            text(
                "INSERT INTO report_summary (basis, month, territory, key, n) VALUES ('referral', :m, 'T1', 'adi', 7)"
            ),
            {"m": "2026-03-01"},
        )
    db.dispose()

    upgrade(url)

    db = make_db_engine(url)
    with db.connect() as conn:
        rows = {
            (b, str(m)[:10], t, k): n
            for b, m, t, k, n in conn.execute(text("SELECT basis, month, territory, key, n FROM report_summary"))
        }
    db.dispose()
    assert rows == {
        ("take", "2026-01-01", "T1", "take|0|10"): 5,
        ("take", "2026-01-01", "T1", "take_wait|1|2026-03-02"): 1,
        ("decide", "2026-04-01", "T1", "decide|41"): 4,
        ("decide", "2026-01-01", "T2", "decide_wait|2026-01-10"): 1,
        ("referral", "2026-03-01", "T1", "adi"): 7,
    }


def test_the_status_and_phase_leave_the_read_model_row_and_come_back_on_downgrade(tmp_path: Path) -> None:
    from alembic import command

    from engine.adapters.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0028")
    at = dt.datetime(2026, 1, 5, 9, 0)
    db = make_db_engine(url)
    with db.begin() as conn:
        _process_version(conn, at)
        for case_id, status, phase in ((1, "running", "valutazione"), (2, "completed", None)):
            conn.execute(
                text(
                    "INSERT INTO cases (id, process_id, process_version_id, status, state, data, territory, title, "
                    "version, event_seq, created_at, updated_at, started_by, phase) VALUES "
                    "(:id, 'p', 1, :status, '{}', '{}', 'T1', '', 1, 2, :at, :at, 'anna', :phase)"
                ),
                {"id": case_id, "at": at, "status": status, "phase": phase},
            )
            conn.execute(
                text(
                    "INSERT INTO report_case (case_id, process_id, territory, status, phase, redesigns, adi) "
                    "VALUES (:id, 'p', 'T1', :status, :phase, 0, 0)"
                ),
                {"id": case_id, "status": status, "phase": phase},
            )
    db.dispose()

    upgrade(url)

    db = make_db_engine(url)
    with db.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(report_case)"))]
        kept = conn.execute(text("SELECT count(*) FROM report_case")).scalar()
    db.dispose()
    assert "status" not in columns and "phase" not in columns and kept == 2

    command.downgrade(alembic_config(url), "0028")

    db = make_db_engine(url)
    with db.connect() as conn:
        back = conn.execute(text("SELECT case_id, status, phase FROM report_case ORDER BY case_id")).all()
    db.dispose()
    assert [tuple(r) for r in back] == [(1, "running", "valutazione"), (2, "completed", None)]
