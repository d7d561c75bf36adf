"""The decision tests kept inside the eligibility tables' DMN files (``<impresa:decisionTests>``),
run by the real engine: they all pass, every rule row answers at least one of them, and every
example names the article it proves. The examples themselves (every rule row, boundary values, no
match, several categories at once, the outcome's priorities) live with the tables, so a legal
change is reviewed by its examples."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from engine.bpmn import dmn_table
from engine.bpmn.decisions import run_tests
from engine.bpmn.loader import Library, SourceFile
from engine.model import DecisionTestResult
from engine.services.processes import load_parameters, read_directory

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
COLLECT_TABLES = {
    "dt1_l381_svantaggio": "cat_381",
    "dt2_reg651_svantaggio": "cat_651",
    "dt4_l68_collocamento_mirato": "cat_l68",
    "dt3_dlgs112_inserimento": "cat_112",
}
ALL_TABLES = [*COLLECT_TABLES, "esito_valutazione"]


@cache
def results() -> tuple[DecisionTestResult, ...]:
    found, problems = run_tests(Library(read_directory(PROCESSES)), load_parameters(PROCESSES))
    assert problems == [], [str(p) for p in problems]
    return tuple(found)


def table(decision: str) -> dmn_table.DecisionTable:
    path = PROCESSES / f"{decision}.dmn"
    [found] = dmn_table.read(SourceFile(path.name, path.read_bytes())).tables
    return found


@pytest.mark.parametrize("decision", ALL_TABLES)
def test_every_decision_test_of_the_table_passes(decision: str) -> None:
    mine = [r for r in results() if r.decision_id == decision]
    assert len(mine) >= len(table(decision).rules)
    failed = [(r.test_id, r.expected, r.actual, r.error) for r in mine if not r.passed]
    assert failed == []
    assert all(r.article for r in mine), "every example names the article it proves"


@pytest.mark.parametrize("decision", ALL_TABLES)
def test_every_rule_row_answers_an_example(decision: str) -> None:
    """COLLECT: each row is among the matches of some example; FIRST: each row is the first match
    (the one that answers) of some example."""
    rows = {rule.number for rule in table(decision).rules}
    mine = [r for r in results() if r.decision_id == decision and r.matched_rules]
    if decision == "esito_valutazione":
        answered = {r.matched_rules[0] for r in mine}
    else:
        answered = {n for r in mine for n in r.matched_rules}
    assert rows <= answered, f"rows without an example: {sorted(rows - answered)}"


@pytest.mark.parametrize(("decision", "output"), COLLECT_TABLES.items())
def test_collect_tables_answer_nothing_without_a_condition(decision: str, output: str) -> None:
    empty = [r for r in results() if r.decision_id == decision and not r.matched_rules]
    assert empty and all(r.actual[output] == [] for r in empty)


def test_every_outcome_the_proposal_can_make_is_exercised() -> None:
    proposals = {json.dumps(r.actual["esito_proposto"]) for r in results() if r.decision_id == "esito_valutazione"}
    outcomes = {r.outputs[0].text for r in table("esito_valutazione").rules}
    assert len(proposals) == len(outcomes)
