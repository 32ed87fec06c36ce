"""The URL's parameters: one declarative table and one parser (no Streamlit here).

Every parameter a link may carry is declared once in PARAMS: its name, its kind and its bounds:

* ``int``: ASCII digits 0-9 only (no sign, no superscripts or other Unicode digits), at most as
  many digits as the maximum has (checked before int() is ever called), between ``lo`` and ``hi``;
* ``date``: YYYY-MM-DD or DD/MM/YYYY (cchc.periods.parse_date), at most 10 characters;
* ``choice``: one of a fixed list (``choices``), or of a list the page gives when it parses
  (``allowed``: the indicator codes of an index, the years that have data);
* ``text``: free text without control characters, at most ``max_len`` characters (longer text is
  cut when ``cut`` is set, refused otherwise), optionally matching ``pattern``.

parse() reads each value once and never raises: a missing or empty value gives the parameter's
default quietly; an unusable one gives the default and a warning in Vietnamese (plain text, to be
escaped by whoever renders it, see cchc.fmt.md). cchc.ui.state shows the warnings and hands the
typed values to the pages; clamp_range() bounds a date range to the window the app offers.

Parameter table (the link format is stable; other systems deep-link into it):

    shared (cchc.ui.state)  unit  text, GSO code: 2, 3 or 5 ASCII digits, "cu-" before an old unit's
                                  code that a new unit reuses (cchc.units.Unit.key: cu-10633)
                            from, to  date (then clamped to date_window of the data; a period starting
                                  after the data end is refused, one reaching past it is clipped:
                                  cchc.coverage, applied by cchc.ui.state)
                            kind  choice: cchc.periods.KINDS       y  int 1900-2100
                            i  int 1-12 (1-4 for quarters)         cut  int 2-28
                            cmp  choice 0 | 1 (default 1)
    Hồ sơ TTHC              field  text <= 200      proc  text <= 60    q  text, cut to 40
                            pg  int 1-1 000 000 (default 1)         ct  choice: the 766 dossier indicators
    Chỉ số                  idx  choice: the index definitions      xu  choice: thang | quy | nam
                            ind  choice: the index's indicators    pg  int 1-1 000 000
    Hài lòng, phản ánh      xep  choice: cchc.metrics.satisfaction_sources
    Tổng quan               all  choice 0 | 1       by  choice: the catalogue's ranking
    Số liệu, Tự đánh giá    nam  int 1900-2100, and one of the years the page offers
    So sánh đơn vị          ss  text: 2 to 6 unit keys (as ``unit``) separated by commas, <= 60
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Collection, Iterable, Mapping

from . import metrics, periods
from .periods import TREND_KINDS

MAX_RAW = 2000  # characters of a raw value looked at; anything longer is refused unread
SHOWN = 40  # characters of a refused value quoted back in a warning
MAX_SEARCH = 40  # characters of a dossier search text that are used (cchc.views.ho_so.MAX_SEARCH)
MAX_PAGE = 1_000_000  # 50 dossiers a page: 50 million rows, well inside DuckDB's BIGINT offsets
YEAR_MIN, YEAR_MAX = 1900, 2100
_DIGITS = re.compile(r"[0-9]+")  # a character class of ASCII digits: Unicode digits never match
UNIT_KEY = r"(?:[cC][uU]-)?(?:[0-9]{2}|[0-9]{3}|[0-9]{5})"  # cchc.units.Unit.key


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int" | "date" | "choice" | "text"
    label: str  # what it is, in Vietnamese, for the warnings
    default: Any = None
    lo: int | None = None  # int bounds, both inclusive
    hi: int | None = None
    choices: tuple[str, ...] | None = None  # choice: fixed list (None: the page gives it)
    max_len: int = 100  # text and choice: longest accepted value
    cut: bool = False  # text: cut a longer value to max_len (with a warning) instead of refusing it
    pattern: str | None = None  # text: the whole value must match

    def __post_init__(self) -> None:
        if self.kind not in ("int", "date", "choice", "text"):
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        if self.kind == "int" and (self.lo is None or self.hi is None or not 0 <= self.lo <= self.hi):
            raise ValueError(f"int parameter {self.name} needs 0 <= lo <= hi")


PARAMS: dict[str, Param] = {p.name: p for p in (
    # shared by every page (cchc.ui.state): unit, period, comparison
    Param("unit", "text", "mã đơn vị", max_len=8, pattern=UNIT_KEY),
    Param("from", "date", "ngày bắt đầu"),
    Param("to", "date", "ngày kết thúc"),
    Param("kind", "choice", "loại kỳ báo cáo", choices=tuple(periods.KINDS)),
    Param("y", "int", "năm của kỳ báo cáo", lo=YEAR_MIN, hi=YEAR_MAX),
    Param("i", "int", "tháng hoặc quý của kỳ báo cáo", lo=1, hi=12),
    Param("cut", "int", "ngày chốt số liệu", lo=periods.MIN_CUTOFF, hi=periods.MAX_CUTOFF),
    Param("cmp", "choice", "so sánh cùng kỳ", default="1", choices=("0", "1")),
    # Hồ sơ TTHC (cchc.views.ho_so and pages/ho_so.py)
    Param("field", "text", "lĩnh vực", max_len=200),
    Param("proc", "text", "mã thủ tục", max_len=60),
    Param("q", "text", "tìm theo mã hồ sơ", default="", max_len=MAX_SEARCH, cut=True),
    Param("pg", "int", "trang", default=1, lo=1, hi=MAX_PAGE),
    Param("ct", "choice", "chỉ tiêu vẽ theo tháng", max_len=20),
    # Chỉ số
    Param("idx", "choice", "bộ chỉ số", max_len=50),
    Param("xu", "choice", "xu hướng theo", default="thang", choices=tuple(TREND_KINDS)),
    Param("ind", "choice", "chỉ tiêu", max_len=20),
    # Hài lòng, phản ánh
    Param("xep", "choice", "sắp xếp, xếp hạng theo", default=metrics.SURVEY, choices=tuple(metrics.satisfaction_sources())),
    # Tổng quan
    Param("all", "choice", "xếp hạng tất cả xã", default="0", choices=("0", "1")),
    Param("by", "choice", "xếp hạng theo", default="on_time_rate", choices=tuple(metrics.catalogue().ranking)),
    # Số liệu tự báo cáo, Tự đánh giá
    Param("nam", "int", "năm báo cáo", lo=YEAR_MIN, hi=YEAR_MAX),
    # So sánh đơn vị: 2 to 6 unit keys, comma-separated (cchc.views.so_sanh checks they exist, one level)
    Param("ss", "text", "các đơn vị so sánh: từ 2 đến 6 mã, cách nhau bởi dấu phẩy", max_len=60,
          pattern=rf"{UNIT_KEY}(?:,{UNIT_KEY}){{1,5}}"),
)}

SHARED = ("unit", "from", "to", "kind", "y", "i", "cut", "cmp")
DRILL = ("field", "proc", "q", "pg")
# The page parameters each page reads (besides SHARED), by page file.
PAGES: dict[str, tuple[str, ...]] = {
    "pages/tong_quan.py": ("all", "by"),
    "pages/ho_so.py": DRILL + ("ct",),
    "pages/bieu_06.py": (),
    "pages/hai_long.py": ("xep",),
    "pages/tai_chinh.py": (),
    "pages/so_lieu.py": ("nam",),
    "pages/chi_so.py": ("idx", "xu", "ind", "pg"),
    "pages/ket_qua_cong_bo.py": (),
    "pages/tu_danh_gia.py": ("nam",),
    "pages/nhap_du_lieu.py": (),
    "pages/kiem_tra.py": (),
    "pages/doi_chieu.py": (),
    "pages/so_sanh.py": ("ss",),
    "pages/tai_lieu_hop.py": (),
    "pages/nhat_ky.py": (),
    "pages/tai_khoan.py": (),
}


@dataclass
class Parsed:
    """Typed values by name (a parameter missing or refused has its default), the names the link
    gave a usable value for, and the warnings (plain Vietnamese text) about the refused ones."""
    values: dict[str, Any] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def raw_text(value: Any) -> str | None:
    """A raw URL value as text: lists (a repeated parameter) give their last element; None and
    empty (or blank) values count as missing. Longer than MAX_RAW is returned uncut for the
    caller to refuse (never stripped or scanned)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    s = value if isinstance(value, str) else str(value)
    if len(s) > MAX_RAW:
        return s
    s = s.strip()
    return s or None


def shown(s: str) -> str:
    """A refused value as quoted back in a warning: control characters as spaces, cut to SHOWN."""
    s = "".join(" " if unicodedata.category(c) == "Cc" else c for c in s[:SHOWN + 1])
    return s if len(s) <= SHOWN else s[:SHOWN - 1] + "…"


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _refused(p: Param, s: str, why: str) -> str:
    return f"Tham số “{p.name}” ({p.label}) không dùng được: “{shown(s)}” {why}. Đang dùng giá trị mặc định."


def parse_one(p: Param, raw: Any, allowed: Collection | None = None) -> tuple[Any, bool, str | None]:
    """(value, given, warning) for one parameter; never raises. allowed: the values the page offers
    (a choice without a fixed list, or an int that must also be one of them)."""
    s = raw_text(raw)
    if s is None:
        return p.default, False, None
    if len(s) > MAX_RAW:
        return p.default, False, _refused(p, s, f"dài quá {_number(MAX_RAW)} ký tự")
    if p.kind == "int":
        # digits only, and no more of them than the maximum has: int() never sees a long string
        if not _DIGITS.fullmatch(s):
            return p.default, False, _refused(p, s, "không phải số nguyên viết bằng các chữ số 0–9")
        digits = s.lstrip("0") or "0"
        v = int(digits) if len(digits) <= len(str(p.hi)) else None
        if v is None or not p.lo <= v <= p.hi:
            return p.default, False, _refused(p, s, f"phải từ {_number(p.lo)} đến {_number(p.hi)}")
        if allowed is not None and v not in allowed:
            return p.default, False, _refused(p, s, "không có trong các giá trị trang này có")
        return v, True, None
    if p.kind == "date":
        try:
            if len(s) > 10:
                raise periods.PeriodError(s)
            return periods.parse_date(s), True, None
        except periods.PeriodError:
            return p.default, False, _refused(p, s, "không phải ngày hợp lệ (cần dạng YYYY-MM-DD hoặc DD/MM/YYYY)")
    if p.kind == "choice":
        options = allowed if allowed is not None else p.choices
        if options is None:  # the page gave no list: any short, clean text
            if len(s) > p.max_len or _has_control(s):
                return p.default, False, _refused(p, s, "không có trong danh sách")
            return s, True, None
        if s not in options:
            return p.default, False, _refused(p, s, "không có trong danh sách")
        return s, True, None
    # text
    if _has_control(s):
        return p.default, False, _refused(p, s, "chứa ký tự điều khiển")
    if len(s) > p.max_len:
        if not p.cut:
            return p.default, False, _refused(p, s, f"dài quá {_number(p.max_len)} ký tự")
        kept = s[:p.max_len].strip()
        return kept, bool(kept), (f"Tham số “{p.name}” ({p.label}) dài quá {_number(p.max_len)} ký tự: "
                                  f"chỉ dùng “{shown(kept)}”.")
    if p.pattern and not re.fullmatch(p.pattern, s):
        return p.default, False, _refused(p, s, "không đúng dạng")
    return s, True, None


def _has_control(s: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in s)


def parse(names: Iterable[str], raw: Mapping[str, Any],
          allowed: Mapping[str, Collection | None] | None = None) -> Parsed:
    """Parse the named parameters (declared in PARAMS) from raw URL values (a mapping such as
    st.query_params or a dict of strings); never raises."""
    out = Parsed()
    allowed = allowed or {}
    for name in names:
        value, given, warning = parse_one(PARAMS[name], raw.get(name), allowed.get(name))
        out.values[name] = value
        if given:
            out.given.add(name)
        if warning:
            out.warnings.append(warning)
    return out


# --- the shared period -----------------------------------------------------------------------
def period(values: Parsed, cutoff_day: int = periods.DEFAULT_CUTOFF) -> periods.Period:
    """The period of the parsed shared parameters (cchc.periods.from_params over their canonical
    text: dates authoritative, kind/y/i/cut naming the period); raises periods.PeriodError with a
    Vietnamese message when they do not describe one (e.g. only one of from/to, from after to)."""
    canon: dict[str, str] = {}
    for k in ("from", "to"):
        if values.get(k) is not None:
            canon[k] = values[k].isoformat()
    for k in ("kind", "y", "i", "cut"):
        if values.get(k) is not None:
            canon[k] = str(values[k])
    return periods.from_params(canon, cutoff_day=cutoff_day)


def date_window(first: date, last: date) -> tuple[date, date]:
    """The dates the app offers for a data range first..last: the whole years around it plus one
    year each side (the custom-range picker's min and max; a link's dates are clamped to it)."""
    return date(max(1, first.year - 1), 1, 1), date(min(9999, last.year + 1), 12, 31)


def clamp_range(start: date, end: date, lo: date, hi: date) -> tuple[date, date, str | None]:
    """start..end cut to lo..hi, and a Vietnamese note when that changed it (a range wholly outside
    becomes the one day at the nearer edge)."""
    s, e = min(max(start, lo), hi), min(max(end, lo), hi)
    if (s, e) == (start, end):
        return s, e, None
    f = periods.fmt_date
    return s, e, (f"Kỳ báo cáo trong đường dẫn ({f(start)} – {f(end)}) nằm ngoài khoảng ngày có thể chọn "
                  f"({f(lo)} – {f(hi)}): đang hiển thị từ {f(s)} đến {f(e)}.")


__all__ = ["Param", "PARAMS", "SHARED", "DRILL", "PAGES", "Parsed", "parse", "parse_one", "raw_text", "shown",
           "period", "date_window", "clamp_range", "MAX_SEARCH", "MAX_PAGE", "MAX_RAW"]
