"""Exports in official or office formats (no Streamlit): each module builds its table from the
query layer (cchc.kpis) and writes it out, so the page and the file show the same numbers.

    bieu06   Biểu số 06/VPCP/KSTT (TT 01/2020/TT-VPCP): build_table, to_html, to_xlsx
"""
import re
import unicodedata

# The data-source line and the file names of the exports; the same as cchc.charts.SOURCE and
# charts.file_name, here so that an export does not load Plotly for them.
SOURCE = "Nguồn: dữ liệu một cửa, tổng hợp bởi Bảng điều khiển CCHC"


def slug(text: str) -> str:
    """ASCII file-name part from Vietnamese text: 'Xã Quốc Tuấn' -> 'xa-quoc-tuan'."""
    t = text.replace("đ", "d").replace("Đ", "D")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")


def file_name(what: str, unit_name: str, period_short: str, ext: str) -> str:
    """'bieu-06_xa-quoc-tuan_nam-2023.xlsx'"""
    return f"{slug(what)}_{slug(unit_name)}_{slug(period_short)}.{ext}"
