"""Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP, 21/10/2020): "Tình hình, kết quả giải quyết
TTHC tại cơ quan, đơn vị trực tiếp giải quyết TTHC" for one unit and period, as a table, as the
HTML the page shows, and as an XLSX file in the official layout.

    table = build_table(db, unit, period)       # polars DataFrame, one row per line of the form
    html = to_html(table, unit, period)         # the form on screen (merged header, 3.262)
    data = to_xlsx(table, unit, period)         # bytes of the .xlsx; file_name(unit, period)

The table has the columns ``STT``, ``Lĩnh vực``, ``"3"`` … ``"13"`` (the form's numbered count
columns, Int64; ``COLUMNS`` names them) and ``kind`` (``field`` | ``group`` | ``total``: how the
line is drawn; not a column of the form). Every count comes from ``cchc.kpis.dossier_kpis``
(queries/dossier_kpis.sql); this module only orders, groups and adds up.

Decisions where the form leaves a choice:

* **Row order.** Fields by dossiers received, column (3), descending; ties in Vietnamese
  alphabetical order (``vi_sort_key``). The
  fields that carry the work come first (for the province 27 fields, most of them small), and the
  order is the same in every export of the same figures.
* **Levels.** The form groups its lines by the level that handles the dossiers ("Sở, ban,
  ngành" / "Huyện, thị xã, thành phố" / "Xã, phường, thị trấn"). The data hold the dossiers of the
  communes' one-stop desks only (every procedure in the catalogue is a commune-level one), so:
  a commune's form lists its fields and the "Tổng số" line; a district's or the province's form
  has one group, "I — Xã, phường, thị trấn", whose heading line carries the group's subtotal (as
  Vietnamese forms write a group: the heading line holds its sum), then its fields numbered
  1 … n, then "Tổng số". The district and province groups are not printed with zeros: a zero would
  claim "no dossiers" where the data simply do not cover those levels; a note under the table
  says so. When district- or province-level dossiers are imported, they need a query grouped by
  the procedure's level, and one more group each here.
* **No block per district** in the province's form: the official form has none, it would take
  one query per district, and the comparison of districts and communes is what the ranking pages
  are for.
* **"Tổng số" is the last line** (after the fields), bold; the group heading above its fields.
* Rates under the form are the metric catalogue's `bieu06_rates` (cchc/metrics.toml): tỷ lệ giải
  quyết trước hạn, đúng hạn = ((8)+(9))/(7); tỷ lệ tiếp nhận trực tuyến = (4)/((4)+(5)); "–" when
  the denominator is 0. Column names (``Column.label``) are the catalogue's labels.
"""
from __future__ import annotations

import html
import io
import math
import unicodedata
from dataclasses import dataclass

import polars as pl
import xlsxwriter

from .. import fmt, kpis, metrics, periods
from ..kpis import Unit
from . import SOURCE
from . import file_name as _file_name

FORM_CODE = "Biểu số 06/VPCP/KSTT"
FORM_BASIS = "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"
FORM_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"
FORM_UNIT = "Đơn vị tính: Số hồ sơ TTHC"
TOTAL_LABEL = "Tổng số"
LEVEL_GROUPS = {"province": "Sở, ban, ngành", "district": "Huyện, thị xã, thành phố",
                "commune": "Xã, phường, thị trấn"}
ROMAN = ["I", "II", "III"]


@dataclass(frozen=True)
class Column:
    no: int
    key: str | None  # the count in cchc.kpis (None for STT and Lĩnh vực)
    label: str       # short Vietnamese name, e.g. for a tooltip or a check message


def _column(no: int, key: str) -> Column:
    return Column(no, key, metrics.catalogue().by_bieu06()[f"({no})"].label)


# The form's count columns (3)…(13) and their names: the catalogue's KPIs with a Biểu 06 column.
COLUMNS = (Column(1, None, "STT"), Column(2, None, "Lĩnh vực"),
           *(_column(no, key) for no, key in enumerate(kpis.BIEU06_KEYS, start=3)))
assert all(metrics.catalogue().by_bieu06()[f"({c.no})"].count == (c.key,) for c in COLUMNS if c.key)
NUMBER_COLUMNS = [str(c.no) for c in COLUMNS if c.key]
KEYS = {str(c.no): c.key for c in COLUMNS if c.key}
assert list(KEYS.values()) == kpis.BIEU06_KEYS

# The three header rows of the form: (first row, first col, last row, last col, text), 0-based
# within the header block; columns 0..12 are the form's columns (1)..(13).
HEADER = (
    (0, 0, 2, 0, "STT"),
    (0, 1, 2, 1, "Lĩnh vực, công việc giải quyết theo cấp"),
    (0, 2, 0, 5, "Số hồ sơ nhận giải quyết"),
    (1, 2, 2, 2, "Tổng số"),
    (1, 3, 1, 4, "Trong đó: Số mới tiếp nhận"),
    (2, 3, 2, 3, "Trực tuyến"),
    (2, 4, 2, 4, "Trực tiếp, dịch vụ bưu chính"),
    (1, 5, 2, 5, "Từ kỳ trước"),
    (0, 6, 0, 9, "Số lượng hồ sơ đã giải quyết"),
    (1, 6, 2, 6, "Tổng số"),
    (1, 7, 2, 7, "Trước hạn"),
    (1, 8, 2, 8, "Đúng hạn"),
    (1, 9, 2, 9, "Quá hạn"),
    (0, 10, 0, 12, "Số lượng hồ sơ đang giải quyết"),
    (1, 10, 2, 10, "Tổng số"),
    (1, 11, 2, 11, "Trong hạn"),
    (1, 12, 2, 12, "Quá hạn"),
)
HEADER_ROWS = 3


# --- the table -------------------------------------------------------------------------------
def _line(stt: str, label: str, counts: dict, kind: str) -> dict:
    return {"STT": stt, "Lĩnh vực": label, **{n: int(counts[k]) for n, k in KEYS.items()}, "kind": kind}


def _sum(lines: list[dict]) -> dict:
    return {k: sum(line[n] for line in lines) for n, k in KEYS.items()}


def _frame(lines: list[dict]) -> pl.DataFrame:
    schema = {"STT": pl.String, "Lĩnh vực": pl.String, **{n: pl.Int64 for n in NUMBER_COLUMNS}, "kind": pl.String}
    return pl.DataFrame(lines, schema=schema, orient="row")


def vi_sort_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough for field names: letters without their marks,
    đ after d (plain code-point order would put 'Đất đai' after 'Xử lý đơn thư')."""
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d\x7f"))
    return "".join(ch for ch in base if not unicodedata.combining(ch)), text


def build_table(db, unit: Unit, period: periods.Period) -> pl.DataFrame:
    """The lines of the form for a unit and period (see the module docstring for the layout)."""
    k = kpis.dossier_kpis(db, unit, period)
    fields = sorted(k["by_field"], key=lambda f: (-f["received_total"], vi_sort_key(f["field"])))
    field_lines = [_line(str(i), f["field"], f, "field") for i, f in enumerate(fields, 1)]
    lines: list[dict] = []
    if unit.level == "commune":
        lines += field_lines
    elif field_lines:
        # one group: the commune level (see the module docstring); its heading holds the subtotal
        lines.append(_line(ROMAN[0], LEVEL_GROUPS["commune"], _sum(field_lines), "group"))
        lines += field_lines
    lines.append(_line("", TOTAL_LABEL, {k_: k[k_] for k_ in kpis.BIEU06_KEYS}, "total"))
    return _frame(lines)


def totals(table: pl.DataFrame) -> dict[str, int]:
    """The "Tổng số" line as {"3": …, …, "13": …}."""
    row = table.filter(pl.col("kind") == "total").row(0, named=True)
    return {n: int(row[n]) for n in NUMBER_COLUMNS}


def is_empty(table: pl.DataFrame) -> bool:
    return totals(table)["3"] == 0


def row_counts(row: dict) -> dict[str, int]:
    """A line of the form as the catalogue's counts: its columns by key, and received_new = (4) + (5)."""
    counts = {k: row[n] for n, k in KEYS.items()}
    counts["received_new"] = counts["received_online"] + counts["received_offline"]
    return counts


def row_rates(row: dict) -> dict[str, float | None]:
    """The catalogue's rates under the form (bieu06_rates) of one line, e.g. ((8)+(9))/(7) and (4)/((4)+(5))."""
    counts = row_counts(row)
    return {k: metrics.get(k).value(counts) for k in metrics.catalogue().bieu06_rates}


def rates(table: pl.DataFrame) -> dict[str, float | None]:
    """The derived rates of the "Tổng số" line."""
    return row_rates(totals(table))


def rate_columns() -> list[tuple[str, str]]:
    """The columns of rates_table after "Lĩnh vực", as (column, catalogue KPI key): each rate of
    bieu06_rates after its denominator (a count KPI of the catalogue: resolved_total, received_new)."""
    out: list[tuple[str, str]] = []
    for k in metrics.catalogue().bieu06_rates:
        den = metrics.get(k).denominator[0]
        out += [(den, den)] * ((den, den) not in out) + [(k, k)]
    return out


def rates_table(table: pl.DataFrame) -> pl.DataFrame:
    """The derived rates line by line (fields and total; group headings left out), for the page:
    columns "Lĩnh vực" and rate_columns() (denominator count, rate)."""
    out = []
    cols = rate_columns()
    for r in table.filter(pl.col("kind") != "group").iter_rows(named=True):
        counts = row_counts(r)
        out.append({"Lĩnh vực": r["Lĩnh vực"], **{c: metrics.get(k).value(counts) for c, k in cols}})
    schema = {"Lĩnh vực": pl.String, **{c: pl.Float64 if metrics.get(k).is_rate else pl.Int64 for c, k in cols}}
    return pl.DataFrame(out, schema=schema, orient="row")


# --- the boxes of the form ---------------------------------------------------------------------
def _lower_first(name: str) -> str:
    """'Huyện Nam Sách' -> 'huyện Nam Sách' (the unit type is written in lower case after UBND)."""
    return name[:1].lower() + name[1:] if name else name


def reporting_unit(unit: Unit) -> str:
    """The People's Committee that reports, with where it is: 'UBND xã Quốc Tuấn, huyện Nam Sách'."""
    parts = [unit.name]
    if unit.level == "commune" and unit.parent_name:
        parts.append(unit.parent_name)
    if unit.level in ("commune", "district") and unit.province_name:
        parts.append(unit.province_name)
    return "UBND " + ", ".join(_lower_first(p) for p in parts)


def receiving_unit(unit: Unit) -> str:
    """Who the report goes to: the People's Committee one level up; the Government Office for a province."""
    if unit.level == "province":
        return "Văn phòng Chính phủ"
    parent = unit.parent_name if unit.level == "commune" else (unit.province_name or unit.parent_name)
    return f"UBND {_lower_first(parent)}" if parent else "UBND cấp trên"


def date_line(period: periods.Period) -> str:
    """The form's dates: those the figures are counted over (a clipped period's end is the data end)."""
    return f"(Từ ngày {fmt.day(period.start)} đến ngày {fmt.day(period.end)})"


def partial_line(period: periods.Period) -> str | None:
    """The note in the header area of a clipped period (cchc.coverage.clip), None for a whole one:
    "Kỳ báo cáo Năm 2026 (15/12/2025 – 14/12/2026) chưa trọn: số liệu đến ngày 30/11/2026 (ngày cuối có
    dữ liệu)."."""
    if not period.partial:
        return None
    why = "ngày cuối có dữ liệu" if period.clip_reason == "data" else "ngày cuối đơn vị tồn tại"
    return (f"Kỳ báo cáo {period.short_label} ({fmt.day(period.start)} – {fmt.day(period.nominal_end)}) chưa trọn: "
            f"số liệu đến ngày {fmt.day(period.end)} ({why}).")


def notes(unit: Unit) -> list[str]:
    """Notes printed under the form."""
    out = ["Đúng hạn: kết thúc xử lý vào ngày hẹn trả; trước hạn: trước ngày hẹn trả; thời gian chờ bổ sung "
           "hồ sơ không tính vào thời hạn. Đang giải quyết trong hạn: ngày hẹn trả không sớm hơn ngày cuối kỳ."]
    if unit.level != "commune":
        out.append("Số liệu gồm hồ sơ TTHC tiếp nhận tại Bộ phận Một cửa cấp xã; dữ liệu chưa có hồ sơ do "
                   "cấp huyện, cấp tỉnh trực tiếp giải quyết.")
    out.append(SOURCE + ".")
    return out


def file_name(unit: Unit, period: periods.Period) -> str:
    """bieu-06_xa-quoc-tuan_nam-2023.xlsx"""
    return _file_name("Biểu 06", unit.name, period.file_label, "xlsx")


# --- HTML (the page) -----------------------------------------------------------------------------
_CSS = """
<style>
.bieu06 {font-family: "Times New Roman", "Noto Serif", serif; font-size: 14px; line-height: 1.35;}
.bieu06 .boxes {display: grid; grid-template-columns: 1fr 2fr 1fr; gap: 12px; margin-bottom: 10px;}
.bieu06 .boxes .mid {text-align: center;}
.bieu06 .title {font-weight: 700; font-size: 15px;}
.bieu06 .wrap {overflow-x: auto;}
.bieu06 table {border-collapse: collapse; width: 100%; min-width: 900px; table-layout: fixed;}
.bieu06 th, .bieu06 td {border: 1px solid rgba(128,128,128,.6); padding: 3px 6px;}
.bieu06 th {text-align: center; vertical-align: middle; font-weight: 600; background: rgba(128,128,128,.10);}
.bieu06 tr.no td {text-align: center; font-style: italic; background: rgba(128,128,128,.10);}
.bieu06 td.n {text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}
.bieu06 td.stt {text-align: center;}
.bieu06 tr.group td, .bieu06 tr.total td {font-weight: 700;}
.bieu06 tr.total td {background: rgba(128,128,128,.10);}
</style>
"""


def _header_html() -> str:
    rows = [[] for _ in range(HEADER_ROWS)]
    for r0, c0, r1, c1, text in sorted(HEADER, key=lambda h: (h[0], h[1])):
        span = (f' rowspan="{r1 - r0 + 1}"' if r1 > r0 else "") + (f' colspan="{c1 - c0 + 1}"' if c1 > c0 else "")
        rows[r0].append(f"<th{span}>{html.escape(text)}</th>")
    numbers = "".join(f"<td>({c.no})</td>" for c in COLUMNS)
    return "".join(f"<tr>{''.join(r)}</tr>" for r in rows) + f'<tr class="no">{numbers}</tr>'


def to_html(table: pl.DataFrame, unit: Unit, period: periods.Period) -> str:
    """The form as an HTML fragment: the three boxes, the merged header, the lines, Vietnamese numbers.
    Each count cell carries data-col="<n>" so that it can be read back by column number."""
    body = []
    for r in table.iter_rows(named=True):
        cells = [f'<td class="stt">{html.escape(r["STT"])}</td>', f"<td>{html.escape(r['Lĩnh vực'])}</td>"]
        cells += [f'<td class="n" data-col="{n}">{fmt.number(r[n])}</td>' for n in NUMBER_COLUMNS]
        body.append(f'<tr class="{r["kind"]}">{"".join(cells)}</tr>')
    e = html.escape
    boxes = (f'<div class="boxes"><div><b>{e(FORM_CODE)}</b><br><i>{e(FORM_BASIS)}</i></div>'
             f'<div class="mid"><div class="title">{e(FORM_TITLE)}</div><i>{e(date_line(period))}</i>'
             + (f'<div class="partial"><b><i>{e(partial_line(period))}</i></b></div>' if period.partial else "")
             + '</div>'
             f"<div>Đơn vị báo cáo: <b>{e(reporting_unit(unit))}</b><br>"
             f"Đơn vị nhận báo cáo: <b>{e(receiving_unit(unit))}</b><br>{e(FORM_UNIT)}</div></div>")
    cols = '<colgroup><col style="width:4%"><col style="width:23%">' + '<col style="width:7%">' * 11 + "</colgroup>"
    return (f'{_CSS}<div class="bieu06">{boxes}<div class="wrap"><table>{cols}<thead>{_header_html()}</thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></div>')


# --- XLSX (the file) -------------------------------------------------------------------------------
FONT = "Times New Roman"  # the font of Vietnamese official documents; full Vietnamese coverage
NUMBER_FORMAT = "#,##0"   # Excel/LibreOffice show the user's locale separators: 3.262 in Vietnamese
_LAST_COL = len(COLUMNS) - 1  # column M
ONE_PAGE_LINES = 32           # up to this many lines the printed form is scaled to one page
_CHAR = 0.85                  # width of an average letter in column-width units (Times New Roman 12)
_HEADER_TOP = 4               # first header row (0-based): rows 0-2 hold the boxes, row 3 is blank


def _label_width(table: pl.DataFrame) -> int:
    """Width of column (2) in characters: the longest field name on one line, within 32..48."""
    longest = max((len(x) for x in table["Lĩnh vực"]), default=0)
    return max(32, min(48, math.ceil(longest * _CHAR) + 2))


def to_xlsx(table: pl.DataFrame, unit: Unit, period: periods.Period) -> bytes:
    """The form as an .xlsx in the official layout, A4 landscape, one page wide."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True,
                                   "default_format_properties": {"font_name": FONT, "font_size": 12}})
    wb.set_properties({"title": f"{FORM_CODE} — {unit.full_name} — {period.label}", "subject": FORM_TITLE,
                       "author": "Bảng điều khiển CCHC", "comments": SOURCE,
                       "keywords": "TTHC, Biểu 06, TT 01/2020/TT-VPCP"})
    ws = wb.add_worksheet("Biểu 06")

    def f(**kw):
        return wb.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **kw})

    box = f(text_wrap=True, valign="top")
    box_c = f(text_wrap=True, valign="top", align="center")
    bold = wb.add_format({"font_name": FONT, "font_size": 12, "bold": True})
    italic = wb.add_format({"font_name": FONT, "font_size": 12, "italic": True})
    normal = wb.add_format({"font_name": FONT, "font_size": 12})
    title = f(bold=True, font_size=13, align="center", text_wrap=True)
    subtitle = f(italic=True, align="center")
    head = f(bold=True, align="center", text_wrap=True, border=1, bg_color="#F2F2F2")
    colno = f(italic=True, align="center", border=1, font_size=11)
    styles = {}
    for kind, extra in (("field", {}), ("group", {"bold": True}), ("total", {"bold": True, "bg_color": "#F2F2F2"})):
        styles[kind] = (f(border=1, align="center", **extra),
                        f(border=1, text_wrap=True, indent=1 if kind == "field" else 0, **extra),
                        f(border=1, num_format=NUMBER_FORMAT, align="right", indent=1, **extra))
    note = f(italic=True, font_size=11, text_wrap=True, valign="top")
    sign_date = f(italic=True, align="center")
    sign_b = f(bold=True, align="center")
    sign_i = f(italic=True, align="center", font_size=11)

    label_width = _label_width(table)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, label_width)
    ws.set_column(2, _LAST_COL, 11.5)

    # the three boxes: form code (A:C), title and dates (D:I), reporting and receiving units (J:M)
    ws.merge_range(0, 0, 2, 2, "", box_c)
    ws.write_rich_string(0, 0, bold, FORM_CODE, "\n", italic, FORM_BASIS, box_c)
    ws.merge_range(0, 3, 1, 8, FORM_TITLE.replace("CƠ QUAN, ", "CƠ QUAN,\n"), title)
    ws.merge_range(2, 3, 2, 8, date_line(period), subtitle)
    ws.merge_range(0, 9, 2, _LAST_COL, "", box)
    ws.write_rich_string(0, 9, normal, "Đơn vị báo cáo: ", bold, reporting_unit(unit),
                         normal, "\nĐơn vị nhận báo cáo: ", bold, receiving_unit(unit), normal, "\n" + FORM_UNIT, box)
    ws.set_row(0, 30)
    ws.set_row(1, 30)
    ws.set_row(2, 30)
    partial = partial_line(period)
    if partial:  # the blank row under the boxes says the period is not whole
        ws.merge_range(3, 0, 3, _LAST_COL, partial, f(italic=True, bold=True, align="center", font_size=11))
        ws.set_row(3, 18)
    else:
        ws.set_row(3, 10)

    # the merged three-row header and the column numbers
    top = _HEADER_TOP
    for r0, c0, r1, c1, text in HEADER:
        if (r0, c0) == (r1, c1):
            ws.write(top + r0, c0, text, head)
        else:
            ws.merge_range(top + r0, c0, top + r1, c1, text, head)
    ws.set_row(top, 36)
    ws.set_row(top + 1, 36)
    ws.set_row(top + 2, 48)
    no_row = top + HEADER_ROWS
    for c in COLUMNS:
        ws.write(no_row, c.no - 1, f"({c.no})", colno)

    # the lines
    r = no_row + 1
    first_data = r
    for line in table.iter_rows(named=True):
        s_stt, s_label, s_num = styles[line["kind"]]
        ws.write_string(r, 0, line["STT"], s_stt)
        ws.write_string(r, 1, line["Lĩnh vực"], s_label)
        for i, n in enumerate(NUMBER_COLUMNS, start=2):
            ws.write_number(r, i, line[n], s_num)
        lines = math.ceil(len(line["Lĩnh vực"]) * _CHAR / label_width)
        if lines > 1:  # spreadsheets do not grow a row for wrapped text by themselves
            ws.set_row(r, 16 * lines)
        r += 1
    last_data = r - 1
    ws.ignore_errors({"number_stored_as_text": f"A{first_data + 1}:A{last_data + 1}"})

    # notes and the signature block
    r += 1
    for text in notes(unit):
        ws.merge_range(r, 0, r, _LAST_COL, text, note)
        ws.set_row(r, 16 * math.ceil(len(text) * _CHAR / (6 + label_width + 11 * 11.5)))
        r += 1
    r += 1
    ws.merge_range(r, 8, r, _LAST_COL, "……, ngày … tháng … năm …", sign_date)
    r += 1
    ws.merge_range(r, 0, r, 2, "Người lập biểu", sign_b)
    ws.merge_range(r, 8, r, _LAST_COL, "Thủ trưởng đơn vị", sign_b)
    r += 1
    ws.merge_range(r, 0, r, 2, "(Ký, ghi rõ họ tên)", sign_i)
    ws.merge_range(r, 8, r, _LAST_COL, "(Ký tên, đóng dấu)", sign_i)
    last_row = r + 4  # room for the signatures

    # print: A4 landscape, one page wide, header rows repeated on every page
    ws.set_paper(9)
    ws.set_landscape()
    # one page when the form is of an ordinary length (the signatures stay with the figures), else as
    # many pages as needed, one page wide
    ws.fit_to_pages(1, 1 if len(table) <= ONE_PAGE_LINES else 0)
    ws.repeat_rows(top, no_row)
    ws.print_area(0, 0, last_row, _LAST_COL)
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")
    ws.freeze_panes(no_row + 1, 2)
    ws.activate()
    wb.close()
    return buf.getvalue()


__all__ = ["build_table", "to_html", "to_xlsx", "file_name", "rates", "rates_table", "row_rates", "totals",
           "is_empty", "reporting_unit", "receiving_unit", "date_line", "partial_line", "notes", "COLUMNS", "NUMBER_COLUMNS",
           "HEADER", "FORM_CODE", "FORM_BASIS", "FORM_TITLE", "FORM_UNIT"]
