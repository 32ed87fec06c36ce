"""The report draft: the results sections of the periodic CCHC report (báo cáo công tác cải cách
hành chính), as a DOCX with its sentences filled from the data for one unit and period, and Biểu 06
as an appendix table. The seed (the 2023 report of xã Quốc Tuấn) is the model of its sections.

    doc = build(db, unit, period)     # Draft: title, sections of paragraphs, the Biểu 06 table
    data = to_docx(doc)               # bytes of the .docx; file_name(unit, period)

Decisions:

* **One computation per figure.** Every figure of the text comes from one call of
  ``cchc.kpis.kpis`` (through ``metrics.values``) and is written by ``cchc.fmt`` (3.262; 99,04 %;
  12.951 triệu đồng), so the same figure is spelt the same way everywhere (the seed writes 3.262
  and 3.241 for what reads as the same total, and 3210/3241, 99.04% and 99,57%). The appendix is
  ``bieu06.build_table`` (not recomputed); its "Tổng số" line must equal the text's figures, which
  ``build`` checks.
* **Labels from the metric catalogue** (cchc/metrics.toml): each rate sentence names the KPI by its
  catalogue label and gives its numerator and denominator (``Metric.parts``).
* **A partly covered period says so**: the period line carries the coverage note ("dữ liệu đến …")
  and a sentence "Số liệu đến … ".
* **Only the results sections.** The directing, communication, legal and organisation parts of the
  report are written by hand; the draft leaves them out and says so in its note.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from .. import fmt, kpis, metrics, periods
from ..kpis import Unit
from . import SOURCE, bieu06
from . import file_name as _file_name

TITLE = "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"
DRAFT = "DỰ THẢO (phần kết quả, lập tự động từ dữ liệu)"
APPENDIX = "PHỤ LỤC: TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC (Biểu số 06/VPCP/KSTT)"
FONT = "Times New Roman"
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportError(ValueError):
    pass


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Draft:
    unit: Unit
    period: periods.Period
    title: str
    subtitle: list[str]
    sections: list[Section]
    table: pl.DataFrame          # bieu06.build_table
    notes: list[str]

    def text(self) -> str:
        """Every sentence of the draft, one a line (the appendix excluded)."""
        lines = [self.title, *self.subtitle]
        for s in self.sections:
            lines += [s.heading, *s.paragraphs]
        return "\n".join(lines + self.notes)


# --- sentences ---------------------------------------------------------------------------------
def _lc(text: str) -> str:
    """A catalogue label inside a sentence: first letter in lower case ("Tỷ lệ …" → "tỷ lệ …")."""
    return text[:1].lower() + text[1:]


class _Figures:
    """The figures of one kpis.kpis() call, written one way (cchc.fmt)."""

    def __init__(self, k: dict):
        self.k = k
        self.v = metrics.values(k)

    def n(self, key: str) -> str:
        return fmt.number(self.v[key])

    def pct(self, key: str) -> str:
        return fmt.percent(self.v[key])

    def rate(self, key: str, unit_word: str = "hồ sơ") -> str:
        """"tỷ lệ số hóa thành phần hồ sơ đạt 99,04 % (3.210/3.241 hồ sơ)"; "–" without a denominator."""
        m = metrics.get(key)
        num, den = m.parts(self.v)
        if not den:
            return f"{_lc(m.label)}: chưa có số liệu (không có {unit_word} để tính)"
        return f"{_lc(m.label)} đạt {self.pct(key)} ({fmt.number(num)}/{fmt.number(den)} {unit_word})"


def _receipt(f: _Figures, p: periods.Period, table: pl.DataFrame) -> Section:
    s = Section("1. Kết quả tiếp nhận, giải quyết thủ tục hành chính")
    s.paragraphs.append(
        f"Từ ngày {fmt.day(p.start)} đến ngày {fmt.day(p.end)}, tổng số hồ sơ nhận giải quyết là "
        f"{f.n('received_total')} hồ sơ, trong đó: {_lc(metrics.label('received_new'))} {f.n('received_new')} hồ sơ "
        f"({_lc(metrics.label('received_online'))} {f.n('received_online')}; "
        f"{_lc(metrics.label('received_offline'))} {f.n('received_offline')}); "
        f"{_lc(metrics.label('carried_over'))} {f.n('carried_over')} hồ sơ.")
    s.paragraphs.append(
        f"Số hồ sơ đã giải quyết: {f.n('resolved_total')} hồ sơ, trong đó giải quyết trước hạn "
        f"{f.n('resolved_early')}, đúng hạn {f.n('resolved_on_time')}, quá hạn {f.n('resolved_late')}; "
        f"{f.rate('on_time_rate')}.")
    s.paragraphs.append(
        f"Số hồ sơ đang giải quyết: {f.n('pending_total')} hồ sơ, trong đó trong hạn {f.n('pending_within')}, "
        f"quá hạn {f.n('pending_overdue')}.")
    fields = table.filter(pl.col("kind") == "field")
    if fields.height:
        parts = [f"{r['Lĩnh vực']} {fmt.number(r['3'])} hồ sơ (đã giải quyết {fmt.number(r['7'])}, "
                 f"đang giải quyết {fmt.number(r['11'])})" for r in fields.iter_rows(named=True)]
        s.paragraphs.append("Theo lĩnh vực: " + "; ".join(parts) + ". Chi tiết tại Phụ lục (Biểu số 06).")
    pf = f.k.get("procedures_in_force") or {}
    if pf.get("total"):
        s.paragraphs.append(
            f"Số thủ tục hành chính cấp xã đang thực hiện ngày {fmt.day(p.end)}: {fmt.number(pf['total'])} thủ tục "
            f"(thuộc thẩm quyền UBND cấp xã {fmt.number(pf.get('ubnd', 0))}, công an {fmt.number(pf.get('cong_an', 0))}, "
            f"quân sự {fmt.number(pf.get('quan_su', 0))}).")
    return s


def _digitisation(f: _Figures) -> Section:
    s = Section("2. Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính")
    s.paragraphs.append(f"Số hóa hồ sơ khi tiếp nhận: {f.rate('digitised_input_rate')}.")
    s.paragraphs.append(f"Số hóa kết quả giải quyết: {f.rate('digitised_result_rate')}.")
    s.paragraphs.append(f"Khai thác, sử dụng lại dữ liệu đã số hóa: {f.rate('reused_data_rate')}.")
    return s


def _online(f: _Figures) -> Section:
    s = Section("3. Cung cấp dịch vụ công trực tuyến")
    s.paragraphs.append(f"Hồ sơ đã giải quyết thuộc thủ tục có dịch vụ công trực tuyến: {f.rate('online_capable_rate')}.")
    s.paragraphs.append(f"Tiếp nhận hồ sơ trực tuyến: {f.rate('online_rate')}.")
    s.paragraphs.append(f"Thanh toán phí, lệ phí trực tuyến: {f.rate('paid_online_rate')}.")
    return s


def _satisfaction(f: _Figures) -> Section:
    s = Section("4. Đánh giá sự hài lòng, tiếp nhận phản ánh, kiến nghị")
    if f.v.get("ratings_total"):
        s.paragraphs.append(
            f"Đã nhận được {f.n('ratings_total')} phiếu đánh giá; trong đó có {f.n('ratings_satisfied')} phiếu "
            f"hài lòng, rất hài lòng; {f.rate('satisfaction_rate', 'phiếu')}.")
    else:
        s.paragraphs.append("Trong kỳ chưa có phiếu đánh giá việc giải quyết thủ tục hành chính.")
    if f.v.get("feedback_total"):
        s.paragraphs.append(
            f"Tiếp nhận {f.n('feedback_total')} phản ánh, kiến nghị về giải quyết thủ tục hành chính; "
            f"{f.rate('feedback_on_time_rate', 'phản ánh, kiến nghị')}.")
    else:
        s.paragraphs.append("Trong kỳ không nhận được phản ánh, kiến nghị nào về giải quyết thủ tục hành chính.")
    return s


FINANCE = (("revenue_rate", "Thu ngân sách", "dự toán"), ("expenditure_rate", "Chi ngân sách", "dự toán"),
           ("disbursement_rate", "Giải ngân vốn đầu tư công", "kế hoạch"))


def _finance(f: _Figures) -> Section:
    s = Section("5. Tài chính công")
    months = f.k.get("finance_months")
    if months:
        first, last = (date.fromisoformat(str(m)) for m in months)
        s.paragraphs.append(f"Số liệu ngân sách các tháng {first.month}/{first.year} – {last.month}/{last.year}.")
    for key, what, plan_word in FINANCE:
        m = metrics.get(key)
        base = key.removesuffix("_rate")
        actual, plan = f.v[f"{base}_actual"], f.v[f"{base}_plan"]
        if actual is None:
            s.paragraphs.append(f"{what}: chưa có số liệu.")
        elif not plan:
            s.paragraphs.append(f"{what}: {fmt.million(actual)}; chưa có số liệu {plan_word}.")
        else:
            s.paragraphs.append(f"{what}: {fmt.million(actual)}, {plan_word} {fmt.million(plan)}; "
                                f"{_lc(m.label)} đạt {f.pct(key)}.")
    return s


def build(db, unit: Unit, period: periods.Period) -> Draft:
    """The draft for a unit and period (the period as the caller clipped it: cchc.coverage.clip)."""
    k = kpis.kpis(db, unit, period)
    table = bieu06.build_table(db, unit, period)
    tot = bieu06.totals(table)
    for n, key in bieu06.KEYS.items():
        if tot[n] != k[key]:  # one query behind both; a difference would be a bug, never printed
            raise ReportError(f"Biểu 06 cột ({n}) = {tot[n]} khác số liệu của báo cáo ({k[key]}).")
    f = _Figures(k)
    subtitle = [unit.label(), f"Kỳ báo cáo: {period.label}"]
    if period.partial:
        subtitle.append(f"Số liệu đến {fmt.day(period.end)} ({period.coverage_note}): kỳ báo cáo chưa có đủ số liệu.")
    sections = [_receipt(f, period, table), _digitisation(f), _online(f), _satisfaction(f), _finance(f)]
    notes = ["Dự thảo gồm phần kết quả thực hiện; các phần chỉ đạo, điều hành, tuyên truyền, tổ chức bộ máy "
             "do đơn vị bổ sung.", SOURCE + "."]
    return Draft(unit, period, f"{TITLE} {period.short_label.upper()}", subtitle, sections, table, notes)


# --- the DOCX ------------------------------------------------------------------------------------
def _font(run, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _para(doc, text: str, size: float = 13, bold: bool = False, center: bool = False, italic: bool = False):
    p = doc.add_paragraph()
    r = p.add_run(text)
    _font(r, size, bold)
    r.italic = italic
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.space_after = Pt(4)
    return p


def _cell(cell, text: str, bold: bool = False, right: bool = False, size: float = 10) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    _font(p.add_run(text), size, bold)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else (WD_ALIGN_PARAGRAPH.LEFT if not bold else WD_ALIGN_PARAGRAPH.CENTER)


def _appendix(doc, d: Draft) -> None:
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    sec.left_margin = sec.right_margin = Cm(1.5)
    _para(doc, APPENDIX, 13, bold=True, center=True)
    _para(doc, f"{d.unit.label()} — {d.period.label}", 12, center=True, italic=True)
    _para(doc, bieu06.FORM_UNIT, 11, center=True, italic=True)
    cols = bieu06.COLUMNS
    t = doc.add_table(rows=2, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    usable = sec.page_width - sec.left_margin - sec.right_margin
    widths = [Cm(1), Cm(5)] + [int((usable - Cm(6)) / (len(cols) - 2))] * (len(cols) - 2)
    for i, c in enumerate(cols):
        t.columns[i].width = widths[i]
        _cell(t.rows[0].cells[i], c.label, bold=True, size=9)
        _cell(t.rows[1].cells[i], f"({c.no})", bold=True, size=9)
    for r in d.table.iter_rows(named=True):
        bold = r["kind"] != "field"
        cells = t.add_row().cells
        _cell(cells[0], r["STT"], bold)
        _cell(cells[1], r["Lĩnh vực"], bold)
        for i, n in enumerate(bieu06.NUMBER_COLUMNS, start=2):
            _cell(cells[i], fmt.number(r[n]), bold, right=True)
    for row in t.rows:  # Word reads the cells' widths, LibreOffice the columns'
        for cell, w in zip(row.cells, widths):
            cell.width = w
    for note in bieu06.notes(d.unit):
        _para(doc, note, 10, italic=True)


def to_docx(d: Draft) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    sec = doc.sections[0]  # A4 portrait, the margins of an administrative document (NĐ 30/2020)
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(2), Cm(2), Cm(3), Cm(1.5)
    doc.core_properties.title = d.title
    doc.core_properties.language = "vi-VN"
    _para(doc, DRAFT, 11, italic=True, center=True)
    _para(doc, d.title, 14, bold=True, center=True)
    for line in d.subtitle:
        _para(doc, line, 13, center=True, italic=True)
    _para(doc, "KẾT QUẢ THỰC HIỆN", 13, bold=True)
    for s in d.sections:
        _para(doc, s.heading, 13, bold=True)
        for text in s.paragraphs:
            _para(doc, text)
    for note in d.notes:
        _para(doc, note, 11, italic=True)
    _appendix(doc, d)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def file_name(unit: Unit, period: periods.Period) -> str:
    """bao-cao-cchc_xa-quoc-tuan_nam-2023.docx"""
    return _file_name("Báo cáo CCHC", unit.name, period.file_label, "docx")


def report_docx(db, unit: Unit, period: periods.Period) -> bytes:
    """build + to_docx: what the page's download button and the CLI write."""
    return to_docx(build(db, unit, period))
