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


# A called process whose multi-instance activity the new version moves into an embedded
# sub-process: the case must be rebuilt, and the rebuild does not re-place instances.
_DEFS = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' id="Defs_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">{body}</bpmn:definitions>'
)
_MI = (
    '<bpmn:userTask id="Task_mi" name="Risposta di ogni partner"><bpmn:multiInstanceLoopCharacteristics isSequential="false">'
    "<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>answers</bpmn:loopDataOutputRef>"
    '<bpmn:inputDataItem id="item" name="item"/><bpmn:outputDataItem id="answer" name="answer"/>'
    "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
)
PARENT = _DEFS.format(
    pid="padre",
    body='<bpmn:process id="padre" name="Percorso" isExecutable="true"><bpmn:startEvent id="S"/>'
    '<bpmn:callActivity id="Call_figlio" name="Adesioni" calledElement="figlio"/><bpmn:endEvent id="E"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Call_figlio"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="Call_figlio" targetRef="E"/></bpmn:process>',
)
CHILD_V1 = _DEFS.format(
    pid="figlio",
    body=f'<bpmn:process id="figlio" name="Raccolta delle adesioni" isExecutable="true"><bpmn:startEvent id="S1"/>{_MI}'
    '<bpmn:endEvent id="E1"/><bpmn:sequenceFlow id="g1" sourceRef="S1" targetRef="Task_mi"/>'
    '<bpmn:sequenceFlow id="g2" sourceRef="Task_mi" targetRef="E1"/></bpmn:process>',
)
CHILD_V2 = _DEFS.format(
    pid="figlio",
    body='<bpmn:process id="figlio" name="Raccolta delle adesioni" isExecutable="true"><bpmn:startEvent id="S1"/>'
    f'<bpmn:subProcess id="Sub_giro" name="Giro di adesioni"><bpmn:startEvent id="S2"/>{_MI}<bpmn:endEvent id="E2"/>'
    '<bpmn:sequenceFlow id="h1" sourceRef="S2" targetRef="Task_mi"/><bpmn:sequenceFlow id="h2" sourceRef="Task_mi" '
    'targetRef="E2"/></bpmn:subProcess><bpmn:endEvent id="E1"/><bpmn:sequenceFlow id="g1" sourceRef="S1" '
    'targetRef="Sub_giro"/><bpmn:sequenceFlow id="g2" sourceRef="Sub_giro" targetRef="E1"/></bpmn:process>',
)


def called(child: str) -> ProcessSpecs:
    return Library([SourceFile("padre.bpmn", PARENT.encode()), SourceFile("figlio.bpmn", child.encode())]).specs(
        "padre"
    )


def test_a_case_inside_a_multi_instance_activity_of_a_process_to_rebuild_gets_its_own_code() -> None:
    wf = BpmnWorkflow(called(CHILD_V1).spec, called(CHILD_V1).subprocess_specs)
    [start] = wf.get_tasks(spec_name="Start")
    start.set_data(items=["Comune", "CPI", "Cooperativa"])
    wf.do_engine_steps()
    first, *_ = wf.get_tasks(state=TaskState.READY, manual=True)
    first.data["answer"] = "ADERISCE"
    first.run()  # one instance done, two open
    wf.do_engine_steps()
    assert len(wf.get_tasks(state=TaskState.READY, manual=True)) == 2

    plan = migration.plan(wf, called(CHILD_V2))
    assert not plan.can_migrate and plan.rebuilt == ["figlio"]
    assert [(r.code, r.params) for r in plan.reasons] == [
        (
            MigrationBlock.REBUILD_MULTI_INSTANCE,
            {
                "process": "figlio",
                "process_name": "Raccolta delle adesioni",
                "element": "Task_mi",
                "element_name": "Risposta di ogni partner",
            },
        )
    ]
