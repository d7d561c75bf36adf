"""Incremental state: after every step of every shape, the rows written so far load back into
exactly the live workflow, only the tasks a step changed are written, and a document of the older
format converts to rows that load into the same workflow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from engine.bpmn import state_rows
from engine.bpmn.loader import Library, ProcessSpecs, SourceFile
from engine.bpmn.runner import Runner
from engine.bpmn.scripting import build_script_engine
from engine.bpmn.serializer import dump_state
from tests.unit.test_prewiring import SHAPES


class Store:
    """Rows as a database would keep them: upserted and deleted per step, read back unordered."""

    def __init__(self) -> None:
        self.header = ""
        self.rows: dict[str, state_rows.TaskRow] = {}

    def write(self, change: state_rows.StateWrite) -> None:
        self.header = change.header
        for row in change.upserts:
            self.rows[row.task_id] = row
        for task_id in change.deletes:
            del self.rows[task_id]

    def load(self, specs: ProcessSpecs) -> Any:
        return state_rows.load(self.header, list(reversed(self.rows.values())), specs.spec, specs.subprocess_specs)


def document(wf: Any) -> dict[str, Any]:
    return json.loads(dump_state(wf))  # type: ignore[no-any-return]


def steps(specs: ProcessSpecs, start: dict[str, Any]) -> Any:
    """Yield the live workflow after its start and after every step, to the end."""
    now = [dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)]
    runner = Runner(build_script_engine(lambda: now[0], {}), lambda: now[0])
    wf = runner.start(specs, dict(start))
    yield wf
    delivered: set[str] = set()
    for _ in range(60):
        if runner.is_completed(wf):
            return
        awaited = runner.awaited_messages(wf) - delivered
        ready = runner.ready_tasks(wf, specs)
        if awaited:
            delivered.add(min(awaited))
            runner.deliver_message(wf, min(awaited), {"quando": now[0]})
        elif ready:
            runner.complete(wf, ready[-1].id, {"conferma": True, "giorno": now[0]})
        else:
            now[0] += dt.timedelta(days=40)
            runner.fire_timers(wf)
        yield wf


@pytest.mark.parametrize("shape", SHAPES)
def test_rows_written_step_by_step_load_into_the_live_workflow(shape: str) -> None:
    files, pid, start = SHAPES[shape]
    specs = Library([SourceFile(n, c) for n, c in files]).specs(pid)
    other = Library([SourceFile(n, c) for n, c in files]).specs(pid)  # another server's parse
    store = Store()
    for wf in steps(specs, start):
        store.write(state_rows.changes(wf))
        assert document(store.load(other)) == document(wf)


def test_a_step_writes_only_the_tasks_it_changed() -> None:
    specs = Library([SourceFile("mi.bpmn", SHAPES["parallel multi-instance"][0][0][1])]).specs("mi")
    runner = Runner(build_script_engine(lambda: dt.datetime(2026, 1, 5, tzinfo=dt.UTC), {}))
    wf = runner.start(specs, {"items": [f"ente {i}" for i in range(50)]})
    first = state_rows.changes(wf)
    assert len(first.upserts) == len(wf.tasks)

    runner.complete(wf, runner.ready_tasks(wf, specs)[0].id, {"conferma": True})
    second = state_rows.changes(wf)

    # the completed child and the parent that merged its answer: not the 49 other children
    assert len(second.upserts) == 2 and second.deletes == []
    assert state_rows.changes(wf).upserts == []


@pytest.mark.parametrize("shape", ["parallel multi-instance", "call activity with a message boundary event"])
def test_a_document_of_the_older_format_converts_to_rows_that_load_alike(shape: str) -> None:
    files, pid, start = SHAPES[shape]
    specs = Library([SourceFile(n, c) for n, c in files]).specs(pid)
    for wf in steps(specs, start):
        header, rows = state_rows.rows_from_document(dump_state(wf))
        assert state_rows.is_row_header(header)
        assert document(state_rows.load(header, rows, specs.spec, specs.subprocess_specs)) == document(wf)
