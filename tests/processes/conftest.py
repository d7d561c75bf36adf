"""Every scenario that drives cases through the engine runs twice: on one engine instance, and on
two instances on one database that take the commands in turn (as two server processes would, each
with specs it parsed itself). Both runs must leave every case alike: same status, data, tasks,
events and element states (``tests.support.two_servers.outcome``).

Each run ends with an audit: every case it created is replayed from its events on its pinned
process version, and must reach exactly the state the engine stored, command by command (replay
equals stored state for every lifecycle scenario), and match the checkpoints it kept; replayed
from its latest checkpoint it must end in the same state; and the monitoring read model the commands
kept must equal its rebuild from the events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine import Actor
from engine.application import Engine
from engine.bpmn.loader import Library, SourceFile
from engine.bpmn.prewiring import spec_fingerprint
from engine.monitoring import summary_of
from engine.policy import CLI_OPERATOR
from tests.support.two_servers import TwoServers, outcome

AUDITOR = Actor("revisore", frozenset({"auditor"}))
ADMIN = Actor("amministratore", frozenset({"amministratore"}))
# The first run's outcome per test, until the other run of the same test compares with it.
_OUTCOMES: dict[str, tuple[str, list[dict[str, Any]]]] = {}


@pytest.fixture(params=["one server", "two servers"])
def engine(request: pytest.FixtureRequest, engine_factory: Callable[[], Engine]) -> Engine | TwoServers:
    if request.param == "one server":
        return engine_factory()
    return TwoServers(engine_factory(), engine_factory())


@pytest.fixture(autouse=True)
def replay_every_case_afterwards(request: pytest.FixtureRequest) -> Iterator[None]:
    # Asked for here, at set-up, so the engine is torn down only after this check has run.
    engine = request.getfixturevalue("engine") if "engine" in request.fixturenames else None
    yield
    if engine is None:
        return
    cases = engine.cases.list(limit=10_000, actor=CLI_OPERATOR)
    for case in cases:
        result = engine.audit.replay(case.id, actor=AUDITOR, from_start=True)
        assert result.faithful, (
            f"replay of case {case.id} ({case.process_id}) diverges at event {result.first_mismatch}"
            f" or differs from its checkpoints {result.bad_checkpoints}"
        )
        assert result.final == engine.cases.get(case.id, actor=AUDITOR).data, f"replayed data of case {case.id} differ"
        latest = engine.audit.replay(case.id, actor=AUDITOR)  # from its latest checkpoint, if it has one
        assert latest.faithful and latest.final == result.final, f"replay of case {case.id} from its checkpoint"
    assert engine.audit.verify(actor=CLI_OPERATOR).ok
    kept = {facts.case_id: facts for facts in engine.reports.read_model(actor=ADMIN)}
    assert set(kept) == {c.id for c in cases}
    for case in cases:
        assert engine.reports.rebuilt(case.id, actor=ADMIN) == kept[case.id], f"read model of case {case.id}"
    assert engine.reports.summary(actor=ADMIN) == summary_of(kept.values()), "the monitoring counters"
    kept_tasks, open_tasks = engine.reports.task_counters(actor=ADMIN)
    assert kept_tasks == open_tasks, "the open-task counters"
    for server in engine.servers if isinstance(engine, TwoServers) else [engine]:
        _specs_are_wired_as_when_parsed(server)
    _compare_with_the_other_run(request, engine, sorted(c.id for c in cases))


def _specs_are_wired_as_when_parsed(engine: Engine) -> None:
    """The specs every case of the test ran on are wired exactly like a fresh parse of their files."""
    for version_id, used in engine._ctx.specs.cached().items():
        with engine._ctx.uow(write=False) as uow:
            files = [SourceFile(n, c) for n, c in uow.processes.files(version_id)]
        fresh = _fresh_fingerprints(files, used.process_id)
        for name, spec in [("", used.spec), *used.subprocess_specs.items()]:
            assert spec_fingerprint(spec) == fresh[name], f"running cases changed the spec {name or used.process_id}"


# Fingerprints of fresh parses, by the files' names and contents and the process id: parsing is a
# pure function of the files, so the parse made for the first test that ran on them stands for
# every later one in this process (the scenarios share the library; each parse took ~0.2 s).
_FRESH: dict[tuple[tuple[tuple[str, str], ...], str], dict[str, dict[str, Any]]] = {}


def _fresh_fingerprints(files: list[SourceFile], process_id: str) -> dict[str, dict[str, Any]]:
    key = (tuple((f.name, hashlib.sha256(f.content).hexdigest()) for f in files), process_id)
    if key not in _FRESH:
        fresh = Library(files).specs(process_id)
        _FRESH[key] = {"": spec_fingerprint(fresh.spec)} | {
            name: spec_fingerprint(spec) for name, spec in fresh.subprocess_specs.items()
        }
    return _FRESH[key]


def _compare_with_the_other_run(request: pytest.FixtureRequest, engine: Engine, case_ids: list[int]) -> None:
    """The second run of a test (pytest runs them one after the other) must match the first."""
    this_run = request.node.callspec.params["engine"]
    test = request.node.nodeid.rsplit("[", 1)[0] + str(
        {k: v for k, v in request.node.callspec.params.items() if k != "engine"}
    )
    got = outcome(engine, case_ids)
    if test not in _OUTCOMES:
        _OUTCOMES[test] = (this_run, got)
        return
    other_run, expected = _OUTCOMES.pop(test)
    assert len(got) == len(expected), f"{this_run} made {len(got)} cases, {other_run} made {len(expected)}"
    for case_id, mine, theirs in zip(case_ids, got, expected, strict=True):
        for key in mine:
            assert mine[key] == theirs[key], f"case {case_id}: {key} differs between {this_run} and {other_run}"
