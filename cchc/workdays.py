"""Working-day calendar of Vietnamese public servants (Monday–Friday, less public holidays, plus
Saturdays declared working days), from cchc/reference/holidays.csv.

Deadlines of administrative procedures are set in working days; this module is the one place
that knows which days count. The same calendar is written to the data directory as the
``calendar`` table, so SQL counts working days with the same rule.
"""
from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

HOLIDAYS_CSV = Path(__file__).parent / "reference" / "holidays.csv"
FIRST = date(2015, 1, 1)
LAST = date(2031, 12, 31)
EPOCH = np.datetime64(FIRST.isoformat(), "D")


@lru_cache(maxsize=1)
def holidays() -> dict[date, tuple[str, str]]:
    """date -> (name, kind) with kind holiday | compensatory | makeup_workday."""
    out: dict[date, tuple[str, str]] = {}
    if HOLIDAYS_CSV.exists():
        with HOLIDAYS_CSV.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                out[date.fromisoformat(r["date"])] = (r["name"], r["kind"])
    return out


@lru_cache(maxsize=1)
def _arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_working per day, cumulative working days per day, day offset of the k-th working day)."""
    n = (LAST - FIRST).days + 1
    days = EPOCH + np.arange(n)
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (3)
    working = weekday < 5
    for d, (_, kind) in holidays().items():
        if FIRST <= d <= LAST:
            working[(d - FIRST).days] = kind == "makeup_workday"
    cum = np.cumsum(working).astype(np.int32)
    nth = np.flatnonzero(working).astype(np.int32)  # nth[k-1] = offset of the k-th working day
    return working, cum, nth


def is_working_day(d: date) -> bool:
    return bool(_arrays()[0][(d - FIRST).days])


def offsets(days: np.ndarray) -> np.ndarray:
    """datetime64[D] array -> integer day offsets from FIRST."""
    return (days.astype("datetime64[D]") - EPOCH).astype(np.int64)


def add_working_days(day_offsets: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Deadline day (as offset) for receipt on each day with n working days allowed.

    n = 0 means the same day if it is a working day. A receipt on a day off (a Saturday desk) counts
    as received on the next working day: n = 0 is due that day, n = 1 the working day after.
    """
    working, cum, nth = _arrays()
    day_offsets = np.asarray(day_offsets, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    k = cum[day_offsets] + np.where(working[day_offsets], n, n + 1)
    return nth[k - 1].astype(np.int64)


def working_days_between(a_offsets: np.ndarray, b_offsets: np.ndarray) -> np.ndarray:
    """Working days after a up to and including b (0 when b is the same day as a)."""
    _, cum, _ = _arrays()
    return cum[np.asarray(b_offsets)] - cum[np.asarray(a_offsets)]


def previous_working_day(d: date) -> date:
    while True:
        d -= timedelta(days=1)
        if is_working_day(d):
            return d


def calendar_table(first: date, last: date) -> dict[str, list]:
    """Rows of the ``calendar`` table from first to last inclusive (columns as in cchc.schema.CALENDAR)."""
    working, cum, _ = _arrays()
    hol = holidays()
    a, b = (first - FIRST).days, (last - FIRST).days
    days = [FIRST + timedelta(days=i) for i in range(a, b + 1)]
    return {
        "day": days,
        "is_working_day": working[a:b + 1].tolist(),
        "working_day_no": cum[a:b + 1].tolist(),
        "holiday_name": [hol.get(d, (None, None))[0] for d in days],
    }
