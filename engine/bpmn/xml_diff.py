"""What changed between two versions of a library, element by element (for the visual diff).

Elements are matched by id within each process. An element is *changed* when its type, name,
flows, script, condition, timer, loop or Spiff properties differ; layout (DI) moves are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.bpmn.loader import read_xml
from engine.model import SourceFile

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SKIP = {"laneSet", "lane", "flowNodeRef", "incoming", "outgoing", "extensionElements", "documentation"}
# Attributes that only restate the BPMN default: modelers drop or add them without any change.
_DEFAULTS = {
    "cancelActivity": "true",
    "isInterrupting": "true",
    "isExecutable": "true",
    "isForCompensation": "false",
    "startQuantity": "1",
    "completionQuantity": "1",
    "instantiate": "false",
    "parallelMultiple": "false",
}


def _signature(node: Any) -> dict[str, Any]:
    """A comparable description of one flow element, without layout."""
    attrs = {k: v for k, v in node.attrib.items() if k != "id" and _DEFAULTS.get(k) != v}
    parts: list[str] = []
    for child in node.iter():
        if child is node or not isinstance(child.tag, str):
            continue
        local = child.tag.split("}")[-1]
        if local in ("incoming", "outgoing"):
            continue  # the flows themselves are compared as elements
        text = (child.text or "").strip()
        extra = ",".join(f"{k}={v}" for k, v in sorted(child.attrib.items()) if k != "id")
        parts.append(f"{local}[{extra}]{text}")
    return {"type": node.tag.split("}")[-1], "attributes": attrs, "content": sorted(parts)}


def elements(files: Mapping[str, bytes]) -> dict[str, dict[str, dict[str, Any]]]:
    """process id → element id → signature, over the BPMN files of a version."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for name, content in files.items():
        if name.lower().endswith(".dmn"):
            continue
        root = read_xml(SourceFile(name, content))
        for process in root.iter(f"{BPMN}process"):
            found = result.setdefault(process.get("id", ""), {})
            for node in process.iter():
                if not isinstance(node.tag, str) or node is process or not node.get("id"):
                    continue
                if node.tag.split("}")[-1] in _SKIP:
                    continue
                found[node.get("id", "")] = _signature(node)
    return result


def diff(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    """Per process: added / removed / changed element ids (changed with the aspects that differ)."""
    before, after = elements(old), elements(new)
    result: dict[str, dict[str, Any]] = {}
    for process_id in sorted(set(before) | set(after)):
        a, b = before.get(process_id, {}), after.get(process_id, {})
        changed = []
        for element_id in sorted(set(a) & set(b)):
            aspects = [k for k in ("type", "attributes", "content") if a[element_id][k] != b[element_id][k]]
            if aspects:
                changed.append({"id": element_id, "aspects": aspects})
        entry = {"added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)), "changed": changed}
        if any(entry.values()):
            result[process_id] = entry
    return result
