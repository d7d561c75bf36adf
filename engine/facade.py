"""``Engine``: the engine's public surface for web/, the CLI, the scheduler and tests.

A thin object that binds the use cases in ``engine.services`` to one context (database, clock,
script sandbox, spec cache). It holds no business logic of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engine.audit.replay import ReplayResult
from engine.bpmn.dry_run import DryRunResult
from engine.bpmn.loader import SourceFile
from engine.errors import ProcessProblem
from engine.forms import json_schema, known_forms
from engine.model import Actor, CaseEvent, CaseStatus, CaseView, ProcessVersionView, TaskFilter, TaskStatus, TaskView
from engine.services import (
    accounts,
    audit,
    case_queries,
    cases,
    designer,
    dossier,
    messages,
    migration,
    notifications,
    processes,
    registry,
    tasks,
    timers,
    users,
)
from engine.services.context import Context
from engine.services.migration import CaseMigration


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

    # process design: drafts, history, diff, dry run, export, migration of running cases
    def save_process_draft(
        self, file_name: str, content: bytes, *, actor: Actor, note: str = "", draft_id: int | None = None
    ) -> dict[str, Any]:
        return designer.save_draft(self.ctx, actor, file_name, content, note=note, draft_id=draft_id)

    def new_process_draft(self, process_id: str, name: str, *, actor: Actor) -> dict[str, Any]:
        return designer.new_process_draft(self.ctx, actor, process_id, name)

    def open_process_draft(self, file_name: str, *, actor: Actor) -> dict[str, Any]:
        return designer.open_draft_of(self.ctx, actor, file_name)

    def process_draft(self, draft_id: int, *, actor: Actor) -> dict[str, Any]:
        return designer.get_draft(self.ctx, actor, draft_id)

    def process_drafts(self, *, actor: Actor) -> list[dict[str, Any]]:
        return designer.list_drafts(self.ctx, actor)

    def delete_process_draft(self, draft_id: int, *, actor: Actor) -> None:
        designer.delete_draft(self.ctx, actor, draft_id)

    def deploy_process_draft(
        self, draft_id: int, *, actor: Actor, note: str = ""
    ) -> list[tuple[ProcessVersionView, bool]]:
        return designer.deploy_draft(self.ctx, actor, draft_id, note)

    def process_draft_diff(self, draft_id: int, *, actor: Actor) -> dict[str, Any]:
        return designer.draft_diff(self.ctx, actor, draft_id)

    def dry_run_draft(
        self, draft_id: int, process_id: str, data: dict[str, Any], answers: dict[str, Any], *, actor: Actor
    ) -> DryRunResult:
        return designer.run_draft(self.ctx, actor, draft_id, process_id, data, answers)

    def process_versions(self, process_id: str) -> list[ProcessVersionView]:
        return designer.versions(self.ctx, process_id)

    def version_diff(self, process_id: str, old: int, new: int) -> dict[str, Any]:
        return designer.version_diff(self.ctx, process_id, old, new)

    def library_files(self) -> dict[str, bytes]:
        with self.ctx.uow(write=False) as uow:
            return designer.library_files(uow)

    def export_library(self, directory: Path) -> list[str]:
        return designer.export_library(self.ctx, directory)

    def migrate_case(
        self,
        case_id: int,
        to_version: int,
        *,
        actor: Actor,
        reason: str = "",
        mapping: dict[str, str] | None = None,
        dry_run: bool = False,
    ) -> CaseMigration:
        return migration.migrate_case(
            self.ctx, case_id, to_version, actor, reason=reason, mapping=mapping, dry_run=dry_run
        )

    def migrate_cases(
        self,
        process_id: str,
        to_version: int,
        *,
        actor: Actor,
        from_version: int | None = None,
        reason: str = "",
        mapping: dict[str, str] | None = None,
        dry_run: bool = False,
    ) -> list[CaseMigration]:
        return migration.migrate_cases(
            self.ctx,
            process_id,
            to_version,
            actor,
            from_version=from_version,
            reason=reason,
            mapping=mapping,
            dry_run=dry_run,
        )

    # cases: commands
    def start_case(
        self, process_id: str, data: dict[str, Any], *, actor: Actor, territory: str | None = None
    ) -> CaseView:
        return cases.start_case(self.ctx, process_id, data, actor, territory=territory)

    def complete_task(self, task_id: str, data: dict[str, Any], *, actor: Actor) -> CaseView:
        return cases.complete_task(self.ctx, task_id, data, actor)

    def cancel_case(self, case_id: int, *, actor: Actor, reason: str) -> CaseView:
        return cases.cancel_case(self.ctx, case_id, actor, reason)

    # the clock: timers, messages, notifications (the scheduler's tick calls these)
    def fire_due_timers(self, limit: int = 500) -> int:
        """Fire due timers; returns how many timers fired."""
        return timers.fire_due_timers(self.ctx, limit)

    def incidents(self, actor: Actor) -> list[dict[str, Any]]:
        return timers.incidents(self.ctx, actor)

    def retry_incident(self, timer_id: int, *, actor: Actor) -> None:
        timers.retry_incident(self.ctx, timer_id, actor)

    def send_message(self, case_id: int, name: str, payload: dict[str, Any], *, actor: Actor) -> CaseView:
        return messages.send_message(self.ctx, case_id, name, payload, actor)

    def broadcast_to_territory(self, territory: str, name: str, payload: dict[str, Any], *, actor: Actor) -> int:
        return messages.broadcast_to_territory(self.ctx, territory, name, payload, actor)

    def deliver_messages(self) -> int:
        return messages.deliver_pending(self.ctx)

    def case_messages(self, case_id: int) -> list[dict[str, Any]]:
        return messages.messages_of(self.ctx, case_id)

    def queue_overdue(self) -> int:
        return notifications.queue_overdue(self.ctx)

    def dispatch_notifications(self) -> int:
        return notifications.dispatch(self.ctx, self.ctx.sender) if self.ctx.sender is not None else 0

    # cases: reads (with an actor: authorized, personal data filtered and access logged)
    def get_case(
        self, case_id: int, actor: Actor | None = None, *, purpose: str = "consultazione caso", ip: str | None = None
    ) -> CaseView:
        return case_queries.get_case(self.ctx, case_id, actor, purpose=purpose, ip=ip)

    def history(
        self, case_id: int, actor: Actor | None = None, *, purpose: str = "cronologia caso", ip: str | None = None
    ) -> list[CaseEvent]:
        return case_queries.history(self.ctx, case_id, actor, purpose=purpose, ip=ip)

    def list_cases(
        self,
        actor: Actor | None = None,
        *,
        status: CaseStatus | None = None,
        process_id: str | None = None,
        territory: str | None = None,
        phase: str | None = None,
        title: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CaseView]:
        return case_queries.list_cases(
            self.ctx,
            actor,
            status=status,
            process_id=process_id,
            territory=territory,
            phase=phase,
            title=title,
            limit=limit,
            offset=offset,
        )

    def case_diagram(self, case_id: int, actor: Actor) -> list[dict[str, Any]]:
        return case_queries.case_diagram(self.ctx, case_id, actor)

    def access_log(
        self, actor: Actor, *, case_id: int | None = None, username: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        return case_queries.access_log(self.ctx, actor, case_id=case_id, username=username, limit=limit)

    # tasks
    def list_tasks(
        self,
        actor: Actor,
        *,
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
    ) -> list[TaskView]:
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
        return tasks.list_tasks(self.ctx, actor, f, limit=limit, offset=offset)

    def count_tasks(self, actor: Actor, f: TaskFilter | None = None) -> int:
        return tasks.count_tasks(self.ctx, actor, f or TaskFilter())

    def query_tasks(self, actor: Actor, f: TaskFilter, *, limit: int = 100, offset: int = 0) -> list[TaskView]:
        return tasks.list_tasks(self.ctx, actor, f, limit=limit, offset=offset)

    def get_task(self, task_id: str, actor: Actor) -> TaskView:
        return tasks.get_task(self.ctx, task_id, actor)

    def form_keys(self) -> frozenset[str]:
        return known_forms()

    def form_schema(self, form_key: str) -> dict[str, Any]:
        """The form as JSON Schema (labels, help, enums, required) for UIs and API clients."""
        return json_schema(form_key)

    def claim_task(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.claim_task(self.ctx, task_id, actor)

    def release_task(self, task_id: str, *, actor: Actor) -> TaskView:
        return tasks.release_task(self.ctx, task_id, actor)

    def reassign_task(self, task_id: str, assignee: str, *, actor: Actor) -> TaskView:
        return tasks.reassign_task(self.ctx, task_id, assignee, actor)

    def save_draft(self, task_id: str, data: dict[str, Any], *, actor: Actor) -> None:
        tasks.save_draft(self.ctx, task_id, data, actor)

    def get_draft(self, task_id: str, *, actor: Actor) -> dict[str, Any] | None:
        return tasks.get_draft(self.ctx, task_id, actor)

    # accounts
    def authenticate(self, username: str, password: str) -> Actor | None:
        return accounts.authenticate(self.ctx, username, password)

    def set_password(self, username: str, password: str) -> None:
        accounts.set_password(self.ctx, username, password)

    def create_api_token(self, actor: Actor, name: str) -> tuple[int, str]:
        return accounts.create_token(self.ctx, actor, name)

    def actor_for_token(self, token: str) -> Actor | None:
        return accounts.actor_for_token(self.ctx, token)

    def list_api_tokens(self, actor: Actor) -> list[dict[str, Any]]:
        return accounts.list_tokens(self.ctx, actor)

    def revoke_api_token(self, actor: Actor, token_id: int) -> None:
        accounts.revoke_token(self.ctx, actor, token_id)

    def save_filter(self, actor: Actor, name: str, params: dict[str, Any]) -> int:
        return accounts.save_filter(self.ctx, actor, name, params)

    def list_filters(self, actor: Actor) -> list[dict[str, Any]]:
        return accounts.list_filters(self.ctx, actor)

    def delete_filter(self, actor: Actor, filter_id: int) -> None:
        accounts.delete_filter(self.ctx, actor, filter_id)

    # audit: verification, replay, dossiers, administrative actions, privacy
    def verify_chains(self) -> audit.VerifyReport:
        return audit.verify_all(self.ctx)

    def take_anchor(self, *, actor: Actor) -> dict[str, Any]:
        return audit.take_anchor(self.ctx, actor)

    def replay(
        self, case_id: int, *, actor: Actor, upto: int | None = None, with_elements: bool = False
    ) -> ReplayResult:
        return audit.replay_case(self.ctx, case_id, actor, upto=upto, with_elements=with_elements)

    def correct_data(self, case_id: int, changes: dict[str, Any], *, actor: Actor, reason: str) -> CaseView:
        return audit.correct_data(self.ctx, case_id, changes, actor, reason)

    def reset_to_task(
        self, case_id: int, bpmn_id: str, *, actor: Actor, reason: str, data: dict[str, Any] | None = None
    ) -> CaseView:
        return audit.reset_to_task(self.ctx, case_id, bpmn_id, actor, reason, data)

    def dossier_bundle(self, case_id: int, *, actor: Actor) -> dict[str, Any]:
        return dossier.dossier_bundle(self.ctx, case_id, actor)

    def dossier_pdf(self, case_id: int, *, actor: Actor) -> bytes:
        return dossier.dossier_pdf(self.ctx, case_id, actor)

    def export_pseudonymised(self, *, actor: Actor) -> list[dict[str, Any]]:
        return dossier.export_pseudonymised(self.ctx, actor)

    def erase_personal_data(
        self, case_id: int, *, actor: Actor, reason: str, before_retention: bool = False
    ) -> list[str]:
        return dossier.erase_personal_data(self.ctx, case_id, actor, reason, before_retention=before_retention)

    # the network of interlocutors
    def add_organisation(self, code: str, name: str, kind: str, territory: str, *, actor: Actor) -> int:
        return registry.add_organisation(self.ctx, actor, code, name, kind, territory)

    def add_member(self, code: str, username: str, *, actor: Actor, position: str = "") -> None:
        registry.add_member(self.ctx, actor, code, username, position)

    def organisations(self, *, kind: str | None = None, territory: str | None = None) -> list[dict[str, Any]]:
        return registry.organisations(self.ctx, kind=kind, territory=territory)

    def add_protocol(
        self,
        code: str,
        kind: str,
        scope: str,
        starts_on: str,
        *,
        actor: Actor,
        expires_on: str | None = None,
        reference: str = "",
    ) -> int:
        return registry.add_protocol(self.ctx, actor, code, kind, scope, starts_on, expires_on, reference)

    def protocols(
        self, *, territory: str | None = None, active: bool = False, expiring_within_days: int | None = None
    ) -> list[dict[str, Any]]:
        return registry.protocols(
            self.ctx, territory=territory, active=active, expiring_within_days=expiring_within_days
        )

    # users and partnerships
    def add_user(
        self, username: str, display_name: str, roles: Sequence[tuple[str, str]], password: str | None = None
    ) -> None:
        users.add_user(self.ctx, username, display_name, roles, password)

    def actor(self, username: str) -> Actor:
        return users.get_actor(self.ctx, username)

    def list_users(self) -> list[dict[str, Any]]:
        return users.list_users(self.ctx)

    def partnership_active(self, territory: str) -> bool:
        return users.partnership_active(self.ctx, territory)

    def set_partnership(self, territory: str, active: bool, *, actor: Actor, case_id: int | None = None) -> None:
        users.set_partnership(self.ctx, territory, active, actor, case_id)
