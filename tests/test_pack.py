"""The meeting pack (cchc/export/pack.py), chart files (cchc.charts.to_image) and the CLI's
`export pack|report|form|chart`: files read back with python-pptx, pypdf, the PNG header, the SVG text."""
from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
from datetime import date

import docx
import openpyxl
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pypdf import PdfReader

from cchc import charts, coverage, fmt, kpis, metrics
from cchc.export import pack
from cchc.views import tong_quan as ov

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QT = ["--unit", "10621", "--from", "2022-12-10", "--to", "2023-12-09"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def quoc_tuan(db):
    unit = kpis.resolve_unit(db, "10621")
    return unit, kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))


@pytest.fixture(scope="module")
def figures(db, quoc_tuan):
    """The KPIs of the period and of the same period a year earlier, straight from cchc.kpis."""
    unit, period = quoc_tuan
    return metrics.values(kpis.kpis(db, unit, period)), metrics.values(kpis.kpis(db, unit, period.previous_year()))


@pytest.fixture(scope="module")
def pptx_pack(db, quoc_tuan):
    unit, period = quoc_tuan
    seen = []
    p = pack.build_pack(db, unit, period, list(pack.ITEMS), fmt="pptx", progress=lambda f, t: seen.append((f, t)))
    return p, Presentation(io.BytesIO(p.data)), seen


@pytest.fixture(scope="module")
def pdf_pack(db, quoc_tuan):
    unit, period = quoc_tuan
    p = pack.build_pack(db, unit, period, list(pack.ITEMS), fmt="pdf")
    return p, PdfReader(io.BytesIO(p.data))


def _slide_text(slide) -> str:
    out = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            out.append(sh.text_frame.text)
        if sh.has_table:
            out += ["\t".join(c.text for c in row.cells) for row in sh.table.rows]
    return "\n".join(out)


# --- the catalogue and the findings ------------------------------------------------------------------
def test_catalogue_keys_and_default_set():
    assert len(pack.ITEMS) == len(pack.PACK_ITEMS)  # one entry a key
    assert pack.default_keys() == ["tong-quan-chi-tieu", "tong-quan-xu-huong", "tong-quan-xep-hang"]
    assert all(pack.ITEMS[k].group == "Tổng quan" for k in pack.default_keys())
    assert len(pack.CHART_KEYS) >= 12  # enough for the 12-chart benchmark
    assert pack.check_keys(["ho-so-kenh-nop", "tong-quan-xu-huong", "ho-so-kenh-nop"]) == \
        ["tong-quan-xu-huong", "ho-so-kenh-nop"]  # catalogue order, once each
    with pytest.raises(pack.PackError, match="Các mục: .*tong-quan-xu-huong"):
        pack.check_keys(["xu-huong"])
    with pytest.raises(pack.PackError, match="tong-quan-chi-tieu"):  # a KPI set is not a chart
        pack.check_keys(["tong-quan-chi-tieu"], charts_only=True)
    with pytest.raises(pack.PackError):
        pack.check_keys([])
    with pytest.raises(pack.PackError) as e:  # a key from the command line is quoted bounded
        pack.check_keys(["x" * 5000])
    assert "x" * 40 + "…”" in str(e.value) and "x" * 41 not in str(e.value)


def test_finding_wording_from_the_catalogue():
    on_time = metrics.get("on_time_rate")
    assert pack.finding("on_time_rate", {"on_time_rate": 0.9997}, {"on_time_rate": 0.9994}) == \
        f"{on_time.label} 99,97 %, tăng 0,03 điểm % so với cùng kỳ (tốt lên)."
    # a count where lower is better that rose reads as worse; no comparison, no change
    assert pack.finding("overdue", {"overdue": 7}, {"overdue": 5}).endswith("tăng 2 so với cùng kỳ (xấu đi).")
    assert pack.finding("overdue", {"overdue": 7}, None) == f"{metrics.label('overdue')} 7."
    # a volume has no direction: no verdict
    assert pack.finding("received_total", {"received_total": 3262}, {"received_total": 3271}) == \
        f"{metrics.label('received_total')} 3.262, giảm 9 so với cùng kỳ."
    assert pack.finding("on_time_rate", {"on_time_rate": 0.5}, {"on_time_rate": 0.5}).endswith("không đổi so với cùng kỳ.")


# --- PPTX ------------------------------------------------------------------------------------------
def test_pptx_slides_titles_and_title_slide(db, pptx_pack, quoc_tuan):
    p, prs, seen = pptx_pack
    unit, period = quoc_tuan
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    slides = list(prs.slides)
    assert len(slides) == 1 + len(p.slides)
    # a commune has no units under it to rank, and the sample has no feedback for Quốc Tuấn: left out, named
    assert [i.key for i in p.skipped] == ["tong-quan-xep-hang", "hai-long-pakn"]
    assert [s.shapes.title.text for s in slides[1:]] == [pack.ITEMS[k].title for k in pack.ITEMS
                                                          if pack.ITEMS[k] not in p.skipped]
    first = _slide_text(slides[0])
    assert unit.label() in first and period.label in first
    assert f"Dữ liệu đến {fmt.day(coverage.data_end(db))}" in first and f"Lập ngày {fmt.day(date.today())}" in first
    # the progress callback went forward to the end
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) > len(p.slides)


def test_pptx_kpi_table_equals_the_kpis(pptx_pack, figures):
    _, prs, _ = pptx_pack
    now, prev = figures
    slide = next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text == "Các chỉ tiêu chính")
    table = next(sh for sh in slide.shapes if sh.has_table).table
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == list(pack.KPI_HEADERS)
    cards = metrics.catalogue().cards
    assert [r[0] for r in rows[1:]] == [metrics.label(k) for k in cards]
    for key, row in zip(cards, rows[1:]):
        shown = fmt.percent if metrics.get(key).is_rate else fmt.number
        assert row[1] == shown(now[key]) and row[2] == shown(prev[key]), key
    by_key = dict(zip(cards, rows[1:]))
    assert by_key["received_total"][1] == "3.262" and by_key["revenue_rate"][1] == "104,61 %"


def test_pptx_findings_are_the_data(pptx_pack, figures):
    _, prs, _ = pptx_pack
    now, prev = figures
    text = {s.shapes.title.text: _slide_text(s) for s in list(prs.slides)[1:]}
    trend = text["Xu hướng 24 tháng"]
    d = round((now["on_time_rate"] - prev["on_time_rate"]) * 100, 2)
    assert f"{metrics.label('on_time_rate')} {fmt.percent(now['on_time_rate'])}, " \
           f"{'tăng' if d > 0 else 'giảm'} {fmt.number(abs(d), 2)} điểm % so với cùng kỳ" in trend
    assert "99,97 %" in trend  # the README's figure for Quốc Tuấn 2023
    fields = text["Hồ sơ theo lĩnh vực"]
    assert f"{metrics.label('received_total')} 3.262" in fields and "Chứng thực 2.412 hồ sơ" in fields
    assert f"{fmt.percent(now['disbursement_rate'])}" == "98,75 %" and "98,75 %" in text["Tiến độ giải ngân vốn đầu tư công"]


def test_pptx_pictures_are_1920_by_1080(pptx_pack):
    p, prs, _ = pptx_pack
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == sum(1 for s in p.slides if s.figure is not None)
    for pic in pictures:
        assert _png_size(pic.image.blob) == charts.SLIDE


def test_district_pack_ranks_its_communes(db):
    unit = kpis.resolve_unit(db, "291")
    period = kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))
    p = pack.build_pack(db, unit, period, fmt="pptx")  # the default: the overview set
    assert p.titles == [pack.ITEMS[k].title for k in pack.default_keys()] and not p.skipped
    ranked = ov.ranking(db, unit, period, by="on_time_rate")
    worst = ranked.row(0, named=True)
    assert p.slides[2].finding.startswith(f"{metrics.label('on_time_rate')} thấp nhất: {worst['name']} "
                                          f"{fmt.percent(worst['on_time_rate'])}")


# --- PDF -------------------------------------------------------------------------------------------
def test_pdf_pages_and_text(pdf_pack, quoc_tuan, figures):
    p, reader = pdf_pack
    unit, period = quoc_tuan
    now, _ = figures
    assert len(reader.pages) == 1 + len(p.slides)
    first = reader.pages[0].extract_text()
    assert unit.name in first and period.label in first and "Dữ liệu đến" in first
    kpi_page = reader.pages[1 + p.titles.index("Các chỉ tiêu chính")].extract_text()
    assert "3.262" in kpi_page and fmt.percent(now["on_time_rate"]) in kpi_page
    trend_page = reader.pages[1 + p.titles.index("Xu hướng 24 tháng")].extract_text()
    assert "99,97 %" in trend_page and "so với cùng kỳ" in trend_page
    assert {(float(pg.mediabox.width), float(pg.mediabox.height)) for pg in reader.pages} == {pack.PDF_PAGE}


def test_pack_refuses_a_format_and_an_empty_choice(db, quoc_tuan):
    unit, period = quoc_tuan
    with pytest.raises(pack.PackError, match="pptx hoặc pdf"):
        pack.build_pack(db, unit, period, fmt="docx")
    with pytest.raises(pack.PackError, match="Không có biểu đồ nào"):
        pack.build_pack(db, unit, period, ["tong-quan-xep-hang"])  # a commune: nothing to rank


# --- chart files -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trend_figure(db, quoc_tuan):
    return pack.chart_figure(db, *quoc_tuan, "tong-quan-xu-huong")


def test_png_is_1920_by_1080(trend_figure):
    assert charts.SLIDE == (1920, 1080)
    assert _png_size(charts.to_image(trend_figure)) == (1920, 1080)


def test_svg_has_the_vietnamese_text_and_projector_sizes(trend_figure):
    svg = charts.to_image(trend_figure, "svg").decode("utf-8")
    assert "Tỷ lệ giải quyết trước hạn, đúng hạn" in svg and "Xã Quốc Tuấn" in svg and "Nguồn:" in svg
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    assert sizes and min(sizes) >= charts.MIN_FONT
    assert min(sizes) * charts.SLIDE[0] / width >= 18  # at least 18 px in the 1920-pixel-wide picture


def test_pdf_chart(trend_figure):
    data = charts.to_image(trend_figure, "pdf")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and "Xã Quốc Tuấn" in reader.pages[0].extract_text()


def test_readable_raises_small_fonts_on_a_copy(trend_figure):
    fig = go.Figure(trend_figure).add_annotation(text="nhỏ", font=dict(size=7), showarrow=False)
    fig.update_layout(title_text="a<br><span style='font-size:8px'>b</span>")
    out = charts.readable(fig)
    assert out.layout.annotations[-1].font.size == charts.MIN_FONT and fig.layout.annotations[-1].font.size == 7
    assert f"font-size:{charts.MIN_FONT}px" in out.layout.title.text and "font-size:8px" in fig.layout.title.text


def test_export_size_keeps_the_layout_and_reads_on_a_projector(db, quoc_tuan, trend_figure):
    # a chart no taller than EXPORT_HEIGHT: its own height (to a multiple of 9), 16:9, scaled to 1920 × 1080
    short = pack.chart_figure(db, *quoc_tuan, "ho-so-kenh-nop")
    w, h, scale = charts.export_size(short)
    assert short.layout.height <= h < short.layout.height + 9 and (w * 9, round(w * scale), round(h * scale)) == \
        (h * 16, 1920, 1080)
    assert charts.MIN_FONT * scale >= 18
    # a little taller: lowered to EXPORT_HEIGHT, taken from its plot, not its header
    assert trend_figure.layout.height > charts.EXPORT_HEIGHT
    f, w, h, scale = charts.for_export(trend_figure)
    assert h == charts.EXPORT_HEIGHT and f.layout.margin.t == trend_figure.layout.margin.t
    assert h - f.layout.margin.t - f.layout.margin.b >= charts.MIN_PLOT
    # the legend stays at the px the header gave it
    top = trend_figure.layout.meta["cchc_legend_top"]
    assert abs((1 - f.layout.legend.y) * h - top) < 1e-6
    assert abs((1 - trend_figure.layout.legend.y) * trend_figure.layout.height - top) < 1e-6


def test_every_chart_offers_png_svg_and_pdf(app):
    at = app(page="pages/tong_quan.py", unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    n = len(at.get("plotly_chart"))
    labels = [b.proto.label for b in at.get("download_button")]
    assert n >= 1 and [labels.count(x) for x in ("Tải ảnh PNG", "Tải SVG", "Tải PDF")] == [n, n, n]


# --- the CLI ---------------------------------------------------------------------------------------
def _cli(*args, data_dir):
    env = dict(os.environ, CCHC_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "cchc", "export", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_cli_pack_pptx_and_pdf(sample_dir, tmp_path):
    out = tmp_path / "hop.pptx"
    r = _cli("pack", *QT, "--out", str(out), data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    prs = Presentation(str(out))
    assert [s.shapes.title.text for s in list(prs.slides)[1:]] == ["Các chỉ tiêu chính", "Xu hướng 24 tháng"]
    assert "Xếp hạng các đơn vị trực thuộc" in r.stderr  # left out for a commune, and said
    out = tmp_path / "hop.pdf"
    r = _cli("pack", *QT, "--items", "ho-so-kenh-nop,tong-quan-xu-huong", "--out", str(out), data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    assert len(PdfReader(str(out)).pages) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hop.pdf", "hop.pptx"]  # no temporary file left


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_cli_chart(sample_dir, tmp_path, kind):
    out = tmp_path / f"bieu-do.{kind}"
    r = _cli("chart", *QT, "--chart", "hai-long-xu-huong", "--out", str(out), data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    if kind == "png":
        assert _png_size(data) == (1920, 1080)
    elif kind == "svg":
        assert "hài lòng" in data.decode("utf-8")
    else:
        assert data.startswith(b"%PDF")


def test_cli_report_and_form_take_format(sample_dir, tmp_path):
    r = _cli("report", *QT, "--out", str(tmp_path / "bc.docx"), "--format", "docx", data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    assert "3.262" in "\n".join(p.text for p in docx.Document(str(tmp_path / "bc.docx")).paragraphs)
    r = _cli("form", *QT, "--out", str(tmp_path / "b06.xlsx"), data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    assert openpyxl.load_workbook(str(tmp_path / "b06.xlsx")).active.max_row > 5


@pytest.mark.parametrize("what,out,extra,message", [
    ("pack", "hop.docx", [], ".pptx, .pdf"),                         # wrong extension
    ("pack", "hop.pdf", ["--format", "pptx"], "đuôi .pptx"),          # --format and --out disagree
    ("pack", "hop.xlsx", ["--format", "xlsx"], "chỉ ghi được pptx, pdf"),
    ("chart", "a.png", ["--chart", "khong-co"], "Các mục: tong-quan-xu-huong"),  # unknown chart, the keys listed
    ("chart", "a.png", ["--chart", "tong-quan-chi-tieu"], "Không có mục"),       # a KPI set is not a chart
    ("chart", "a.pptx", ["--chart", "tong-quan-xu-huong"], ".png, .svg, .pdf"),
    ("report", "bc.pdf", [], ".docx"),
    ("form", "b06.csv", [], ".xlsx"),
    ("pack", "hop.pptx", ["--items", "a,b"], "Không có mục “a”"),
])
def test_cli_refuses_and_writes_nothing(sample_dir, tmp_path, what, out, extra, message):
    r = _cli(what, *QT, "--out", str(tmp_path / out), *extra, data_dir=sample_dir)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi:") and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and list(tmp_path.iterdir()) == []


def test_cli_help_lists_the_chart_keys(sample_dir):
    r = _cli("chart", "--help", data_dir=sample_dir)
    assert r.returncode == 0 and all(k in r.stdout.replace("\n", "").replace(" ", "") for k in pack.CHART_KEYS)
