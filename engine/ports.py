"""What the services need from persistence: repositories and the unit of work, as protocols.

Services depend on these only; ``engine/adapters`` implements them with SQLAlchemy. One service
call is one ``with uow:`` block ending in one ``uow.commit()``; leaving the block without
committing rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol, Self

from engine.model import (
    Actor,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    ProcessVersionView,
    TaskStatus,
    TaskView,
)


class CaseRepository(Protocol):
    def add(self, record: CaseRecord) -> int: ...
    def get(self, case_id: int) -> CaseRecord: ...
    def save(self, record: CaseRecord) -> None: ...
    def search(
        self,
        *,
        status: CaseStatus | None = None,
        process_id: str | None = None,
        territory: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CaseRecord]: ...
    def due_for_timers(self, now: dt.datetime, limit: int) -> list[int]: ...


class TaskRepository(Protocol):
    def get(self, task_id: str) -> TaskView: ...
    def open_for_case(self, case_id: int) -> list[TaskView]: ...
    def insert(self, tasks: Sequence[TaskView]) -> None: ...
    def close(self, task_ids: Sequence[str], status: TaskStatus, at: dt.datetime, by: str | None) -> None: ...
    def set_assignee(self, task_id: str, assignee: str | None) -> None: ...
    def query(
        self,
        *,
        roles: Sequence[str] | None = None,
        territories: Sequence[str] | None = None,
        assignee: str | None = None,
        case_id: int | None = None,
        process_id: str | None = None,
        status: TaskStatus | None = TaskStatus.READY,
        limit: int = 100,
        offset: int = 0,
    ) -> list[TaskView]: ...


class EventRepository(Protocol):
    def append(self, event: CaseEvent) -> None: ...
    def for_case(self, case_id: int) -> list[CaseEvent]: ...


class ProcessRepository(Protocol):
    def latest(self, process_id: str) -> ProcessVersionView | None: ...
    def get(self, version_id: int) -> ProcessVersionView: ...
    def add_version(
        self,
        *,
        process_id: str,
        name: str,
        sha256: str,
        files: Sequence[tuple[str, bytes]],
        at: dt.datetime,
        by: str,
        note: str,
    ) -> ProcessVersionView: ...
    def files(self, version_id: int) -> list[tuple[str, bytes]]: ...
    def list_latest(self) -> list[ProcessVersionView]: ...
    def list_versions(self, process_id: str) -> list[ProcessVersionView]: ...


class UserRepository(Protocol):
    def get_actor(self, username: str) -> Actor: ...
    def add(
        self,
        username: str,
        display_name: str,
        password_hash: str | None,
        roles: Sequence[tuple[str, str]],
        at: dt.datetime,
    ) -> None: ...
    def exists(self, username: str) -> bool: ...
    def all(self) -> list[dict[str, Any]]: ...


class PartnershipRepository(Protocol):
    def is_active(self, territory: str) -> bool: ...
    def set(self, territory: str, active: bool, case_id: int | None, at: dt.datetime, by: str) -> None: ...


class AbstractUnitOfWork(Protocol):
    # Read-only members, so an implementation may expose more specific repository types.
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def events(self) -> EventRepository: ...
    @property
    def processes(self) -> ProcessRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def partnerships(self) -> PartnershipRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
