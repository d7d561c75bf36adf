"""Decision tests kept inside the DMN file: written and read back, run by the real engine, their
failures and wrong names reported as problems of the file (which block deployment)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.bpmn import decision_tests, dmn_table
from engine.bpmn.decisions import run_tests
from engine.bpmn.loader import Library, SourceFile
from engine.cli import main
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
