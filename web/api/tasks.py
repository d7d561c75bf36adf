"""API resource ``/tasks``: list with filters, show with the form's JSON Schema, claim,
release, reassign (coordinators), save a draft and complete."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine import errors
from engine.model import TaskFilter, TaskStatus, TaskView
from web import security
from web.api.auth import api_actor, check_task_id, requires
from web.api.common import Blueprint, problems
from web.api.schemas import (
    CompleteSchema,
    CompletionSchema,
    DraftSchema,
    ReassignSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
)


def blueprint(prefix: str) -> Blueprint:
    blp = Blueprint("api_tasks", __name__, url_prefix=f"{prefix}/tasks", description="Human tasks (the inbox)")

    @blp.route("", methods=["GET"])
    @requires("inbox")
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskPageSchema)
    @problems(blp, 403, 422)
    def list_tasks(args: dict[str, Any]) -> dict[str, Any]:
        """Open tasks of the caller's roles and territories; ``scope`` narrows to mine/claimable, or
        lists the tasks the caller completed (``completed``, newest first); ``q`` searches the
        case title (the beneficiary's pseudonym)."""
        actor = api_actor()
        done = args["scope"] == "completed"
        f = TaskFilter(
            roles=(args["role"],) if args.get("role") else None,
            assignee=actor.username if args["scope"] == "mine" else None,
            unassigned=args["scope"] == "claimable",
            status=TaskStatus.COMPLETED if done else TaskStatus.READY,
            completed_by=actor.username if done else None,
            case_title=args.get("q") or None,
            case_id=args.get("case_id"),
            process_id=args.get("process_id"),
            due_before=args.get("due_before"),
            due_after=args.get("due_after"),
            sort="-completed" if done else args["sort"],
        )
        eng = security.engine()
        items = eng.tasks.query(f, limit=args["limit"], offset=args["offset"], actor=actor)
        return {
            "items": items,
            "total": eng.tasks.count(f, actor=actor),
            "limit": args["limit"],
            "offset": args["offset"],
        }

    @blp.route("/<task_id>", methods=["GET"])
    @requires("inbox")
    @blp.response(200, TaskDetailSchema)
    @problems(blp, 403, 404)
    def show_task(task_id: str) -> dict[str, Any]:
        """A task with its form as JSON Schema and the caller's draft, if any."""
        eng, actor = security.engine(), api_actor()
        task = eng.tasks.get(check_task_id(task_id), actor=actor)
        draft = None
        try:
            draft = eng.tasks.draft(task.id, actor=actor)
        except errors.Forbidden:
            draft = None
        return dataclasses.asdict(task) | {
            "form_schema": eng.tasks.form_schema(task.form_key) if task.form_key else None,
            "draft": draft,
        }

    @blp.route("/<task_id>/claim", methods=["POST"])
    @requires("inbox")
    @blp.response(200, TaskSchema)
    @problems(blp, 403, 404, 409)
    def claim_task(task_id: str) -> TaskView:
        """Take the task: it leaves the role's list and shows under the caller's tasks."""
        return security.engine().tasks.claim(check_task_id(task_id), actor=api_actor())

    @blp.route("/<task_id>/release", methods=["POST"])
    @requires("inbox")
    @blp.response(200, TaskSchema)
    @problems(blp, 403, 404, 409)
    def release_task(task_id: str) -> TaskView:
        """Give the task back to the role (own tasks; coordinators any)."""
        return security.engine().tasks.release(check_task_id(task_id), actor=api_actor())

    @blp.route("/<task_id>/reassign", methods=["POST"])
    @requires("supervise")
    @blp.arguments(ReassignSchema)
    @blp.response(200, TaskSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def reassign_task(args: dict[str, Any], task_id: str) -> TaskView:
        """Assign the task to another user holding its role and territory (coordinators)."""
        return security.engine().tasks.reassign(check_task_id(task_id), args["assignee"], actor=api_actor())

    @blp.route("/<task_id>/draft", methods=["PUT"])
    @requires("inbox")
    @blp.arguments(DraftSchema)
    @blp.response(204)
    @problems(blp, 400, 403, 404, 409, 422)
    def save_draft(args: dict[str, Any], task_id: str) -> None:
        """Keep a half-filled form (not validated, never seen by the process)."""
        security.engine().tasks.save_draft(check_task_id(task_id), args["data"], actor=api_actor())

    @blp.route("/<task_id>/complete", methods=["POST"])
    @requires("inbox")
    @blp.arguments(CompleteSchema)
    @blp.response(200, CompletionSchema)
    @problems(blp, 400, 403, 404, 409, 422)
    def complete_task(args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Submit the task's form; 422 with field messages when invalid, 409 if already done."""
        case = security.engine().tasks.complete(check_task_id(task_id), args["data"], actor=api_actor())
        return {"case_id": case.id, "case_status": case.status.value, "open_tasks": case.open_tasks}

    return blp
