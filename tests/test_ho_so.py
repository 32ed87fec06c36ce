"""The page "Hồ sơ TTHC" (drill-down fields → procedures → dossiers) and the queries behind it.

AppTest runs over the default sample (xã Quốc Tuấn, official year 2023); the SQL of the dossier
list (ordering, paging, search) and of the processing times (working days across holidays) is
checked on small hand-built Parquet fixtures whose answers are worked out by hand below.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc import fmt, kpis, periods, schema, workdays
from cchc.views import ho_so as drill
from cchc.db import Database
from cchc.views.ho_so import ALL, Drill

PAGE = "pages/ho_so.py"
QT = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}
QT_FIELDS = {"Hộ tịch": 719, "Chứng thực": 2412, "Bảo trợ xã hội": 103, "Người có công": 28}


def n(s: str) -> int:
    """'2.412' -> 2412."""
    return int(s.replace(".", ""))


def qp(at, key: str) -> str | None:
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)



# --- AppTest over the sample: Quốc Tuấn, official year 2023 --------------------------------------
def test_level0_shows_the_four_fields_with_their_counts(app):
    at = app(page=PAGE, **QT)
    assert at.title[0].value == "Hồ sơ TTHC"
    # the pills, largest field first, with the Biểu 06 received totals
    assert at.pills[0].label == "Chọn lĩnh vực"
    assert at.pills[0].options == ["Chứng thực (2.412)", "Hộ tịch (719)", "Bảo trợ xã hội (103)", "Người có công (28)"]
    table = at.dataframe[0].value
    assert {f: n(v) for f, v in zip(table["Lĩnh vực"], table["Tiếp nhận"])} == QT_FIELDS
    shares = [float(s.rstrip(" %").replace(",", ".")) for s in table["Tỷ trọng"]]
    assert abs(sum(shares) - 100) < 0.05 and table["Tỷ trọng"][0] == fmt.percent(2412 / 3262)
    # the clickable bar chart carries the same counts, each bar naming its field
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bar = spec["data"][0]
    assert dict(zip(bar["y"], bar["x"])) == QT_FIELDS
    assert [c[0] for c in bar["customdata"]] == bar["y"]
    assert "Xã Quốc Tuấn" in spec["layout"]["title"]["text"]
    # the one late dossier of the period is announced
    assert any("Có 1 hồ sơ quá hạn" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 4  # fields, trend, channels, processing time


def test_drill_down_path_pills_then_procedure(app, db):
    at = app(page=PAGE, **QT)
    at.pills[0].set_value("Chứng thực").run()
    assert not at.exception
    assert qp(at, "field") == "Chứng thực" and qp(at, "proc") is None
    assert qp(at, "unit") == "10621"  # the shared filters stay in the link
    procs = at.dataframe[0].value
    assert sum(n(v) for v in procs["Tiếp nhận"]) == 2412
    unit = kpis.resolve_unit(db, "10621")
    p = periods.official_year(2023, 10)
    expected = {r["procedure_code"] for r in kpis.procedure_kpis(db, unit, p, "Chứng thực")}
    assert set(procs["Mã"]) == expected
    assert [b.label for b in at.button if b.key and b.key.startswith("hs_crumb")] == ["Tất cả lĩnh vực"]
    # the procedure with most dossiers: its list, 50 a page, pages counted from its total
    code, total = procs["Mã"][0], n(procs["Tiếp nhận"][0])
    at.selectbox(key="hs_proc_pick").set_value(code).run()
    assert not at.exception
    assert qp(at, "field") == "Chứng thực" and qp(at, "proc") == code
    lst = at.dataframe[0].value
    assert len(lst) == min(50, total)
    assert set(lst["Thủ tục"]) == {procs["Thủ tục"][0]}
    pages = math.ceil(total / 50)
    assert f"{fmt.number(total)} hồ sơ" in captions(at) and f"Trang 1 / {pages}" in captions(at)
    assert at.pagination[0].num_pages == pages
    assert at.markdown.values.count(f"**{procs['Thủ tục'][0]}**") == 1  # breadcrumb: where we are


def test_link_round_trip_paging_search_and_breadcrumb(app, db):
    at = app(page=PAGE, **QT, field="Chứng thực", proc="XA.CT.003", pg="2")
    unit = kpis.resolve_unit(db, "10621")
    p = periods.official_year(2023, 10)
    total = next(r["received_total"] for r in kpis.procedure_kpis(db, unit, p, "Chứng thực")
                 if r["procedure_code"] == "XA.CT.003")
    pages = math.ceil(total / 50)
    assert pages >= 3, "the sample should give XA.CT.003 more than two pages"
    assert f"{fmt.number(total)} hồ sơ" in captions(at) and f"Trang 2 / {pages}" in captions(at)
    assert (qp(at, "field"), qp(at, "proc"), qp(at, "pg")) == ("Chứng thực", "XA.CT.003", "2")
    # page 2 = rows 51..100 of the same list read directly from the query
    full = db.run("dossier_list", **unit.scope, start=p.start, end=p.end, field="Chứng thực", procedure="XA.CT.003",
                  pattern=None, limit=total, offset=0)
    assert list(at.dataframe[0].value["Mã hồ sơ"]) == full["dossier_id"].to_list()[50:100]
    # next page through the widget: the URL follows
    at.pagination[0].set_value(3).run()
    assert qp(at, "pg") == "3" and list(at.dataframe[0].value["Mã hồ sơ"]) == full["dossier_id"].to_list()[100:150]
    # search by code: back to page 1, q in the URL
    target = full["dossier_id"][7]
    at.text_input(key="hs_q").set_value(target[6:12]).run()
    assert qp(at, "q") == target[6:12] and qp(at, "pg") is None
    found = list(at.dataframe[0].value["Mã hồ sơ"])
    assert target in found and all(target[6:12] in c for c in found)
    # breadcrumb: back to the field's procedures, deeper parameters cleared
    at.button(key="hs_crumb_1").click().run()
    assert qp(at, "field") == "Chứng thực" and all(qp(at, k) is None for k in ("proc", "q", "pg"))
    assert "Các thủ tục lĩnh vực Chứng thực" in [h.value for h in at.subheader]
    at.button(key="hs_crumb_0").click().run()
    assert qp(at, "field") is None and at.pills[0].options[0] == "Chứng thực (2.412)"
    assert not at.exception


def test_late_dossier_is_first_in_the_ho_tich_list(app, db):
    late = db.sql("""SELECT dossier_id FROM dossiers_for($dossier_files, $scope, DATE '2022-12-10', DATE '2023-12-09')
                     WHERE field = 'Hộ tịch' AND ((resolved AND finished_date > due_date) OR pending_overdue)""",
                  **kpis.resolve_unit(db, "10621").scope)
    assert late.height == 1, "the calibration has one late Hộ tịch dossier"
    at = app(page=PAGE, **QT, field="Hộ tịch", proc="*")
    lst = at.dataframe[0].value
    assert lst["Mã hồ sơ"][0] == late["dossier_id"][0]
    assert lst["Trạng thái"][0] == "Quá hạn" and "Quá hạn" not in set(lst["Trạng thái"][1:])
    assert "719 hồ sơ; 1 hồ sơ quá hạn được xếp đầu danh sách" in captions(at)
    # the rest follow by date of receipt
    received = [datetime.strptime(s, "%d/%m/%Y") for s in lst["Ngày tiếp nhận"][1:]]
    assert received == sorted(received)
    assert [b.label for b in at.button if b.key and b.key.startswith("hs_crumb")] == ["Tất cả lĩnh vực", "Hộ tịch"]


@pytest.mark.parametrize("unit", ["291", "30"])
def test_district_and_province(app, unit):
    at = app(page=PAGE, unit=unit, **{"from": "2022-12-10", "to": "2023-12-09"}, field="Bảo trợ xã hội")
    assert not at.exception
    assert len(at.dataframe[0].value) > 0 and "Các thủ tục lĩnh vực Bảo trợ xã hội" in [h.value for h in at.subheader]


def test_empty_and_unknown_selections_are_explained(app):
    at = app(page=PAGE, unit="10621", **{"from": "2019-01-01", "to": "2019-12-31"})
    assert any("Không có hồ sơ" in i.value for i in at.info) and not at.exception
    at = app(page=PAGE, **QT, field="Không có lĩnh vực này")
    assert any("không có hồ sơ nào" in i.value for i in at.info) and not at.exception
    at = app(page=PAGE, **QT, field="Hộ tịch", proc="*", q="khong-co-ma-nay", pg="abc")
    assert any("Không có hồ sơ nào có mã chứa" in i.value for i in at.info) and not at.exception


# --- the URL state, without Streamlit -------------------------------------------------------------
def test_drill_parameters():
    d = Drill.from_params({"field": "Hộ tịch", "proc": "XA.HT.002", "q": " 2307 ", "pg": "3"}.get)
    assert (d.level, d.q, d.page) == (2, "2307", 3)
    assert d.params() == {"field": "Hộ tịch", "proc": "XA.HT.002", "q": "2307", "pg": "3"}
    assert d.to_level(1).params() == {"field": "Hộ tịch", "proc": None, "q": None, "pg": None}
    assert d.to_level(0).level == 0 and d.search("x").page == 1
    assert Drill.from_params({"pg": "-4"}.get).page == 1 and Drill.from_params({"pg": "x"}.get).page == 1
    assert Drill.from_params({"proc": "XA.HT.002"}.get).field == ALL  # a procedure alone: every field
    assert Drill(ALL, ALL).sql_field is None and Drill("F", ALL).sql_procedure is None
    assert [c[0] for c in drill.breadcrumb(d, "Đăng ký kết hôn")] == ["Tất cả lĩnh vực", "Hộ tịch", "Đăng ký kết hôn"]
    assert drill.breadcrumb(d)[-1][1] is None and drill.breadcrumb(d)[1][1] == Drill("Hộ tịch")
    assert drill.search_pattern("a_b%c\\") == "%a\\_b\\%c\\\\%" and drill.search_pattern("  ") is None
    assert drill.clicked_field({"selection": {"points": [{"customdata": ["Hộ tịch"], "y": "x"}]}}) == "Hộ tịch"
    assert drill.clicked_field({"selection": {"points": []}}) is None


# --- hand-built fixtures ---------------------------------------------------------------------------
def _write(root: Path, t: schema.Table, rows: list[dict]) -> None:
    if not t.partition_by:
        pq.write_table(pa.Table.from_pylist(rows, schema=t.arrow_schema), root / f"{t.name}.parquet")
        return
    file_schema = pa.schema([t.arrow_schema.field(c) for c in t.file_columns])
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[c] for c in t.partition_by), []).append(r)
    if not groups:  # an empty table still needs one (empty) file
        groups[(2023, "01")] = []
    for key, rs in groups.items():
        d = root / t.name / "/".join(f"{c}={v}" for c, v in zip(t.partition_by, key))
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist([{c: r[c] for c in t.file_columns} for r in rs], schema=file_schema),
                       d / "part-0000.parquet")


def _dossier(dossier_id: str, received: str, due: str, finished: str | None, procedure: str = "P1", field: str = "F",
             channel: str = "truc_tiep", supplement_days: int = 0) -> dict:
    ts = lambda s: datetime.fromisoformat(s) if s else None  # noqa: E731
    unit = dossier_id[:5]
    return {"dossier_id": dossier_id, "unit_code": unit, "district_code": "001", "procedure_code": procedure,
            "field": field, "channel": channel, "received_at": ts(received), "due_at": ts(due),
            "finished_at": ts(finished), "returned_at": ts(finished), "status": "da_tra" if finished else "dang_xu_ly",
            "supplement_count": 1 if supplement_days else 0, "supplement_days": supplement_days,
            "digitised_input": True, "e_result": True, "reused_data": False, "paid_online": False, "fee_vnd": 0,
            "year": int(received[:4]), "province_code": "01"}


def _fixture(root: Path, dossiers: list[dict]) -> Database:
    root.mkdir(parents=True, exist_ok=True)
    unit = lambda code, name, level, parent, district: {  # noqa: E731
        "code": code, "name": name, "type": {"province": "Tỉnh", "district": "Huyện", "commune": "Xã"}[level],
        "level": level, "parent_code": parent, "province_code": "01", "district_code": district, "valid_from": None,
        "valid_to": None, "map": "old", "successor_code": None, "divided_into": None}
    _write(root, schema.UNITS, [unit("01", "Tỉnh Thử", "province", None, None),
                                unit("001", "Huyện Thử", "district", "01", "001"),
                                unit("00001", "Xã Một", "commune", "001", "001"),
                                unit("00002", "Xã Hai", "commune", "001", "001")])
    proc = lambda code, name, field, days: {  # noqa: E731
        "code": code, "name": name, "field": field, "level": "commune", "agency": "ubnd", "statutory_days": days,
        "online_level": "mot_phan", "fee_vnd": 0, "paper_result": True, "valid_from": date(2020, 1, 1),
        "valid_to": None}
    _write(root, schema.PROCEDURES, [proc("P1", "Thủ tục một", "F", 2), proc("P2", "Thủ tục hai", "G", 0)])
    _write(root, schema.DOSSIERS, dossiers)
    for t in (schema.RATINGS, schema.FEEDBACK, schema.FINANCES, schema.FACTS, schema.INDEX_RESULTS):
        _write(root, t, [])
    cal = workdays.calendar_table(date(2022, 1, 1), date(2024, 12, 31))
    _write(root, schema.CALENDAR, [dict(zip(cal, row)) for row in zip(*cal.values())])
    return Database(root)


# March 2023 (Wed 01/03 – Fri 31/03, no holiday), unit 00001. By hand:
#   A finished before the period                      -> not listed
#   B carried over from February, finished 02/03 after its due day 22/02  -> late (resolved late)
#   C new 01/03, finished on its due day             -> Đúng hạn
#   D new 06/03, finished the day before its due day -> Trước hạn
#   E new 10/03, due 14/03, still open               -> late (overdue pending)
#   F new 29/03, due 31/03 17:00, still open         -> Trong hạn (due on the last day)
#   G new 20/03, due 22/03, finished 05/04 (after the period) -> late (overdue pending at the period's end)
#   H received in April, I another commune           -> not listed
#   J field G, procedure P2, same day                -> Đúng hạn
# Order: late first by receipt (B 20/02, E 10/03, G 20/03), then the rest by receipt
# (C 01/03, D 06/03, J 15/03, F 29/03).
MARCH = [
    _dossier("00001-230215-0001", "2023-02-15 09:00", "2023-02-17 17:00", "2023-02-16 10:00"),  # A
    _dossier("00001-230220-0001", "2023-02-20 09:00", "2023-02-22 17:00", "2023-03-02 10:00"),  # B
    _dossier("00001-230301-0001", "2023-03-01 09:00", "2023-03-03 17:00", "2023-03-03 10:00"),  # C
    _dossier("00001-230306-0001", "2023-03-06 09:00", "2023-03-08 17:00", "2023-03-07 10:00",
             channel="truc_tuyen"),  # D
    _dossier("00001-230310-0001", "2023-03-10 09:00", "2023-03-14 17:00", None),  # E
    _dossier("00001-230329-0_ab", "2023-03-29 09:00", "2023-03-31 17:00", None, channel="buu_chinh"),  # F
    _dossier("00001-230320-0001", "2023-03-20 09:00", "2023-03-22 17:00", "2023-04-05 10:00",
             channel="truc_tuyen"),  # G
    _dossier("00001-230403-0001", "2023-04-03 09:00", "2023-04-05 17:00", None),  # H
    _dossier("00002-230305-0001", "2023-03-06 09:00", "2023-03-08 17:00", "2023-03-07 10:00"),  # I
    _dossier("00001-230315-0001", "2023-03-15 09:00", "2023-03-15 17:00", "2023-03-15 11:00", procedure="P2",
             field="G"),  # J
]
ORDER = ["00001-230220-0001", "00001-230310-0001", "00001-230320-0001",
         "00001-230301-0001", "00001-230306-0001", "00001-230315-0001", "00001-230329-0_ab"]


@pytest.fixture(scope="module")
def march(tmp_path_factory):
    db = _fixture(tmp_path_factory.mktemp("march"), MARCH)
    yield db, kpis.resolve_unit(db, "00001"), periods.custom(date(2023, 3, 1), date(2023, 3, 31))
    db.close()


def _ids(page: drill.DossierPage) -> list[str]:
    return page.rows["dossier_id"].to_list()


def test_dossier_list_order_and_paging(march):
    db, unit, p = march
    pages = [drill.dossier_page(db, unit, p, Drill(ALL, ALL, page=i), per_page=3) for i in (1, 2, 3)]
    assert [_ids(pg) for pg in pages] == [ORDER[0:3], ORDER[3:6], ORDER[6:7]]
    assert {(pg.total, pg.late_total, pg.pages) for pg in pages} == {(7, 3, 3)}
    assert [pg.page for pg in pages] == [1, 2, 3]
    far = drill.dossier_page(db, unit, p, Drill(ALL, ALL, page=9), per_page=3)  # past the end: the last page
    assert (far.page, _ids(far)) == (3, ORDER[6:7])
    table = drill.dossier_table(pages[0])
    assert list(table["Trạng thái"]) == ["Quá hạn", "Quá hạn (đang giải quyết)", "Quá hạn (đang giải quyết)"]
    assert list(table["Ngày kết thúc"]) == ["02/03/2023", "", ""]  # G finished only after the period
    assert list(table["Hạn trả"]) == ["22/02/2023", "14/03/2023", "22/03/2023"]
    assert list(drill.dossier_table(pages[1])["Trạng thái"]) == ["Đúng hạn", "Trước hạn", "Đúng hạn"]
    assert list(drill.dossier_table(pages[2])["Trạng thái"]) == ["Trong hạn"]
    # one field, one procedure
    assert _ids(drill.dossier_page(db, unit, p, Drill("F", ALL))) == [i for i in ORDER if i != "00001-230315-0001"]
    assert _ids(drill.dossier_page(db, unit, p, Drill("G", "P2"))) == ["00001-230315-0001"]
    # the district sees the other commune's dossier too (I, received 06/03, on time)
    district = drill.dossier_page(db, kpis.resolve_unit(db, "001"), p, Drill(ALL, ALL))
    assert _ids(district) == ORDER[:5] + ["00002-230305-0001"] + ORDER[5:]  # D and I tie: by code


def test_dossier_list_search(march):
    db, unit, p = march
    search = lambda q: _ids(drill.dossier_page(db, unit, p, Drill(ALL, ALL, q=q)))  # noqa: E731
    assert search("230306") == ["00001-230306-0001"]
    assert search("AB") == ["00001-230329-0_ab"]  # case-insensitive
    assert search("-0001") == [i for i in ORDER if i.endswith("-0001")]
    assert search("9-0_") == ["00001-230329-0_ab"] and search("9-00") == []
    assert search("_") == ["00001-230329-0_ab"] and search("%") == []  # wildcards match only themselves
    assert search("2303") == [i for i in ORDER if "2303" in i]
    assert drill.dossier_page(db, unit, p, Drill(ALL, ALL, q="nothing")).total == 0


def test_channel_mix(march):
    db, unit, p = march
    # new in March for 00001: C, D, E, F, G, J (B is carried over): counter C, E, J; online D, G; post F
    rows = drill.channel_rows(db, unit, p, Drill())
    assert {r["channel"]: r["received_new"] for r in rows} == {"truc_tiep": 3, "truc_tuyen": 2, "buu_chinh": 1}
    assert {r["label"] for r in rows} == set(schema.CHANNELS.values())
    assert drill.channel_rows(db, unit, p, Drill("G", "P2")) == [{"channel": "truc_tiep", "received_new": 1,
                                                                  "label": "Trực tiếp"}]


# Around the 2023 holidays (P1: 2 working days). By hand, from cchc/reference/holidays.csv:
#   K received Fri 28/04, finished Thu 04/05: 29/04 Sat (Giỗ Tổ), 30/04 Sun, 01/05 Mon, 02/05 and
#     03/05 (days off in lieu) are not working days -> 1 working day (04/05); within 2.
#   L received Wed 26/04, finished Fri 05/05, 1 day waiting for a supplement: 27/04, 28/04, 04/05,
#     05/05 = 4 working days - 1 = 3; beyond 2.
#   M received Thu 31/08, finished Tue 05/09: 01/09, 02/09 (Sat), 03/09 (Sun), 04/09 are days off
#     -> 1 working day (05/09); within 2.
HOLIDAYS = [
    _dossier("00001-230428-0001", "2023-04-28 09:00", "2023-05-05 17:00", "2023-05-04 10:00"),  # K
    _dossier("00001-230426-0001", "2023-04-26 09:00", "2023-05-05 17:00", "2023-05-05 15:00", supplement_days=1),  # L
    _dossier("00001-230831-0001", "2023-08-31 09:00", "2023-09-06 17:00", "2023-09-05 10:00"),  # M
]


def test_processing_days_skip_holidays(tmp_path):
    for d in ("2023-04-29", "2023-05-01", "2023-05-02", "2023-05-03", "2023-09-01", "2023-09-04"):
        assert not workdays.is_working_day(date.fromisoformat(d)), d  # the calendar the answer relies on
    db = _fixture(tmp_path, HOLIDAYS)
    try:
        unit = kpis.resolve_unit(db, "00001")
        spring = periods.custom(date(2023, 4, 1), date(2023, 5, 31))
        lst = drill.dossier_page(db, unit, spring, Drill(ALL, ALL))
        assert dict(zip(lst.rows["dossier_id"], lst.rows["processing_days"])) == {
            "00001-230426-0001": 3, "00001-230428-0001": 1}
        t = db.run("processing_times", **unit.scope, start=spring.start, end=spring.end, field=None,
                   procedure=None).row(0, named=True)
        assert (t["procedure_code"], t["resolved"], t["statutory_days"], t["within_statutory"]) == ("P1", 2, 2, 1)
        assert t["median_days"] == 2.0 and t["p90_days"] == pytest.approx(2.8) and t["max_days"] == 3
        hist = drill.processing_rows(db, unit, spring, Drill())
        assert hist.rows() == [(1, True, 1), (3, False, 1)]
        assert drill.statutory_mark(db, unit, spring, Drill()) == 2
        autumn = periods.custom(date(2023, 9, 1), date(2023, 9, 30))
        assert drill.processing_rows(db, unit, autumn, Drill("F", "P1")).rows() == [(1, True, 1)]
        fig = drill.processing_figure(hist, 2, "", "Xã Một — thử")
        assert fig.layout.shapes[0].x0 == 2.5  # the statutory mark between 2 and 3 days
    finally:
        db.close()
