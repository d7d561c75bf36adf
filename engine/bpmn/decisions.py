"""The library's decisions checked together: each DMN file's tables (``dmn_check``) and its
decision tests (``decision_tests``), as part of every validation of the library."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.bpmn import decision_tests, dmn_check, dmn_table
from engine.bpmn.loader import Library
from engine.errors import ProcessProblem
from engine.model import DecisionTestResult, SourceFile


def _dmn_files(library: Library) -> list[tuple[SourceFile, dmn_table.DmnFile]]:
    return [
        (source, dmn_table.read(source, library.roots[name]))
        for name, source in sorted(library.files.items())
        if source.kind == "dmn"
    ]


def check_decisions(
    library: Library, choices: Mapping[str, Sequence[Any]], parameters: Mapping[str, Any]
) -> list[ProcessProblem]:
    problems: list[ProcessProblem] = []
    for source, dmn in _dmn_files(library):
        problems += dmn_check.check_dmn(dmn, choices)
        problems += decision_tests.check_tests(dmn, source.content, parameters)[0]
    return problems


def run_tests(library: Library, parameters: Mapping[str, Any]) -> tuple[list[DecisionTestResult], list[ProcessProblem]]:
    """Every decision test of the library, run; and the problems of the tests (failures, names
    the table does not know, values that are not JSON)."""
    results: list[DecisionTestResult] = []
    problems: list[ProcessProblem] = []
    for source, dmn in _dmn_files(library):
        found, ran = decision_tests.check_tests(dmn, source.content, parameters)
        problems += found
        results += ran
    return results, problems
