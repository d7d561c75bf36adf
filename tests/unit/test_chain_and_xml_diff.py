"""Two pure modules tested directly, without a database: the hash chain over a case's events
(``engine.audit.chain``: sealing, tampering found at its event, an erasure accepted only where a
sealed erasure names it; the digests a command builds from its data's canonical text equal the
digests of the whole) and the element diff between two versions of a diagram
(``engine.bpmn.xml_diff``: layout ignored, added/removed/changed elements by id)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from engine.audit import chain, digest
from engine.bpmn import xml_diff
from engine.bpmn.runner import ReadyTask
from engine.model import CaseEvent, EventKind

AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def events() -> list[CaseEvent]:
    """Three events of case 7, sealed from the start of its chain."""
    return chain.seal(
        [
            CaseEvent(7, 1, AT, "anna", EventKind.STARTED, data={"nome": "Mario", "eta": 30}),
            CaseEvent(7, 2, AT, "anna", EventKind.TASK_COMPLETED, task_id="t1", data={"esito": "OK"}),
            CaseEvent(7, 3, AT, "bruno", EventKind.CANCELLED, data={"motivo": "rinuncia"}),
        ],
        chain.GENESIS,
    )


def test_a_sealed_chain_verifies_up_to_its_head() -> None:
    sealed = events()
    assert [e.prev_hash for e in sealed] == [chain.GENESIS, sealed[0].hash, sealed[1].hash]
    assert chain.verify_case(7, sealed, (3, sealed[-1].hash or "")) is None


def test_a_changed_value_breaks_the_chain_at_its_event() -> None:
    sealed = events()
    sealed[1] = dataclasses.replace(sealed[1], data={"esito": "KO"})
    found = chain.verify_case(7, sealed)
    assert found is not None and found.seq == 2 and "commitment" in found.reason


def test_a_removed_event_breaks_the_chain() -> None:
    sealed = events()
    found = chain.verify_case(7, [sealed[0], sealed[2]])
    assert found is not None and found.seq == 2 and "missing" in found.reason


def test_a_head_that_moved_on_is_a_break() -> None:
    sealed = events()
    found = chain.verify_case(7, sealed[:2], (3, sealed[-1].hash or ""))
    assert found is not None and found.kind == "head"


def test_an_erased_field_needs_a_sealed_erasure_that_names_it() -> None:
    sealed = events()
    blanked = dataclasses.replace(sealed[0], data={"nome": chain.ERASED, "eta": 30}, erased=("nome",))
    found = chain.verify_case(7, [blanked, *sealed[1:]])
    assert found is not None and found.kind == "erasure" and found.seq == 1
    erasure = CaseEvent(7, 4, AT, "dpo", EventKind.DATA_ERASED, data={"fields": ["nome"], "events": {"1": ["nome"]}})
    erasure = chain.seal([erasure], sealed[-1].hash or "")[0]
    assert chain.verify_case(7, [blanked, *sealed[1:], erasure]) is None


def test_only_a_list_of_names_seals_an_erasure() -> None:
    """A sealed erasure lists each event's erased field names; any other shape seals nothing."""
    listed = CaseEvent(7, 4, AT, "dpo", EventKind.DATA_ERASED, data={"events": {"1": ["nome"], "2": "esito"}})
    assert chain.sealed_erasures([listed]) == ({1: {"nome"}, 2: set()}, 0)
    older = CaseEvent(7, 5, AT, "dpo", EventKind.DATA_ERASED, data={"fields": ["nome"]})
    assert chain.sealed_erasures([older]) == ({}, 5)


def bpmn(body: str, x: int = 100) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">{body}</bpmn:process>
  <bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="pl" bpmnElement="p">
    <bpmndi:BPMNShape id="s_shape" bpmnElement="s"><dc:Bounds x="{x}" y="100" width="36" height="36"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>""".encode()


START = '<bpmn:startEvent id="s"/>'
TASK = '<bpmn:userTask id="a" name="Colloquio"/>'


def test_moving_a_shape_is_no_change() -> None:
    assert xml_diff.diff({"p.bpmn": bpmn(START + TASK)}, {"p.bpmn": bpmn(START + TASK, x=400)}) == {}


def test_elements_added_removed_and_renamed_by_id() -> None:
    old = bpmn(START + TASK + '<bpmn:endEvent id="e"/>')
    new = bpmn(START + '<bpmn:userTask id="a" name="Primo colloquio"/><bpmn:scriptTask id="x"/>')
    assert xml_diff.diff({"p.bpmn": old}, {"p.bpmn": new}) == {
        "p": {"added": ["x"], "removed": ["e"], "changed": [{"id": "a", "aspects": ["attributes"]}]}
    }


def test_a_changed_type_is_said_and_dmn_files_are_not_read() -> None:
    old = {"p.bpmn": bpmn(START + TASK), "d.dmn": b"not even xml"}
    new = {"p.bpmn": bpmn(START + '<bpmn:manualTask id="a" name="Colloquio"/>')}
    assert xml_diff.diff(old, new) == {"p": {"added": [], "removed": [], "changed": [{"id": "a", "aspects": ["type"]}]}}


DATA = {"nome": "Müller", "eta": 30, "voci": [{"b": 1, "a": None}, 2.5, "€"], "annidato": {"z": True, "a": []}}


def test_the_snapshot_digest_from_the_data_text_is_the_digest_of_the_whole() -> None:
    whole = hashlib.sha256(chain.canonical({"status": "running", "data": DATA})).hexdigest()
    assert chain.snapshot_digest("running", DATA) == whole
    assert chain.snapshot_digest("running", DATA, data_text=chain.canonical(DATA)) == whole
    assert chain.snapshot_digest("completed", DATA) != whole


def test_the_state_digest_from_the_data_text_is_the_digest_of_the_summary() -> None:
    ready = [
        ReadyTask("t2", "b", "B", None, None, None, None, "p", item_key='"x"'),
        ReadyTask("t1", "a", "A", None, None, None, None, "p", multi_instance_item=3),
    ]
    whole = digest.digest(digest.summary("running", DATA, ready, ["w2", "w1"], safe=True))
    assert digest.state_digest("running", chain.canonical(DATA), ready, ["w2", "w1"]) == whole
    assert digest.state_digest("running", chain.canonical({}), ready, ["w2", "w1"]) != whole
