"""Every engine read and command names who asks: no function of ``engine/`` or ``web/`` takes an
optional actor (``actor: Actor | None``, ``Optional[Actor]``, or an ``actor`` parameter with a
default), so no call can skip the policy by leaving the actor out. The console, the scheduler and
the demo seed act as system actors the policy grants by name (``engine.policy.SYSTEM_GRANTS``).

Lookups that *find* an actor (``authenticate``, ``actor_for_token``, ``current_actor``) may return
``None``; the web's area gate takes the visitor found, who may be anonymous (``may``, ``permits``,
``home``): those decide whether to let a request in at all, they read nothing for anyone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# (file, function) whose parameter is a possibly anonymous visitor, not an actor read for
VISITOR_GATES = {("web/security.py", "may"), ("web/security.py", "permits"), ("web/security.py", "home")}


def _optional_actor(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation).replace(" ", "")
    return text in {"Actor|None", "None|Actor", "Optional[Actor]", "Union[Actor,None]"}


def offenders(source: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (relative, node.name) in VISITOR_GATES:
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        with_default = positional[len(positional) - len(args.defaults) :]
        defaults = {a.arg for a in with_default}
        defaults |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
        for arg in positional + args.kwonlyargs:
            if _optional_actor(arg.annotation) or (arg.arg == "actor" and arg.arg in defaults):
                found.append(f"{relative}:{node.lineno} {node.name}({arg.arg})")
    return found


def sources() -> list[Path]:
    return sorted(p for top in ("engine", "web") for p in (ROOT / top).rglob("*.py"))


def test_no_engine_or_web_function_takes_an_optional_actor() -> None:
    problems = [o for path in sources() for o in offenders(path.read_text(), str(path.relative_to(ROOT)))]
    assert problems == []


@pytest.mark.parametrize(
    "code",
    [
        "def get(case_id: int, actor: Actor | None = None) -> None: ...",
        "def get(case_id: int, *, actor: Optional[Actor] = None) -> None: ...",
        "def get(case_id: int, *, actor: Actor = SYSTEM) -> None: ...",
        "class A:\n    def list(self, *, who: None | Actor) -> None: ...",
    ],
)
def test_the_check_catches_each_form(code: str) -> None:
    assert offenders(code, "engine/x.py")


def test_lookups_returning_no_actor_are_fine() -> None:
    assert offenders("def actor_for_token(token: str) -> Actor | None: ...", "engine/x.py") == []
    assert offenders("def read(case_id: int, *, actor: Actor) -> None: ...", "engine/x.py") == []
