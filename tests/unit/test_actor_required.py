"""Every engine read and command names who asks: no function of ``engine/`` or ``web/`` takes an
optional actor (``actor: Actor | None``, ``Optional[Actor]``, or an ``actor`` parameter with a
default), so no call can skip the policy by leaving the actor out. The console, the scheduler and
the demo seed act as system actors the policy grants by name (``engine.policy.SYSTEM_GRANTS``).

Nor may one *lack* an actor: every public method of the engine's surface (the ``Engine`` and its
area objects in ``engine/areas/``) and every public use case of ``engine/services/`` (a function
taking the context and opening its own transaction, i.e. with no ``uow`` of a caller's command)
takes a required ``actor``, except the few listed in ``ACTORLESS`` with the reason they read no
stored data for anyone.

Lookups that *find* an actor (``authenticate``, ``actor_for_token``, ``current_actor``) may return
``None``; the web's area gate takes the visitor found, who may be anonymous (``may``, ``permits``,
``home``, ``home_endpoint``): those decide whether to let a request in at all, they read nothing for anyone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# (file, function) whose parameter is a possibly anonymous visitor, not an actor read for
VISITOR_GATES = {
    ("web/security.py", "may"),
    ("web/security.py", "permits"),
    ("web/security.py", "home"),
    ("web/security.py", "home_endpoint"),
}


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


# (file, function) that take no actor, and why no actor is needed.
ACTORLESS = {
    # they find who acts (a password, a token, a signed-in session) before any check can be made
    ("engine/areas/accounts.py", "authenticate"): "finds the actor",
    ("engine/areas/accounts.py", "actor_for_token"): "finds the actor",
    ("engine/areas/accounts.py", "signed_in"): "finds the actor",
    ("engine/services/accounts.py", "authenticate"): "finds the actor",
    ("engine/services/accounts.py", "actor_for_token"): "finds the actor",
    ("engine/services/accounts.py", "signed_in"): "finds the actor",
    ("engine/services/login_throttle.py", "reserve"): "part of authenticate",
    ("engine/services/login_throttle.py", "settle"): "part of authenticate",
    # a step of a command already authorised, on the case record that command holds
    ("engine/services/case_sync.py", "fire_due_first"): "a step of the caller's command",
    ("engine/services/case_sync.py", "still_waits"): "a step of the caller's command",
    ("engine/services/case_sync.py", "ready_before"): "a step of the caller's command",
    # keeps the live workflow of a command just committed: hands nothing to anyone
    ("engine/services/case_sync.py", "refile_workflow"): "re-files the caller's committed state",
    # pure functions of what the caller hands in, or of the code: no stored data
    ("engine/areas/design.py", "validate"): "checks the files given",
    ("engine/areas/design.py", "decision_tables"): "parses the file given",
    ("engine/areas/design.py", "check_decision_test"): "checks the test given",
    ("engine/areas/tasks.py", "form_keys"): "the form catalogue in the code",
    ("engine/areas/tasks.py", "check_form"): "checks the data given against a form",
    ("engine/areas/tasks.py", "form_schema"): "the form catalogue in the code",
    ("engine/areas/reports.py", "current_period"): "the clock's half-year",
    ("engine/areas/reports.py", "periods"): "the periods the clock has reached",
    ("engine/areas/reports.py", "period"): "a period code read against the clock",
    ("engine/services/people.py", "pseudonym_of"): "a keyed hash of the code given",
    # key material for a command already authorised: no data handed out
    ("engine/services/dossier.py", "signing_key"): "key material",
    ("engine/services/dossier.py", "pseudonym_key"): "key material",
    ("engine/services/people.py", "keyring"): "key material",
    # the engine object's plumbing: its clock, readiness, connections, the scheduler (which
    # runs ``tick`` as ``engine.policy.SCHEDULER``)
    ("engine/application.py", "now"): "the clock",
    ("engine/application.py", "check_ready"): "readiness probe",
    ("engine/application.py", "close"): "releases connections",
    ("engine/application.py", "scheduler"): "acts as SCHEDULER",
}


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    return node.args.posonlyargs + node.args.args + node.args.kwonlyargs


def _public_surface(tree: ast.Module, relative: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions that must name an actor: the public methods of the area classes and of
    ``Engine``; the public service functions taking ``ctx: Context`` without a ``uow``."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    if relative.startswith("engine/areas/") or relative == "engine/application.py":
        for cls in tree.body:
            if isinstance(cls, ast.ClassDef) and (relative != "engine/application.py" or cls.name == "Engine"):
                found += [
                    f
                    for f in cls.body
                    if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and not f.name.startswith("_")
                ]
    elif relative.startswith("engine/services/"):
        for f in tree.body:
            if not isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) or f.name.startswith("_"):
                continue
            params = _params(f)
            takes_ctx = bool(params) and ast.unparse(params[0].annotation or ast.Constant(None)) == "Context"
            if takes_ctx and "uow" not in {a.arg for a in params}:
                found.append(f)
    return found


def missing(source: str, relative: str) -> list[str]:
    """Public engine functions (see ``_public_surface``) with no required ``actor`` parameter."""
    problems = []
    for node in _public_surface(ast.parse(source), relative):
        if (relative, node.name) in ACTORLESS:
            continue
        if not any(a.arg == "actor" and a.annotation is not None for a in _params(node)):
            problems.append(f"{relative}:{node.lineno} {node.name}")
    return problems


def sources() -> list[Path]:
    return sorted(p for top in ("engine", "web") for p in (ROOT / top).rglob("*.py"))


def test_no_engine_or_web_function_takes_an_optional_actor() -> None:
    problems = [o for path in sources() for o in offenders(path.read_text(), str(path.relative_to(ROOT)))]
    assert problems == []


def test_every_public_engine_read_and_command_takes_an_actor() -> None:
    problems = [o for path in sources() for o in missing(path.read_text(), str(path.relative_to(ROOT)))]
    assert problems == []


def test_the_actorless_list_names_only_functions_that_exist() -> None:
    defined = {
        (str(path.relative_to(ROOT)), node.name)
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert set(ACTORLESS) <= defined


@pytest.mark.parametrize(
    ("code", "relative"),
    [
        ("class Users(Area):\n    def all(self) -> list[str]: ...", "engine/areas/accounts.py"),
        ("class Timers(Area):\n    def fire_due(self, limit: int = 500) -> int: ...", "engine/areas/clock.py"),
        ("class Engine:\n    def tick(self) -> None: ...", "engine/application.py"),
        ("def verify_all(ctx: Context, batch: int = 500) -> None: ...", "engine/services/audit.py"),
        ("def messages_of(ctx: Context, case_id: int, who: Actor) -> None: ...", "engine/services/messages.py"),
    ],
)
def test_the_check_catches_a_missing_actor(code: str, relative: str) -> None:
    assert missing(code, relative)


def test_steps_inside_a_command_and_private_helpers_need_no_actor_of_their_own() -> None:
    step = "def append(ctx: Context, uow: AbstractUnitOfWork, record: CaseRecord) -> None: ..."
    assert missing(step, "engine/services/x.py") == []
    assert missing("class A(Area):\n    def _helper(self) -> None: ...", "engine/areas/x.py") == []
    assert missing("class A(Area):\n    def get(self, *, actor: Actor) -> None: ...", "engine/areas/x.py") == []


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
