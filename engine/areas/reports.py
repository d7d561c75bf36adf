"""Reports: the monitoring cockpit's figures, its exports' rows, and the read model's rebuild."""

from __future__ import annotations

import datetime as dt

from engine.areas.base import Area
from engine.errors import InvalidData
from engine.model import (
    Actor,
    ArchivedDocument,
    CaseFacts,
    DataFile,
    ExportFile,
    OpenTaskKey,
    Period,
    ProcessLoad,
    RebuildResult,
    Report,
)
from engine.monitoring import SummaryKey, current_period, parse_period
from engine.policy import Permission
from engine.services import engine_data, reports


class Reports(Area):
    def report(self, kind: str, *, actor: Actor, period: str, territory: str | None = None) -> Report:
        """``funnel`` | ``wip`` | ``sla`` | ``esf`` on a period (``2026``, ``2026-H2``, ``2026-Q3``)."""
        return reports.report(self._ctx, kind, actor, period=period, territory=territory)

    def participants(
        self, *, actor: Actor, period: str, territory: str | None = None, ip: str | None = None
    ) -> DataFile:
        """The ESF+ participant file keyed by pseudonym (logged per case in the access log)."""
        return reports.participants(self._ctx, actor, period=period, territory=territory, ip=ip)

    def case_list(self, *, actor: Actor, period: str, territory: str | None = None, ip: str | None = None) -> DataFile:
        """The cases referred in the period and where each stands (logged with its filters)."""
        return reports.case_list(self._ctx, actor, period=period, territory=territory, ip=ip)

    def log_export(self, report: Report, export_format: str, *, actor: Actor, ip: str | None = None) -> None:
        """Record in the access log that ``report`` left the system as ``export_format``."""
        reports.log_report_export(self._ctx, actor, report, export_format, ip)

    def export(
        self,
        kind: str,
        export_format: str,
        *,
        actor: Actor,
        period: str,
        territory: str | None = None,
        ip: str | None = None,
    ) -> ExportFile:
        """A report, the case list (``casi``) or the participant file (``partecipanti``) as
        ``csv`` | ``xlsx`` | ``json``, logged in the access log with its filters."""
        return reports.export(self._ctx, kind, export_format, actor, period=period, territory=territory, ip=ip)

    def bottlenecks(self, process_id: str, *, actor: Actor, period: str, territory: str | None = None) -> ProcessLoad:
        """Per user task of a process: cases passed and there now, days spent, share overdue."""
        return reports.bottlenecks(self._ctx, process_id, actor, period=period, territory=territory)

    def semester_report_pdf(self, case_id: int, *, actor: Actor, ip: str | None = None) -> ExportFile:
        """The approved semester report or evaluation of a programme case as its archived PDF
        (checked against the hash recorded at approval; logged in the access log); for those who
        may read the programme's documents in its territory (``report_documents``)."""
        return engine_data.report_document(self._ctx, case_id, actor, ip)

    def documents(self, *, actor: Actor) -> list[ArchivedDocument]:
        """The approved semester reports and evaluations the actor may download."""
        return engine_data.archived_documents(self._ctx, actor)

    def may_read_documents(self, *, actor: Actor) -> bool:
        return reports.may(actor, Permission.REPORT_DOCUMENTS)

    def current_period(self) -> str:
        """The half-year the engine's clock is in (``2026-H2``): the cockpit's default."""
        return current_period(self._ctx.clock.now().date())

    def periods(self, *, years: int = 3) -> list[Period]:
        """The periods people choose from (the cockpit, a semester report), each with the label
        the reports give it: this year and the ``years - 1`` before it, newest first, each year
        followed by its halves and its quarters; only those already started (``report`` refuses
        the others). The codes are the ones ``report`` takes."""
        return started_periods(self._ctx.clock.now().date(), years)

    def period(self, code: str) -> Period:
        """The period of ``code`` (``2026``, ``2026-H2``, ``2026-Q3``) with its label; a
        malformed or future one is ``InvalidData`` naming the format, as in ``report``."""
        return parse_period(code, self._ctx.clock.now().date())

    def may_read(self, *, actor: Actor) -> bool:
        return reports.may(actor, Permission.REPORT_AGGREGATES)

    def may_operate(self, *, actor: Actor) -> bool:
        return reports.may(actor, Permission.REPORT_OPERATIONS)

    def may_export_participants(self, *, actor: Actor) -> bool:
        return reports.may(actor, Permission.REPORT_PARTICIPANTS)

    def rebuild(self, *, actor: Actor) -> RebuildResult:
        """Recompute the read model from the audit events (after an upgrade, or to check it)."""
        return reports.rebuild(self._ctx, actor)

    def read_model(self, *, actor: Actor) -> list[CaseFacts]:
        return reports.read_model(self._ctx, actor)

    def summary(self, *, actor: Actor) -> dict[SummaryKey, int]:
        """The counters kept beside the rows (``engine.monitoring.summary_of`` the rows, if whole)."""
        return reports.summary(self._ctx, actor)

    def task_counters(self, *, actor: Actor) -> tuple[dict[OpenTaskKey, int], dict[OpenTaskKey, int]]:
        """The open-task counters as kept and as the inbox rows say (equal when whole)."""
        return reports.task_counters(self._ctx, actor)

    def rebuilt(self, case_id: int, *, actor: Actor) -> CaseFacts | None:
        """The case's row as a replay of its events gives it, without writing it."""
        return reports.rebuilt(self._ctx, case_id, actor)


def started_periods(today: dt.date, years: int) -> list[Period]:
    """See ``Reports.periods``."""
    parts = ("", "-H2", "-H1", "-Q4", "-Q3", "-Q2", "-Q1")
    found = []
    for code in (f"{year}{part}" for year in range(today.year, today.year - years, -1) for part in parts):
        try:
            found.append(parse_period(code, today))
        except InvalidData:
            continue  # not started yet
    return found
