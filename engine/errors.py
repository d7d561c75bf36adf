"""The engine's error tree: every failure a caller can act on is one of these.

The web layer maps them to HTTP (404/422/403/409/400) and the CLI to exit code 2, in one place
each; nothing below ``engine/`` lets a bare SpiffWorkflow or SQLAlchemy exception escape.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from engine.model import DraftConflict, JsonObject, JsonValue


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "engine_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    code = "not_found"


class InvalidData(EngineError):
    """Submitted data failed validation; ``messages`` maps field names to messages."""

    code = "invalid_data"

    def __init__(self, message: str, messages: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.messages: dict[str, Any] = dict(messages or {})


class Forbidden(EngineError):
    code = "forbidden"


class Conflict(EngineError):
    """The command lost a race or no longer applies (stale version, task no longer ready)."""

    code = "conflict"


class CheckpointRefused(Conflict):
    """A replay checkpoint, or the chain from it to the case's head, does not match what the chain
    sealed: replay will not start from it (replay from the start, and run ``audit verify``)."""

    code = "checkpoint_refused"


class TaskNotReady(Conflict):
    code = "task_not_ready"


class CaseClosed(Conflict):
    code = "case_closed"


class CaseSuspended(CaseClosed):
    """The case is suspended: nothing moves until it is resumed."""

    code = "case_suspended"


class ActionNotAvailable(Conflict):
    """A case action that does not apply to the case as it stands (e.g. a withdrawal where the
    diagram no longer waits for one)."""

    code = "action_not_available"


class DeadlinePassed(TaskNotReady):
    """A timer due before the command (an interrupting deadline) closed the task first."""

    code = "deadline_passed"


class TaskTaken(Conflict):
    """Someone else claimed the task first."""

    code = "task_taken"


class TooManyAttempts(EngineError):
    """Too many failed logins for this user name or client address: retry at ``retry_at``."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_at: dt.datetime, now: dt.datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.retry_after = max(1, math.ceil((retry_at - now).total_seconds()))


class DraftHasProblems(Conflict):
    """A draft whose last save found problems may be kept but neither deployed nor run."""

    code = "draft_has_problems"

    def __init__(self, message: str, problems: list[JsonObject]) -> None:
        super().__init__(message)
        self.problems = problems


class DraftLocked(Conflict):
    """Someone else holds the draft's edit lock (``holder`` since ``since``, until ``expires_at``)."""

    code = "draft_locked"

    def __init__(self, message: str, holder: str, since: dt.datetime, expires_at: dt.datetime) -> None:
        super().__init__(message)
        self.holder, self.since, self.expires_at = holder, since, expires_at


class StaleDraft(Conflict):
    """A save based on an older revision of the draft: ``conflict`` says what the others changed."""

    code = "stale_draft"

    def __init__(self, message: str, conflict: DraftConflict) -> None:
        super().__init__(message)
        self.conflict = conflict


class InvalidProcess(EngineError):
    """A diagram (or the library) is not deployable; ``problems`` lists each defect."""

    code = "invalid_process"

    def __init__(self, message: str, problems: list[ProcessProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class StorageUnavailable(EngineError):
    """The database cannot be reached or has no schema yet. ``message`` is safe to show anyone;
    ``detail`` (the driver's words: host, port, …) is for logs and operators only."""

    code = "storage_unavailable"
    retry_after = 30

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class StorageBusy(StorageUnavailable):
    """A database lock was not granted within the busy timeout: retry in a few seconds."""

    code = "storage_busy"
    retry_after = 5


class ProcessFailed(EngineError):
    """A script, condition or expression failed while the case ran; the case is untouched."""

    code = "process_failed"

    def __init__(self, message: str, *, element: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.element = element
        self.line = line


class ScriptLimitExceeded(ProcessFailed):
    """Diagram code hit a sandbox limit (time, memory, size of a result or of what it leaves)."""

    code = "script_limit"


class ProcessProblem:
    """One defect of a diagram, attached to its file, element and line where known.

    ``code`` and ``args`` (when set) name the kind of defect and its particulars, so a user
    interface can say it in its own language; ``message`` is the English sentence.
    """

    __slots__ = ("file", "element", "line", "message", "code", "args")

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        element: str = "",
        line: int | None = None,
        code: str = "",
        args: Mapping[str, JsonValue] | None = None,
    ):
        self.message, self.file, self.element, self.line = message, file, element, line
        self.code, self.args = code, dict(args or {})

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p)
        element = f" [{self.element}]" if self.element else ""
        return f"{where}{element}: {self.message}" if where or element else self.message

    def as_dict(self) -> JsonObject:
        found: JsonObject = {"file": self.file, "element": self.element, "line": self.line, "message": self.message}
        return found | ({"code": self.code, "args": self.args} if self.code else {})


class RegistryConflict(Conflict):
    """A registry command clashes with what is recorded (an overlapping protocol, a tax code already
    registered, a status that cannot follow): ``messages`` maps fields to messages, as for invalid data."""

    code = "registry_conflict"

    def __init__(self, message: str, messages: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.messages: dict[str, Any] = dict(messages or {})
