"""The lint that checks where every name diagram code reads comes from: it knows every way Python
and BPMN give a name, so valid diagrams — ours and diagrams drawn elsewhere — pass, while a name
that comes from nowhere is still reported; and a file with nothing executable is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.bpmn.dry_run import dry_run
from engine.bpmn.lint import lint_library
from engine.bpmn.loader import Library, SourceFile
from engine.bpmn.names import names_of
from engine.forms import form_fields, known_forms
from engine.roles import ROLES
from engine.services.processes import validate
from tests.fixtures.diagrams import linear

THIRD_PARTY = Path(__file__).resolve().parent.parent / "fixtures" / "third_party"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def problems_of(*names: str) -> list[str]:
    return [str(p) for p in validate([SourceFile(n, (THIRD_PARTY / n).read_bytes()) for n in names])]


@pytest.mark.parametrize(
    ("source", "reads", "leaves"),
    [
        ("def f(n, *rest, k=1, **more):\n    return n + k + len(rest) + len(more)\nx = f(a)", {"a"}, {"x"}),
        ("try:\n    y = 1 / d\nexcept ZeroDivisionError as err:\n    y = str(err)", {"d"}, {"y"}),
        ("squares = [v * v for v in values if v > low]", {"values", "low"}, {"squares"}),
        (
            "pairs = {k: v for k, v in table.items()}\nflat = [c for row in grid for c in row]",
            {"table", "grid"},
            {"pairs", "flat"},
        ),
        ("for i, item in enumerate(items):\n    last = item", {"items"}, {"i", "item", "last"}),
        ("if (n := len(items)) > 2:\n    many = n", {"items"}, {"n", "many"}),
        ("best = sorted(offers, key=lambda o: o['price'] * rate)[0]", {"offers", "rate"}, {"best"}),
        ("def add(m):\n    global log\n    log = log + [m]\nlog = []\nadd(msg)", {"msg"}, {"log"}),
        (
            "def outer():\n    count = 0\n    def inner():\n        nonlocal count\n        count = count + 1\n    inner()\n    return count\nc = outer()",
            set(),
            {"c"},
        ),
    ],
)
def test_a_script_s_own_names_are_not_reads_of_case_data(source: str, reads: set[str], leaves: set[str]) -> None:
    names = names_of(source, expression=False)
    assert names.reads - {"len", "str", "enumerate", "sorted", "ZeroDivisionError"} == reads
    assert names.leaves == leaves


def test_expressions_know_comprehension_lambda_and_walrus_names() -> None:
    assert names_of("all(x > 0 for x in importi) and (t := totale) > soglia", expression=True).reads == {
        "all",
        "importi",
        "totale",
        "soglia",
    }
    assert names_of('"P" + str(giorni) + "D"', expression=True).reads == {"str", "giorni"}


@pytest.mark.parametrize(
    ("file", "process", "data", "expect"),
    [
        # error and escalation payloads caught into variables, a process's data inputs
        (
            "claim_rejection.bpmn",
            "claim_rejection",
            {"amount": 150, "limit": 100, "claimant": "Ann"},
            {"reason": "OVER_LIMIT: Ann asked 150", "warned_at": 1.5},
        ),
        # data objects, multi-instance items, a standard loop, a timer built by concatenation
        (
            "invoice_approval.bpmn",
            "invoice_approval",
            {"line_amounts": [600, 700, -5], "approver_limit": 1000, "wait_seconds": 30},
            {"escalated_amount": 1300},
        ),
        # functions, parameters, except … as, comprehensions, lambda, walrus, global, for targets
        (
            "ranking_scripts.bpmn",
            "supplier_ranking",
            {"suppliers": [{"name": "Acme", "scores": [3, 4]}, {"name": "Beta", "scores": [1, 1]}]},
            {"leader": "Acme", "best_share": 0.5},
        ),
    ],
)
def test_diagrams_drawn_elsewhere_pass_the_lint_and_run(
    file: str, process: str, data: dict[str, object], expect: dict[str, object]
) -> None:
    assert problems_of(file) == []

    specs = Library([SourceFile(file, (THIRD_PARTY / file).read_bytes())]).specs(process)
    result = dry_run(specs, data, {}, lambda key, answer: answer, {}, start=NOW)

    assert result.completed and result.error is None, result
    assert {k: result.data.get(k) for k in expect} == expect


def test_a_name_that_comes_from_nowhere_is_still_reported() -> None:
    problems = validate([SourceFile("p.bpmn", linear("p", 1, script="totale = importo_mai_fornito * 2"))])
    assert [p.element for p in problems] == ["Script_1"]
    assert "importo_mai_fornito" in problems[0].message


def test_our_library_passes_the_lint() -> None:
    files = sorted((THIRD_PARTY.parent.parent.parent / "processes").glob("*.*"))
    library = Library(SourceFile(p.name, p.read_bytes()) for p in files if p.suffix in (".bpmn", ".dmn"))
    assert [str(p) for p in lint_library(library, known_forms(), ROLES, form_fields()) if "reads" in p.message] == []


def test_a_file_whose_only_process_is_not_executable_is_refused_naming_it() -> None:
    name = "customer_journey_documentation.bpmn"
    [problem] = validate([SourceFile(name, (THIRD_PARTY / name).read_bytes())])
    assert "«customer_journey»" in problem.message and "non è eseguibile" in problem.message
    assert problem.element == "customer_journey" and problem.line == 3


def test_a_non_executable_pool_beside_an_executable_process_is_fine() -> None:
    assert problems_of("order_with_external_customer.bpmn") == []
