"""Lint for the process library: defects SpiffWorkflow would only meet at run time, found at upload.

Works on the XML (so every problem has its element id and line) after the parser has accepted
the files: every user task has a lane naming a known role and a form that exists; every script,
condition, timer and DMN cell compiles in the sandbox; every exclusive gateway with several
ways out has a default flow or a condition on each; every call activity resolves; every file has
an executable process; every name diagram code reads is provided somewhere (``lint_variables``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.bpmn.lint_variables import lint_variables
from engine.bpmn.loader import Library
from engine.bpmn.scripting import lint_source
from engine.errors import ProcessProblem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}
# SpiffWorkflow adds task specs with these names to every process; an element with the same id
# silently replaces them and the process cannot start.
RESERVED_IDS = frozenset({"Start", "End", "Root"})
# What a user task may ask the engine to add to its answer (``engineData``; the computations are
# in engine/services/engine_data.py, which a test keeps equal to this list).
ENGINE_DATA = frozenset({"fotografia_monitoraggio", "archivio_relazione"})
_DAYS = re.compile(r"[0-9]{1,5}")
_PRIORITY = re.compile(r"-?[0-9]{1,4}")
_ISO_DURATION = re.compile(r"^R?\d*/?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def lint_library(
    library: Library,
    known_forms: Iterable[str],
    roles: Iterable[str],
    forms_fields: Mapping[str, Iterable[str]] | None = None,
) -> list[ProcessProblem]:
    forms, role_set = frozenset(known_forms), frozenset(roles)
    process_ids = set(library.parser.process_parsers)
    problems: list[ProcessProblem] = []
    for name, root in sorted(library.roots.items()):
        if library.files[name].kind == "bpmn":
            problems += _lint_bpmn(name, root, forms, role_set, process_ids)
            problems += _lint_case_actions(name, root, forms_fields or {})
        else:
            problems += _lint_dmn(name, root)
    return problems + lint_variables(library, forms_fields or {})


def _problem(file: str, node: Any, message: str, code: str = "", **args: Any) -> ProcessProblem:
    """A defect at ``node``; ``code`` and ``args`` let a page say it in the user's language."""
    return ProcessProblem(message, file=file, element=node.get("id", ""), line=node.sourceline, code=code, args=args)


def _lint_bpmn(
    file: str, root: Any, forms: frozenset[str], roles: frozenset[str], process_ids: set[str]
) -> list[ProcessProblem]:
    out: list[ProcessProblem] = _lint_executable(file, root)
    lane_of: dict[str, str] = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = lane.get("name", "")
    for lane in root.iterfind(".//bpmn:lane", NS):
        if lane.get("name") not in roles:
            out.append(
                _problem(
                    file,
                    lane,
                    f"lane name {lane.get('name')!r} is not a known role",
                    "bpmn.lane_role",
                    lane=lane.get("name", ""),
                )
            )
    for task in root.iterfind(".//bpmn:userTask", NS):
        lane = lane_of.get(task.get("id", ""))
        if not lane and not _inherits_lane(task, lane_of):
            out.append(_problem(file, task, "user task has no lane (no role can complete it)", "bpmn.task_lane"))
        for prop, pattern in (("dueInDays", _DAYS), ("priority", _PRIORITY)):
            value = _property(task, prop)
            if value is not None and not pattern.fullmatch(value):
                out.append(
                    _problem(
                        file,
                        task,
                        f"property {prop}={value!r} is not a whole number",
                        "bpmn.task_property",
                        property=prop,
                        value=value,
                    )
                )
        engine_data = _property(task, "engineData")
        if engine_data is not None and engine_data not in ENGINE_DATA:
            out.append(
                _problem(
                    file,
                    task,
                    f"engineData {engine_data!r} is not computed by the engine ({', '.join(sorted(ENGINE_DATA))})",
                    "bpmn.engine_data",
                    value=engine_data,
                    known=", ".join(sorted(ENGINE_DATA)),
                )
            )
        key = _property(task, "formKey")
        if not key:
            out.append(_problem(file, task, "user task has no formKey property", "bpmn.task_form_key"))
        elif key not in forms:
            out.append(_problem(file, task, f"form {key!r} does not exist in forms/", "bpmn.task_form", form=key))
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        _compile(out, file, script.getparent(), script.text or "", expression=False)
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiff:{tag}", NS):
            owner = _owner(script)
            _compile(out, file, owner, script.text or "", expression=False)
    for cond in root.iterfind(".//bpmn:conditionExpression", NS):
        _compile(out, file, cond.getparent(), cond.text or "", expression=True)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iterfind(f".//bpmn:{tag}", NS):
            owner = _owner(timer)
            text = (timer.text or "").strip()
            literal = _literal(text)
            compiled = _compile(out, file, owner, text, expression=True)
            if compiled and isinstance(literal, str) and tag != "timeDate" and not _ISO_DURATION.match(literal):
                out.append(
                    _problem(file, owner, f"timer {literal!r} is not an ISO-8601 duration", "bpmn.timer", timer=literal)
                )
    for payload in root.iterfind(".//spiff:messagePayload", NS):
        _compile(out, file, _owner(payload), payload.text or "", expression=True)
    for node in root.iterfind(".//bpmn:process//*[@id]", NS):
        if node.get("id") in RESERVED_IDS:
            out.append(
                _problem(
                    file,
                    node,
                    f"element id {node.get('id')!r} is reserved by the engine; rename it",
                    "bpmn.reserved_id",
                    id=node.get("id", ""),
                )
            )
    out += _lint_gateways(file, root)
    for call in root.iterfind(".//bpmn:callActivity", NS):
        target = call.get("calledElement", "")
        if target not in process_ids:
            out.append(
                _problem(file, call, f"call activity calls unknown process {target!r}", "bpmn.call", process=target)
            )
    return out


def _lint_executable(file: str, root: Any) -> list[ProcessProblem]:
    """A file must give the engine something to run: at least one executable process."""
    processes = root.findall("bpmn:process", NS)
    if not processes:
        return [ProcessProblem("il file non contiene alcun processo", file=file, line=root.sourceline)]
    if any(p.get("isExecutable", "true") == "true" for p in processes):
        return []
    names = ", ".join(f"«{p.get('id')}»" for p in processes)
    return [
        _problem(
            file,
            processes[0],
            f'il processo {names} non è eseguibile (isExecutable="false"): il file non contiene nulla da pubblicare',
        )
    ]


def _lint_gateways(file: str, root: Any) -> list[ProcessProblem]:
    out = []
    flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for gw in root.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = [
            flows[o.text.strip()] for o in gw.iterfind("bpmn:outgoing", NS) if o.text and o.text.strip() in flows
        ]
        outgoing = outgoing or [f for f in flows.values() if f.get("sourceRef") == gw.get("id")]
        if len(outgoing) < 2 or gw.get("default"):
            continue
        bare = [f.get("id") for f in outgoing if f.find("bpmn:conditionExpression", NS) is None]
        if bare:
            out.append(
                _problem(
                    file,
                    gw,
                    f"exclusive gateway has no default flow and flows without condition: {bare}",
                    "bpmn.gateway",
                    flows=", ".join(str(f) for f in bare),
                )
            )
    return out


def _lint_dmn(file: str, root: Any) -> list[ProcessProblem]:
    out: list[ProcessProblem] = []
    for node in root.iter():
        tag = node.tag.split("}")[-1] if isinstance(node.tag, str) else ""
        if tag in ("inputExpression", "outputEntry"):
            text_node = next((c for c in node if str(c.tag).endswith("text")), None)
            text = (text_node.text or "").strip() if text_node is not None else ""
            if text and text != "-":
                _compile(out, file, node.getparent() if tag == "inputExpression" else node, text, expression=True)
    return out


def _compile(out: list[ProcessProblem], file: str, owner: Any, source: str, *, expression: bool) -> bool:
    if not source.strip():
        return False
    complaint = lint_source(source, expression=expression)
    if complaint:
        out.append(
            _problem(file, owner, f"refused by the script sandbox: {complaint}", "bpmn.sandbox", detail=complaint)
        )
        return False
    return True


def _literal(source: str) -> object:
    """The value of an expression that is a single constant (a quoted timer), else None."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return tree.body.value if isinstance(tree.body, ast.Constant) else None


def _lint_case_actions(file: str, root: Any, forms_fields: Mapping[str, Iterable[str]]) -> list[ProcessProblem]:
    """A user task whose decision the engine carries out (``caseAction``) names the decision's
    field and the reason's field (``caseActionReason``), both fields of the task's form."""
    out: list[ProcessProblem] = []
    for task in root.iterfind(".//bpmn:userTask", NS):
        action, reason = _property(task, "caseAction"), _property(task, "caseActionReason")
        if action is None and reason is None:
            continue
        fields = set(forms_fields.get(_property(task, "formKey") or "", ()))
        for prop, value in (("caseAction", action), ("caseActionReason", reason)):
            if not value or (fields and value not in fields):
                out.append(
                    _problem(
                        file,
                        task,
                        f"property {prop}={value!r} is not a field of the task's form",
                        "bpmn.case_action",
                        property=prop,
                        value=value or "",
                    )
                )
    return out


def _property(task: Any, name: str) -> str | None:
    for prop in task.iterfind(".//spiff:property", NS):
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


def _inherits_lane(task: Any, lane_of: dict[str, str]) -> bool:
    parent = task.getparent()
    while parent is not None:
        if lane_of.get(parent.get("id", "")):
            return True
        parent = parent.getparent()
    return False
