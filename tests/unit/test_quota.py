"""The quota engine: L. 381/1991 art. 4 and D.Lgs. 112/2017 art. 2 c.4-5, per head from the roster."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from engine.quota import LETT_A, Regime, Worker, add_months, check

DAY = dt.date(2026, 3, 31)
HIRED = dt.date(2025, 1, 15)


def ordinary(n: int, prefix: str = "o") -> list[Worker]:
    return [Worker(f"{prefix}{i}", HIRED) for i in range(n)]


def svantaggiati(n: int, evidence: bool = True) -> list[Worker]:
    return [Worker(f"s{i}", HIRED, frozenset({"TOSSICODIPENDENTE"}), pa_evidence=evidence) for i in range(n)]


def lett_b(n: int) -> list[Worker]:
    return [Worker(f"b{i}", HIRED, frozenset({"IS_B_SVANTAGGIATO_DISABILE"})) for i in range(n)]


def lett_a(n: int, hired: dt.date = HIRED) -> list[Worker]:
    return [Worker(f"a{i}", hired, frozenset({LETT_A})) for i in range(n)]


def test_381_twelve_ordinary_workers_need_four_disadvantaged() -> None:
    assert not check(Regime.L381, ordinary(12) + svantaggiati(3), DAY).met
    result = check(Regime.L381, ordinary(12) + svantaggiati(4), DAY)
    assert (result.met, result.base, result.required, result.shortfall) == (True, 12, Fraction(18, 5), 0)


def test_381_disadvantaged_are_left_out_of_the_base() -> None:
    result = check(Regime.L381, ordinary(10) + svantaggiati(3), DAY)
    assert result.base == 10 and result.met  # 3 >= 0.3 × 10, not 0.3 × 13


def test_381_counts_only_persons_with_pa_evidence() -> None:
    result = check(Regime.L381, ordinary(10) + svantaggiati(3, evidence=False), DAY)
    assert (result.counted_b, result.base, result.met, result.shortfall) == (0, 13, False, 4)


def test_381_counts_heads_not_hours_and_skips_volunteers_and_leavers() -> None:
    roster = [
        *ordinary(6),
        Worker("vol", HIRED, volunteer=True),
        Worker("gone", HIRED, left_on=dt.date(2026, 3, 1)),
        Worker("future", dt.date(2026, 4, 1)),
        Worker("noinps", HIRED, inps_active=False),
        *svantaggiati(2),
    ]
    assert check(Regime.L381, roster, DAY).base == 6


def test_381_other_categories_are_not_art4_disadvantaged() -> None:
    roster = [*ordinary(3), Worker("x", HIRED, frozenset({"SVANT_651", "L68_ART18"}), pa_evidence=True)]
    assert check(Regime.L381, roster, DAY).counted_b == 0


def test_112_lett_a_counts_for_at_most_a_third_of_the_quota() -> None:
    # base 10 → Q = 3, cap 1: two lett. a count as one, so one lett. b is missing.
    result = check(Regime.DLGS112, ordinary(10) + lett_a(2) + lett_b(1), DAY)
    assert (result.required, result.lett_a_in_window, result.lett_a_counted) == (3, 2, 1)
    assert (result.met, result.shortfall) == (False, 1)
    assert check(Regime.DLGS112, ordinary(10) + lett_a(2) + lett_b(2), DAY).met


def test_112_fractional_cap() -> None:
    # base 12 → Q = 18/5, cap 6/5: 1 lett. a (counts 1) + 3 lett. b = 4 >= 3.6.
    assert check(Regime.DLGS112, ordinary(12) + lett_a(1) + lett_b(3), DAY).met
    assert not check(Regime.DLGS112, ordinary(12) + lett_a(3) + lett_b(2), DAY).met  # 2 + 1.2 < 3.6


def test_112_lett_a_hire_drops_out_at_month_25() -> None:
    hired = dt.date(2026, 1, 15)
    roster = ordinary(3) + lett_a(1, hired)  # base 3 → Q = 0.9, cap 0.3
    last_day = dt.date(2028, 1, 14)  # month 24 still running
    assert check(Regime.DLGS112, roster, last_day).lett_a_in_window == 1
    later = check(Regime.DLGS112, roster, dt.date(2028, 1, 15))  # month 25: an ordinary worker again
    assert (later.lett_a_in_window, later.base, later.required) == (0, 4, Fraction(6, 5))


def test_112_lett_b_and_a_together_count_once_as_b() -> None:
    both = Worker("ab", HIRED, frozenset({LETT_A, "IS_B_SENZA_DIMORA"}))
    result = check(Regime.DLGS112, [*ordinary(3), both], DAY)
    assert (result.counted_b, result.lett_a_in_window, result.met) == (1, 0, True)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), 24, dt.date(2028, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_empty_roster_meets_the_quota() -> None:
    assert check(Regime.L381, [], DAY).met and check(Regime.DLGS112, [], DAY).met


def test_verify_quota_reads_the_roster_as_case_data_carries_it() -> None:
    from engine.quota import verify_quota

    def entry(person: str, categories: list[str], hired: str = "2024-01-10", **more: object) -> dict[str, object]:
        return {"persona": person, "data_assunzione": hired, "categorie": categories, "evidenza_pa": True, **more}

    roster = [entry(f"w{i}", []) for i in range(6)] + [
        entry("b", ["IS_B_SENZA_DIMORA"]),
        entry("a", ["IS_A_MOLTO_SVANTAGGIATO"]),
        entry("gone", ["IS_B_SENZA_DIMORA"], data_cessazione="2025-01-01"),
    ]
    on = dt.date(2025, 6, 1)
    result = verify_quota("IMPRESA_SOCIALE_SRL", roster, on)
    assert {k: result[k] for k in ("rispettata", "base", "quota", "lett_a_conteggiati", "mancanti")} == {
        "rispettata": False,
        "base": 6,
        "quota": 1.8,
        "lett_a_conteggiati": 0.6,
        "mancanti": 1,
    }
    # the same heads in a cooperativa sociale B: lett. a/b codes are not L. 381 categories
    assert verify_quota("COOP_SOCIALE_B", roster, on)["base"] == 8
    assert verify_quota("COOP_COMUNITA", roster, on) == {
        "richiesta": False,
        "rispettata": True,
        "giorno": "2025-06-01",
        "mancanti": 0,
    }


def test_the_enterprise_legal_forms_are_the_design_forms_choice() -> None:
    from engine.model import ENTERPRISE_LEGAL_FORMS
    from engine.quota import REGIME_OF_FORM
    from forms.f3_progettazione import FORME_GIURIDICHE

    assert dict(FORME_GIURIDICHE) == ENTERPRISE_LEGAL_FORMS
    assert set(REGIME_OF_FORM) == set(ENTERPRISE_LEGAL_FORMS) - {"COOP_COMUNITA"}


def test_every_quota_category_has_a_label() -> None:
    from engine.model import ENTERPRISE_CATEGORIES
    from engine.quota import CATEGORIE_381, LETT_A, LETT_B

    assert set(ENTERPRISE_CATEGORIES) == {*CATEGORIE_381, LETT_A, *LETT_B}


def test_a_business_plans_projected_roster_goes_through_the_same_check() -> None:
    from engine.quota import verify_projected

    on = dt.date(2026, 3, 1)
    assert not verify_projected("COOP_SOCIALE_B", 3, 12, 0, on)["rispettata"]  # 12 others need 4
    assert verify_projected("COOP_SOCIALE_B", 4, 12, 0, on)["rispettata"]
    # impresa sociale: lett. a heads count for a third of Q at most (Q = 3.6, cap 1.2)
    three_a = verify_projected("IMPRESA_SOCIALE_SRL", 4, 12, 3, on)
    assert (three_a["rispettata"], three_a["lett_a_conteggiati"], three_a["mancanti"]) == (False, 1.2, 2)
    assert verify_projected("IMPRESA_SOCIALE_SRL", 4, 12, 0, on)["rispettata"]
    assert verify_projected("COOP_COMUNITA", 0, 12, 0, on)["rispettata"]
