"""Tài liệu họp (the meeting pack page), as data: the pack's choices and their labels, the files it
offers and what they hold. The pack itself is cchc/export/pack.py (also behind
`python -m cchc export pack`); the page in pages/tai_lieu_hop.py only lays this out.

No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import fmt, periods
from ..db import Database
from ..export import pack as packs
from ..export.pack import PackError  # noqa: F401 - the page catches it through this module
from ..kpis import Unit

KEYS: list[str] = [i.key for i in packs.PACK_ITEMS]
FORMATS = {"pptx": "PPTX (trình chiếu 16:9)", "pdf": "PDF"}
INTRO = ("Chọn các biểu đồ và bảng chỉ tiêu cho cuộc họp (mặc định: bộ Tổng quan). Tài liệu có trang tiêu đề "
         "(đơn vị, kỳ báo cáo, ngày dữ liệu, ngày lập), mỗi biểu đồ một trang kèm một câu nhận xét tính từ số liệu "
         "(so với cùng kỳ năm trước) và bảng chỉ tiêu. Biểu đồ vẽ cỡ 1920 × 1080, chữ đủ lớn để chiếu.")


def warm_up() -> None:
    """Start the chart renderer while the user chooses (cchc.charts.warm_up)."""
    from .. import charts
    charts.warm_up()


def default_keys() -> list[str]:
    return packs.default_keys()


def label(key: str) -> str:
    """'Tổng quan: Xu hướng 24 tháng' (the page it comes from, then the item), '(bảng)' for a KPI set."""
    item = packs.ITEMS[key]
    return item.label if item.is_chart else f"{item.label} (bảng)"


def chosen(keys: list[str]) -> list[str]:
    """The keys of the catalogue among `keys` (a widget's or a link's), in catalogue order."""
    wanted = set(keys)
    return [k for k in KEYS if k in wanted]


def signature(unit: Unit, period: periods.Period, keys: list[str]) -> tuple:
    """What a built file depends on: a file built for another unit, period or choice is not offered."""
    return unit.key, period.start, period.end, tuple(chosen(keys))


@dataclass(frozen=True)
class Built:
    kind: str  # pptx | pdf
    signature: tuple
    data: bytes
    file_name: str
    mime: str
    summary: str  # what it holds, plain text


def build(db: Database, unit: Unit, period: periods.Period, keys: list[str], kind: str,
          progress: packs.Progress | None = None) -> Built:
    """The pack as a file to download, with a one-line summary (pages, items left out)."""
    p = packs.build_pack(db, unit, period, chosen(keys), fmt=kind, progress=progress)
    pages = len(p.slides) + 1
    summary = (f"{FORMATS[kind]}: {fmt.number(pages)} {'trang chiếu' if kind == 'pptx' else 'trang'} "
               f"(trang tiêu đề, {', '.join(p.titles)}).")
    if p.skipped:
        summary += " Không có số liệu để vẽ, đã bỏ qua: " + ", ".join(i.title for i in p.skipped) + "."
    return Built(kind, signature(unit, period, keys), p.data, packs.file_name(unit, period, kind),
                 packs.FORMATS[kind], summary)
