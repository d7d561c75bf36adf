"""Lint: every name that diagram code reads must come from somewhere in the library.

Code is every script (script tasks, Spiff pre- and post-scripts), gateway and conditional-event
condition, timer expression, message/error/escalation/signal payload and multi-instance
cardinality or completion condition. A name it reads is provided by:

- a user task's form (its fields) or its Spiff ``variableName``;
- a script that leaves it at its top level (``engine.bpmn.names``; a script's own parameters,
  ``except … as`` names, comprehension and lambda variables are not reads at all);
- a decision table's outputs;
- a message, error, escalation or signal caught with a variable (``spiffworkflow:messageVariable``,
  ``spiffworkflow:variableName``);
- a process's start data (property ``startData``: comma-separated names) or its data inputs
  (``ioSpecification``/``dataInput``), a data object (read through its id), a multi-instance
  input or output item or output collection, a called process's data outputs;
- for diagrams drawn in Camunda Modeler: form fields, input/output parameters and call-activity
  ``in``/``out`` targets (``camunda:``/``zeebe:`` extensions).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.bpmn.loader import Library
from engine.bpmn.names import names_of
from engine.bpmn.scripting import HELPER_NAMES
from engine.errors import ProcessProblem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN,
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}
HELPERS = HELPER_NAMES | {"math"}
# (xpath, is an expression) for every place a diagram carries code
_CODE = [
    (".//bpmn:scriptTask/bpmn:script", False),
    (".//spiff:preScript", False),
    (".//spiff:postScript", False),
    (".//bpmn:conditionExpression", True),
    (".//bpmn:conditionalEventDefinition/bpmn:condition", True),
    (".//bpmn:timeDuration", True),
    (".//bpmn:timeDate", True),
    (".//bpmn:timeCycle", True),
    (".//spiff:messagePayload", True),
    (".//spiff:payloadExpression", True),
    (".//bpmn:loopCardinality", True),
    (".//bpmn:completionCondition", True),
]
# (xpath, attribute or None for the text) of every place a diagram gives a name a value
_PROVIDERS = [
    (".//spiff:variableName", None),
    (".//spiff:messageVariable", None),
    (".//bpmn:loopDataOutputRef", None),
    (".//bpmn:inputDataItem", "name"),
    (".//bpmn:inputDataItem", "id"),
    (".//bpmn:outputDataItem", "name"),
    (".//bpmn:outputDataItem", "id"),
    (".//bpmn:dataObject", "id"),
    (".//bpmn:dataObjectReference", "dataObjectRef"),
    (".//bpmn:ioSpecification/bpmn:dataInput", "id"),
    (".//bpmn:ioSpecification/bpmn:dataInput", "name"),
    (".//bpmn:ioSpecification/bpmn:dataOutput", "id"),
    (".//bpmn:ioSpecification/bpmn:dataOutput", "name"),
    (".//camunda:formField", "id"),
    (".//camunda:inputParameter", "name"),
    (".//camunda:outputParameter", "name"),
    (".//camunda:in", "target"),
    (".//camunda:out", "target"),
    (".//zeebe:input", "target"),
    (".//zeebe:output", "target"),
]


def lint_variables(library: Library, forms_fields: Mapping[str, Iterable[str]]) -> list[ProcessProblem]:
    provided: set[str] = set(dir(builtins)) | HELPERS
    reads: list[tuple[str, Any, str]] = []
    for name, root in library.roots.items():
        if library.files[name].kind == "dmn":
            provided |= {o.get("name") for o in root.iter() if str(o.tag).endswith("}output") and o.get("name")}
            continue
        provided |= _provided(root, forms_fields)
        for node, expression in _code(root):
            names = names_of(node.text or "", expression=expression)
            provided |= names.leaves
            reads += [(name, _owner(node), variable) for variable in sorted(names.reads)]
    return [
        ProcessProblem(
            f"reads {variable!r}, which no form, script, decision, message, event or start data provides",
            file=file,
            element=owner.get("id", ""),
            line=owner.sourceline,
            code="bpmn.unknown_variable",
            args={"variable": variable},
        )
        for file, owner, variable in reads
        if variable not in provided
    ]


def _code(root: Any) -> Iterator[tuple[Any, bool]]:
    for path, expression in _CODE:
        for node in root.iterfind(path, NS):
            yield node, expression


def _provided(root: Any, forms_fields: Mapping[str, Iterable[str]]) -> set[str]:
    names: set[str] = set()
    for task in root.iterfind(".//bpmn:userTask", NS):
        names |= set(forms_fields.get(_property(task, "formKey") or "", ()))
    for process in root.iterfind("bpmn:process", NS):
        names |= {v.strip() for v in (_property(process, "startData") or "").split(",")}
    for path, attribute in _PROVIDERS:
        for node in root.iterfind(path, NS):
            names.add(((node.text if attribute is None else node.get(attribute)) or "").strip())
    for task in root.iterfind(".//*[@camunda:resultVariable]", NS):
        names.add(task.get(f"{{{NS['camunda']}}}resultVariable", ""))
    return names - {""}


def _property(node: Any, name: str) -> str | None:
    for prop in node.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", NS):
        if prop.get("name") == name:
            value: str | None = prop.get("value")
            return value
    return None


def _owner(node: Any) -> Any:
    """The nearest ancestor that is a flow element with an id (what the designer clicks on)."""
    parent = node.getparent()
    while parent is not None and (parent.get("id") is None or str(parent.tag).endswith("Definition")):
        parent = parent.getparent()
    return parent if parent is not None else node
