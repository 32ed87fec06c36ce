"""Biểu 06 (TT 01/2020/TT-VPCP): the table, its HTML on the page, and the XLSX in the official layout."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import openpyxl
import polars as pl
import pytest

from cchc import kpis, periods
from cchc.db import Database
from cchc.export import bieu06

from fixtures import dossier, write_dataset

YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}
NUMS = [str(n) for n in range(3, 14)]



def _forms(at) -> list:
    """The page's Biểu 06 tables (st.html elements; the app's stylesheet is one too)."""
    return [h for h in at.html if "<table" in h.value]

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
    assert len(_forms(at)) == 1
    html = _forms(at)[0].value
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
    rows = _html_rows(_forms(at)[0].value)
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
    assert not _forms(at)
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
    all_units = db.run("units_all")
    old = all_units.filter(pl.col("map") == "old") if "map" in all_units.columns else all_units
    districts = old.filter((pl.col("level") == "district") & (pl.col("province_code") == "30"))["code"].to_list()
    assert len(districts) == 12  # old Hải Dương's (the new map has no districts)
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


# `make test` installs Debian's libreoffice-calc-nogui (Makefile: libreoffice) and CI sets
# CCHC_REQUIRE_SOFFICE=1 (.ci/run), so there this check runs and a missing soffice fails it; a plain
# `pytest` on a machine without LibreOffice skips it.
@pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CCHC_REQUIRE_SOFFICE"),
                    reason="LibreOffice (soffice) is not installed; `make test` installs it")
def test_xlsx_opens_in_libreoffice_with_the_same_numbers(db, tmp_path):
    assert shutil.which("soffice"), "CCHC_REQUIRE_SOFFICE is set but soffice is not installed (make libreoffice)"
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


# --- hand-built dossiers: every line of the form, the "Tổng số" line included, worked out by hand ---
# Period: calendar April 2023 (01/04–30/04); pending and overdue as at the end of 30/04. Columns:
# (3) received = (4) new online + (5) new at the counter or by post + (6) carried over
#              = (7) resolved + (11) pending; (7) = (8) early + (9) on the due day + (10) late;
# (11) = (12) pending within the deadline + (13) pending overdue.
APRIL = periods.calendar_month(2023, 4)
HAND_ROWS = [
    # Xã Quốc Tuấn (10621)
    dossier("Q1", "2023-04-03 09:00", "2023-04-06 17:00", "2023-04-05 10:00"),      # Hộ tịch: new (5), early (8)
    dossier("Q2", "2023-04-10 09:00", "2023-04-13 17:00", "2023-04-13 15:00",
            channel="truc_tuyen"),                                                   # Hộ tịch: new online (4), on the due day (9)
    dossier("Q3", "2023-03-28 09:00", "2023-03-31 17:00", "2023-04-04 10:00"),      # Hộ tịch: carried (6), late (10)
    dossier("Q4", "2023-04-20 09:00", "2023-04-20 17:00", None, proc="P2", field="Chứng thực",
            channel="buu_chinh"),                                                    # Chứng thực: new (5), pending overdue (13)
    dossier("Q5", "2023-04-28 09:00", "2023-05-03 17:00", "2023-05-02 10:00", proc="P2", field="Chứng thực",
            channel="truc_tuyen"),                                                   # Chứng thực: new online (4), pending within (12)
    # Thị trấn Nam Sách (10606)
    dossier("N1", "2023-04-12 09:00", "2023-04-17 17:00", "2023-04-14 10:00", unit="10606"),  # Hộ tịch: new (5), early (8)
    dossier("N2", "2023-03-15 09:00", "2023-03-15 17:00", None, unit="10606", proc="P2",
            field="Chứng thực"),                                                     # Chứng thực: carried (6), pending overdue (13)
    dossier("N3", "2023-04-05 09:00", "2023-04-05 17:00", "2023-04-05 11:00", unit="10606", proc="P2",
            field="Chứng thực", channel="truc_tuyen"),                               # Chứng thực: new online (4), on the due day (9)
    # not on the April form: received in May; resolved in March
    dossier("X1", "2023-05-02 09:00", "2023-05-05 17:00", None),
    dossier("X2", "2023-03-20 09:00", "2023-03-23 17:00", "2023-03-22 10:00"),
]
#                  (3) (4) (5) (6) (7) (8) (9) (10) (11) (12) (13)
QT_HO_TICH =      [3,  1,  1,  1,  3,  1,  1,  1,   0,   0,   0]   # Q1, Q2, Q3
QT_CHUNG_THUC =   [2,  1,  1,  0,  0,  0,  0,  0,   2,   1,   1]   # Q4, Q5
QT_TOTAL =        [5,  2,  2,  1,  3,  1,  1,  1,   2,   1,   1]   # Q1..Q5
NS_HO_TICH =      [4,  1,  2,  1,  4,  2,  1,  1,   0,   0,   0]   # Q1, Q2, Q3, N1
NS_CHUNG_THUC =   [4,  2,  1,  1,  1,  0,  1,  0,   3,   1,   2]   # Q4, Q5, N2, N3
NS_TOTAL =        [8,  3,  3,  2,  5,  2,  2,  1,   3,   1,   2]   # all eight, once (the group line holds
#                                                                    the same dossiers: 16 would count it twice)


@pytest.fixture(scope="module")
def hand_dir(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("bieu06_by_hand"), dossiers=HAND_ROWS)


@pytest.fixture(scope="module")
def hand_db(hand_dir):
    d = Database(hand_dir)
    yield d
    d.close()


def _numbers(line: dict) -> list[int]:
    return [line[n] for n in NUMS]


def test_commune_lines_and_total_by_hand(hand_db):
    unit = kpis.resolve_unit(hand_db, "10621")
    t = bieu06.build_table(hand_db, unit, APRIL)
    # a commune: its fields by received, descending (Hộ tịch 3, Chứng thực 2), then the total; no group
    assert t["Lĩnh vực"].to_list() == ["Hộ tịch", "Chứng thực", "Tổng số"]
    assert t["kind"].to_list() == ["field", "field", "total"]
    assert [_numbers(x) for x in t.iter_rows(named=True)] == [QT_HO_TICH, QT_CHUNG_THUC, QT_TOTAL]
    assert _numbers(bieu06.totals(t)) == QT_TOTAL
    # ((8)+(9))/(7) = (1+1)/3; (4)/((4)+(5)) = 2/4
    assert bieu06.rates(t) == {"on_time_rate": pytest.approx(2 / 3), "online_rate": pytest.approx(2 / 4)}


@pytest.mark.parametrize("code", ["291", "30"])
def test_district_and_province_total_counts_the_group_once(hand_db, code):
    # the district and the province (whose only district is Nam Sách here) have the same form: the group
    # "I Xã, phường, thị trấn" with the subtotal, the fields (a tie at 4: Chứng thực before Hộ tịch,
    # Vietnamese alphabetical order), then the total, which counts the eight dossiers once.
    unit = kpis.resolve_unit(hand_db, code)
    t = bieu06.build_table(hand_db, unit, APRIL)
    assert t["Lĩnh vực"].to_list() == ["Xã, phường, thị trấn", "Chứng thực", "Hộ tịch", "Tổng số"]
    assert t["STT"].to_list() == ["I", "1", "2", ""]
    assert [_numbers(x) for x in t.iter_rows(named=True)] == [NS_TOTAL, NS_CHUNG_THUC, NS_HO_TICH, NS_TOTAL]
    assert _numbers(bieu06.totals(t)) == NS_TOTAL
    # ((8)+(9))/(7) = (2+2)/5; (4)/((4)+(5)) = 3/6
    assert bieu06.rates(t) == {"on_time_rate": pytest.approx(4 / 5), "online_rate": pytest.approx(3 / 6)}


def test_xlsx_lines_by_hand(hand_db):
    unit = kpis.resolve_unit(hand_db, "291")
    data = bieu06.to_xlsx(bieu06.build_table(hand_db, unit, APRIL), unit, APRIL)
    _, lines = _read_lines(openpyxl.load_workbook(io.BytesIO(data))["Biểu 06"])
    assert [(x["STT"], x["Lĩnh vực"], _numbers(x)) for x in lines] == [
        ("I", "Xã, phường, thị trấn", NS_TOTAL), ("1", "Chứng thực", NS_CHUNG_THUC), ("2", "Hộ tịch", NS_HO_TICH),
        ("", "Tổng số", NS_TOTAL)]


def test_page_lines_by_hand(hand_dir, monkeypatch):
    from apptest_util import open_page

    monkeypatch.setenv("CCHC_DATA_DIR", str(hand_dir))  # the app caches one Database per data directory
    monkeypatch.setenv("CCHC_PUBLIC_READ", "1")  # hand-built data are real data: read as the public
    at = open_page("pages/bieu_06.py", {"unit": "291", "from": "2023-04-01", "to": "2023-04-30"})
    assert not at.exception, [e.value for e in at.exception]
    rows = _html_rows(_forms(at)[0].value)
    assert [(k, r["label"], [int(r[n]) for n in NUMS]) for k, r in rows] == [
        ("group", "Xã, phường, thị trấn", NS_TOTAL), ("field", "Chứng thực", NS_CHUNG_THUC),
        ("field", "Hộ tịch", NS_HO_TICH), ("total", "Tổng số", NS_TOTAL)]
    rates = {x.value for x in at.metric}
    assert {"80,00 %", "50,00 %"} <= rates, rates    # 4/5 resolved early or on time, 3/6 new received online


def test_partial_period_is_noted_in_the_header_the_page_and_the_file_name(db):
    """Issue 14: a period the data do not cover to its end says so in the XLSX's header area (the
    row under the three boxes), on the form on screen and in the file name; the form's dates are
    those counted (to the data end, or the old commune's last day)."""
    from cchc import coverage, units
    unit = units.resolve(db, "10621")
    end = coverage.data_end(db)
    period = coverage.clip(periods.official_year(2025, 10), end, unit.valid_to)
    assert period.partial
    last = periods.fmt_date(period.end)
    table = bieu06.build_table(db, unit, period)
    ws = openpyxl.load_workbook(io.BytesIO(bieu06.to_xlsx(table, unit, period)))["Biểu 06"]
    note = ws.cell(4, 1).value
    assert note == bieu06.partial_line(period)
    assert note.startswith("Kỳ báo cáo Năm 2025 (10/12/2024 – 09/12/2025) chưa trọn") and f"đến ngày {last}" in note
    assert "A4:M4" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.cell(3, 4).value == f"(Từ ngày 10/12/2024 đến ngày {last})"
    assert "chưa trọn" in bieu06.to_html(table, unit, period)
    assert bieu06.file_name(unit, period) == f"bieu-06_xa-quoc-tuan_nam-2025-den-{period.end:%d-%m-%Y}.xlsx"
    # a whole period: no note, the row stays blank, the file name as before
    whole = periods.official_year(2023, 10)
    t = bieu06.build_table(db, unit, whole)
    ws = openpyxl.load_workbook(io.BytesIO(bieu06.to_xlsx(t, unit, whole)))["Biểu 06"]
    assert ws.cell(4, 1).value is None and bieu06.partial_line(whole) is None
    assert "chưa trọn" not in bieu06.to_html(t, unit, whole)


def test_cli_exports_the_form(db, sample_dir, tmp_path):
    """python -m cchc export form: the official XLSX of the period, its totals row the form's."""
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "bieu-06.xlsx"
    r = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(sample_dir), "export", "form", "--unit", "10621",
                        "--from", "2022-12-10", "--to", "2023-12-09", "--out", str(out)], cwd=root,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Biểu 06" in r.stdout and "Xã Quốc Tuấn" in r.stdout
    ws = openpyxl.load_workbook(out).active
    row = next(x for x in ws.iter_rows(values_only=True) if len(x) > 1 and x[1] == "Tổng số")
    unit = kpis.resolve_unit(db, "10621")
    want = bieu06.totals(bieu06.build_table(db, unit, _period(unit)))
    assert list(row[2:13]) == [want[n] for n in NUMS]
    assert row[2:5] == (3262, 493, 2748)   # the seed report's (3), (4), (5)
    bad = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(sample_dir), "export", "form", "--unit",
                          "10621", "--from", "2022-12-10", "--to", "2023-12-09", "--out", str(tmp_path / "x.docx")],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and ".xlsx" in bad.stderr
