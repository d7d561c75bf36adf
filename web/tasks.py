"""The task page: instructions, the case summary and the data the role may see, and the task's
form rendered from its JSON Schema; save a draft or complete. A rejected submission comes back
with each field's message and the input kept; a task someone else completed or took first
gets a clear message instead of an error page."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from engine.model import Actor, CaseView, Organisation, TaskStatus, TaskView
from web import people, security
from web.errors import engine_message, plain_keys
from web.form_input import convert
from web.i18n import _
from web.schema_form import REGISTRY_LIST, error_links, general_errors, prefill, widgets

bp = Blueprint("tasks", __name__)


@bp.get("/tasks/<task_id>")
@security.area("inbox")
def show(task_id: str) -> str | tuple[str, int]:
    task = _task(task_id)
    values: dict[str, Any] = {}
    case = _case(task)
    if task.status is TaskStatus.READY:
        values = _draft(task) or _prefilled(task, case)
    return _page(task, values, {}, case=case)


def _prefilled(task: TaskView, case: CaseView | None) -> dict[str, Any]:
    """What the form can start from: the answers the case already holds (the variables its
    form names), then the multi-instance item."""
    schema = _schema(task)
    known: dict[str, Any] = {}
    for name in schema.get("x-prefill-from", []) if case is not None else []:
        known.update(prefill(schema, case.data.get(name) if case is not None else None))
    return {**known, **prefill(schema, task.context.get("item"))}


@bp.post("/tasks/<task_id>")
@security.area("inbox")
def submit(task_id: str) -> Response | str | tuple[str, int]:
    eng, actor = security.engine(), security.actor()
    task = _task(task_id)
    data = convert(_schema(task), request.form)
    try:
        if request.form.get("action") == "save":
            eng.tasks.save_draft(task.id, data, actor=actor)
            flash(_("Bozza salvata: potrai completare l'attività più tardi."), "info")
            return redirect(url_for("tasks.show", task_id=task.id))
        case = eng.tasks.complete(task.id, data, actor=actor)
    except errors.InvalidData as err:
        return _page(task, data, plain_keys(err.messages), status=422)
    except (errors.Conflict, errors.Forbidden) as err:
        status = 409 if isinstance(err, errors.Conflict) else 403
        return _page(_task(task_id), data, {}, conflict=engine_message(err), status=status)
    flash(_("Attività «%(name)s» completata.", name=task.name), "info")
    following = next_task(case, actor)
    if following is not None:
        # the same person's next step in the same case: straight to it
        return redirect(url_for("tasks.show", task_id=following.id))
    return redirect(url_for("inbox.inbox"))


def next_task(case: CaseView, actor: Actor) -> TaskView | None:
    """The actor's next open task in the case: one assigned to them first, then one of their
    roles in the case's territory that nobody holds; earliest due first."""
    mine = [
        t
        for t in case.open_tasks
        if t.assignee == actor.username or (not t.assignee and t.role in actor.roles_in(t.territory))
    ]
    mine.sort(key=lambda t: (t.assignee != actor.username, t.due_at is None, t.due_at or t.created_at, t.created_at))
    for candidate in mine[:5]:
        try:
            # the engine decides who may open it (a task routed to another team or organisation)
            return security.engine().tasks.get(candidate.id, actor=actor)
        except (errors.Forbidden, errors.NotFound):
            continue
    return None


def _task(task_id: str) -> TaskView:
    try:
        return security.engine().tasks.get(task_id, actor=security.actor())
    except errors.NotFound:
        abort(404)


def _schema(task: TaskView) -> dict[str, Any]:
    if not task.form_key:
        return {"type": "object", "properties": {}, "required": []}
    return security.engine().tasks.form_schema(task.form_key)


def _draft(task: TaskView) -> dict[str, Any] | None:
    try:
        return security.engine().tasks.draft(task.id, actor=security.actor())
    except errors.Forbidden:
        return None


def _case(task: TaskView) -> CaseView | None:
    try:
        return security.engine().cases.get(
            task.case_id, purpose=f"attività: {task.name}", ip=security.client_ip(), actor=security.actor()
        )
    except errors.Forbidden:
        return None


def _page(
    task: TaskView,
    values: dict[str, Any],
    messages: dict[str, Any],
    *,
    conflict: str = "",
    status: int = 200,
    case: CaseView | None = None,
) -> tuple[str, int]:
    schema = _schema(task)
    actor = security.actor()
    may_act = task.status is TaskStatus.READY and task.assignee in (None, actor.username) and not conflict
    fields = widgets(schema, values, messages)
    html = render_template(
        "task.html",
        task=task,
        case=case if case is not None else _case(task),
        schema=schema,
        fields=fields,
        error_links=error_links(fields),
        general=general_errors(messages, schema),
        invalid=bool(messages),
        conflict=conflict,
        may_act=may_act,
        instructions=instructions(task),
        item=task.context.get("item"),
        registry_list=REGISTRY_LIST,
        registry_choices=_registry_choices(schema, task),
        # the birth date and gender come from the person record, never typed twice
        from_person=people.from_person(task, schema),
    )
    return html, status


def _registry_choices(schema: dict[str, Any], task: TaskView) -> list[Organisation]:
    """The organisations a form's registry fields may name: those serving the task's territory."""
    if "x-registry" not in json.dumps(schema):
        return []
    return security.engine().registry.organisations(actor=security.actor(), territory=task.territory)


def instructions(task: TaskView) -> str:
    """The user task's documentation in the diagram its case runs on, if any."""
    return security.engine().tasks.instructions(task.id, actor=security.actor())
