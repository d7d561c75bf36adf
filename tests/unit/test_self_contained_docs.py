"""Comments, docs, diagrams and tables point only to documents inside the repository.

A pointer to a document a new engineer cannot open (a team's shared notes, an issue tracker) is
replaced by the fact itself, written into docs/ in the project's own words. Diagram documentation
matters twice: it is also the instruction text users read (forms/present.py strips the docs/
pointers from it).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("engine", "web", "forms", "processes", "tests", "docs", "benchmarks")
TOP_FILES = ("README.md", "Makefile", "pyproject.toml")
SUFFIXES = {".py", ".md", ".bpmn", ".dmn", ".json", ".html", ".js", ".mjs", ".css", ".po", ".pot", ".tmpl", ".toml"}
SKIPPED = {"__pycache__", "vendor", "node_modules"}

# documents outside the repository: by name (a notes file such as "UX §2"), by place, or an issue number
OUTSIDE = re.compile(
    r"\b(?:DOMAIN|SPIFFWORKFLOW|STYLE|UX|TEAM|DEVELOPERS)(?:\.md\b| ?§)|\b(?:DOMAIN|SPIFFWORKFLOW)\b"
    r"|\.\./sha[r]ed\b|/work/"
    r"|\b[Ii]ssues? #?\d+"
)
SECTION = re.compile(r"§ ?\d")
CANDIDATE = re.compile(r"§|\.md\b|DOMAIN|SPIFFWORKFLOW|shared|/work/|[Ii]ssue")
POINTER = re.compile(r"\b((?:docs|processes)/[\w.-]+\.md)(?: (§\d+))?")


def _sources() -> list[Path]:
    found = [ROOT / name for name in TOP_FILES]
    for tree in TREES:
        found += [
            p
            for p in (ROOT / tree).rglob("*")
            if p.is_file() and p.suffix in SUFFIXES and not SKIPPED & set(p.relative_to(ROOT).parts)
        ]
    return sorted(p for p in found if p != Path(__file__).resolve())


@functools.cache
def _lines() -> list[tuple[str, int, str]]:
    """The lines that name a document or a section (the others cannot point anywhere)."""
    found = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if not CANDIDATE.search(text):
            continue
        where = str(path.relative_to(ROOT))
        found += [(where, n, line) for n, line in enumerate(text.splitlines(), 1) if CANDIDATE.search(line)]
    return found


def _outside(where: str, line: str) -> bool:
    if OUTSIDE.search(line):
        return True
    # a numbered section with no document of the repository named beside it points outside
    return bool(SECTION.search(line)) and not POINTER.search(line) and not where.startswith("docs/")


def test_nothing_points_to_documents_outside_the_repository() -> None:
    found = [f"{where}:{n}: {line.strip()[:120]}" for where, n, line in _lines() if _outside(where, line)]
    assert found == [], "write the fact into docs/ (or make the text stand on its own):\n" + "\n".join(found)


def test_every_pointer_to_a_document_of_the_repository_resolves() -> None:
    broken = []
    for where, n, line in _lines():
        for match in POINTER.finditer(line):
            target, section = ROOT / match.group(1), match.group(2)
            if not target.is_file():
                broken.append(f"{where}:{n}: {match.group(1)} does not exist")
            elif section and not re.search(rf"^#+ {section}\b", target.read_text(encoding="utf-8"), re.MULTILINE):
                broken.append(f"{where}:{n}: {match.group(1)} has no heading {section}")
    assert broken == [], "\n".join(broken)


def test_every_code_fence_of_the_documentation_is_closed() -> None:
    """An unclosed fence turns the rest of a page into code (or the code into prose)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "processes").glob("*.md"))]
    odd = [
        str(page.relative_to(ROOT))
        for page in pages
        if sum(line.lstrip().startswith("```") for line in page.read_text(encoding="utf-8").splitlines()) % 2
    ]
    assert odd == []
