"""The quota of disadvantaged workers an enterprise must keep, counted per head from its roster.

Two rules (see ``docs/quota.md``):

- **L. 381/1991 art. 4** (cooperativa sociale di tipo B): disadvantaged workers must be at least
  30 % of the *other* workers. Only persons in an art. 4 category whose status comes from PA
  documents count as disadvantaged (art. 4 c.2); they are left out of the base. Counted per head,
  not hours; volunteers and workers without an active social-security position are not counted.
- **D.Lgs. 112/2017 art. 2 c.4-5** (impresa sociale di inserimento): with ``Q = 30 % × base``
  (same counting), ``n_b + min(n_a, Q/3) ≥ Q``, where a very disadvantaged worker (lett. a)
  counts only for 24 months from their own hiring and lett. a workers together count for at most
  a third of the quota. A lett. a worker past 24 months is an ordinary worker again, in the base.

Pure: no database, no engine. Fractions keep 30 % of 12 = 18/5 exact.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from forms.f2_valutazione import CATEGORIE_L381

QUOTA = Fraction(3, 10)
LETT_A_MONTHS = 24
# L. 381/1991 art. 4 c.1 categories (DT-1 codes, and the DPCM one); the ex-detainee relief flag is
# not one of them.
CATEGORIE_381 = frozenset({*CATEGORIE_L381, "DPCM"})
LETT_A = "IS_A_MOLTO_SVANTAGGIATO"
LETT_B = frozenset({"IS_B_SVANTAGGIATO_DISABILE", "IS_B_PROTEZIONE_INTERNAZIONALE", "IS_B_SENZA_DIMORA"})


class Regime(enum.StrEnum):
    L381 = "L381"  # cooperativa sociale di tipo B
    DLGS112 = "DLGS112"  # impresa sociale di inserimento lavorativo


@dataclass(frozen=True)
class Worker:
    """One person on the roster (a beneficiary case or not)."""

    person: str
    hired_on: dt.date
    categories: frozenset[str] = frozenset()
    pa_evidence: bool = False  # the L. 381 status is attested by PA documents (art. 4 c.2)
    left_on: dt.date | None = None
    volunteer: bool = False
    inps_active: bool = True

    def active_on(self, day: dt.date) -> bool:
        left = self.left_on is not None and self.left_on <= day
        return self.hired_on <= day and not left and not self.volunteer and self.inps_active


@dataclass(frozen=True)
class QuotaCheck:
    regime: Regime
    on: dt.date
    base: int  # heads in the base (not counted as disadvantaged)
    required: Fraction  # Q
    counted_b: int  # L. 381: disadvantaged heads; D.Lgs. 112: lett. b heads
    lett_a_in_window: int  # lett. a heads hired less than 24 months ago (D.Lgs. 112 only)
    lett_a_counted: Fraction  # min(lett_a_in_window, Q/3)
    met: bool
    shortfall: int  # more disadvantaged heads needed to meet the quota (0 when met)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), next_month - dt.timedelta(days=1))


def lett_a_counts(worker: Worker, on: dt.date) -> bool:
    """A lett. a worker counts from hiring until the day before the 24th month's anniversary."""
    return LETT_A in worker.categories and on < add_months(worker.hired_on, LETT_A_MONTHS)


def check(regime: Regime, roster: Iterable[Worker], on: dt.date) -> QuotaCheck:
    active = [w for w in roster if w.active_on(on)]
    if regime is Regime.L381:
        disadvantaged = [w for w in active if w.pa_evidence and w.categories & CATEGORIE_381]
        base = len(active) - len(disadvantaged)
        required = QUOTA * base
        counted = Fraction(len(disadvantaged))
        return _result(regime, on, base, required, len(disadvantaged), 0, Fraction(0), counted)
    lett_b = [w for w in active if w.categories & LETT_B]
    lett_a = [w for w in active if not w.categories & LETT_B and lett_a_counts(w, on)]
    base = len(active) - len(lett_b) - len(lett_a)
    required = QUOTA * base
    a_counted = min(Fraction(len(lett_a)), required / 3)
    return _result(regime, on, base, required, len(lett_b), len(lett_a), a_counted, len(lett_b) + a_counted)


def _result(
    regime: Regime,
    on: dt.date,
    base: int,
    required: Fraction,
    counted_b: int,
    lett_a: int,
    a_counted: Fraction,
    counted: Fraction,
) -> QuotaCheck:
    # A new lett. b (or L. 381) hire is left out of the base, so Q does not move: the gap is exact.
    shortfall = max(0, math.ceil(required - counted))
    return QuotaCheck(regime, on, base, required, counted_b, lett_a, a_counted, counted >= required, shortfall)


# The legal forms (forms.f3_progettazione.FORME_GIURIDICHE) and the rule each must keep; a
# community cooperative has no national quota.
REGIME_OF_FORM: dict[str, Regime] = {
    "COOP_SOCIALE_B": Regime.L381,
    "IMPRESA_SOCIALE_SRL": Regime.DLGS112,
    "IMPRESA_SOCIALE_COOP": Regime.DLGS112,
}


def roster_from_data(entries: Iterable[Mapping[str, Any]]) -> list[Worker]:
    """Workers from the roster as case data carries it (ISO dates, category lists)."""
    workers = []
    for e in entries:
        left = e.get("data_cessazione")
        workers.append(
            Worker(
                person=str(e.get("persona", "")),
                hired_on=dt.date.fromisoformat(str(e["data_assunzione"])[:10]),
                categories=frozenset(str(c) for c in e.get("categorie") or ()),
                pa_evidence=bool(e.get("evidenza_pa")),
                left_on=dt.date.fromisoformat(str(left)[:10]) if left else None,
                volunteer=bool(e.get("volontario")),
                inps_active=bool(e.get("posizione_inps", True)),
            )
        )
    return workers


def verify_quota(forma_giuridica: str, entries: Iterable[Mapping[str, Any]], on: dt.date) -> dict[str, Any]:
    """The check as plain data for a diagram: whether a quota applies, whether it is met, the base,
    ``Q`` (rounded for display), what counted and how many disadvantaged heads are missing."""
    regime = REGIME_OF_FORM.get(forma_giuridica)
    if regime is None:
        return {"richiesta": False, "rispettata": True, "giorno": on.isoformat(), "mancanti": 0}
    result = check(regime, roster_from_data(entries), on)
    return {
        "richiesta": True,
        "rispettata": result.met,
        "giorno": on.isoformat(),
        "regime": result.regime.value,
        "base": result.base,
        "quota": round(float(result.required), 2),
        "svantaggiati_conteggiati": result.counted_b,
        "lett_a_nei_24_mesi": result.lett_a_in_window,
        "lett_a_conteggiati": round(float(result.lett_a_counted), 2),
        "mancanti": result.shortfall,
    }


def verify_projected(
    forma_giuridica: str, disadvantaged: int, others: int, very_disadvantaged: int, on: dt.date
) -> dict[str, Any]:
    """The business plan's projected roster through the same check, all hired on ``on``: the
    planned disadvantaged heads as L. 381 persons with PA evidence (cooperativa sociale B) or, for
    an impresa sociale, ``very_disadvantaged`` of them as lett. a and the rest as lett. b."""
    regime = REGIME_OF_FORM.get(forma_giuridica)
    heads: list[frozenset[str]] = [frozenset()] * max(0, others)
    if regime is Regime.DLGS112:
        very = min(max(0, very_disadvantaged), max(0, disadvantaged))
        heads += [frozenset({LETT_A})] * very + [LETT_B] * (max(0, disadvantaged) - very)
    else:
        heads += [CATEGORIE_381] * max(0, disadvantaged)
    entries = [
        {"persona": f"P{i}", "data_assunzione": on.isoformat(), "categorie": sorted(c), "evidenza_pa": True}
        for i, c in enumerate(heads)
    ]
    return verify_quota(forma_giuridica, entries, on)
