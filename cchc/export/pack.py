"""The meeting pack (tài liệu họp): charts and KPI sets of one unit and period as a 16:9 PPTX, or
the same pack as one PDF. No Streamlit here: the page pages/tai_lieu_hop.py and the CLI
(python -m cchc export pack|chart) call this module.

    items = default_keys()                                      # the overview set
    pack = build_pack(db, unit, period, items, fmt="pptx", progress=cb)
    pack.data, pack.slides, pack.skipped                        # bytes, slide titles, items left out

Decisions:

* **One catalogue** (``PACK_ITEMS``): each item is a chart or a KPI set, with its Vietnamese title,
  the page it comes from, a function building the Plotly figure by calling the same view-module
  function the page calls (cchc.views.*), and a function writing its one-line finding from the
  data. A chart with nothing to draw for the unit and period (a commune has no units to rank, no
  budget figures) is left out of the pack and named in ``Pack.skipped``.
* **Findings in the catalogue's wording**: a KPI's label, its value through cchc.fmt and its change
  against the same period a year earlier (the overview's comparison, ``views.tong_quan.overview``),
  with the catalogue's direction saying whether the change is for the better.
* **Charts as images rendered by kaleido** (cchc.charts.to_image: 1920 × 1080 PNG with a minimum font
  size for a projector; PDF pages drawn by the same renderer). The PDF's title and KPI-table pages are
  Plotly figures too, so no LibreOffice is needed; pages are merged with pypdf.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable

from .. import coverage, fmt, metrics, periods
from . import file_name as _file_name

if TYPE_CHECKING:  # the catalogue is read by the CLI's help: Plotly and the renderer load when a pack is built
    import plotly.graph_objects as go

    from ..db import Database
    from ..kpis import Unit

FORMATS = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "pdf": "application/pdf"}
PACK_TITLE = "TÀI LIỆU HỌP: KẾT QUẢ CẢI CÁCH HÀNH CHÍNH"
KPI_HEADERS = ("Chỉ tiêu", "Kỳ này", "Cùng kỳ năm trước", "Thay đổi")
PDF_PAGE = (960, 540)  # points: 13,33 × 7,5 in, the PPTX's 16:9 slide

Progress = Callable[[float, str], None]


class PackError(ValueError):
    pass


# --- the data of one pack ------------------------------------------------------------------------
@dataclass
class Context:
    """The unit and period of a pack, and the query results its items share (each computed once)."""
    db: Database
    unit: Unit
    period: periods.Period
    _memo: dict = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], object]):
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def subtitle(self) -> str:
        """What every chart title ends with (the pages' Selection.title_suffix)."""
        return f"{self.unit.full_name} — {self.period.label}"

    @property
    def overview(self):
        from ..views import tong_quan as ov
        return self.once("overview", lambda: ov.overview(self.db, self.unit, self.period, compare=True))

    @property
    def now(self) -> dict:
        return self.overview.now

    @property
    def prev(self) -> dict | None:
        return self.overview.prev


def value_text(key: str, v) -> str:
    m = metrics.get(key)
    return fmt.percent(v) if m.is_rate else fmt.number(v)


def change_text(key: str, now, before) -> str | None:
    """'tăng 0,03 điểm %', 'giảm 12', 'không đổi' (None without a comparison)."""
    if now is None or before is None:
        return None
    m = metrics.get(key)
    if m.is_rate:
        d = round((now - before) * 100, 2)
        amount = f"{fmt.number(abs(d), 2)} điểm %"
    else:
        d = now - before
        amount = fmt.number(abs(d))
    return "không đổi" if d == 0 else f"{'tăng' if d > 0 else 'giảm'} {amount}"


def finding(key: str, now: dict, prev: dict | None) -> str:
    """'Tỷ lệ giải quyết trước hạn, đúng hạn 99,97 %, tăng 0,03 điểm % so với cùng kỳ (tốt lên).':
    the catalogue's label, the value, the change against a year earlier and, from the catalogue's
    direction, whether it is for the better."""
    m = metrics.get(key)
    v = now.get(key)
    s = f"{m.label} {value_text(key, v)}"
    change = change_text(key, v, None if prev is None else prev.get(key))
    if change is not None:
        s += f", {change} so với cùng kỳ"
        d = v - prev[key]
        if change != "không đổi" and m.higher_is_better is not None:
            s += " (tốt lên)" if (d > 0) == m.higher_is_better else " (xấu đi)"
    return s + "."


def kpi_rows(keys: list[str], now: dict, prev: dict | None) -> list[tuple[str, str, str, str]]:
    """(label, value, same period last year, change) of each KPI, as shown on the KPI table slide."""
    rows = []
    for k in keys:
        before = None if prev is None else prev.get(k)
        rows.append((metrics.label(k), value_text(k, now.get(k)), value_text(k, before) if prev else fmt.DASH,
                     change_text(k, now.get(k), before) or fmt.DASH))
    return rows


# --- the catalogue of pack items -----------------------------------------------------------------
@dataclass(frozen=True)
class PackItem:
    key: str
    title: str
    group: str  # the page it comes from
    figure: Callable[[Context], go.Figure | None] | None  # None: a KPI set (a table slide)
    finding: Callable[[Context], str | None]
    kpis: tuple[str, ...] = ()  # a KPI set's catalogue keys
    default: bool = False  # in the default selection (the overview set)

    @property
    def is_chart(self) -> bool:
        return self.figure is not None

    @property
    def label(self) -> str:
        return f"{self.group}: {self.title}"


def _ov_trend(c: Context):
    from ..views import tong_quan as ov
    df, start, end = ov.trend(c.db, c.unit, c.period)
    if not df.height:
        return None
    return ov.trend_figure(df, c.unit, start, end, ov.load_targets().get("on_time_rate"))


RANK_BY = "on_time_rate"


def _ov_ranked(c: Context):
    from ..views import tong_quan as ov
    if ov.child_level(c.unit) is None:
        return None
    return c.once("ranking", lambda: ov.ranking(c.db, c.unit, c.period, by=RANK_BY))


def _ov_ranking(c: Context):
    from ..views import tong_quan as ov
    ranked = _ov_ranked(c)
    if ranked is None or not ranked.filter(ranked[RANK_BY].is_not_null()).height:
        return None
    return ov.ranking_figure(ranked, RANK_BY, c.unit, c.period, c.now.get(RANK_BY),
                             ov.load_targets().get(RANK_BY), ov.child_level(c.unit))


def _ov_ranking_finding(c: Context) -> str | None:
    ranked = _ov_ranked(c)
    if ranked is None:
        return None
    rated = ranked.filter(ranked[RANK_BY].is_not_null())
    if not rated.height:
        return None
    worst = rated.row(0, named=True)
    return (f"{metrics.label(RANK_BY)} thấp nhất: {worst['name']} {fmt.percent(worst[RANK_BY])}; "
            f"mức chung của {c.unit.name} {fmt.percent(c.now.get(RANK_BY))}.")


def _fields(c: Context):
    from ..views import ho_so as drill
    return c.once("fields", lambda: drill.field_rows(c.now))


def _hs_fields(c: Context):
    from ..views import ho_so as drill
    rows = _fields(c)
    return drill.fields_figure(rows, c.subtitle) if rows else None


def _hs_fields_finding(c: Context) -> str:
    rows = _fields(c)
    s = finding("received_total", c.now, c.prev)
    if rows:
        top = rows[0]
        s = s[:-1] + (f"; nhiều nhất: {top['field']} {fmt.number(top['received_total'])} hồ sơ "
                      f"({fmt.percent(top['share'], 1)}).")
    return s


def _hs_trend(c: Context):
    from ..views import ho_so as drill
    df = drill.trend_rows(c.db, c.unit, c.period, drill.Drill())
    return drill.trend_figure(df, "", c.subtitle) if df.height else None


def _hs_channels(c: Context):
    from ..views import ho_so as drill
    rows = drill.channel_rows(c.db, c.unit, c.period, drill.Drill())
    return drill.channel_figure(rows, "", c.subtitle) if rows else None


def _hs_times(c: Context):
    from ..views import ho_so as drill
    d = drill.Drill()
    hist = drill.processing_rows(c.db, c.unit, c.period, d)
    if not hist.height:
        return None
    return drill.processing_figure(hist, drill.statutory_mark(c.db, c.unit, c.period, d), "", c.subtitle)


def _sat(c: Context) -> dict:
    from ..views import hai_long as sat
    return c.once("sat", lambda: sat.overview(c.db, c.unit, c.period))


def _fb(c: Context) -> dict:
    from ..views import hai_long as sat
    return c.once("fb", lambda: sat.feedback(c.db, c.unit, c.period))


def _hl_trend(c: Context):
    from ..views import hai_long as sat
    rows = sat.trend(c.db, c.unit, c.period)
    return sat.fig_trend(rows, c.subtitle) if any(r["ratings_total"] or r["resolved_total"] for r in rows) else None


def _hl_levels(c: Context):
    from ..views import hai_long as sat
    o = _sat(c)
    return sat.fig_levels(o, c.subtitle) if o["ratings_total"] else None


def _hl_feedback(c: Context):
    from ..views import hai_long as sat
    fb = _fb(c)
    return sat.fig_counts(fb["by_kind"], "PAKN theo phân loại", c.subtitle) if fb["feedback_total"] else None


def _cumulative(c: Context):
    from ..views import tai_chinh as finance
    return c.once("cum", lambda: finance.cumulative(c.db, c.unit, c.period))


def _finance(item: str):
    def build(c: Context):
        from ..views import tai_chinh as finance
        cum = _cumulative(c)
        if item not in set(cum["item"].to_list()):
            return None
        if item == finance.DISBURSEMENT:
            return finance.disbursement_figure(cum, finance.load_milestones(), c.subtitle)
        return finance.cumulative_figure(cum, item, finance.scale_for(c.unit), c.subtitle)
    return build


def _index(c: Context):
    from .. import scoring
    from ..views import chi_so as iv
    ix = scoring.load_index("766")
    if not iv.applies(ix, c.unit):
        return None
    return c.once("766", lambda: (ix, scoring.score(c.db, ix, c.unit, c.period)))


def _cs_groups(c: Context):
    from ..views import chi_so as iv
    got = _index(c)
    return None if got is None else iv.groups_figure(got[1], c.subtitle)


def _cs_finding(c: Context) -> str | None:
    from ..views import chi_so as iv
    got = _index(c)
    if got is None:
        return None
    ix, res = got
    band = f", xếp loại {res.band.name}" if res.band else ""
    return f"{ix.title}: {iv.pts(res.total)}/{iv.mx(ix.max_total)} điểm{band}."


def _say(key: str) -> Callable[[Context], str]:
    return lambda c: finding(key, c.now, c.prev)


def _compared(c: Context) -> str:
    p = c.period.previous_year()
    return (f"So với cùng kỳ năm trước: {p.label}." if c.prev is not None
            else (c.overview.note or "Không có số liệu cùng kỳ năm trước để so sánh."))


PACK_ITEMS: list[PackItem] = [
    PackItem("tong-quan-chi-tieu", "Các chỉ tiêu chính", "Tổng quan", None, _compared,
             kpis=tuple(metrics.catalogue().cards), default=True),
    PackItem("tong-quan-xu-huong", "Xu hướng 24 tháng", "Tổng quan", _ov_trend, _say("on_time_rate"), default=True),
    PackItem("tong-quan-xep-hang", "Xếp hạng các đơn vị trực thuộc", "Tổng quan", _ov_ranking, _ov_ranking_finding,
             default=True),
    PackItem("ho-so-linh-vuc", "Hồ sơ theo lĩnh vực", "Hồ sơ TTHC", _hs_fields, _hs_fields_finding),
    PackItem("ho-so-theo-thang", "Hồ sơ theo tháng", "Hồ sơ TTHC", _hs_trend, _say("resolved_total")),
    PackItem("ho-so-kenh-nop", "Kênh nộp hồ sơ", "Hồ sơ TTHC", _hs_channels, _say("online_rate")),
    PackItem("ho-so-thoi-gian", "Thời gian giải quyết", "Hồ sơ TTHC", _hs_times, _say("overdue")),
    PackItem("hai-long-xu-huong", "Xu hướng hài lòng", "Hài lòng, phản ánh", _hl_trend, _say("satisfaction_rate")),
    PackItem("hai-long-muc-do", "Mức độ hài lòng", "Hài lòng, phản ánh", _hl_levels, _say("ratings_total")),
    PackItem("hai-long-pakn", "Phản ánh, kiến nghị theo phân loại", "Hài lòng, phản ánh", _hl_feedback,
             _say("feedback_total")),
    PackItem("tai-chinh-thu", "Lũy kế thu ngân sách", "Tài chính công", _finance("thu_ngan_sach"),
             _say("revenue_rate")),
    PackItem("tai-chinh-chi", "Lũy kế chi ngân sách", "Tài chính công", _finance("chi_ngan_sach"),
             _say("expenditure_rate")),
    PackItem("tai-chinh-giai-ngan", "Tiến độ giải ngân vốn đầu tư công", "Tài chính công", _finance("giai_ngan_dtc"),
             _say("disbursement_rate")),
    PackItem("chi-so-766-nhom", "Điểm Bộ chỉ số 766 theo nhóm", "Chỉ số", _cs_groups, _cs_finding),
]
ITEMS: dict[str, PackItem] = {i.key: i for i in PACK_ITEMS}
CHART_KEYS: list[str] = [i.key for i in PACK_ITEMS if i.is_chart]


def default_keys() -> list[str]:
    """The default selection: the overview (Tổng quan) set."""
    return [i.key for i in PACK_ITEMS if i.default]


def unknown_key_message(key: str, charts_only: bool = False) -> str:
    keys = CHART_KEYS if charts_only else list(ITEMS)
    shown = key if len(key) <= 40 else key[:40] + "…"  # a key from the command line, quoted bounded
    return f"Không có mục “{shown}” trong tài liệu họp. Các mục: {', '.join(keys)}."


def check_keys(keys: list[str], charts_only: bool = False) -> list[str]:
    """The keys in catalogue order, each once; an unknown key (or a KPI set where a chart is
    wanted) is refused with the list of keys."""
    for k in keys:
        if k not in ITEMS or (charts_only and not ITEMS[k].is_chart):
            raise PackError(unknown_key_message(k, charts_only))
    if not keys:
        raise PackError("Chưa chọn mục nào cho tài liệu họp.")
    return [i.key for i in PACK_ITEMS if i.key in set(keys)]


# --- building ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slide:
    item: PackItem
    title: str
    finding: str | None
    figure: go.Figure | None = None
    rows: list[tuple[str, str, str, str]] | None = None  # a KPI table


@dataclass
class Pack:
    unit: Unit
    period: periods.Period
    data_end: date | None
    made: date
    slides: list[Slide]
    skipped: list[PackItem]
    data: bytes = b""
    fmt: str = "pptx"

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.slides]

    def title_lines(self) -> list[str]:
        """The title slide: the unit, the period, how far the data go, the day it was made."""
        lines = [self.unit.label(), f"Kỳ báo cáo: {self.period.label}"]
        if self.data_end is not None:
            lines.append(f"Dữ liệu đến {fmt.day(self.data_end)}")
        lines.append(f"Lập ngày {fmt.day(self.made)}")
        return lines


def plan(db: Database, unit: Unit, period: periods.Period, keys: list[str],
         progress: Progress | None = None, on_slide: Callable[[Slide], None] | None = None) -> Pack:
    """The pack's slides with their figures and findings, computed from the data; on_slide is told of
    each slide as soon as it is made (build_pack starts drawing it while the next one is computed)."""
    keys = check_keys(keys)
    c = Context(db, unit, period)
    slides, skipped = [], []
    for n, k in enumerate(keys):
        item = ITEMS[k]
        if progress:
            progress(0.5 * n / len(keys), f"Tính số liệu: {item.title}")
        if item.is_chart:
            fig = item.figure(c)
            if fig is None:
                skipped.append(item)
                continue
            slides.append(Slide(item, item.title, item.finding(c), figure=fig))
        else:
            slides.append(Slide(item, item.title, item.finding(c), rows=kpi_rows(list(item.kpis), c.now, c.prev)))
        if on_slide:
            on_slide(slides[-1])
    if not slides:
        raise PackError("Không có biểu đồ nào vẽ được cho đơn vị và kỳ đã chọn.")
    return Pack(unit, period, coverage.data_end(db), date.today(), slides, skipped)


def build_pack(db: Database, unit: Unit, period: periods.Period, items: list[str] | None = None,
               fmt: str = "pptx", progress: Progress | None = None) -> Pack:
    """The pack of the chosen items (default: the overview set) as PPTX or PDF bytes in Pack.data.
    Each page is drawn (one renderer, one page at a time) while the next one's data are computed:
    the queries and Chromium use the two cores side by side (bench/pack_speed.py)."""
    from concurrent.futures import ThreadPoolExecutor

    from .. import charts
    if fmt not in FORMATS:
        raise PackError(f"Định dạng “{fmt}” không dùng được cho tài liệu họp: chỉ pptx hoặc pdf.")
    keys = check_keys(default_keys() if items is None else items)
    kind = "png" if fmt == "pptx" else "pdf"
    subtitle = f"{unit.full_name} — {period.label}"
    charts.warm_up()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-render") as pool:
        drawn = []  # (slide, future of its image or page; None for a PPTX table slide)

        def draw(sl: Slide) -> None:
            page = _page(sl, fmt, subtitle)
            drawn.append((sl, None if page is None else pool.submit(charts.to_image, page, kind)))
        try:
            pack = plan(db, unit, period, keys, progress, on_slide=draw)
        except BaseException:
            for _, fut in drawn:
                if fut is not None:
                    fut.cancel()
            raise
        first = pool.submit(charts.to_image, _title_page(pack), "pdf") if fmt == "pdf" else None
        images: dict[int, bytes] = {}
        todo = [(n, fut) for n, (_, fut) in enumerate(drawn) if fut is not None]
        for done, (n, fut) in enumerate(todo):
            if progress:
                progress(0.5 + 0.45 * done / len(todo), f"Vẽ trang {done + 1}/{len(todo)}: {drawn[n][0].title}")
            images[n] = fut.result()
        if progress:
            progress(0.97, "Ghép tệp")
        pack.fmt = fmt
        pack.data = _pptx(pack, images) if fmt == "pptx" else _pdf(pack, first.result(), images)
    if progress:
        progress(1.0, "Xong.")
    return pack


def _page(sl: Slide, fmt: str, subtitle: str):
    """What is drawn for a slide: its chart (in the PDF with its finding as a note), the KPI table as
    a page of the PDF; None for the PPTX's KPI table (a table of the slide itself)."""
    if sl.figure is not None:
        return sl.figure if fmt == "pptx" else _with_finding(sl.figure, sl.finding)
    return None if fmt == "pptx" else _table_page(sl, subtitle)


def file_name(unit: Unit, period: periods.Period, ext: str) -> str:
    return _file_name("tai-lieu-hop", unit.name, period.file_label, ext)


def chart_figure(db: Database, unit: Unit, period: periods.Period, key: str) -> go.Figure:
    """One chart of the catalogue, as the page draws it (the CLI's export chart)."""
    key = check_keys([key], charts_only=True)[0]
    fig = ITEMS[key].figure(Context(db, unit, period))
    if fig is None:
        raise PackError(f"Biểu đồ “{ITEMS[key].title}” không có số liệu để vẽ cho {unit.full_name}, {period.label}.")
    return fig


# --- PPTX ----------------------------------------------------------------------------------------
def _pptx(pack: Pack, images: dict[int, bytes]) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9, 13,33 × 7,5 in
    W, H = prs.slide_width, prs.slide_height
    title_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[5]

    margin = Emu(int(W * 0.05))
    s = prs.slides.add_slide(title_layout)  # the default template's placeholders are placed for 4:3: re-placed
    title, sub = s.shapes.title, s.placeholders[1]
    title.left, title.top, title.width, title.height = margin, Emu(int(H * 0.18)), W - 2 * margin, Emu(int(H * 0.2))
    sub.left, sub.top, sub.width, sub.height = margin, Emu(int(H * 0.42)), W - 2 * margin, Emu(int(H * 0.4))
    title.text = PACK_TITLE
    title.text_frame.paragraphs[0].font.size = Pt(36)
    body = sub.text_frame
    for n, line in enumerate(pack.title_lines()):
        p = body.paragraphs[0] if n == 0 else body.add_paragraph()
        p.text = line
        p.font.size = Pt(22 if n == 0 else 18)

    margin = Emu(int(W * 0.03))
    top = Emu(int(H * 0.14))
    for n, sl in enumerate(pack.slides):
        s = prs.slides.add_slide(title_only)
        s.shapes.title.text = sl.title
        title = s.shapes.title
        title.left, title.top, title.width, title.height = margin, Emu(int(H * 0.02)), W - 2 * margin, Emu(int(H * 0.11))
        title.text_frame.paragraphs[0].font.size = Pt(30)
        foot = Emu(int(H * 0.11))
        if sl.figure is not None:
            h = H - top - foot
            w = Emu(int(h * 16 / 9))
            s.shapes.add_picture(io.BytesIO(images[n]), Emu((W - w) // 2), top, width=w, height=h)
        else:
            _kpi_table(s, sl.rows, margin, top, W - 2 * margin, H - top - foot)
        if sl.finding:
            box = s.shapes.add_textbox(margin, H - foot, W - 2 * margin, foot - Emu(int(H * 0.01)))
            box.text_frame.word_wrap = True
            box.text_frame.text = sl.finding
            box.text_frame.paragraphs[0].font.size = Pt(20)
            box.name = "Finding"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _kpi_table(slide, rows, left, top, width, height) -> None:
    from pptx.util import Emu, Pt
    shape = slide.shapes.add_table(len(rows) + 1, len(KPI_HEADERS), left, top, width, Emu(height))
    shape.name = "KPI"
    table = shape.table
    widths = (0.46, 0.18, 0.18, 0.18)
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(int(width * w))
    size = Pt(16 if len(rows) <= 10 else 14)
    for r, cells in enumerate([KPI_HEADERS, *rows]):
        for ci, text in enumerate(cells):
            cell = table.cell(r, ci)
            cell.text = text
            para = cell.text_frame.paragraphs[0]
            para.font.size = size
            para.font.bold = r == 0
            if ci:
                from pptx.enum.text import PP_ALIGN
                para.alignment = PP_ALIGN.RIGHT


# --- PDF -----------------------------------------------------------------------------------------
def _text_page(lines: list[tuple[str, int, bool]]) -> go.Figure:
    """A page of centred lines (text, size, bold) drawn by Plotly."""
    import plotly.graph_objects as go

    from .. import charts
    fig = go.Figure()
    y = 0.72
    for text, size, bold in lines:
        fig.add_annotation(text=f"<b>{_esc(text)}</b>" if bold else _esc(text), x=0.5, y=y, xref="paper",
                           yref="paper", showarrow=False, font=dict(size=size, color="#222"))
        y -= 0.04 + size * 0.003
    fig.update_layout(template="plotly_white", font=dict(family=charts.FONT), xaxis=dict(visible=False),
                      yaxis=dict(visible=False), margin=dict(l=40, r=40, t=40, b=40), height=charts.EXPORT_HEIGHT)
    return fig


def _esc(text: str) -> str:
    import html
    return html.escape(text, quote=False)


def _table_page(sl: Slide, subtitle: str) -> go.Figure:
    import plotly.graph_objects as go

    from .. import charts
    cols = list(zip(*sl.rows))
    fig = go.Figure(go.Table(
        columnwidth=[40, 20, 20, 20],
        header=dict(values=[f"<b>{h}</b>" for h in KPI_HEADERS], fill_color="#1f5fa8", font=dict(color="white", size=15),
                    align=["left", "right", "right", "right"], height=30),
        cells=dict(values=[[_esc(x) for x in col] for col in cols], align=["left", "right", "right", "right"],
                   font=dict(size=14, color="#222"), height=26, fill_color=[["#ffffff", "#f2f5f9"] * len(sl.rows)])))
    fig.update_layout(  # the charts' title, subtitle and source note (a table is no chart for charts.style)
        template="plotly_white", font=dict(family=charts.FONT, size=15, color="#222"),
        title=dict(text=f"<b>{_esc(sl.title)}</b><br><span style='font-size:14px;color:#555'>{_esc(subtitle)}</span>",
                   x=0.03, xanchor="left", y=0.96, yanchor="top"),
        margin=dict(l=40, r=40, t=90, b=80), height=charts.EXPORT_HEIGHT)
    fig.add_annotation(text=fmt.SOURCE, xref="paper", yref="paper", x=1, y=0, yshift=-50, xanchor="right",
                       yanchor="top", showarrow=False, font=dict(size=11, color="#777"))
    if sl.finding:
        fig.add_annotation(text=_esc(sl.finding), xref="paper", yref="paper", x=0, y=0, yshift=-16, xanchor="left",
                           yanchor="top", showarrow=False, font=dict(size=14, color="#333"))
    return fig


def _with_finding(fig: go.Figure, text: str | None) -> go.Figure:
    """The chart with its finding as a note of its header (for the PDF, where a page is only the
    chart): charts.note places it with the chart's other notes, so nothing collides."""
    import plotly.graph_objects as go

    from .. import charts
    f = go.Figure(fig)
    return charts.note(f, text, "#1f3f66") if text else f


def _title_page(pack: Pack) -> go.Figure:
    return _text_page([(PACK_TITLE, 28, True)] + [(line, 22 if n == 0 else 18, n == 0)
                                                  for n, line in enumerate(pack.title_lines())])


def _pdf(pack: Pack, title: bytes, pages: dict[int, bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for data in [title] + [pages[n] for n in range(len(pack.slides))]:
        writer.append(io.BytesIO(data))
    for page in writer.pages:  # every chart is 16:9 at its own size: one page size, the slides' 13,33 × 7,5 in
        page.scale_to(*PDF_PAGE)
    writer.add_metadata({"/Title": f"Tài liệu họp — {pack.unit.full_name} — {pack.period.label}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
