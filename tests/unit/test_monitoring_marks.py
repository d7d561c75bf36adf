"""What a case counts in for the times report: one basis per step, by referral quarter (periods
are whole quarters, and a quarter's day histogram holds what three months' did)."""

from __future__ import annotations

import datetime as dt

from engine.adapters.report_repository import months
from engine.model import CaseFacts
from engine.monitoring import marks


def _facts(**kwargs: object) -> CaseFacts:
    base: dict[str, object] = {
        "case_id": 1,
        "process_id": "p",
        "territory": "T1",
        "status": "running",
        "phase": None,
        "stato_caso": "IN_VALUTAZIONE",
    }
    return CaseFacts(**(base | kwargs))  # type: ignore[arg-type]


def test_the_times_count_by_step_and_referral_quarter() -> None:
    taken = _facts(referral_on=dt.date(2026, 3, 20), taken_in_charge_on=dt.date(2026, 4, 1), adi=True)
    assert [m for m in marks(taken) if m[0] in ("take", "decide")] == [
        ("take", dt.date(2026, 1, 1), "take|1|12"),
        ("decide", dt.date(2026, 1, 1), "decide_wait|2026-03-20"),
    ]
    decided = _facts(referral_on=dt.date(2026, 8, 2), outcome="NON_PRONTO", outcome_on=dt.date(2026, 9, 11))
    assert [m for m in marks(decided) if m[0] in ("take", "decide")] == [
        ("take", dt.date(2026, 7, 1), "take_wait|0|2026-08-02"),
        ("decide", dt.date(2026, 7, 1), "decide|40"),
    ]
    # the funnel still counts by month
    assert ("referral", dt.date(2026, 8, 1), "stage|segnalati") in marks(decided)


def test_the_months_of_a_period() -> None:
    assert months(dt.date(2026, 1, 1), dt.date(2026, 4, 1)) == [dt.date(2026, m, 1) for m in (1, 2, 3)]
    assert months(dt.date(2025, 12, 1), dt.date(2026, 2, 1)) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert months(dt.date(2026, 1, 1), dt.date(2026, 1, 1)) == []
