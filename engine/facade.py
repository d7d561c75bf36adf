"""``Engine``: the engine's public surface for web/, the CLI, the scheduler and tests.

A thin object that binds the use cases in ``engine.services`` to one context (database, clock,
script sandbox, spec cache). It holds no business logic of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from engine.bpmn.loader import SourceFile
from engine.errors import ProcessProblem
from engine.model import Actor, CaseEvent, CaseStatus, CaseView, ProcessVersionView, TaskStatus, TaskView
from engine.services import cases, processes, tasks, users
from engine.services.context import Context


class Engine:
    def __init__(self, ctx: Context, db: Any = None) -> None:
        self.ctx = ctx
        self.db = db

    def close(self) -> None:
        """Release database connections (end of a CLI command, a test, a worker)."""
        if self.db is not None:
            self.db.dispose()

    # processes
    def validate(self, files: Iterable[SourceFile]) -> list[ProcessProblem]:
        return processes.validate(files)

    def deploy(
        self, files: Iterable[SourceFile] | None = None, *, actor: Actor, note: str = ""
    ) -> list[tuple[ProcessVersionView, bool]]:
        if files is None:
            files = processes.read_directory(self.ctx.settings.processes_dir)
        return processes.deploy(self.ctx, files, actor, note)

    def list_processes(self) -> list[ProcessVersionView]:
        return processes.list_processes(self.ctx)

    def process_xml(self, process_id: str, version: int | None = None) -> dict[str, str]:
        return processes.process_xml(self.ctx, process_id, version)

    # cases
    def start_case(
        self, process_id: str, data: dict[str, Any], *, actor: Actor, territory: str | None = None
    ) -> CaseView:
        return cases.start_case(self.ctx, process_id, data, actor, territory=territory)

    def complete_task(self, task_id: str, data: dict[str, Any], *, actor: Actor) -> CaseView:
        return cases.complete_task(self.ctx, task_id, data, actor)

    def cancel_case(self, case_id: int, *, actor: Actor, reason: str) -> CaseView:
        return cases.cancel_case(self.ctx, case_id, actor, reason)

    def get_case(self, case_id: int, actor: Actor | None = None) -> CaseView:
        return cases.get_case(self.ctx, case_id, actor)

    def list_cases(
        self,
        *,
        status: CaseStatus | None = None,
        process_id: str | None = None,
        territory: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CaseView]:
        return cases.list_cases(
            self.ctx, status=status, process_id=process_id, territory=territory, limit=limit, offset=offset
        )

    def history(self, case_id: int) -> list[CaseEvent]:
        return cases.history(self.ctx, case_id)

    def fire_due_timers(self, limit: int = 100) -> list[int]:
        return cases.fire_due_timers(self.ctx, limit)

    # tasks
    def list_tasks(
        self,
        actor: Actor,
        *,
        role: str | None = None,
        assignee: str | None = None,
        case_id: int | None = None,
        process_id: str | None = None,
        status: TaskStatus | None = TaskStatus.READY,
        limit: int = 100,
        offset: int = 0,
    ) -> list[TaskView]:
        return tasks.list_tasks(
            self.ctx,
            actor,
            role=role,
            assignee=assignee,
            case_id=case_id,
            process_id=process_id,
            status=status,
            limit=limit,
            offset=offset,
        )

    def get_task(self, task_id: str, actor: Actor) -> TaskView:
        return tasks.get_task(self.ctx, task_id, actor)

    def claim_task(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.claim_task(self.ctx, task_id, actor)

    def release_task(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.release_task(self.ctx, task_id, actor)

    def reassign_task(self, task_id: str, assignee: str, *, actor: Actor) -> TaskView:
        return tasks.reassign_task(self.ctx, task_id, assignee, actor)

    # users and partnerships
    def add_user(
        self, username: str, display_name: str, roles: Sequence[tuple[str, str]], password: str | None = None
    ) -> None:
        users.add_user(self.ctx, username, display_name, roles, password)

    def actor(self, username: str) -> Actor:
        return users.get_actor(self.ctx, username)

    def list_users(self) -> list[dict[str, Any]]:
        return users.list_users(self.ctx)

    def set_partnership(self, territory: str, active: bool, *, actor: Actor, case_id: int | None = None) -> None:
        users.set_partnership(self.ctx, territory, active, actor, case_id)
