"""Decision tests kept inside the DMN file: written and read back, run by the real engine, their
failures and wrong names reported as problems of the file (which block deployment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.bpmn import decision_tests, dmn_table
from engine.bpmn.decisions import run_tests
from engine.bpmn.loader import Library, SourceFile
from engine.cli import main
from engine.errors import InvalidData, NotFound
from engine.model import DecisionTestCase, DecisionTestSuite
from engine.services.processes import validate
from tests.fixtures.dmn import CAMUNDA_DMN, table

SOGLIA = table(
    "FIRST",
    [("invalidita", "integer")],
    [(["> 45"], ['"INVALIDO"']), (["-"], ['"NO"'])],
    decision="soglia",
)
SUITE = DecisionTestSuite(
    "soglia",
    {"invalidita": 0},
    (
        DecisionTestCase(
            "T_46", "Al 46% si entra", "L. 381/1991 art. 4 c.1", {"invalidita": 46}, {"esito": "INVALIDO"}
        ),
        DecisionTestCase("T_45", "Al 45% no", "L. 381/1991 art. 4 c.1", {"invalidita": 45}, {"esito": "NO"}),
    ),
)


def with_suite(content: bytes, suite: DecisionTestSuite) -> bytes:
    root = dmn_table.read(SourceFile("soglia.dmn", content)).root
    decision_tests.write_suite(root, suite)
    return decision_tests.serialize(root)


def check(content: bytes) -> tuple[list[str], list[tuple[str, bool, tuple[int, ...]]]]:
    results, problems = run_tests(Library([SourceFile("soglia.dmn", content)]), {})
    return [f"{p.code} {p.element}" for p in problems], [(r.test_id, r.passed, r.matched_rules) for r in results]


def test_a_suite_written_into_the_file_reads_back_the_same() -> None:
    content = with_suite(SOGLIA, SUITE)
    [decision] = dmn_table.read(SourceFile("soglia.dmn", content)).decisions
    suite, bad = decision_tests.read_suite(decision)
    assert (suite, bad) == (SUITE, [])
    # written again (the editor saves the suite it shows): replaced, not repeated
    again = with_suite(content, SUITE)
    assert again.count(b"decisionTests>") == 2


def test_the_engine_still_reads_the_table_with_its_tests_inside() -> None:
    content = with_suite(SOGLIA, SUITE)
    assert validate([SourceFile("soglia.dmn", content)]) == []
    assert check(content) == ([], [("T_46", True, (1, 2)), ("T_45", True, (2,))])


def test_a_changed_threshold_fails_the_test_that_names_its_article() -> None:
    changed = with_suite(SOGLIA, SUITE).replace(b"&gt; 45", b"&gt; 46")
    [problem] = validate([SourceFile("soglia.dmn", changed)])
    assert (problem.code, problem.element, problem.args["article"]) == (
        "dmn.test_failed",
        "T_46",
        "L. 381/1991 art. 4 c.1",
    )
    assert 'expected "INVALIDO", got "NO"' in problem.args["detail"]
    assert problem.line is not None


def test_a_test_naming_an_unknown_input_or_output_is_a_problem_on_save() -> None:
    wrong = DecisionTestSuite(
        "soglia",
        {},
        (DecisionTestCase("T_x", "x", "", {"invalidità": 46}, {"esito_finale": "INVALIDO"}),),
    )
    found, ran = check(with_suite(SOGLIA, wrong))
    assert found == ["dmn.test_unknown_input T_x", "dmn.test_unknown_output T_x"]
    assert ran == []


def test_values_that_are_not_json_are_problems() -> None:
    content = with_suite(SOGLIA, SUITE).replace(b'name="invalidita">46<', b'name="invalidita">quarantasei<')
    assert check(content)[0] == ["dmn.test_value T_46"]


def test_an_error_in_a_cell_fails_the_test_with_the_row() -> None:
    broken = with_suite(SOGLIA, SUITE).replace(b"&gt; 45", b"&gt; soglia_mancante")
    [problem] = [p for p in validate([SourceFile("soglia.dmn", broken)]) if p.code == "dmn.test_failed"][:1]
    assert "soglia_mancante" in problem.args["detail"] and "row 1" in problem.args["detail"]


def test_tests_can_be_added_to_a_table_made_by_camunda_modeler() -> None:
    suite = DecisionTestSuite(
        "fascia_eta",
        {},
        (
            DecisionTestCase(
                "T_24", "24 anni", "Reg. (UE) 651/2014 art. 2 n. 4 lett. b", {"eta": 24}, {"fascia": "GIOVANE"}
            ),
        ),
    )
    root = dmn_table.read(SourceFile("fascia.dmn", CAMUNDA_DMN)).root
    decision_tests.write_suite(root, suite)
    content = decision_tests.serialize(root)
    results, problems = run_tests(Library([SourceFile("fascia.dmn", content)]), {})
    assert problems == [] and [r.passed for r in results] == [True]
    assert b'exporter="Camunda Modeler"' in content


def test_impresa_process_test_runs_the_tests_and_exits_1_when_one_fails(tmp_path: Path) -> None:
    (tmp_path / "soglia.dmn").write_bytes(with_suite(SOGLIA, SUITE))
    ok = CliRunner().invoke(main, ["process", "test", str(tmp_path)])
    assert (ok.exit_code, ok.stdout.splitlines()[-1]) == (0, "2 passed, 0 failed")
    (tmp_path / "soglia.dmn").write_bytes(with_suite(SOGLIA, SUITE).replace(b"&gt; 45", b"&gt; 46"))
    failed = CliRunner().invoke(main, ["process", "test", str(tmp_path)])
    assert failed.exit_code == 1
    assert "T_46" in failed.stdout and "L. 381/1991 art. 4 c.1" in failed.stdout
    assert failed.stdout.splitlines()[-1] == "1 passed, 1 failed"


def test_the_library_decision_tests_pass_from_the_command_line() -> None:
    result = CliRunner().invoke(main, ["process", "test", "--json"])
    assert result.exit_code == 0, result.stdout
    assert '"failed": 0' in result.stdout


def test_a_test_written_by_a_designer_goes_into_the_file_and_out_again() -> None:
    content = with_suite(SOGLIA, SUITE)
    dmn = dmn_table.read(SourceFile("soglia.dmn", content))
    added = DecisionTestCase("T_90", "Al 90%", "L. 381/1991 art. 4", {"invalidita": 90}, {"esito": "INVALIDO"})
    written = decision_tests.put_test(dmn, None, added)
    [suite] = decision_tests.suites(dmn_table.read(SourceFile("soglia.dmn", written)))
    assert [t.id for t in suite.tests] == ["T_46", "T_45", "T_90"]
    assert suite.defaults == {"invalidita": 0} and suite.reads == ("invalidita",) and suite.outputs == ("esito",)
    problems, ran = check(written)
    assert problems == [] and [(r[0], r[1]) for r in ran] == [("T_46", True), ("T_45", True), ("T_90", True)]
    # edited in place (also renamed), then deleted
    renamed = DecisionTestCase("T_45bis", "Al 45% no", "", {"invalidita": 45}, {"esito": "NO"})
    edited = decision_tests.put_test(dmn_table.read(SourceFile("soglia.dmn", written)), "soglia", renamed, "T_45")
    assert [t.id for t in decision_tests.suites(dmn_table.read(SourceFile("s.dmn", edited)))[0].tests] == [
        "T_46",
        "T_45bis",
        "T_90",
    ]
    removed = decision_tests.remove_test(dmn_table.read(SourceFile("s.dmn", edited)), None, "T_46")
    assert [t.id for t in decision_tests.suites(dmn_table.read(SourceFile("s.dmn", removed)))[0].tests] == [
        "T_45bis",
        "T_90",
    ]


def test_a_test_badly_written_is_refused_field_by_field_in_italian() -> None:
    dmn = dmn_table.read(SourceFile("soglia.dmn", with_suite(SOGLIA, SUITE)))
    bad = DecisionTestCase("1 test", " ", "", {"non valido": 1}, {})
    with pytest.raises(InvalidData) as refused:
        decision_tests.put_test(dmn, None, bad)
    assert set(refused.value.messages) == {"test_id", "name", "inputs", "expected"}
    assert refused.value.messages["expected"] == ["Indica almeno un risultato atteso."]
    taken = DecisionTestCase("T_45", "doppione", "", {"invalidita": 1}, {"esito": "NO"})
    with pytest.raises(InvalidData) as twice:
        decision_tests.put_test(dmn, None, taken)
    assert twice.value.messages == {"test_id": ["Esiste già un test «T_45» in questa tabella."]}
    with pytest.raises(NotFound):
        decision_tests.remove_test(dmn, None, "T_nessuno")


def test_a_test_naming_an_unknown_input_is_written_and_is_a_problem_of_the_file() -> None:
    dmn = dmn_table.read(SourceFile("soglia.dmn", with_suite(SOGLIA, SUITE)))
    typo = DecisionTestCase("T_typo", "Refuso", "", {"invalidta": 50}, {"esito": "INVALIDO"})
    found, ran = check(decision_tests.put_test(dmn, None, typo))
    # the others still run
    assert found == ["dmn.test_unknown_input T_typo"] and [r[0] for r in ran] == ["T_46", "T_45"]
