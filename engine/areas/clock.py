"""What the clock drives: due timers and their incidents, messages waiting for cases, notices."""

from __future__ import annotations

from collections.abc import Mapping

from engine.areas.base import Area
from engine.model import Actor, CaseMessage, CaseView, Incident
from engine.services import messages, notifications, timers


class Timers(Area):
    def fire_due(self, *, actor: Actor, limit: int = 500) -> int:
        """Fire due timers, earliest first; returns how many fired."""
        return timers.fire_due_timers(self._ctx, actor, limit)

    def incidents(self, *, actor: Actor) -> list[Incident]:
        return timers.incidents(self._ctx, actor)

    def retry_incident(self, timer_id: int, *, actor: Actor) -> None:
        timers.retry_incident(self._ctx, timer_id, actor)

    def queue_overdue(self, *, actor: Actor) -> int:
        """Queue one notice per newly overdue task; returns how many."""
        return notifications.queue_overdue(self._ctx, actor)

    def dispatch_notifications(self, *, actor: Actor) -> int:
        """Send queued notices through the injected sender; returns how many were sent."""
        return notifications.dispatch(self._ctx, actor, self._ctx.sender)


class Messages(Area):
    def send(self, case_id: int, name: str, payload: Mapping[str, object], *, actor: Actor) -> CaseView:
        return messages.send_message(self._ctx, case_id, name, dict(payload), actor)

    def broadcast(self, territory: str, name: str, payload: Mapping[str, object], *, actor: Actor) -> int:
        """A message to every running case of a territory; returns how many cases got it."""
        return messages.broadcast_to_territory(self._ctx, territory, name, dict(payload), actor)

    def deliver(self, *, actor: Actor) -> int:
        """Deliver stored messages to the cases now waiting for them; returns deliveries."""
        return messages.deliver_pending(self._ctx, actor)

    def of_case(self, case_id: int, *, actor: Actor) -> list[CaseMessage]:
        """The messages sent to a case (delivered or waiting), for whoever may read the case."""
        return messages.messages_of(self._ctx, case_id, actor)
