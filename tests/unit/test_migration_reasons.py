"""The reasons ``engine.bpmn.migration.plan`` gives for a case that cannot move: a stable code and
the element's id and BPMN name, for the page to word them (no database)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import migration
from engine.bpmn.loader import Library, ProcessSpecs, SourceFile
from engine.model import MigrationBlock, MigrationReason
from tests.fixtures.diagrams import linear


def specs(n_tasks: int) -> ProcessSpecs:
    return Library([SourceFile("p.bpmn", linear("p", n_tasks))]).specs("p")


def at_second_task() -> Any:
    wf = BpmnWorkflow(specs(3).spec, {})
    wf.do_engine_steps()
    [task] = wf.get_tasks(state=TaskState.READY, manual=True)
    task.run()
    wf.do_engine_steps()
    return wf


def test_a_case_at_a_removed_element_gets_the_at_removed_code_with_the_element_name() -> None:
    plan = migration.plan(at_second_task(), specs(1))
    assert not plan.can_migrate
    assert plan.reasons == [
        MigrationReason(
            MigrationBlock.AT_REMOVED,
            "the case is at 'Task_2', which the new version removes (map it)",
            {"element": "Task_2", "element_name": "Passo 2"},
        )
    ]
    assert plan.rebuilt_named == []


def test_a_mapping_to_an_element_not_in_the_new_version_gets_its_own_code() -> None:
    plan = migration.plan(at_second_task(), specs(1), {"Task_2": "Task_9"})
    assert [(r.code, r.params) for r in plan.reasons] == [
        (MigrationBlock.MAPPING_TARGET_MISSING, {"element": "Task_2", "element_name": "Passo 2", "target": "Task_9"})
    ]


def test_a_case_that_can_move_has_no_reasons() -> None:
    plan = migration.plan(at_second_task(), specs(2))
    assert plan.can_migrate and plan.reasons == []
