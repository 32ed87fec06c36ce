"""Honest coverage: what part of a period the data cover, the default period, the cut-off days.

The data end (``data_end``) is the last day with data: the last day a dossier was received
(queries/data_range.sql). It is read from the data every time, never typed: the sample runs to
30/06/2025 or, once extended, to 30/11/2026, and a real installation's data end moves every day.

Decisions (issue 14, "Today's map"):

* **Clip, never extrapolate.** A period reaching past the data end is *clipped*: same start, end =
  min(period end, data end, the unit's last day). ``clip`` returns the same named period with that
  end (cchc.periods.Period with ``full_end`` and ``clip_reason``): the queries receive the clipped
  end, so a dossier still open on the data end is counted pending *on the data end* and never
  overdue on a day the data do not reach; every label says "…, dữ liệu đến 30/11/2026"; the URL
  keeps the named period (the clip is made again from the data when the link is opened).
* **A period starting after the data end is refused** (``CoverageError``, a PeriodError with a
  Vietnamese message): there is not one day of it to show. The picker never offers one; a link
  naming one gets the message as a warning and the default period.
* **An old unit ends on its valid_to** (30/06/2025): a period spanning that day is clipped there
  ("đơn vị tồn tại đến 30/06/2025"); a period starting after it has no figures at all (the page
  says ``Unit.gone_message()`` and offers the successor: cchc.ui.state).
* **Year-on-year comparison of a clipped period** is clipped at the same day a year earlier
  (Period.previous_year, "tính đến …"): 10 months are compared with 10 months.
* **Default period**: the app's default kind is the official year (NĐ 09/2019, the province's
  cut-off day); the default is the latest such year that is *complete*: its end ≤ the data end (and
  ≤ the unit's last day for an old unit). With data to 30/11/2026 and cut-off 15, that is Năm 2025
  (15/12/2024 – 14/12/2025); from 14/12/2026 on, Năm 2026.
* **Cut-off day per province** (the day official months end on, NĐ 09/2019: the 15th unless the
  province decides otherwise) comes from cchc/reference/cutoff_days.csv (map, province_code,
  cutoff_day, source); a province not listed uses 15. Old Hải Dương (map old, code 30) reported on
  the 10th until its end on 30/06/2025; new Hải Phòng, which took it over, is not listed (15).

No Streamlit here: the UI (cchc.ui.state, cchc.ui.filters) and the exports call these functions.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from . import periods
from .periods import Period, PeriodError, fmt_date

VN_TIME = timezone(timedelta(hours=7))

CUTOFF_FILE = Path(__file__).resolve().parent / "reference" / "cutoff_days.csv"
CUTOFF_COLUMNS = ("map", "province_code", "cutoff_day", "source")
MAPS = ("old", "new")
MAP_CHANGE = date(2025, 7, 1)  # = cchc.units.MAP_CHANGE (first day of the new map); checked by the tests
DEFAULT_KIND = "year"          # the kind of the default period (the official year)


class CoverageError(PeriodError):
    """A period the data do not reach (it starts after the data end). Vietnamese message."""


# --- cut-off days -----------------------------------------------------------------------------------
def load_cutoffs(path: Path | str = CUTOFF_FILE) -> dict[tuple[str, str], int]:
    """(map, province_code) -> cut-off day from a cut-off CSV; ValueError naming the line when a row
    is unusable (unknown map, a code that is not 2 digits, a day outside 2..28, a duplicate)."""
    out: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != CUTOFF_COLUMNS:
            raise ValueError(f"{path}: cột phải là {', '.join(CUTOFF_COLUMNS)} (có: {reader.fieldnames}).")
        for n, row in enumerate(reader, start=2):
            map_, code, day = (row["map"] or "").strip(), (row["province_code"] or "").strip(), \
                (row["cutoff_day"] or "").strip()
            if map_ not in MAPS:
                raise ValueError(f"{path}, dòng {n}: bản đồ “{map_}” không hợp lệ (old hoặc new).")
            if not (len(code) == 2 and code.isascii() and code.isdigit()):
                raise ValueError(f"{path}, dòng {n}: mã tỉnh “{code}” không hợp lệ (2 chữ số).")
            if not (day.isascii() and day.isdigit() and periods.MIN_CUTOFF <= int(day) <= periods.MAX_CUTOFF):
                raise ValueError(f"{path}, dòng {n}: ngày chốt “{day}” không hợp lệ "
                                 f"(số nguyên từ {periods.MIN_CUTOFF} đến {periods.MAX_CUTOFF}).")
            if (map_, code) in out:
                raise ValueError(f"{path}, dòng {n}: tỉnh {code} ({map_}) đã có ở dòng trước.")
            out[(map_, code)] = int(day)
    return out


@lru_cache(maxsize=None)
def _cutoffs() -> dict[tuple[str, str], int]:
    return load_cutoffs(CUTOFF_FILE)


def cutoff_day(map_: str, province_code: str | None) -> int:
    """The day a province's official reporting months end on (NĐ 09/2019): the reference file's,
    else 15 (periods.DEFAULT_CUTOFF)."""
    return _cutoffs().get((map_, province_code or ""), periods.DEFAULT_CUTOFF)


# --- the data end -----------------------------------------------------------------------------------
def data_range(db) -> tuple[date | None, date | None]:
    """The data's first day (of receipt) and last day (a dossier received or finished;
    queries/data_range.sql); (None, None) for a folder without dossiers yet. Read from the files'
    statistics (queries/data_range_stats.sql) when every row group has them, else from the rows."""
    df = db.run("data_range_stats")
    if df.is_empty() or not df.row(0)[2] or df.row(0)[0] is None:
        df = db.run("data_range")
    return (None, None) if df.is_empty() else (df.row(0)[0], df.row(0)[1])


def data_end(db) -> date | None:
    """The last day with data, None without any data."""
    return data_range(db)[1]


def working_range(db) -> tuple[date, date]:
    """The days periods are offered, clipped and defaulted within: the data's; for a folder without
    data yet (a real unit before its first load), today, so every page still renders and says there
    is nothing (the sidebar says "Chưa có dữ liệu")."""
    first, last = data_range(db)
    today = datetime.now(VN_TIME).date()
    return first or last or today, last or today


def data_label(day: date | None) -> str:
    """What every page shows: "Dữ liệu đến 30/11/2026"."""
    return "Chưa có dữ liệu" if day is None else f"Dữ liệu đến {fmt_date(day)}"


def map_at(day: date) -> str:
    """The administrative map in force on a day: "old" until 30/06/2025, "new" from 01/07/2025."""
    return "new" if day >= MAP_CHANGE else "old"


# --- clip -------------------------------------------------------------------------------------------
def clip(period: Period, data_end: date, unit_valid_to: date | None = None) -> Period:
    """The part of ``period`` the figures cover: same start, end = min(period end, data end, the
    unit's last day). The result is ``period`` itself when nothing is cut, else the same named
    period clipped (``.partial``, ``.coverage_note`` "dữ liệu đến …" or "đơn vị tồn tại đến …",
    ``.label`` saying so). A clipped period given again is clipped from its whole named period.

    CoverageError (Vietnamese) when the period starts after the data end; PeriodError when it starts
    after the unit's last day (the caller shows the unit's gone_message instead)."""
    whole = period.full()
    if whole.start > data_end:
        raise CoverageError(
            f"Kỳ {whole.label} bắt đầu sau ngày cuối có dữ liệu: dữ liệu chỉ có đến {fmt_date(data_end)}. "
            "Hãy chọn một kỳ bắt đầu trước hoặc vào ngày đó.")
    if unit_valid_to is not None and whole.start > unit_valid_to:
        raise PeriodError(f"Kỳ {whole.label} bắt đầu sau ngày cuối của đơn vị ({fmt_date(unit_valid_to)}).")
    if unit_valid_to is not None and unit_valid_to < min(data_end, whole.end):
        return whole.clipped(unit_valid_to, "unit")
    return whole.clipped(data_end, "data")


def covered(period: Period, data_end: date | None) -> bool:
    """Whether the data reach the whole period (its end ≤ the data end)."""
    return data_end is not None and period.nominal_end <= data_end


def is_after_data(period: Period, data_end: date | None) -> bool:
    """Whether the period starts after the data end (refused by clip)."""
    return data_end is not None and period.start > data_end


# --- the default period -----------------------------------------------------------------------------
def default_period(data_end: date, cutoff: int = periods.DEFAULT_CUTOFF, valid_to: date | None = None,
                   kind: str = DEFAULT_KIND) -> Period:
    """The latest complete period of ``kind`` (default: the official year) for a province with that
    cut-off day: its end ≤ the data end (and ≤ ``valid_to``, an old unit's last day). When the data
    do not hold a complete one, the period of that kind holding the last day, clipped."""
    last = min(data_end, valid_to) if valid_to is not None else data_end
    try:
        return periods.latest_complete(kind, last, cutoff)
    except PeriodError:
        holding = periods.periods_of_kind(kind, last, last, cutoff)[0]
        return clip(holding, data_end, valid_to)


__all__ = ["CoverageError", "clip", "covered", "is_after_data", "default_period", "data_end", "data_label",
           "cutoff_day", "load_cutoffs", "map_at", "CUTOFF_FILE", "DEFAULT_KIND", "MAP_CHANGE"]
