"""The task inbox: "Le mie attività" (assigned to me), "Attività del mio ruolo" (unassigned,
my roles, my territories) and, for coordinators, every open task of the territories they
supervise, whatever its role (what they may reassign or route); filters by process
(phase), case and due date, sorting, saved filters, counts per tab, pagination; claim,
release and reassign. Everything is read from the inbox table through ``Engine.query_tasks``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import errors
from engine.model import Actor, TaskFilter, TaskStatus, UserSummary
from web import security
from web.errors import engine_message, ensure_id
from web.i18n import _

bp = Blueprint("inbox", __name__)

TABS = ("mine", "role", "all", "done")
# The tabs with open work, in the order the inbox lands on the first that has some.
WORK_TABS = ("mine", "role", "all")
SORTS = ("due", "-due", "priority", "-priority", "created", "-created", "name")
FILTER_KEYS = ("tab", "process_id", "case_id", "due_from", "due_to", "sort", "q")
MAX_SEARCH = 100
MAX_PAGE = 10_000


@dataclasses.dataclass(frozen=True)
class InboxQuery:
    """The inbox's query string, checked: unknown or malformed values are dropped."""

    tab: str = "mine"
    process_id: str = ""
    case_id: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    sort: str = "due"
    page: int = 1
    q: str = ""  # part of the case title: the beneficiary's pseudonym

    @classmethod
    def parse(cls, args: Any, processes: set[str], supervisor: bool) -> InboxQuery:
        tab = args.get("tab", "mine")
        if tab not in TABS or (tab == "all" and not supervisor):
            tab = "mine"
        return cls(
            tab=tab,
            process_id=args.get("process_id", "") if args.get("process_id") in processes else "",
            case_id=_int(args.get("case_id"), 2**31 - 1),
            due_from=_date(args.get("due_from")),
            due_to=_date(args.get("due_to")),
            sort=args.get("sort") if args.get("sort") in SORTS else "due",
            page=_int(args.get("page"), MAX_PAGE) or 1,
            q=str(args.get("q", "")).strip()[:MAX_SEARCH],
        )

    def task_filter(self, actor: Actor, tab: str | None = None) -> TaskFilter:
        tab = tab or self.tab
        done = tab == "done"
        return TaskFilter(
            assignee=actor.username if tab == "mine" else None,
            unassigned=tab == "role",
            status=TaskStatus.COMPLETED if done else TaskStatus.READY,
            completed_by=actor.username if done else None,
            case_title=self.q or None,
            process_id=self.process_id or None,
            case_id=self.case_id,
            due_after=_start(self.due_from),
            due_before=_start(self.due_to + dt.timedelta(days=1)) if self.due_to else None,
            sort="-completed" if done else self.sort,
            supervised=tab == "all",
        )

    def params(self, **changes: Any) -> dict[str, str]:
        values = dataclasses.replace(self, **changes)
        raw = {
            "tab": values.tab,
            "process_id": values.process_id,
            "case_id": "" if values.case_id is None else str(values.case_id),
            "due_from": values.due_from.isoformat() if values.due_from else "",
            "due_to": values.due_to.isoformat() if values.due_to else "",
            "sort": values.sort,
            "page": "" if values.page == 1 else str(values.page),
            "q": values.q,
        }
        return {k: v for k, v in raw.items() if v and not (k == "sort" and v == "due")}

    def url(self, **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return url_for("inbox.inbox") + (f"?{query}" if query else "")


def _int(raw: str | None, limit: int) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if 0 < value <= limit else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None


@bp.get("/inbox")
@security.area("inbox")
def inbox() -> str:
    eng, actor = security.engine(), security.actor()
    processes = {p.process_id: p.name for p in eng.design.processes(actor=security.actor())}
    supervisor = security.may(actor, "supervise")
    query = InboxQuery.parse(request.args, set(processes), supervisor)
    size = int(current_app.config["PAGE_SIZE"])
    tabs = [t for t in TABS if t != "all" or supervisor]
    counts = {t: eng.tasks.count(query.task_filter(actor, t), actor=actor) for t in tabs}
    if "tab" not in request.args:
        # land on the first list that has work (an empty "mine" must not hide the role's tasks)
        landing = next((t for t in WORK_TABS if t in tabs and counts[t]), "mine")
        query = dataclasses.replace(query, tab=landing)
    total = counts[query.tab]
    pages = max(1, -(-total // size))
    page = min(query.page, pages)
    tasks = eng.tasks.query(query.task_filter(actor), limit=size, offset=(page - 1) * size, actor=actor)
    now = eng.now()  # the engine's clock, which fires the timers, says what is overdue
    return render_template(
        "inbox.html",
        query=dataclasses.replace(query, page=page),
        tabs=tabs,
        counts=counts,
        tasks=tasks,
        pages=pages,
        total=total,
        processes=processes,
        saved=eng.accounts.filters(actor=actor),
        supervisor=supervisor,
        candidates=_candidates(tasks, actor) if supervisor else {},
        now=now,
    )


def _candidates(tasks: list[Any], actor: Actor) -> dict[str, list[UserSummary]]:
    """For reassigning: per task, the users holding its role in its territory."""
    users = security.engine().users.all(actor=actor)
    out: dict[str, list[UserSummary]] = {}
    for task in tasks:
        out[task.id] = [
            u for u in users if u.active and any(r == task.role and (not t or t == task.territory) for r, t in u.roles)
        ]
    return out


@bp.post("/inbox/filters")
@security.area("inbox")
def save_filter() -> Response:
    name = request.form.get("name", "").strip()
    params = {k: request.form[k] for k in FILTER_KEYS if request.form.get(k)}
    try:
        security.engine().accounts.save_filter(name, params, actor=security.actor())
        flash(_("Filtro «%(name)s» salvato.", name=name), "info")
    except errors.InvalidData:
        flash(_("Dai un nome al filtro per salvarlo."), "error")
    return redirect(url_for("inbox.inbox") + "?" + urlencode(params))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@security.area("inbox")
def delete_filter(filter_id: int) -> Response:
    ensure_id(filter_id)
    try:
        security.engine().accounts.delete_filter(filter_id, actor=security.actor())
        flash(_("Filtro eliminato."), "info")
    except errors.NotFound:
        abort(404)
    return redirect(url_for("inbox.inbox"))


@bp.post("/tasks/<task_id>/claim")
@security.area("inbox")
def claim(task_id: str) -> Response:
    return _task_command(task_id, "claim", _("Attività presa in carico."))


@bp.post("/tasks/<task_id>/release")
@security.area("inbox")
def release(task_id: str) -> Response:
    return _task_command(task_id, "release", _("Attività rilasciata: torna tra le attività del ruolo."))


@bp.post("/tasks/<task_id>/reassign")
@security.area("supervise")
def reassign(task_id: str) -> Response:
    return _task_command(task_id, "reassign", _("Attività riassegnata."))


def _task_command(task_id: str, command: str, done: str) -> Response:
    eng, actor = security.engine(), security.actor()
    back = security.safe_next(request.form.get("next"), url_for("inbox.inbox"))
    try:
        if command == "claim":
            eng.tasks.claim(task_id, actor=actor)
            flash(done, "info")
            return redirect(url_for("tasks.show", task_id=task_id))  # claiming is to work on it now
        elif command == "release":
            eng.tasks.release(task_id, actor=actor)
        else:
            eng.tasks.reassign(task_id, request.form.get("assignee", "").strip()[:200], actor=actor)
        flash(done, "info")
    except errors.NotFound:
        abort(404)
    except errors.InvalidData as err:
        flash(" ".join(m for ms in err.messages.values() for m in ms) or engine_message(err), "error")
    except (errors.Conflict, errors.Forbidden) as err:
        flash(engine_message(err), "error")
    return redirect(back)
