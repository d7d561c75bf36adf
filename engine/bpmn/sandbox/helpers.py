"""The ``fn_*`` helpers diagrams call: dates (as ISO strings), programme parameters, timer durations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from engine.quota import verify_projected, verify_quota

from .compiler import RESTRICTED_NAMES
from .guards import BUILTINS, GUARD_HELPERS


def _parse_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def make_helpers(now: Callable[[], dt.datetime], parameters: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The named functions diagrams may call. Dates travel as ISO strings in task data."""

    def fn_today() -> str:
        return now().date().isoformat()

    def fn_now() -> str:
        return now().isoformat()

    def fn_add_days(date: str, days: int) -> str:
        return (_parse_date(date) + dt.timedelta(days=int(days))).isoformat()

    def fn_add_months(date: str, months: int) -> str:
        d = _parse_date(date)
        month0 = d.month - 1 + int(months)
        year, month = d.year + month0 // 12, month0 % 12 + 1
        last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return dt.date(year, month, min(d.day, last)).isoformat()

    def fn_days_between(start: str, end: str) -> int:
        return (_parse_date(end) - _parse_date(start)).days

    def fn_months_between(start: str, end: str) -> int:
        a, b = _parse_date(start), _parse_date(end)
        return (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)

    def fn_param(name: str, region: str | None = None) -> Any:
        """Programme parameters (legal/regional numbers) live in configuration, not diagrams."""
        regional = parameters.get("regioni", {}).get(region or "", {})
        if name in regional:
            return regional[name]
        defaults = parameters.get("default", {})
        if name not in defaults:
            raise KeyError(f"unknown programme parameter {name!r}")
        return defaults[name]

    def fn_verifica_quota(forma_giuridica: str, organico: list[dict[str, Any]], giorno: str) -> dict[str, Any]:
        """The quota of disadvantaged workers on ``giorno`` (engine.quota), for an enterprise's
        roster as the engine sends it (``organico_variato``): per head, category, hire date."""
        return verify_quota(forma_giuridica, organico, _parse_date(giorno))

    def fn_verifica_quota_prevista(
        forma_giuridica: str, svantaggiati: int, altri: int, molto: int = 0
    ) -> dict[str, Any]:
        """The same check on a business plan's projected roster (counts of heads), as of today."""
        return verify_projected(forma_giuridica, int(svantaggiati), int(altri), int(molto), now().date())

    def fn_timer_in_days(days: int) -> str:
        """An ISO-8601 duration for a timer expression, from a number of days."""
        return f"P{int(days)}D"

    return {
        **GUARD_HELPERS,
        "fn_today": fn_today,
        "fn_now": fn_now,
        "fn_add_days": fn_add_days,
        "fn_add_months": fn_add_months,
        "fn_days_between": fn_days_between,
        "fn_months_between": fn_months_between,
        "fn_param": fn_param,
        "fn_timer_in_days": fn_timer_in_days,
        "fn_verifica_quota": fn_verifica_quota,
        "fn_verifica_quota_prevista": fn_verifica_quota_prevista,
    }


HELPER_NAMES = frozenset(make_helpers(lambda: dt.datetime.now(dt.UTC), {}))


def is_reserved(name: str) -> bool:
    """Names case data may not use: helpers (``fn_*``), the sandbox's builtins, restricted names."""
    return name.startswith("fn_") or name in BUILTINS or name in RESTRICTED_NAMES or name in _KEYWORDS


_KEYWORDS = frozenset({"True", "False", "None"})
