"""The event codec: a case event survives the trip through its columns and through the dossier's
JSON, which differ only in the time's form and the genesis event's empty hash."""

from __future__ import annotations

import datetime as dt

from engine.audit.codec import event_fields, event_from_fields, event_to_json, event_to_row
from engine.model import CaseEvent, EventKind


def test_one_event_codec_for_the_rows_and_the_bundle() -> None:
    event = CaseEvent(
        case_id=3,
        seq=2,
        cmd=2,
        at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
        actor="anna",
        kind=EventKind.TASK_COMPLETED,
        task_id="t1",
        data={"conferma": True},
        salts={"conferma": "s"},
        commitments={"conferma": "c"},
        prev_hash="a" * 64,
        hash="b" * 64,
        erased=("note",),
    )
    assert event_from_fields(event_fields(event)) == event
    assert event_from_fields(event_to_row(event)) == event
    assert event_from_fields(event_to_json(event)) == event
    assert event_to_json(event)["at"] == "2026-03-01T09:30:00+00:00"
    genesis = CaseEvent(case_id=1, seq=1, cmd=1, at=event.at, actor="anna", kind=EventKind.STARTED)
    assert (event_to_row(genesis)["prev_hash"], event_to_json(genesis)["prev_hash"]) == ("", None)
