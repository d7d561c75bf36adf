"""Every scenario that drives cases through the engine ends with an audit: each case it created is
replayed from its events on its pinned process version, and must reach exactly the state the
engine stored, command by command (issue 6: replay equals stored state for every lifecycle scenario)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Actor

AUDITOR = Actor("revisore", frozenset({"auditor"}))


@pytest.fixture(autouse=True)
def replay_every_case_afterwards(request: pytest.FixtureRequest) -> Iterator[None]:
    # Asked for here, at set-up, so the engine is torn down only after this check has run.
    engine = request.getfixturevalue("engine") if "engine" in request.fixturenames else None
    yield
    if engine is None:
        return
    for case in engine.cases.list(limit=10_000):
        result = engine.audit.replay(case.id, actor=AUDITOR)
        assert result.faithful, (
            f"replay of case {case.id} ({case.process_id}) diverges at event {result.first_mismatch}"
        )
        assert result.final == engine.cases.get(case.id, actor=AUDITOR).data, f"replayed data of case {case.id} differ"
    assert engine.audit.verify().ok
