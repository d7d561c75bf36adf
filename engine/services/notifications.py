"""Notifications: queued in the command's transaction, sent after commit through a pluggable sender.

A command writes rows to ``notification_outbox`` together with its change, so nothing is announced
that did not happen. ``dispatch`` then hands unsent rows to the configured sender (console, file,
SMTP — ``engine.adapters.senders``) and marks them sent; a failed send is retried later (at-least-
once: a crash between sending and marking may repeat one message). Overdue tasks are found by the
scheduler's tick and announced once each.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from engine.model import Actor
from engine.policy import Permission, require
from engine.ports import AbstractUnitOfWork
from engine.services.context import Context

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None: ...


def notify_user(
    uow: AbstractUnitOfWork,
    username: str,
    *,
    kind: str,
    subject: str,
    body: str,
    case_id: int | None,
    task_id: str | None,
    at: dt.datetime,
) -> None:
    uow.notifications.add(
        recipient=username, kind=kind, subject=subject, body=body, case_id=case_id, task_id=task_id, at=at
    )


def notify_role(
    uow: AbstractUnitOfWork,
    role: str,
    territory: str | None,
    *,
    kind: str,
    subject: str,
    body: str,
    case_id: int | None,
    task_id: str | None,
    at: dt.datetime,
) -> int:
    holders = uow.users.holders(role, territory)
    for username in holders:
        notify_user(uow, username, kind=kind, subject=subject, body=body, case_id=case_id, task_id=task_id, at=at)
    return len(holders)


def queue_overdue(ctx: Context, actor: Actor, limit: int = 500) -> int:
    """Announce, once, every open task past its due date: to its assignee, else to its role."""
    require(actor, Permission.CLOCK)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        overdue = uow.notifications.overdue_tasks(now, limit)
        for task in overdue:
            subject = f"Attività scaduta: {task['name']} (caso {task['case_id']})"
            due = f"{task['due_at']:%d/%m/%Y}"
            body = f"L'attività «{task['name']}» del caso {task['case_id']} era da completare entro il {due}."
            if task["assignee"]:
                notify_user(
                    uow,
                    task["assignee"],
                    kind="overdue",
                    subject=subject,
                    body=body,
                    case_id=task["case_id"],
                    task_id=task["id"],
                    at=now,
                )
            elif task["role"]:
                notify_role(
                    uow,
                    task["role"],
                    task["territory"] or None,
                    kind="overdue",
                    subject=subject,
                    body=body,
                    case_id=task["case_id"],
                    task_id=task["id"],
                    at=now,
                )
            uow.notifications.mark_overdue_notified(task["id"], now)
        uow.commit()
    return len(overdue)


def dispatch(ctx: Context, actor: Actor, sender: Sender | None, limit: int = 200) -> int:
    """Send what the outbox holds through ``sender`` (none configured: nothing goes out);
    returns how many went out."""
    require(actor, Permission.CLOCK)
    if sender is None:
        return 0
    sent = 0
    with ctx.uow() as uow:
        for row in uow.notifications.unsent(limit):
            try:
                sender.send(row["recipient"], row["subject"], row["body"])
            except Exception as err:  # noqa: BLE001 - a failing sender must not lose the others
                log.warning("notification %s to %s not sent: %s", row["id"], row["recipient"], err)
                uow.notifications.mark_failed(row["id"], f"{type(err).__name__}: {err}")
                continue
            uow.notifications.mark_sent(row["id"], ctx.clock.now())
            sent += 1
        uow.commit()
    return sent
