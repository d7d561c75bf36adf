"""Human tasks: the inbox (read from the task table, never from workflow state), claims, drafts,
completion, and the forms they are filled with."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping

from engine.areas.base import Area
from engine.errors import InvalidData
from engine.forms import json_schema, known_forms, validate_submission
from engine.model import Actor, CaseView, JsonObject, TaskFilter, TaskStatus, TaskView
from engine.services import cases, tasks


class Tasks(Area):
    def list(
        self,
        *,
        actor: Actor,
        role: str | None = None,
        assignee: str | None = None,
        unassigned: bool = False,
        case_id: int | None = None,
        process_id: str | None = None,
        status: TaskStatus | None = TaskStatus.READY,
        due_before: dt.datetime | None = None,
        due_after: dt.datetime | None = None,
        sort: str = "due",
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[TaskView]:
        f = TaskFilter(
            roles=(role,) if role else None,
            assignee=assignee,
            unassigned=unassigned,
            case_id=case_id,
            process_id=process_id,
            status=status,
            due_before=due_before,
            due_after=due_after,
            sort=sort,
        )
        return tasks.list_tasks(self._ctx, actor, f, limit=limit, offset=offset)

    def query(self, f: TaskFilter, *, actor: Actor, limit: int = 100, offset: int = 0) -> builtins.list[TaskView]:
        return tasks.list_tasks(self._ctx, actor, f, limit=limit, offset=offset)

    def count(self, f: TaskFilter | None = None, *, actor: Actor) -> int:
        return tasks.count_tasks(self._ctx, actor, f or TaskFilter())

    def get(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.get_task(self._ctx, task_id, actor)

    def instructions(self, task_id: str, *, actor: Actor) -> str:
        """The task's documentation from the process version its case is pinned to."""
        return tasks.instructions(self._ctx, task_id, actor)

    def claim(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.claim_task(self._ctx, task_id, actor)

    def release(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.release_task(self._ctx, task_id, actor)

    def reassign(self, task_id: str, assignee: str, *, actor: Actor) -> TaskView:
        return tasks.reassign_task(self._ctx, task_id, assignee, actor)

    def complete(self, task_id: str, data: Mapping[str, object], *, actor: Actor) -> CaseView:
        return cases.complete_task(self._ctx, task_id, dict(data), actor)

    def save_draft(self, task_id: str, data: Mapping[str, object], *, actor: Actor) -> None:
        tasks.save_draft(self._ctx, task_id, dict(data), actor)

    def draft(self, task_id: str, *, actor: Actor) -> JsonObject | None:
        """The actor's unsent input for the task, as last saved."""
        return tasks.get_draft(self._ctx, task_id, actor)

    def form_keys(self) -> frozenset[str]:
        return known_forms()

    def check_form(self, form_key: str, data: Mapping[str, object]) -> dict[str, builtins.list[str]]:
        """What the form would say of ``data``: field → messages (empty when it would be accepted).
        A read: nothing is stored (the dry run's proposals are checked with it)."""
        try:
            validate_submission(form_key, dict(data))
        except InvalidData as err:
            return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in err.messages.items()}
        return {}

    def form_schema(self, form_key: str) -> JsonObject:
        """The form as JSON Schema (labels, help, enums, required) for UIs and API clients."""
        return json_schema(form_key)
