"""Audit: chain verification and anchors, replay, dossiers, administrative corrections, privacy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from engine.areas.base import Area
from engine.model import AccessLogEntry, Actor, Anchor, CaseView, JsonObject, ReplayResult, VerifyReport
from engine.services import audit, case_queries, dossier


class Audit(Area):
    def verify(self, *, actor: Actor) -> VerifyReport:
        """Re-check every chain and anchor (counts and the broken links' places, no case data)."""
        return audit.verify_all(self._ctx, actor)

    def anchor(self, *, actor: Actor) -> Anchor:
        anchor = audit.take_anchor(self._ctx, actor)
        assert anchor is not None  # unconditional when no interval is given
        return anchor

    def anchor_on_schedule(self, *, actor: Actor) -> int:
        """The scheduler's anchor: one when the last is older than the configured interval and
        something changed since; returns how many were taken (0 or 1)."""
        hours = self._ctx.settings.anchor_interval_hours
        if hours <= 0:
            return 0
        return int(audit.take_anchor(self._ctx, actor, unless_within=dt.timedelta(hours=hours)) is not None)

    def replay(
        self,
        case_id: int,
        *,
        actor: Actor,
        upto: int | None = None,
        with_elements: bool = False,
        from_start: bool = False,
    ) -> ReplayResult:
        """Replay the case up to the command holding event ``upto``: from the nearest verified
        checkpoint before it (the steps after it), or from the first event with ``from_start``
        (every step, and each checkpoint passed proved against the rebuilt state)."""
        return audit.replay_case(
            self._ctx, case_id, actor, upto=upto, with_elements=with_elements, from_start=from_start
        )

    def correct_data(self, case_id: int, changes: Mapping[str, object], *, actor: Actor, reason: str) -> CaseView:
        return audit.correct_data(self._ctx, case_id, dict(changes), actor, reason)

    def reset_to_task(
        self, case_id: int, bpmn_id: str, *, actor: Actor, reason: str, data: Mapping[str, object] | None = None
    ) -> CaseView:
        return audit.reset_to_task(self._ctx, case_id, bpmn_id, actor, reason, dict(data) if data is not None else None)

    def dossier_bundle(self, case_id: int, *, actor: Actor) -> JsonObject:
        """The case's signed JSON dossier (check it offline with ``engine.audit.bundle.verify_bundle``)."""
        return dossier.dossier_bundle(self._ctx, case_id, actor)

    def dossier_pdf(self, case_id: int, *, actor: Actor) -> bytes:
        return dossier.dossier_pdf(self._ctx, case_id, actor)

    def export_pseudonymised(self, *, actor: Actor) -> list[JsonObject]:
        """Cases for evaluators: stable pseudonyms, no identities, categories generalised."""
        return dossier.export_pseudonymised(self._ctx, actor)

    def erase_personal_data(
        self, case_id: int, *, actor: Actor, reason: str, before_retention: bool = False
    ) -> list[str]:
        return dossier.erase_personal_data(self._ctx, case_id, actor, reason, before_retention=before_retention)

    def access_log(
        self, *, actor: Actor, case_id: int | None = None, username: str | None = None, limit: int = 500
    ) -> list[AccessLogEntry]:
        return case_queries.access_log(self._ctx, actor, case_id=case_id, username=username, limit=limit)
