"""Reporting periods for the CCHC dashboard.

Two families of periods exist:

* Official reporting periods (Nghị định 09/2019/NĐ-CP).  The reporting month
  ``m`` of year ``y`` runs from the cut-off day of the previous month to the day
  before the cut-off day in month ``m`` (default cut-off: the 15th), so
  "Tháng 3/2023" = 15/02/2023 – 14/03/2023 and "Tháng 1/2023" starts on
  15/12/2022.  Quarters, the first 6 months, the first 9 months and the year are
  unions of consecutive official months starting with January.  Some provinces
  use another cut-off day (``cutoff_day``, 2..28).
* Calendar periods (used e.g. by the national 766 index): calendar month,
  quarter, year; plus free ``custom`` ranges.

All end dates are inclusive.  Everything here is pure Python (no streamlit) so
it can be unit-tested and reused by the UI, exports and queries.

A period may be *clipped* (cchc.coverage.clip): the same period, named as
before, whose ``end`` is cut at the last day with data or the last day of the
unit (an old unit ends on 30/06/2025).  ``end`` is then the day the figures are
counted to (what the queries receive), ``full_end`` the end of the named
period, and every label says so ("…, dữ liệu đến 30/06/2025"); the URL keeps the
named period (``to_params`` writes ``full_end``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

__all__ = [
    "PeriodError",
    "KINDS",
    "Period",
    "official_month",
    "official_quarter",
    "official_half",
    "official_nine_months",
    "official_year",
    "calendar_month",
    "calendar_quarter",
    "calendar_year",
    "custom",
    "make",
    "from_params",
    "periods_of_kind",
    "latest_complete",
    "period_for",
    "CLIP_REASONS",
    "parse_date",
    "fmt_date",
]


class PeriodError(ValueError):
    """Invalid period / period parameter.  The message is in Vietnamese and can
    be shown to the user as is."""


# kind -> Vietnamese name shown in a picker, in display order.
KINDS: dict[str, str] = {
    "year": "Năm (kỳ báo cáo)",
    "nine_months": "9 tháng",
    "half": "6 tháng",
    "quarter": "Quý (kỳ báo cáo)",
    "month": "Tháng (kỳ báo cáo)",
    "cal_year": "Năm dương lịch",
    "cal_quarter": "Quý dương lịch",
    "cal_month": "Tháng dương lịch",
    "custom": "Tùy chọn",
}

DEFAULT_CUTOFF = 15
MIN_CUTOFF = 2
MAX_CUTOFF = 28

_OFFICIAL_KINDS = frozenset({"year", "nine_months", "half", "quarter", "month"})
_CALENDAR_KINDS = frozenset({"cal_year", "cal_quarter", "cal_month"})
_NAMED_KINDS = _OFFICIAL_KINDS | _CALENDAR_KINDS
# Kinds that need an index, and the valid index range.
_INDEX_RANGE = {"month": 12, "cal_month": 12, "quarter": 4, "cal_quarter": 4}

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Why a clipped period ends early: what its label says after the day.
CLIP_REASONS = {"data": "dữ liệu đến", "unit": "đơn vị tồn tại đến", "same": "tính đến"}
_DASH = " – "  # en dash with spaces

_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_VN_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


# ---------------------------------------------------------------------------
# Date helpers
# ---------------------------------------------------------------------------

def fmt_date(d: date) -> str:
    """Format a date the Vietnamese way: ``09/12/2023``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def parse_date(s: str) -> date:
    """Parse ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (surrounding spaces ignored)."""
    if isinstance(s, datetime):
        return s.date()
    if isinstance(s, date):
        return s
    if not isinstance(s, str):
        raise PeriodError(
            f"Ngày không hợp lệ: {s!r} (cần dạng YYYY-MM-DD hoặc DD/MM/YYYY)."
        )
    text = s.strip()
    m = _ISO_RE.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _VN_RE.fullmatch(text)
        if not m:
            raise PeriodError(
                f"Ngày không hợp lệ: \"{s}\" (cần dạng YYYY-MM-DD hoặc DD/MM/YYYY)."
            )
        d, mo, y = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise PeriodError(
            f"Ngày không hợp lệ: \"{s}\" không tồn tại trong lịch."
        ) from None


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise PeriodError(f"{what} phải là một ngày (date), nhận được {value!r}.")


def _shift_year_back(d: date) -> date:
    """Same day one year earlier; 29/02 becomes 28/02."""
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return _safe_date(d.year - 1, d.month, d.day)


def _safe_date(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        raise PeriodError(
            f"Năm báo cáo nằm ngoài phạm vi hỗ trợ (ngày {d:02d}/{m:02d}/{y})."
        ) from None


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------

def _check_cutoff(cutoff_day: Any) -> int:
    if (
        isinstance(cutoff_day, bool)
        or not isinstance(cutoff_day, int)
        or not MIN_CUTOFF <= cutoff_day <= MAX_CUTOFF
    ):
        raise PeriodError(
            f"Ngày chốt số liệu không hợp lệ: {cutoff_day!r} "
            f"(phải là số nguyên từ {MIN_CUTOFF} đến {MAX_CUTOFF})."
        )
    return cutoff_day


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise PeriodError(f"Năm không hợp lệ: {year!r}.")
    return year


def _check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise PeriodError(
            f"Loại kỳ báo cáo không hợp lệ: {kind!r} "
            f"(các giá trị hợp lệ: {', '.join(KINDS)})."
        )
    return kind


def _check_index(kind: str, index: Any) -> int | None:
    top = _INDEX_RANGE.get(kind)
    if top is None:
        if index is not None:
            raise PeriodError(
                f"Kỳ \"{KINDS[kind]}\" không có chỉ số tháng/quý (nhận được {index!r})."
            )
        return None
    what = "Tháng" if top == 12 else "Quý"
    if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= top:
        raise PeriodError(
            f"{what} không hợp lệ: {index!r} (phải là số nguyên từ 1 đến {top})."
        )
    return index


# ---------------------------------------------------------------------------
# Period bounds (pure computation, no Period objects)
# ---------------------------------------------------------------------------

def _official_month_bounds(year: int, month: int, cutoff_day: int) -> tuple[date, date]:
    if month == 1:
        start = _safe_date(year - 1, 12, cutoff_day)
    else:
        start = _safe_date(year, month - 1, cutoff_day)
    end = _safe_date(year, month, cutoff_day) - timedelta(days=1)
    return start, end


def _official_span(year: int, first_month: int, last_month: int, cutoff_day: int) -> tuple[date, date]:
    start, _ = _official_month_bounds(year, first_month, cutoff_day)
    _, end = _official_month_bounds(year, last_month, cutoff_day)
    return start, end


def _calendar_span(year: int, first_month: int, last_month: int) -> tuple[date, date]:
    start = _safe_date(year, first_month, 1)
    if last_month == 12:
        end = _safe_date(year, 12, 31)
    else:
        end = _safe_date(year, last_month + 1, 1) - timedelta(days=1)
    return start, end


def _bounds(kind: str, year: int, index: int | None, cutoff_day: int) -> tuple[date, date]:
    """Start/end (inclusive) of a named period; arguments already validated."""
    if kind == "month":
        return _official_month_bounds(year, index, cutoff_day)  # type: ignore[arg-type]
    if kind == "quarter":
        return _official_span(year, 3 * index - 2, 3 * index, cutoff_day)  # type: ignore[operator]
    if kind == "half":
        return _official_span(year, 1, 6, cutoff_day)
    if kind == "nine_months":
        return _official_span(year, 1, 9, cutoff_day)
    if kind == "year":
        return _official_span(year, 1, 12, cutoff_day)
    if kind == "cal_month":
        return _calendar_span(year, index, index)  # type: ignore[arg-type]
    if kind == "cal_quarter":
        return _calendar_span(year, 3 * index - 2, 3 * index)  # type: ignore[operator]
    if kind == "cal_year":
        return _calendar_span(year, 1, 12)
    raise PeriodError(f"Loại kỳ báo cáo không hợp lệ: {kind!r}.")  # pragma: no cover


# ---------------------------------------------------------------------------
# Period
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A reporting period with inclusive ``start`` and ``end``.

    Construct it through the factory functions (``official_month``, ``make``,
    ``custom``...).  Direct construction is validated: for named kinds the
    dates must match the kind's rule.  ``cutoff_day`` is only meaningful for
    official kinds and is normalised to 15 for calendar and custom periods, so
    that equal ranges of the same kind compare equal.
    """

    kind: str
    year: int | None
    index: int | None
    start: date
    end: date
    cutoff_day: int = DEFAULT_CUTOFF
    full_end: date | None = None     # clipped: the named period's end (``end`` is the day counted to)
    clip_reason: str | None = None   # clipped: "data" (last day with data) | "unit" (the unit's last day)

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        start = _as_date(self.start, "Ngày bắt đầu")
        end = _as_date(self.end, "Ngày kết thúc")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if self.full_end is not None:
            full_end = _as_date(self.full_end, "Ngày kết thúc của kỳ")
            object.__setattr__(self, "full_end", full_end)
            if not start <= end < full_end:
                raise PeriodError(
                    f"Kỳ báo cáo cắt không hợp lệ: ngày cuối tính {fmt_date(end)} phải từ "
                    f"{fmt_date(start)} đến trước {fmt_date(full_end)}."
                )
            if self.clip_reason not in CLIP_REASONS:
                raise PeriodError(f"Lý do cắt kỳ không hợp lệ: {self.clip_reason!r}.")
            end = full_end
        elif self.clip_reason is not None:
            raise PeriodError("Kỳ báo cáo không bị cắt thì không có lý do cắt.")
        if start > end:
            raise PeriodError(
                f"Kỳ báo cáo không hợp lệ: ngày bắt đầu {fmt_date(start)} "
                f"sau ngày kết thúc {fmt_date(end)}."
            )
        if self.kind in _OFFICIAL_KINDS:
            _check_cutoff(self.cutoff_day)
        else:
            object.__setattr__(self, "cutoff_day", DEFAULT_CUTOFF)
        if self.kind == "custom":
            if self.year is not None or self.index is not None:
                raise PeriodError("Kỳ tùy chọn không có năm hay chỉ số tháng/quý.")
            return
        _check_year(self.year)
        _check_index(self.kind, self.index)
        expected = _bounds(self.kind, self.year, self.index, self.cutoff_day)  # type: ignore[arg-type]
        if (start, end) != expected:
            raise PeriodError(
                f"Kỳ báo cáo không nhất quán: {self.short_label} phải là "
                f"{fmt_date(expected[0])}{_DASH}{fmt_date(expected[1])}, "
                f"nhận được {fmt_date(start)}{_DASH}{fmt_date(end)}."
            )

    # -- labels -------------------------------------------------------------

    @property
    def short_label(self) -> str:
        """Label without the dates, e.g. "Quý I/2023"."""
        k = self.kind
        if k in ("month", "cal_month"):
            return f"Tháng {self.index}/{self.year}"
        if k in ("quarter", "cal_quarter"):
            return f"Quý {_ROMAN[self.index]}/{self.year}"  # type: ignore[index]
        if k == "half":
            return f"6 tháng đầu năm {self.year}"
        if k == "nine_months":
            return f"9 tháng năm {self.year}"
        if k in ("year", "cal_year"):
            return f"Năm {self.year}"
        return f"{fmt_date(self.start)}{_DASH}{fmt_date(self.nominal_end)}"

    @property
    def label(self) -> str:
        """Full label, e.g. "Tháng 3/2023 (15/02/2023 – 14/03/2023)"; a clipped period adds
        where its figures stop: "Năm 2025 (15/12/2024 – 14/12/2025), dữ liệu đến 30/11/2025"."""
        end = self.nominal_end
        if self.kind == "custom":
            text = f"Từ {fmt_date(self.start)} đến {fmt_date(end)}"
        else:
            text = f"{self.short_label} ({fmt_date(self.start)}{_DASH}{fmt_date(end)})"
        return f"{text}, {self.coverage_note}" if self.partial else text

    @property
    def partial(self) -> bool:
        """True when the figures stop before the named period's end (clipped)."""
        return self.full_end is not None

    @property
    def nominal_end(self) -> date:
        """The named period's end (``end`` unless clipped)."""
        return self.full_end or self.end

    @property
    def coverage_note(self) -> str | None:
        """"dữ liệu đến 30/06/2025" for a clipped period (or "đơn vị tồn tại đến …"), else None."""
        if not self.partial:
            return None
        return f"{CLIP_REASONS[self.clip_reason]} {fmt_date(self.end)}"  # type: ignore[index]

    @property
    def file_label(self) -> str:
        """short_label for a file name: "Năm 2025", clipped "Năm 2025 đến 30/06/2025"."""
        if self.kind == "custom":
            return f"{fmt_date(self.start)}{_DASH}{fmt_date(self.end)}"
        return f"{self.short_label} đến {fmt_date(self.end)}" if self.partial else self.short_label

    def full(self) -> "Period":
        """The named period without its clip."""
        if not self.partial:
            return self
        return Period(self.kind, self.year, self.index, self.start, self.nominal_end, self.cutoff_day)

    def clipped(self, day: date, reason: str = "data") -> "Period":
        """This period with its figures stopping on ``day`` (itself when day is on or after its
        end). PeriodError when day is before its start (nothing would be left)."""
        day = _as_date(day, "Ngày cuối tính")
        if day >= self.end:
            return self
        if day < self.start:
            raise PeriodError(
                f"Kỳ {self.label} bắt đầu sau ngày {fmt_date(day)}: không còn ngày nào để tính."
            )
        return Period(self.kind, self.year, self.index, self.start, day, self.cutoff_day,
                      self.nominal_end, reason)

    # -- queries ------------------------------------------------------------

    @property
    def days(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        d = _as_date(d, "Ngày")
        return self.start <= d <= self.end

    def previous_year(self) -> "Period":
        """Same kind one year earlier (for year-on-year comparisons). A clipped period's is
        clipped at the same day a year earlier ("tính đến …"), so both count the same part of
        their period."""
        if self.partial:
            return self.full().previous_year().clipped(_shift_year_back(self.end), "same")
        if self.kind == "custom":
            return custom(_shift_year_back(self.start), _shift_year_back(self.end))
        return make(self.kind, self.year - 1, self.index, self.cutoff_day)  # type: ignore[operator]

    def to_params(self) -> dict[str, str]:
        """URL query parameters; inverse of :func:`from_params` (a clipped period's link names the
        whole period: the clip is made again from the data when the link is opened)."""
        params = {"from": self.start.isoformat(), "to": self.nominal_end.isoformat()}
        if self.kind != "custom":
            params["kind"] = self.kind
            params["y"] = str(self.year)
            if self.index is not None:
                params["i"] = str(self.index)
            if self.kind in _OFFICIAL_KINDS and self.cutoff_day != DEFAULT_CUTOFF:
                params["cut"] = str(self.cutoff_day)
        return params


# ---------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------

def make(kind: str, year: int, index: int | None = None, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    """Build a named period (any kind except ``custom``)."""
    _check_kind(kind)
    if kind == "custom":
        raise PeriodError("Kỳ tùy chọn cần ngày bắt đầu và ngày kết thúc, không dựng được từ năm.")
    _check_year(year)
    index = _check_index(kind, index)
    if kind in _OFFICIAL_KINDS:
        _check_cutoff(cutoff_day)
    else:
        cutoff_day = DEFAULT_CUTOFF
    start, end = _bounds(kind, year, index, cutoff_day)
    return Period(kind, year, index, start, end, cutoff_day)


def official_month(year: int, month: int, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    return make("month", year, month, cutoff_day)


def official_quarter(year: int, quarter: int, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    return make("quarter", year, quarter, cutoff_day)


def official_half(year: int, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    return make("half", year, None, cutoff_day)


def official_nine_months(year: int, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    return make("nine_months", year, None, cutoff_day)


def official_year(year: int, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    return make("year", year, None, cutoff_day)


def calendar_month(year: int, month: int) -> Period:
    return make("cal_month", year, month)


def calendar_quarter(year: int, quarter: int) -> Period:
    return make("cal_quarter", year, quarter)


def calendar_year(year: int) -> Period:
    return make("cal_year", year)


def custom(start: date, end: date) -> Period:
    return Period("custom", None, None, start, end)


def period_for(start: date, end: date, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    """The period for a date range: the named period with exactly those dates (official periods
    under ``cutoff_day``, then calendar periods), else a custom range."""
    start = _as_date(start, "Ngày bắt đầu")
    end = _as_date(end, "Ngày kết thúc")
    if start > end:
        return custom(start, end)  # raises PeriodError with the Vietnamese message
    _check_cutoff(cutoff_day)
    for kind in ("year", "half", "nine_months", "quarter", "month", "cal_year", "cal_quarter", "cal_month"):
        indices: list[int | None] = list(range(1, _INDEX_RANGE[kind] + 1)) if kind in _INDEX_RANGE else [None]
        for year in (end.year, end.year + 1):
            for i in indices:
                try:
                    p = make(kind, year, i, cutoff_day)
                except PeriodError:
                    continue
                if p.start == start and p.end == end:
                    return p
    return custom(start, end)


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month (n may be negative)."""
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month_end(d: date) -> date:
    """The last day of d's calendar month."""
    return add_months(d, 1) - timedelta(days=1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every calendar month from first's month to last's month, in order (empty
    when last is in an earlier month)."""
    out = [date(first.year, first.month, 1)]
    while out[-1] <= last:
        out.append(add_months(out[-1], 1))
    return out[:-1]


# ---------------------------------------------------------------------------
# URL parameters
# ---------------------------------------------------------------------------

def _param(params: Mapping[str, Any], key: str) -> str | None:
    """A stripped parameter value; lists (multi-valued params) give their last
    element; empty values count as missing."""
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _param_int(raw: str | None) -> int | None:
    """An integer of at most 9 ASCII digits (a longer one is refused before int(), which would raise
    past Python's digit limit); None if it is not one."""
    if raw is None or not re.fullmatch(r"[+-]?[0-9]{1,9}", raw):
        return None
    return int(raw)


def _param_date(raw: str, key: str) -> date:
    try:
        return parse_date(raw)
    except PeriodError:
        raise PeriodError(
            f"Tham số \"{key}\" không hợp lệ: \"{raw}\" không phải là ngày hợp lệ "
            f"(cần dạng YYYY-MM-DD hoặc DD/MM/YYYY)."
        ) from None


def _named_from_params(params: Mapping[str, Any], cutoff_day: int) -> Period:
    """Strict construction from kind/y/i/cut when no dates are given."""
    kind = _param(params, "kind")
    if kind not in _NAMED_KINDS:
        raise PeriodError(
            f"Tham số \"kind\" không hợp lệ: \"{kind}\" "
            f"(các giá trị hợp lệ: {', '.join(sorted(_NAMED_KINDS))})."
        )
    y_raw = _param(params, "y")
    year = _param_int(y_raw)
    if year is None or not 1 <= year <= 9999:
        raise PeriodError(f"Tham số \"y\" (năm) thiếu hoặc không hợp lệ: \"{y_raw or ''}\".")
    index = None
    if kind in _INDEX_RANGE:
        i_raw = _param(params, "i")
        index = _param_int(i_raw)
        top = _INDEX_RANGE[kind]
        if index is None or not 1 <= index <= top:
            raise PeriodError(
                f"Tham số \"i\" (tháng/quý) thiếu hoặc không hợp lệ: \"{i_raw or ''}\" "
                f"(phải là số nguyên từ 1 đến {top})."
            )
    cut_raw = _param(params, "cut")
    if cut_raw is not None:
        cut = _param_int(cut_raw)
        if cut is None or not MIN_CUTOFF <= cut <= MAX_CUTOFF:
            raise PeriodError(
                f"Tham số \"cut\" (ngày chốt số liệu) không hợp lệ: \"{cut_raw}\" "
                f"(phải là số nguyên từ {MIN_CUTOFF} đến {MAX_CUTOFF})."
            )
        cutoff_day = cut
    return make(kind, year, index, cutoff_day)


def _match_named(params: Mapping[str, Any], start: date, end: date, cutoff_day: int) -> Period | None:
    """The named period described by kind/y/i/cut if it has exactly the dates
    start..end; None otherwise (bad hints are ignored, never an error)."""
    kind = _param(params, "kind")
    if kind not in _NAMED_KINDS:
        return None
    year = _param_int(_param(params, "y"))
    index = _param_int(_param(params, "i")) if kind in _INDEX_RANGE else None
    cut = _param_int(_param(params, "cut"))
    if cut is not None and MIN_CUTOFF <= cut <= MAX_CUTOFF:
        cutoffs = [cut]
    else:
        # No (valid) "cut": to_params omits it for the default 15, but the
        # caller's province default is also a sensible reading.
        cutoffs = [cutoff_day] if cutoff_day == DEFAULT_CUTOFF else [cutoff_day, DEFAULT_CUTOFF]
    for c in cutoffs:
        try:
            p = make(kind, year, index, c)  # type: ignore[arg-type]
        except PeriodError:
            continue
        if p.start == start and p.end == end:
            return p
    return None


def from_params(params: Mapping[str, str], cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    """Inverse of :meth:`Period.to_params`.

    * ``from`` and ``to`` are authoritative and suffice on their own (custom
      period).  If ``kind``/``y``/``i``/``cut`` describe a named period with
      exactly those dates, that named period is returned instead.
    * Without ``from``/``to``, a named period is built from ``kind``/``y``/``i``
      (and ``cut``, else ``cutoff_day``).
    * Bad dates, only one of ``from``/``to``, or ``from`` after ``to`` raise
      :class:`PeriodError` naming the parameter.
    """
    _check_cutoff(cutoff_day)
    f_raw = _param(params, "from")
    t_raw = _param(params, "to")
    if f_raw is None and t_raw is None:
        if _param(params, "kind") is None:
            raise PeriodError("Thiếu tham số \"from\" và \"to\" (ngày bắt đầu và ngày kết thúc kỳ báo cáo).")
        return _named_from_params(params, cutoff_day)
    if f_raw is None:
        raise PeriodError("Thiếu tham số \"from\" (ngày bắt đầu) trong khi đã có \"to\".")
    if t_raw is None:
        raise PeriodError("Thiếu tham số \"to\" (ngày kết thúc) trong khi đã có \"from\".")
    start = _param_date(f_raw, "from")
    end = _param_date(t_raw, "to")
    if start > end:
        raise PeriodError(
            f"Kỳ báo cáo không hợp lệ: tham số \"from\" ({fmt_date(start)}) "
            f"sau tham số \"to\" ({fmt_date(end)})."
        )
    named = _match_named(params, start, end, cutoff_day)
    return named if named is not None else custom(start, end)


# ---------------------------------------------------------------------------
# Enumeration
# ---------------------------------------------------------------------------

def _periods_in_years(kind: str, first_year: int, last_year: int, cutoff_day: int) -> list[Period]:
    out: list[Period] = []
    indices: list[int | None] = (
        list(range(1, _INDEX_RANGE[kind] + 1)) if kind in _INDEX_RANGE else [None]
    )
    for y in range(max(first_year, 1), min(last_year, 9999) + 1):
        for i in indices:
            try:
                out.append(make(kind, y, i, cutoff_day))
            except PeriodError:  # dates outside the supported calendar range
                continue
    return out


def _check_enumerable(kind: str, cutoff_day: int) -> None:
    _check_kind(kind)
    if kind == "custom":
        raise PeriodError("Không liệt kê được các kỳ tùy chọn; hãy chọn một loại kỳ cụ thể.")
    _check_cutoff(cutoff_day)


def periods_of_kind(kind: str, first: date, last: date, cutoff_day: int = DEFAULT_CUTOFF) -> list[Period]:
    """Every period of ``kind`` overlapping [first, last], newest first."""
    _check_enumerable(kind, cutoff_day)
    first = _as_date(first, "Ngày bắt đầu")
    last = _as_date(last, "Ngày kết thúc")
    if first > last:
        raise PeriodError(
            f"Khoảng dữ liệu không hợp lệ: ngày bắt đầu {fmt_date(first)} "
            f"sau ngày kết thúc {fmt_date(last)}."
        )
    # An official period of year Y lies within [Dec Y-1, Dec Y], so a date d
    # can only belong to periods of year d.year or d.year + 1.
    candidates = _periods_in_years(kind, first.year, last.year + 1, cutoff_day)
    hits = [p for p in candidates if p.start <= last and p.end >= first]
    hits.sort(key=lambda p: (p.end, p.start), reverse=True)
    return hits


def latest_complete(kind: str, data_end: date, cutoff_day: int = DEFAULT_CUTOFF) -> Period:
    """The newest period of ``kind`` fully covered by data up to ``data_end``
    (inclusive), i.e. with ``end <= data_end``."""
    _check_enumerable(kind, cutoff_day)
    data_end = _as_date(data_end, "Ngày cuối dữ liệu")
    # Every kind has a period of year data_end.year - 1 ending by 31/12 of that year.
    candidates = [
        p
        for p in _periods_in_years(kind, data_end.year - 1, data_end.year, cutoff_day)
        if p.end <= data_end
    ]
    if not candidates:
        raise PeriodError(
            f"Không có kỳ \"{KINDS[kind]}\" nào kết thúc trước hoặc vào ngày {fmt_date(data_end)}."
        )
    return max(candidates, key=lambda p: (p.end, p.start))


# The index trend's selector (pages/chi_so.py, ?xu=): label, calendar kind for an index defined on
# calendar periods (766), official kind otherwise, number of periods shown.
TREND_KINDS = {"thang": ("Theo tháng", "cal_month", "month", 12),
               "quy": ("Theo quý", "cal_quarter", "quarter", 8),
               "nam": ("Theo năm", "cal_year", "year", 5)}
