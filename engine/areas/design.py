"""The process library and its design: validation, deployment, versions, diffs, drafts, dry runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from engine.areas.base import Area
from engine.bpmn import decision_tests
from engine.errors import ProcessProblem
from engine.model import (
    Actor,
    DecisionTableView,
    DecisionTestCase,
    DecisionTestResult,
    DecisionTestSuiteView,
    DraftEvent,
    DryRunResult,
    DryRunScenario,
    DryRunTask,
    ProcessDiff,
    ProcessDraft,
    ProcessVersionView,
    RuleChange,
    SourceFile,
)
from engine.services import designer, processes


class Design(Area):
    # the deployed library
    def validate(self, files: Iterable[SourceFile]) -> list[ProcessProblem]:
        return processes.validate(files)

    def deploy(
        self, files: Iterable[SourceFile] | None = None, *, actor: Actor, note: str = ""
    ) -> list[tuple[ProcessVersionView, bool]]:
        """Deploy ``files`` (default: the processes folder); a new version only where a closure changed."""
        if files is None:
            files = processes.read_directory(self._ctx.settings.processes_dir)
        return processes.deploy(self._ctx, files, actor, note)

    def processes(self, *, actor: Actor) -> list[ProcessVersionView]:
        """The latest version of every deployed process."""
        return processes.list_processes(self._ctx, actor)

    def xml(self, process_id: str, version: int | None = None, *, actor: Actor) -> dict[str, str]:
        return processes.process_xml(self._ctx, process_id, version, actor)

    def versions(self, process_id: str, *, actor: Actor) -> list[ProcessVersionView]:
        return designer.versions(self._ctx, process_id, actor)

    def diff(self, process_id: str, old: int, new: int, *, actor: Actor) -> ProcessDiff:
        return designer.version_diff(self._ctx, process_id, old, new, actor)

    def library_files(self, *, actor: Actor) -> dict[str, bytes]:
        """The deployed library, file by file (the designer's starting point)."""
        return designer.deployed_files(self._ctx, actor)

    def export(self, directory: Path, *, actor: Actor) -> list[str]:
        return designer.export_library(self._ctx, directory, actor)

    # drafts
    def save_draft(
        self,
        file_name: str,
        content: bytes,
        *,
        actor: Actor,
        note: str = "",
        draft_id: int | None = None,
        base_revision: int | None = None,
    ) -> ProcessDraft:
        """Save a draft; ``StaleDraft`` when ``base_revision`` is not the draft's current revision,
        ``DraftLocked`` while someone else holds its edit lock."""
        return designer.save_draft(
            self._ctx, actor, file_name, content, note=note, draft_id=draft_id, base_revision=base_revision
        )

    def edit_draft(self, draft_id: int, *, actor: Actor) -> ProcessDraft:
        """Take or renew the draft's edit lock (``DraftLocked`` while someone else holds it)."""
        return designer.edit_draft(self._ctx, actor, draft_id)

    def release_draft(self, draft_id: int, *, actor: Actor) -> ProcessDraft:
        return designer.release_draft(self._ctx, actor, draft_id)

    def break_draft_lock(self, draft_id: int, *, actor: Actor, reason: str) -> ProcessDraft:
        """An administrator frees a locked draft; kept as a draft event with the reason."""
        return designer.break_draft_lock(self._ctx, actor, draft_id, reason)

    def draft_events(self, draft_id: int, *, actor: Actor) -> list[DraftEvent]:
        return designer.draft_events(self._ctx, actor, draft_id)

    def draft_rule_diff(self, draft_id: int, *, actor: Actor) -> list[RuleChange]:
        return designer.draft_rule_diff(self._ctx, actor, draft_id)

    def rule_diff(self, process_id: str, old: int, new: int, *, actor: Actor) -> list[RuleChange]:
        return designer.version_rule_diff(self._ctx, process_id, old, new, actor)

    def save_scenario(
        self,
        process_id: str,
        name: str,
        data: Mapping[str, object],
        answers: Mapping[str, object],
        *,
        actor: Actor,
        draft_id: int | None = None,
    ) -> DryRunScenario:
        """Keep a dry run of ``process_id`` (start data, answers) to run again after each change,
        with the process version (and the draft revision) it was saved against."""
        return designer.save_scenario(self._ctx, actor, process_id, name, dict(data), dict(answers), draft_id)

    def scenarios(self, process_id: str, *, actor: Actor) -> list[DryRunScenario]:
        return designer.scenarios(self._ctx, actor, process_id)

    def delete_scenario(self, scenario_id: int, *, actor: Actor) -> None:
        designer.delete_scenario(self._ctx, actor, scenario_id)

    def dry_run_tasks(self, draft_id: int, process_id: str, *, actor: Actor) -> list[DryRunTask]:
        """The user tasks a dry run of ``process_id`` may meet, with their forms."""
        return designer.dry_run_tasks(self._ctx, actor, draft_id, process_id)

    def decision_tables(self, file_name: str, content: bytes) -> list[DecisionTableView]:
        """A DMN file's decision tables, to show as tables (``InvalidProcess`` if it does not parse)."""
        return designer.decision_tables(file_name, content)

    def draft_decision_tests(self, draft_id: int, *, actor: Actor) -> list[DecisionTestResult]:
        return designer.draft_decision_tests(self._ctx, actor, draft_id)

    def decision_suites(self, draft_id: int, *, actor: Actor) -> list[DecisionTestSuiteView]:
        """The decision tests of a DMN draft as written, per table, with the names a test may use."""
        return designer.draft_decision_suites(self._ctx, actor, draft_id)

    def check_decision_test(self, test: DecisionTestCase) -> dict[str, list[str]]:
        """What is wrong with a decision test as written (field -> Italian messages); empty when fine."""
        return decision_tests.check_case(test)

    def save_decision_test(
        self,
        draft_id: int,
        test: DecisionTestCase,
        *,
        actor: Actor,
        decision_id: str | None = None,
        replaces: str | None = None,
        base_revision: int | None = None,
    ) -> ProcessDraft:
        """Add a decision test to a DMN draft (or replace the test ``replaces``), saved into the file."""
        return designer.save_decision_test(
            self._ctx, actor, draft_id, test, decision_id=decision_id, replaces=replaces, base_revision=base_revision
        )

    def delete_decision_test(
        self,
        draft_id: int,
        test_id: str,
        *,
        actor: Actor,
        decision_id: str | None = None,
        base_revision: int | None = None,
    ) -> ProcessDraft:
        return designer.delete_decision_test(
            self._ctx, actor, draft_id, test_id, decision_id=decision_id, base_revision=base_revision
        )

    def new_draft(self, process_id: str, name: str, *, actor: Actor) -> ProcessDraft:
        return designer.new_process_draft(self._ctx, actor, process_id, name)

    def open_draft(self, file_name: str, *, actor: Actor) -> ProcessDraft:
        return designer.open_draft_of(self._ctx, actor, file_name)

    def draft(self, draft_id: int, *, actor: Actor) -> ProcessDraft:
        return designer.get_draft(self._ctx, actor, draft_id)

    def drafts(self, *, actor: Actor) -> list[ProcessDraft]:
        return designer.list_drafts(self._ctx, actor)

    def delete_draft(self, draft_id: int, *, actor: Actor) -> None:
        designer.delete_draft(self._ctx, actor, draft_id)

    def deploy_draft(self, draft_id: int, *, actor: Actor, note: str = "") -> list[tuple[ProcessVersionView, bool]]:
        return designer.deploy_draft(self._ctx, actor, draft_id, note)

    def draft_diff(self, draft_id: int, *, actor: Actor) -> ProcessDiff:
        return designer.draft_diff(self._ctx, actor, draft_id)

    def dry_run(
        self,
        draft_id: int,
        process_id: str,
        data: Mapping[str, object],
        answers: Mapping[str, object],
        *,
        actor: Actor,
    ) -> DryRunResult:
        """Run a draft on sample data in memory; ``DraftHasProblems`` while its last save found any."""
        return designer.run_draft(self._ctx, actor, draft_id, process_id, dict(data), dict(answers))
