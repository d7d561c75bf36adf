"""Two engine instances on one database, as two server processes are, and what a case came to.

``TwoServers`` stands in for one engine and hands every call to the next instance in turn, so
consecutive commands on a case are served by different processes, each with specs it parsed
itself and its own cache of live workflows. ``outcome`` reduces what a set of cases came to
(status, data, open tasks, every event, the element states of the reloaded workflow) to plain
values free of random task ids, salts, hashes and person pseudonyms, so a run on two instances can be compared with
a run on one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.application import Engine
from engine.audit.chain import canonical
from engine.model import CaseEvent, EventKind


class TwoServers:
    """An engine whose calls alternate between two instances (attribute access by attribute access)."""

    def __init__(self, first: Engine, second: Engine) -> None:
        self.servers = (first, second)
        self._turn = 0

    def __getattr__(self, name: str) -> Any:
        server = self.servers[self._turn % 2]
        self._turn += 1
        return getattr(server, name)

    def close(self) -> None:
        for server in self.servers:
            server.close()


def outcome(engine: Engine, case_ids: Iterable[int]) -> list[dict[str, Any]]:
    """What each case came to, comparable across runs.

    Task ids are random, so each is replaced by its rank: first the tasks in the order the case's
    events name them, then the other inbox rows by creation time, element and multi-instance item
    (what identifies a task across two runs; the database's order of equal rows is not)."""
    result = []
    for case_id in case_ids:
        with engine._ctx.uow(write=False) as uow:
            record = uow.cases.get(case_id)
            events = uow.events.for_case(case_id)
            tasks = uow.tasks.for_case(case_id)
            specs = engine._ctx.specs_for(uow, record.process_version_id)
            rows = uow.case_state.rows(case_id)
        ids: dict[str, int] = {}
        people: dict[str, str] = {}
        for e in events:  # tasks in the order the case's events name them, then the others
            if e.task_id is not None:
                ids.setdefault(e.task_id, len(ids))
        for t in sorted(tasks, key=lambda t: (t.created_at, t.bpmn_id, canonical(t.context))):
            ids.setdefault(t.id, len(ids))
        tasks.sort(key=lambda t: ids[t.id])
        workflow = engine._ctx.runner.load(specs, record.state, lambda rows=rows: rows)  # type: ignore[misc]
        result.append(
            {
                "status": record.status.value,
                "phase": record.phase,
                "data": canonical(record.data).decode(),
                "next_timer_due": record.next_timer_due,
                "events": [
                    (
                        e.seq,
                        e.cmd,
                        e.kind,
                        e.actor,
                        e.at,
                        ids.get(e.task_id or "", e.task_id),
                        e.bpmn_id,
                        e.task_name,
                        canonical(_without_pseudonym(e, people)).decode(),
                        e.state_digest,
                    )
                    for e in events
                ],
                "tasks": [
                    (t.bpmn_id, t.status.value, t.assignee, t.created_at, t.due_at, canonical(t.context).decode())
                    for t in tasks
                ],
                "elements": engine._ctx.runner.element_states(workflow),
            }
        )
    return result


def _without_pseudonym(event: CaseEvent, people: dict[str, str]) -> dict[str, Any]:
    """An event's data, a person record's pseudonym (a keyed hash of the codice fiscale, and
    each run has its own key) replaced by its rank among the pseudonyms the case's events name."""
    pseudonym = event.data.get("persona")
    if event.kind != EventKind.PERSON_RECORDED or not isinstance(pseudonym, str):
        return event.data
    return {**event.data, "persona": people.setdefault(pseudonym, f"persona {len(people) + 1}")}
