"""Each pass of ``make test`` leaves out, without importing them, the test files that hold none of
its tests (``could_hold`` in ``tests/conftest.py``). A file left out of a pass that has one of its
tests would drop that test silently: so every test file is read here, its tests put in their pass
by their names as the markers are set at collection, and each such file must be kept."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import BESIDE_BROWSER_FILES, SLOW_FILES, TIMED_FILES, could_hold

TESTS = Path(__file__).resolve().parents[1]
FILES = sorted(TESTS.rglob("test_*.py"))


def names_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def passes_of(path: Path, name: str) -> set[str]:
    """The passes a test called ``name`` in ``path`` runs in (``pytest_collection_modifyitems``)."""
    browser = path.name.startswith("test_browser_") or "in_the_browser" in name
    slow = path.name in SLOW_FILES or "concurrent" in name or "another_process" in name
    serial = browser or slow or path.name in TIMED_FILES
    beside_browser = browser or path.name in BESIDE_BROWSER_FILES
    if not serial:
        return {"parallel"}
    return {"browser"} if beside_browser else {"alone"}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(TESTS)) for p in FILES])
def test_a_file_is_collected_in_every_pass_that_has_one_of_its_tests(path: Path) -> None:
    needed = {p for name in names_of(path) for p in passes_of(path, name)}
    assert needed <= {p for p in ("parallel", "browser", "alone") if could_hold(path, p)}


def test_the_passes_leave_out_files_at_all() -> None:
    kept = {p: sum(could_hold(path, p) for path in FILES) for p in ("parallel", "browser", "alone")}
    assert kept["browser"] < len(FILES) // 4 and kept["alone"] < len(FILES) // 4, kept
    assert kept["parallel"] < len(FILES), kept
