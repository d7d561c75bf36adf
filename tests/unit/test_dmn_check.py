"""Decision tables checked as SpiffWorkflow 3.2 runs them: each problem names its cell or rule."""

from __future__ import annotations

from typing import Any

import pytest

from engine.bpmn import dmn_cells, dmn_check, dmn_table
from engine.bpmn.loader import SourceFile
from tests.fixtures.dmn import CAMUNDA_DMN, table

CHOICES = {"esito_sanitario": ("COMPATIBILE", "CON_PRESCRIZIONI", "NON_COMPATIBILE")}


def problems(content: bytes) -> list[tuple[str, str, dict[str, Any]]]:
    dmn = dmn_table.read(SourceFile("prova.dmn", content))
    return [(p.element, p.code, p.args) for p in dmn_check.check_dmn(dmn, CHOICES)]


def codes(content: bytes) -> list[tuple[str, str]]:
    return [(element, code) for element, code, _ in problems(content)]


@pytest.mark.parametrize(
    ("cell", "typeref", "hint"),
    [
        ("true", "boolean", "True"),
        ('"A","B"', "string", '? in ("A","B")'),
        ("[1..10]", "integer", "1 <= ? <= 10"),
        ("]1..10[", "integer", "1 < ? < 10"),
        ('not("A")', "string", '? != "A"'),
        ('not("A", "B")', "string", '? not in ("A", "B")'),
    ],
)
def test_feel_idioms_get_the_python_the_engine_needs(cell: str, typeref: str, hint: str) -> None:
    content = table("COLLECT", [("x", typeref)], [([cell], ['"si"'])])
    [(element, code, args)] = problems(content)
    assert (element, code, args["hint"]) == ("In_1_0", "dmn.feel", hint)


def test_the_suggested_python_evaluates_as_the_feel_meant() -> None:
    python, binds = dmn_cells.engine_expression("x", "1 <= ? <= 10")
    assert binds and eval(python, {dmn_cells.SUBJECT: 10}) and not eval(python, {dmn_cells.SUBJECT: 11})  # noqa: S307
    assert dmn_cells.engine_expression("x", '? in ("A","B")') == ('dmninputexpr in ("A","B")', True)
    assert dmn_cells.engine_expression("x", ">= 5") == ("x>= 5", False)
    assert dmn_cells.engine_expression("x", "46") == ("(x) == (46)", False)


def test_a_cell_that_is_neither_value_nor_comparison_is_marked() -> None:
    content = table("COLLECT", [("x", "integer")], [([">= 5 and < 9"], ['"si"'])])
    assert codes(content) == [("In_1_0", "dmn.cell_syntax")]


def test_leading_spaces_and_blank_cells_which_the_engine_refuses_are_marked() -> None:
    content = table(
        "COLLECT", [("x", "string"), ("y", "string"), ("z", "integer")], [([' "A"', "  ", " >= 3"], ['"si"'])]
    )
    assert codes(content) == [("In_1_0", "dmn.cell_spaces"), ("In_1_1", "dmn.cell_blank")]


def test_a_word_operator_glued_to_the_input_expression_is_marked() -> None:
    """The engine appends ``in (…)`` to ``x`` as text: ``xin (…)`` calls an unknown name."""
    content = table("COLLECT", [("x", "string")], [(['in ("A", "B")'], ['"si"']), ([' in ("A", "B")'], ['"si"'])])
    [(element, code, args)] = problems(content)
    assert (element, code, args["hint"]) == ("In_1_0", "dmn.cell_glued", '? in ("A", "B")')


def test_sandbox_escapes_in_cells_and_outputs_are_marked() -> None:
    content = table("COLLECT", [("x", "string")], [(["x.__class__"], ["__import__('os')"])])
    assert codes(content) == [("In_1_0", "dmn.cell_sandbox"), ("Out_1_0", "dmn.output_syntax")]


def test_literals_must_fit_the_column_type() -> None:
    content = table(
        "COLLECT",
        [("eta", "integer"), ("attivo", "boolean"), ("nome", "string")],
        [(['"45"', "1", "> 3"], ["5"])],
    )
    assert codes(content) == [
        ("In_1_0", "dmn.cell_type"),
        ("In_1_1", "dmn.cell_type"),
        ("In_1_2", "dmn.cell_type"),
        ("Out_1_0", "dmn.output_type"),
    ]


def test_a_value_outside_the_form_options_or_predefined_values_is_a_typo() -> None:
    from_form = table("COLLECT", [("esito_sanitario", "string")], [(['"NON_COMPATIBLE"'], ['"x"'])])
    [(element, code, args)] = problems(from_form)
    assert (element, code, args["value"]) == ("In_1_0", "dmn.cell_value", "'NON_COMPATIBLE'")
    predefined = table("COLLECT", [("fascia", "string")], [(['? in ("A", "Z")'], ['"x"'])], allowed={0: '"A","B"'})
    assert codes(predefined) == [("In_1_0", "dmn.cell_value")]


def test_unique_rules_that_can_match_together_are_marked_with_an_example() -> None:
    content = table(
        "UNIQUE",
        [("eta", "integer"), ("attivo", "boolean")],
        [([">= 18", "True"], ['"a"']), (["< 18", "-"], ['"b"']), (["< 30", "False"], ['"c"'])],
    )
    [(element, code, args)] = [p for p in problems(content) if p[1] == "dmn.rule_overlap"]
    assert (element, args["rule"], args["other"]) == ("Rule_3", 3, 2)
    assert "attivo = False" in args["example"]


def test_a_rule_shadowed_by_an_earlier_one_never_applies() -> None:
    content = table(
        "FIRST",
        [("eta", "integer"), ("attivo", "boolean")],
        [(["> 17", "-"], ['"a"']), (["20 <= ? <= 30", "True"], ['"b"']), (["-", "-"], ['"c"'])],
    )
    assert codes(content) == [("Rule_2", "dmn.rule_unreachable")]


def test_whole_numbers_make_touching_ranges_disjoint() -> None:
    content = table("UNIQUE", [("eta", "integer")], [(["> 45"], ['"a"']), (["<= 45"], ['"b"'])])
    assert codes(content) == []


def test_inputs_no_rule_answers_are_reported_for_single_hit_tables_only() -> None:
    rules = [(['"COMPATIBILE"', "True"], ['"ok"']), (['"NON_COMPATIBILE"', "-"], ['"no"'])]
    single = table("FIRST", [("esito_sanitario", "string"), ("attivo", "boolean")], rules)
    [(element, code, args)] = problems(single)
    assert (element, code) == ("Table_1", "dmn.table_gap")
    assert "esito_sanitario = 'COMPATIBILE', attivo = False" in args["example"]
    collect = table("COLLECT", [("esito_sanitario", "string"), ("attivo", "boolean")], rules)
    assert codes(collect) == []


def test_hit_policies_and_aggregations_the_engine_does_not_implement_are_refused() -> None:
    assert codes(table("RULE ORDER", [("x", "integer")], [(["1"], ['"a"'])])) == [("Table_1", "dmn.hit_policy")]
    content = table("COLLECT", [("x", "integer")], [(["1"], ['"a"'])]).replace(
        b'hitPolicy="COLLECT"', b'hitPolicy="COLLECT" aggregation="SUM"'
    )
    assert codes(content) == [("Table_1", "dmn.aggregation")]


def test_a_table_made_by_camunda_modeler_is_accepted() -> None:
    assert codes(CAMUNDA_DMN) == []


def test_an_input_without_expression_is_marked() -> None:
    content = CAMUNDA_DMN.replace(b"<text>eta</text>", b"<text></text>")
    assert codes(content) == [("Input_1", "dmn.input_expression_missing")]


def test_a_cell_problem_names_its_rule_and_column_too() -> None:
    """An editor finds the cell by rule and column even when the file gives the cell no id."""
    content = table("FIRST", [("eta", "integer")], [(["> 4 5"], ['"A"'])]).replace(b' id="In_1_0"', b"")
    [problem] = dmn_check.check_dmn(dmn_table.read(SourceFile("t.dmn", content)))
    assert (problem.code, problem.element) == ("dmn.cell_syntax", "")
    assert (problem.args["rule_id"], problem.args["column_id"]) == ("Rule_1", "Input_0")
