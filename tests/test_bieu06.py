"""Biểu 06 (TT 01/2020/TT-VPCP): the table, its HTML on the page, and the XLSX in the official layout."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import openpyxl
import polars as pl
import pytest

from cchc import kpis
from cchc.export import bieu06

YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}
NUMS = [str(n) for n in range(3, 14)]


def _period(unit):
    return kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))


def _vn_int(text: str) -> int:
    """'3.262' -> 3262 (Vietnamese thousands separator)."""
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text), text
    return int(text.replace(".", ""))


class _Rows(HTMLParser):
    """The body lines of the form's HTML table: [(class, {"STT":…, "label":…, "3": text, …})]."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._in_body = [], None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = (a.get("class"), [])
        elif tag == "td" and self._row is not None:
            self._cell = [a.get("data-col"), ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row[1].append(tuple(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            kind, cells = self._row
            d = {"STT": cells[0][1], "label": cells[1][1]}
            d.update({col: text for col, text in cells[2:]})
            self.rows.append((kind, d))
            self._row = None


def _html_rows(html: str):
    p = _Rows()
    p.feed(html)
    return p.rows


# --- the page ------------------------------------------------------------------------------------
def test_page_quoc_tuan_2023_shows_the_calibrated_figures(app):
    at = app(page="pages/bieu_06.py", unit="10621", **YEAR_2023)
    assert len(at.html) == 1
    html = at.html[0].value
    assert bieu06.FORM_TITLE in html and "(Từ ngày 10/12/2022 đến ngày 09/12/2023)" in html
    assert "UBND xã Quốc Tuấn" in html and "Đơn vị nhận báo cáo: <b>UBND huyện Nam Sách</b>" in html
    # merged header as on the form
    assert '<th colspan="4">Số hồ sơ nhận giải quyết</th>' in html
    assert '<th colspan="2">Trong đó: Số mới tiếp nhận</th>' in html
    assert '<th rowspan="3">STT</th>' in html
    rows = _html_rows(html)
    total = [r for k, r in rows if k == "total"]
    assert len(total) == 1
    t = total[0]
    assert t["label"] == "Tổng số"
    assert t["3"] == "3.262"
    assert _vn_int(t["4"]) + _vn_int(t["5"]) == 3241  # new dossiers, online + counter/post
    assert t["6"] == "21"
    assert t["7"] == "3.258"
    assert t["10"] == "1"
    assert t["11"] == "4" and t["12"] == "4" and t["13"] == "0"
    fields = {r["label"]: r for k, r in rows if k == "field"}
    assert {f: fields[f]["3"] for f in fields} == {"Chứng thực": "2.412", "Hộ tịch": "719", "Bảo trợ xã hội": "103",
                                                    "Người có công": "28"}
    assert [r["label"] for k, r in rows if k == "field"] == ["Chứng thực", "Hộ tịch", "Bảo trợ xã hội", "Người có công"]
    assert fields["Hộ tịch"]["10"] == "1"
    assert fields["Bảo trợ xã hội"]["11"] == "3" and fields["Người có công"]["11"] == "1"
    # a commune's form has no level group
    assert not [r for k, r in rows if k == "group"]
    m = {x.label: x.value for x in at.metric}
    assert m["Tỷ lệ giải quyết trước hạn, đúng hạn"] == "99,97 %"
    assert m["Tỷ lệ tiếp nhận trực tuyến"] == bieu06.fmt.percent(_vn_int(t["4"]) / 3241)
    assert at.get("download_button"), "the XLSX download is offered"
    assert not at.exception


@pytest.mark.parametrize("code", ["291", "30"])
def test_page_district_and_province_group_the_commune_level(app, db, code):
    at = app(page="pages/bieu_06.py", unit=code, **YEAR_2023)
    rows = _html_rows(at.html[0].value)
    kinds = [k for k, _ in rows]
    assert kinds[0] == "group" and kinds[-1] == "total" and set(kinds[1:-1]) == {"field"}
    assert rows[0][1]["STT"] == "I" and rows[0][1]["label"] == "Xã, phường, thị trấn"
    unit = kpis.resolve_unit(db, code)
    table = bieu06.build_table(db, unit, _period(unit))
    assert rows[-1][1]["3"] == bieu06.fmt.number(bieu06.totals(table)["3"])
    assert any("cấp xã" in c.value for c in at.caption), "the note on the levels is shown"
    assert not at.exception


def test_page_empty_period_is_explained(app):
    at = app(page="pages/bieu_06.py", unit="10621", **{"from": "2019-01-01", "to": "2019-12-31"})
    assert not at.html
    assert any("không có hồ sơ" in i.value and "Dữ liệu hiện có từ" in i.value for i in at.info)
    assert not at.exception


# --- the table -------------------------------------------------------------------------------------
def test_quoc_tuan_table(db):
    unit = kpis.resolve_unit(db, "10621")
    t = bieu06.build_table(db, unit, _period(unit))
    assert t.columns == ["STT", "Lĩnh vực", *NUMS, "kind"]
    assert t["kind"].to_list() == ["field"] * 4 + ["total"]
    assert t["STT"].to_list() == ["1", "2", "3", "4", ""]
    by = {r["Lĩnh vực"]: r for r in t.iter_rows(named=True)}
    assert {f: by[f]["3"] for f in by} == {"Chứng thực": 2412, "Hộ tịch": 719, "Bảo trợ xã hội": 103,
                                           "Người có công": 28, "Tổng số": 3262}
    tot = by["Tổng số"]
    assert (tot["3"], tot["4"] + tot["5"], tot["6"], tot["7"], tot["10"], tot["11"], tot["12"]) == \
        (3262, 3241, 21, 3258, 1, 4, 4)
    assert by["Hộ tịch"]["10"] == 1 and by["Bảo trợ xã hội"]["11"] == 3 and by["Người có công"]["11"] == 1
    r = bieu06.rates(t)
    assert r["on_time_rate"] == pytest.approx((tot["8"] + tot["9"]) / 3258)
    assert round(r["on_time_rate"] * 100, 2) == 99.97
    assert r["online_rate"] == pytest.approx(tot["4"] / 3241)
    assert bieu06.file_name(unit, _period(unit)) == "bieu-06_xa-quoc-tuan_nam-2023.xlsx"


def _check_identities(t: pl.DataFrame):
    for r in t.iter_rows(named=True):
        where = f"{r['STT']} {r['Lĩnh vực']}"
        assert r["3"] == r["4"] + r["5"] + r["6"] == r["7"] + r["11"], where
        assert r["7"] == r["8"] + r["9"] + r["10"], where
        assert r["11"] == r["12"] + r["13"], where
    fields = t.filter(pl.col("kind") == "field")
    total = bieu06.totals(t)
    for n in NUMS:
        assert total[n] == fields[n].sum(), n
    for g in t.filter(pl.col("kind") == "group").iter_rows(named=True):
        for n in NUMS:
            assert g[n] == fields[n].sum(), n


@pytest.mark.parametrize("code", ["291", "30"])
def test_identities_district_and_province(db, code):
    unit = kpis.resolve_unit(db, code)
    t = bieu06.build_table(db, unit, _period(unit))
    assert t["kind"][0] == "group" and t["Lĩnh vực"][0] == "Xã, phường, thị trấn" and t["kind"][-1] == "total"
    fields = t.filter(pl.col("kind") == "field")
    assert fields.height > 4
    assert fields["STT"].to_list() == [str(i) for i in range(1, fields.height + 1)]
    received = fields["3"].to_list()
    assert received == sorted(received, reverse=True)
    _check_identities(t)


def test_province_total_is_the_sum_of_its_districts(db):
    province = kpis.resolve_unit(db, "30")
    p = _period(province)
    whole = bieu06.totals(bieu06.build_table(db, province, p))
    districts = db.run("units_all").filter(pl.col("level") == "district")["code"].to_list()
    assert len(districts) == 12
    parts = [bieu06.totals(bieu06.build_table(db, kpis.resolve_unit(db, d), p)) for d in districts]
    assert whole == {n: sum(x[n] for x in parts) for n in NUMS}


class _FakeDb:
    """Stands in for the database: dossier_kpis rows (one per procedure) given by the test, and an empty
    procedure catalogue."""

    def __init__(self, rows):
        self.rows = rows

    def run(self, name, **params):
        if name == "procedure_catalogue":
            return pl.DataFrame(schema={"procedure_code": pl.String, "procedure_name": pl.String,
                                        "statutory_days": pl.Int16, "online_level": pl.String,
                                        "online_capable": pl.Boolean})
        assert name == "dossier_kpis"
        return pl.DataFrame(self.rows)


def _proc(field, code, received, online, offline, carried, early, on_time, late, within, overdue):
    resolved = early + on_time + late
    pending = within + overdue
    assert received == online + offline + carried == resolved + pending
    r = {k: 0 for k in kpis.COUNT_KEYS}
    r.update(field=field, procedure_code=code, received_total=received, received_online=online,
             received_offline=offline, received_new=online + offline, carried_over=carried, resolved_total=resolved,
             resolved_early=early, resolved_on_time=on_time, resolved_late=late, pending_total=pending,
             pending_within=within, pending_overdue=overdue)
    return r


def test_order_grouping_and_sums_worked_by_hand():
    rows = [_proc("Hộ tịch", "HT1", 5, 1, 3, 1, 2, 2, 0, 1, 0),
            _proc("Hộ tịch", "HT2", 3, 0, 3, 0, 1, 1, 1, 0, 0),       # Hộ tịch: 8 received
            _proc("Đất đai", "DD1", 8, 2, 6, 0, 0, 6, 0, 1, 1),        # Đất đai: 8 received (tie)
            _proc("Chứng thực", "CT1", 20, 0, 19, 1, 5, 15, 0, 0, 0)]  # Chứng thực: 20
    unit_d = kpis.Unit("291", "Huyện Nam Sách", "district", "30", "291", "Tỉnh Hải Dương", "Tỉnh Hải Dương")
    p = kpis.period_for(unit_d, date(2022, 12, 10), date(2023, 12, 9))
    t = bieu06.build_table(_FakeDb(rows), unit_d, p)
    # by received; the tie (8 and 8) in Vietnamese alphabetical order: Đ comes right after D, before H
    assert t["Lĩnh vực"].to_list() == ["Xã, phường, thị trấn", "Chứng thực", "Đất đai", "Hộ tịch", "Tổng số"]
    by = {r["Lĩnh vực"]: r for r in t.iter_rows(named=True)}
    assert [by["Hộ tịch"][n] for n in NUMS] == [8, 1, 6, 1, 7, 3, 3, 1, 1, 1, 0]
    assert [by["Tổng số"][n] for n in NUMS] == [36, 3, 31, 2, 33, 8, 24, 1, 3, 2, 1]
    assert [by["Xã, phường, thị trấn"][n] for n in NUMS] == [by["Tổng số"][n] for n in NUMS]
    _check_identities(t)
    # rates by hand: ((8)+(9))/(7) = (8+24)/33, (4)/((4)+(5)) = 3/34
    r = bieu06.rates(t)
    assert r["on_time_rate"] == pytest.approx(32 / 33) and r["online_rate"] == pytest.approx(3 / 34)
    # the same dossiers for a commune: no group line
    unit_c = kpis.Unit("10621", "Xã Quốc Tuấn", "commune", "30", "291", "Huyện Nam Sách", "Tỉnh Hải Dương")
    tc = bieu06.build_table(_FakeDb(rows), unit_c, p)
    assert tc["kind"].to_list() == ["field", "field", "field", "total"]
    # nothing at all: only the total line, all zeros, and the form can still be written
    empty = bieu06.build_table(_FakeDb({k: [] for k in rows[0]}), unit_d, p)
    assert empty["kind"].to_list() == ["total"] and bieu06.is_empty(empty)
    assert bieu06.rates(empty) == {"on_time_rate": None, "online_rate": None}
    wb = openpyxl.load_workbook(io.BytesIO(bieu06.to_xlsx(empty, unit_d, p)))
    assert "Tổng số" in [c.value for c in wb.active["B"]]


def test_units_of_the_boxes():
    c = kpis.Unit("10621", "Xã Quốc Tuấn", "commune", "30", "291", "Huyện Nam Sách", "Tỉnh Hải Dương")
    d = kpis.Unit("292", "Thị xã Kinh Môn", "district", "30", "292", "Tỉnh Hải Dương", "Tỉnh Hải Dương")
    p = kpis.Unit("30", "Tỉnh Hải Dương", "province", "30", None, None, "Tỉnh Hải Dương")
    assert bieu06.reporting_unit(c) == "UBND xã Quốc Tuấn, huyện Nam Sách, tỉnh Hải Dương"
    assert bieu06.receiving_unit(c) == "UBND huyện Nam Sách"
    assert bieu06.reporting_unit(d) == "UBND thị xã Kinh Môn, tỉnh Hải Dương"
    assert bieu06.receiving_unit(d) == "UBND tỉnh Hải Dương"
    assert bieu06.reporting_unit(p) == "UBND tỉnh Hải Dương"
    assert bieu06.receiving_unit(p) == "Văn phòng Chính phủ"


# --- the XLSX ----------------------------------------------------------------------------------------
def _read_lines(ws):
    """The form's lines read back from the sheet: from the row after "(1)" to the "Tổng số" line."""
    number_row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "(1)")
    lines, r = [], number_row + 1
    while True:
        stt, label = ws.cell(r, 1).value, ws.cell(r, 2).value
        lines.append({"STT": stt or "", "Lĩnh vực": label, **{n: ws.cell(r, int(n)).value for n in NUMS}})
        if label == bieu06.TOTAL_LABEL:
            return number_row, lines
        r += 1


def _all_text(ws) -> str:
    return " | ".join(re.sub(r"\s+", " ", str(c.value)) for row in ws.iter_rows() for c in row if c.value is not None)


@pytest.mark.parametrize("code", ["10621", "291"])
def test_xlsx_equals_the_table(db, code):
    unit = kpis.resolve_unit(db, code)
    period = _period(unit)
    table = bieu06.build_table(db, unit, period)
    wb = openpyxl.load_workbook(io.BytesIO(bieu06.to_xlsx(table, unit, period)))
    ws = wb["Biểu 06"]
    number_row, lines = _read_lines(ws)
    assert [ws.cell(number_row, c).value for c in range(1, 14)] == [f"({n})" for n in range(1, 14)]
    assert len(lines) == table.height
    for got, want in zip(lines, table.drop("kind").iter_rows(named=True)):
        for n in NUMS:
            assert isinstance(got[n], int) and not isinstance(got[n], bool), (got, n)
        assert got == want
    # numbers formatted with thousands separators (the reader's locale shows 3.262), totals bold
    first = number_row + 1
    assert ws.cell(first, 3).number_format == "#,##0"
    last = number_row + len(lines)
    assert ws.cell(last, 3).font.b and not ws.cell(first + (1 if code != "10621" else 0), 3).font.b
    # the merged header exactly as on the form (rows 5-7: group / sub-group / leaf)
    merged = {str(m) for m in ws.merged_cells.ranges}
    h = number_row - 3  # first header row
    expected = {f"A{h}:A{h + 2}", f"B{h}:B{h + 2}", f"C{h}:F{h}", f"G{h}:J{h}", f"K{h}:M{h}",
                f"C{h + 1}:C{h + 2}", f"D{h + 1}:E{h + 1}", f"F{h + 1}:F{h + 2}",
                *(f"{c}{h + 1}:{c}{h + 2}" for c in "GHIJKLM")}
    assert expected <= merged, expected - merged
    assert ws.cell(h, 3).value == "Số hồ sơ nhận giải quyết"
    assert ws.cell(h + 1, 4).value == "Trong đó: Số mới tiếp nhận"
    assert (ws.cell(h + 2, 4).value, ws.cell(h + 2, 5).value) == ("Trực tuyến", "Trực tiếp, dịch vụ bưu chính")
    assert ws.cell(h, 7).value == "Số lượng hồ sơ đã giải quyết"
    assert ws.cell(h, 11).value == "Số lượng hồ sơ đang giải quyết"
    # title, code, units, dates and the signature block
    text = _all_text(ws)
    for s in (bieu06.FORM_TITLE, "Biểu số 06/VPCP/KSTT", "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020",
              "Đơn vị tính: Số hồ sơ TTHC", "(Từ ngày 10/12/2022 đến ngày 09/12/2023)",
              f"Đơn vị báo cáo: {bieu06.reporting_unit(unit)}", f"Đơn vị nhận báo cáo: {bieu06.receiving_unit(unit)}",
              "Người lập biểu", "Thủ trưởng đơn vị", "ngày … tháng … năm …"):
        assert s in text, s
    assert ("UBND huyện Nam Sách" if code == "10621" else "UBND tỉnh Hải Dương") in text
    # print setup: A4 landscape, one page wide, header rows repeated
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent = 1 (the OOXML default): one page wide
    assert ws.print_title_rows.replace("$", "") == f"{h}:{number_row}"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_xlsx_opens_in_libreoffice_with_the_same_numbers(db, tmp_path):
    unit = kpis.resolve_unit(db, "10621")
    period = _period(unit)
    table = bieu06.build_table(db, unit, period)
    src = tmp_path / "bieu06.xlsx"
    src.write_bytes(bieu06.to_xlsx(table, unit, period))
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    ws = openpyxl.load_workbook(out / "bieu06.xlsx").active
    _, lines = _read_lines(ws)
    assert [[line[n] for n in NUMS] for line in lines] == [[r[n] for n in NUMS] for r in table.iter_rows(named=True)]
