"""monitoring: the times from referral counted by quarter, one basis per step

The counters of basis ``days`` (keys ``take…`` and ``decide…``, by referral month) become bases
``take`` and ``decide`` by referral quarter, keys unchanged: the times report reads each step's
counters off the primary key alone, and a quarter's day histogram holds the counters three
months did (periods are whole quarters). The counters are summed into their quarter here, so no
rebuild is needed.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30 05:10:00
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_SUMMARY = sa.table(
    "report_summary",
    sa.column("basis", sa.String),
    sa.column("month", sa.Date),
    sa.column("territory", sa.String),
    sa.column("key", sa.String),
    sa.column("n", sa.Integer),
)


Basis = Callable[[str, str], str]
Month = Callable[[Any], dt.date]


def _moved(rows: list[Any], basis_of: Basis, month_of: Month) -> list[dict[str, Any]]:
    counts: Counter[tuple[str, dt.date, str, str]] = Counter()
    for basis, month, territory, key, n in rows:
        counts[(basis_of(basis, key), month_of(month), territory, key)] += n
    return [{"basis": b, "month": m, "territory": t, "key": k, "n": n} for (b, m, t, k), n in counts.items() if n]


def _convert(old: tuple[str, ...], basis_of: Basis, month_of: Month) -> None:
    conn = op.get_bind()
    s = _SUMMARY.c
    rows = list(conn.execute(sa.select(s.basis, s.month, s.territory, s.key, s.n).where(s.basis.in_(old))))
    conn.execute(sa.delete(_SUMMARY).where(s.basis.in_(old)))
    values = _moved(rows, basis_of, month_of)
    for i in range(0, len(values), 5000):
        conn.execute(sa.insert(_SUMMARY), values[i : i + 5000])


def _day(month: Any) -> dt.date:
    return month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10])


def upgrade() -> None:
    def quarter(month: Any) -> dt.date:
        day = _day(month)
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)

    _convert(("days",), lambda basis, key: "take" if key.startswith("take") else "decide", quarter)


def downgrade() -> None:  # the quarter's counters go to its first month: the figures stay the same
    _convert(("take", "decide"), lambda basis, key: "days", _day)
