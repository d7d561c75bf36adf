"""No test skips itself: a test that cannot run here is deselected at collection (the
``sqlite_only``/``postgres_only`` markers, ``tests/conftest.py``), so a run reports every test it
selected as passed or failed and a skip cannot hide a test that stopped running."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
SKIPS = {"skip", "skipif", "importorskip"}


def skips_in(source: str) -> list[int]:
    """The lines that skip: ``pytest.skip(…)``, ``pytest.importorskip(…)``, ``@pytest.mark.skip``
    and ``@pytest.mark.skipif(…)``."""
    return sorted(
        {node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Attribute) and node.attr in SKIPS}
    )


def test_no_test_skips() -> None:
    found = {str(path.relative_to(TESTS)): skips_in(path.read_text()) for path in sorted(TESTS.rglob("*.py"))}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_check_sees_every_way_to_skip() -> None:
    assert skips_in("import pytest\npytest.skip('no')\n") == [2]
    assert skips_in("import pytest\n@pytest.mark.skipif(True, reason='x')\ndef test_a(): ...\n") == [2]
    assert skips_in("import pytest\n@pytest.mark.skip\ndef test_a(): ...\n") == [2]
    assert skips_in("import pytest\nyaml = pytest.importorskip('yaml')\n") == [2]
    assert skips_in("import pytest\n@pytest.mark.postgres_only\ndef test_a(): ...\n") == []
