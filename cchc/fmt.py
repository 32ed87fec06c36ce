"""Vietnamese number, percentage, money and date formats (3.262; 99,97 %; 12.951 triệu đồng; 09/12/2023)."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

DASH = "–"
# The data-source line printed on every chart and export.
SOURCE = "Nguồn: dữ liệu một cửa, tổng hợp bởi Bảng điều khiển CCHC"


def _swap(s: str) -> str:
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(x: float | int | None, decimals: int = 0) -> str:
    """3262 -> '3.262'; 1234.5 with decimals=1 -> '1.234,5'; None/NaN -> '–'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    return _swap(f"{x:,.{decimals}f}")


def percent(rate: float | None, decimals: int = 2) -> str:
    """A fraction as a Vietnamese percentage: 0.99969 -> '99,97 %'. None (0/0) -> '–'."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return DASH
    return f"{number(rate * 100, decimals)} %"


def ratio(num: int | None, den: int | None) -> float | None:
    """num/den, or None when the denominator is 0 (shown as '–', never as 0 or 100 %)."""
    if not den:
        return None
    return (num or 0) / den


def million(vnd: float | int | None, decimals: int = 0) -> str:
    """Money in triệu đồng: 12_951_000_000 -> '12.951 triệu đồng'."""
    if vnd is None:
        return DASH
    return f"{number(vnd / 1e6, decimals)} triệu đồng"


def money(vnd: float | int | None) -> str:
    """Money as Vietnamese write it: tỷ đồng from one billion up (with 2 decimals), else triệu đồng."""
    if vnd is None:
        return DASH
    if abs(vnd) >= 1e9:
        return f"{number(vnd / 1e9, 2)} tỷ đồng"
    return million(vnd)


def day(d: date | datetime | None) -> str:
    if d is None:
        return DASH
    return d.strftime("%d/%m/%Y")


def signed_percent_points(delta: float | None, decimals: int = 2) -> str:
    """Change between two rates in percentage points: +1,25 điểm %."""
    if delta is None:
        return DASH
    shown = round(delta * 100, decimals)
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{number(abs(shown), decimals)} điểm %"


def signed_number(delta: float | int | None, decimals: int = 0) -> str:
    if delta is None:
        return DASH
    shown = round(delta, decimals)
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{number(abs(shown), decimals)}"


# Characters that Streamlit's markdown (CommonMark + GFM, its colour/emoji/icon directives and LaTeX)
# gives a meaning to. A backslash before each makes it literal; a URL's ':' and '.' escaped this way
# are no longer autolinked.
_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:$=&\"'")


def md(text: object) -> str:
    """Text from outside (a URL, an upload, a form, a data cell) made safe to put inside a string
    that Streamlit renders as markdown (st.markdown, st.info/warning/error, captions, help, labels):
    every markdown character is escaped and line breaks become spaces, so it shows as typed and never
    becomes a link, an image, HTML or formatting."""
    s = "" if text is None else str(text)
    s = " ".join(s.split("\n")).replace("\r", " ")
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def slug(text: str) -> str:
    """ASCII file-name part from Vietnamese text: 'Xã Quốc Tuấn' -> 'xa-quoc-tuan'."""
    t = text.replace("đ", "d").replace("Đ", "D")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")


def file_name(what: str, unit_name: str, period_short: str, ext: str) -> str:
    """A download's name: 'bieu-06_xa-quoc-tuan_nam-2023.xlsx' (charts and exports alike)."""
    return f"{slug(what)}_{slug(unit_name)}_{slug(period_short)}.{ext}"
