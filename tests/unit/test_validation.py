"""Broken diagrams are refused with a message naming the file, the element and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.loader import MAX_FILE_BYTES, Library, SourceFile
from engine.services.processes import validate
from tests.fixtures.diagrams import linear

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="x">\n'
)


def problems_of(name: str, content: str | bytes) -> list[tuple[str, str, int | None, str]]:
    data = content.encode() if isinstance(content, str) else content
    return [(p.file, p.element, p.line, p.message) for p in validate([SourceFile(name, data)])]


def test_good_diagrams_have_no_problems() -> None:
    assert (
        validate(
            [
                SourceFile("lin.bpmn", linear("lin", 3, ("assistente_sociale",))),
                SourceFile("branching.bpmn", (FIXTURES / "branching.bpmn").read_bytes()),
            ]
        )
        == []
    )


def test_malformed_xml_names_the_line() -> None:
    [(file, _element, line, message)] = problems_of(
        "rotto.bpmn", HEAD + '<bpmn:process id="p">\n<bpmn:task id="x">\n</bpmn:process>'
    )
    assert (file, line) == ("rotto.bpmn", 5)  # the mismatched closing tag
    assert "malformed XML" in message


def test_xsd_violation_names_the_line() -> None:
    xml = (
        HEAD
        + '<bpmn:process id="p" isExecutable="true">\n<bpmn:startEvent id="s"><bpmn:bogus/></bpmn:startEvent>\n</bpmn:process></bpmn:definitions>'
    )
    [(file, _element, line, message)] = problems_of("xsd.bpmn", xml)
    assert (file, line) == ("xsd.bpmn", 4)
    assert "bogus" in message


def test_missing_start_event_names_the_process_and_line() -> None:
    xml = (
        HEAD
        + '<bpmn:process id="senza_inizio" isExecutable="true">\n<bpmn:endEvent id="fine"/>\n</bpmn:process></bpmn:definitions>'
    )
    [(_file, element, line, message)] = problems_of("senza_inizio.bpmn", xml)
    assert (element, line) == ("senza_inizio", 3)
    assert "No start event" in message


def test_unsupported_element_names_the_element_and_line() -> None:
    xml = (
        HEAD
        + '<bpmn:process id="p" isExecutable="true">\n<bpmn:startEvent id="s"/>\n<bpmn:complexGateway id="GW_c"/>\n'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="GW_c"/>\n</bpmn:process></bpmn:definitions>'
    )
    [(_file, element, line, _message)] = problems_of("cg.bpmn", xml)
    assert (element, line) == ("GW_c", 5)


def test_lint_finds_missing_form_lane_and_unknown_call() -> None:
    xml = linear("lin", 1, ("assistente_sociale",)).replace(b"generico_conferma", b"modulo_inesistente")
    xml = xml.replace(b'name="assistente_sociale"', b'name="astronauta"')
    found = {(p[1], p[3].split(" ")[0]) for p in problems_of("lin.bpmn", xml)}
    assert ("Task_1", "form") in found
    assert ("Lane_0", "lane") in found


def test_engine_data_the_engine_does_not_compute_is_refused() -> None:
    from engine.bpmn.lint import ENGINE_DATA
    from engine.services.engine_data import HOOKS

    assert set(HOOKS) == ENGINE_DATA  # every name the lint accepts has its computation, and back
    prop = b'<spiffworkflow:property name="formKey" value="generico_conferma"'
    xml = linear("lin", 1, ("assistente_sociale",))
    assert prop in xml
    known = xml.replace(prop, b'<spiffworkflow:property name="engineData" value="fotografia_monitoraggio"/>' + prop)
    assert problems_of("lin.bpmn", known) == []
    unknown = xml.replace(prop, b'<spiffworkflow:property name="engineData" value="saldo_bancario"/>' + prop)
    [(_file, element, _line, message)] = problems_of("lin.bpmn", unknown)
    assert element == "Task_1" and "saldo_bancario" in message


def test_case_action_must_name_fields_of_the_task_form() -> None:
    """caseAction / caseActionReason (a decision the engine carries out) name fields of the form."""
    prop = b'<spiffworkflow:property name="formKey" value="generico_conferma"'
    xml = linear("lin", 1, ("assistente_sociale",))
    good = xml.replace(
        prop,
        b'<spiffworkflow:property name="caseAction" value="conferma"/>'
        b'<spiffworkflow:property name="caseActionReason" value="note"/>' + prop,
    )
    assert problems_of("lin.bpmn", good) == []
    bad = xml.replace(prop, b'<spiffworkflow:property name="caseAction" value="decisione_inventata"/>' + prop)
    found = sorted(p[3] for p in problems_of("lin.bpmn", bad))
    assert found == [
        "property caseAction='decisione_inventata' is not a field of the task's form",
        "property caseActionReason=None is not a field of the task's form",
    ]


def test_script_escapes_are_refused_at_validation() -> None:
    for script in ["import os", "__import__('os').system('id')", "x = ().__class__.__base__.__subclasses__()"]:
        problems = problems_of("esc.bpmn", linear("esc", 1, ("assistente_sociale",), script=script))
        assert [(p[1], "sandbox" in p[3]) for p in problems] == [("Script_1", True)], script


def test_entity_expansion_and_doctype_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>'
    )
    [(_f, _e, _l, message)] = problems_of("bomba.bpmn", bomb)
    assert "DOCTYPE" in message or "entit" in message.lower()


def test_oversized_file_is_refused_before_parsing() -> None:
    [(_f, _e, _l, message)] = problems_of("huge.bpmn", b" " * (MAX_FILE_BYTES + 1))
    assert "larger than" in message


@pytest.mark.parametrize("reserved", ["Start", "End"])
def test_reserved_element_ids_are_refused(reserved: str) -> None:
    xml = linear("lin", 1, ("assistente_sociale",)).replace(
        b"StartEvent_1" if reserved == "Start" else b"EndEvent_1", reserved.encode()
    )
    assert any(p[1] == reserved and "reserved" in p[3] for p in problems_of("lin.bpmn", xml))


def test_a_variable_nobody_provides_is_reported_at_the_element_that_reads_it() -> None:
    xml = linear("lin", 1, ("assistente_sociale",), script="totale = punteggio_inesistente + 1")
    [(file, element, _line, message)] = problems_of("lin.bpmn", xml)
    assert (file, element) == ("lin.bpmn", "Script_1") and "punteggio_inesistente" in message
    declared = linear("lin", 1, ("assistente_sociale",), script="totale = punteggio + 1", start_data="punteggio")
    assert problems_of("lin.bpmn", declared) == []


def test_the_real_library_is_clean() -> None:
    from engine.services.processes import read_directory

    assert [str(p) for p in validate(read_directory(FIXTURES.parent.parent / "processes"))] == []


def test_a_library_lists_the_same_processes_after_parsing_one_with_an_embedded_sub_process() -> None:
    processes = Path(__file__).resolve().parents[2] / "processes"
    library = Library(
        [SourceFile(p.name, p.read_bytes()) for p in sorted(processes.iterdir()) if p.suffix in (".bpmn", ".dmn")]
    )
    before = library.process_ids()
    library.specs("attuazione_startup")  # embeds Sub_mese_startup
    assert library.process_ids() == before
    assert "Sub_mese_startup" not in before
