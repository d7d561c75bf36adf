"""The periods people choose from in the cockpit and for a semester report: the started ones of
this year and the years before it, newest first, each year then its halves then its quarters,
with the labels the reports give them (never the code alone)."""

from __future__ import annotations

import datetime as dt

from engine.areas.reports import started_periods


def test_only_started_periods_newest_first_with_their_labels() -> None:
    found = started_periods(dt.date(2026, 4, 1), 2)
    assert [p.code for p in found] == [
        "2026",
        "2026-H1",
        "2026-Q2",  # begins today
        "2026-Q1",
        "2025",
        "2025-H2",
        "2025-H1",
        "2025-Q4",
        "2025-Q3",
        "2025-Q2",
        "2025-Q1",
    ]
    labels = {p.code: p.label for p in found}
    assert labels["2026-H1"] == "Primo semestre 2026" and labels["2025-H2"] == "Secondo semestre 2025"
    assert labels["2026-Q2"] == "2º trimestre 2026" and labels["2025"] == "Anno 2025"


def test_on_new_year_s_day_the_new_year_is_there_with_its_first_half_and_quarter() -> None:
    assert [p.code for p in started_periods(dt.date(2027, 1, 1), 1)] == ["2027", "2027-H1", "2027-Q1"]
