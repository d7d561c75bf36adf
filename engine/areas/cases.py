"""Cases: start, cancel, read (authorised, personal data filtered, showings logged), migrate."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Mapping

from engine.areas.base import Area
from engine.model import (
    Actor,
    CaseDiagram,
    CaseEvent,
    CaseMigration,
    CaseOutlook,
    CaseStatus,
    CaseView,
    ProcessVersionView,
)
from engine.services import case_actions, case_queries, cases, migration


class Cases(Area):
    def start(
        self, process_id: str, data: Mapping[str, object], *, actor: Actor, territory: str | None = None
    ) -> CaseView:
        return cases.start_case(self._ctx, process_id, dict(data), actor, territory=territory)

    def startable(self, *, actor: Actor) -> builtins.list[ProcessVersionView]:
        """The entry processes (never a phase another process calls) the actor may start; the
        beneficiary path first."""
        return cases.startable(self._ctx, actor)

    def cancel(self, case_id: int, *, actor: Actor, reason: str) -> CaseView:
        return cases.cancel_case(self._ctx, case_id, actor, reason)

    def withdraw(self, case_id: int, *, date: dt.date | str, reason: str, actor: Actor) -> CaseView:
        """The person withdraws: delivered where the diagram waits for it, leading to the exit."""
        return case_actions.withdraw(self._ctx, case_id, date, reason, actor)

    def health_alert(self, case_id: int, *, kind: str, description: str, date: dt.date | str, actor: Actor) -> CaseView:
        """The health service in charge alerts the case team: ``kind`` ``RICADUTA`` or
        ``INCOMPATIBILITA``, what happened and when; the case manager gets a task. Field messages
        name the form's fields (``tipo_allerta``, ``descrizione_allerta``, ``data_allerta``)."""
        alert = {"tipo_allerta": kind, "descrizione_allerta": description, "data_allerta": str(date)}
        return case_actions.health_alert(self._ctx, case_id, alert, actor)

    def suspend(self, case_id: int, *, reason: str, actor: Actor) -> CaseView:
        return case_actions.suspend(self._ctx, case_id, reason, actor)

    def resume(self, case_id: int, *, reason: str, actor: Actor) -> CaseView:
        return case_actions.resume(self._ctx, case_id, reason, actor)

    def close(self, case_id: int, *, reason: str, actor: Actor) -> CaseView:
        """Close d'ufficio: the workflow ends now, the recorded data stays."""
        return case_actions.close(self._ctx, case_id, reason, actor)

    def outlook(self, case_id: int, *, actor: Actor) -> CaseOutlook:
        """What the case waits for (timers, messages) and the actions open to ``actor``."""
        return case_actions.outlook(self._ctx, case_id, actor)

    def get(
        self, case_id: int, *, actor: Actor, purpose: str = "consultazione caso", ip: str | None = None
    ) -> CaseView:
        return case_queries.get_case(self._ctx, case_id, actor, purpose=purpose, ip=ip)

    def history(
        self, case_id: int, *, actor: Actor, purpose: str = "cronologia caso", ip: str | None = None
    ) -> list[CaseEvent]:
        return case_queries.history(self._ctx, case_id, actor, purpose=purpose, ip=ip)

    def list(
        self,
        *,
        actor: Actor,
        status: CaseStatus | None = None,
        process_id: str | None = None,
        territory: str | None = None,
        phase: str | None = None,
        title: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[CaseView]:
        return case_queries.list_cases(
            self._ctx,
            actor,
            status=status,
            process_id=process_id,
            territory=territory,
            phase=phase,
            title=title,
            limit=limit,
            offset=offset,
        )

    def diagram(self, case_id: int, *, actor: Actor) -> builtins.list[CaseDiagram]:
        return case_queries.case_diagram(self._ctx, case_id, actor)

    def migrate(
        self,
        case_id: int,
        to_version: int,
        *,
        actor: Actor,
        reason: str = "",
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> CaseMigration:
        return migration.migrate_case(
            self._ctx,
            case_id,
            to_version,
            actor,
            reason=reason,
            mapping=dict(mapping) if mapping is not None else None,
            dry_run=dry_run,
        )

    def migratable(self, process_id: str, *, actor: Actor, limit: int = 500) -> builtins.list[CaseView]:
        """Running cases of ``process_id`` the actor may migrate: in their territories only."""
        return migration.migratable_cases(self._ctx, process_id, actor, limit)

    def migrate_many(
        self,
        case_ids: Iterable[int],
        to_version: int,
        *,
        actor: Actor,
        reason: str = "",
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> builtins.list[CaseMigration]:
        """The chosen cases one by one, each in its own transaction; one per case in the result."""
        return migration.migrate_selected(
            self._ctx,
            builtins.list(case_ids),
            to_version,
            actor,
            reason=reason,
            mapping=dict(mapping) if mapping is not None else None,
            dry_run=dry_run,
        )

    def migrate_process(
        self,
        process_id: str,
        to_version: int,
        *,
        actor: Actor,
        from_version: int | None = None,
        reason: str = "",
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> builtins.list[CaseMigration]:
        """Every running case of ``process_id`` (optionally only those on ``from_version``)."""
        return migration.migrate_cases(
            self._ctx,
            process_id,
            to_version,
            actor,
            from_version=from_version,
            reason=reason,
            mapping=dict(mapping) if mapping is not None else None,
            dry_run=dry_run,
        )
