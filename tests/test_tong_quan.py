"""The overview page (Tổng quan): KPI cards with change and target, the 24-month trend, the ranking
of the units under a district or province. AppTest over the default sample, the ranking query on
hand-built Parquet, and the page's figures against cchc.kpis on the real sample."""
from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from cchc import fmt, kpis, periods, units
from cchc.views import tong_quan as ov
from cchc.db import Database

from fixtures import PROCEDURES, dossier, write_dataset

QT_PERIOD = {"from": "2022-12-10", "to": "2023-12-09"}
YEAR_2023 = periods.official_year(2023, 10)


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


# --- targets -------------------------------------------------------------------------------------
def test_targets_are_data_with_sources():
    t = ov.load_targets()
    assert {k: (v.target, v.comparison) for k, v in t.items() if k in (
        "on_time_rate", "online_rate", "digitised_input_rate", "satisfaction_rate", "revenue_rate")} == {
        "on_time_rate": (1.0, ">="), "online_rate": (0.5, ">="), "digitised_input_rate": (0.8, ">="),
        "satisfaction_rate": (0.9, ">="), "revenue_rate": (1.0, ">=")}
    assert "3.3" in t["online_rate"].source and "4.2" in t["digitised_input_rate"].source
    assert "5.4" in t["satisfaction_rate"].source and "2.1" in t["on_time_rate"].source
    assert set(t) <= {c.key for c in ov.CARDS}
    assert t["online_rate"].met(0.5) and not t["online_rate"].met(0.4999) and t["online_rate"].met(None) is None
    assert t["online_rate"].text == "≥ 50 %"


def test_bad_targets_file_is_refused_in_vietnamese(tmp_path):
    f = tmp_path / "targets.csv"
    f.write_text("kpi,target,comparison,source\nonline_rate,50,>=,QĐ 766\n", encoding="utf-8")
    with pytest.raises(ValueError, match="dòng 2.*tỷ lệ"):
        ov.load_targets(f)
    f.write_text("kpi,target,comparison,source\nonline_rate,0.5,>=,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="thiếu nguồn"):
        ov.load_targets(f)


def test_change_text_and_colour():
    assert ov.delta_text("count", 1, 2) == "-1 so với cùng kỳ"
    assert ov.delta_text("count", 3262, 1000) == "+2.262 so với cùng kỳ"
    assert ov.delta_text("rate", 0.9997, 0.9994) == "+0,03 điểm % so với cùng kỳ"
    assert ov.delta_text("rate", 0.5, 0.50001) == "±0,00 điểm % so với cùng kỳ"
    assert ov.delta_text("rate", None, 0.5) is None
    t = ov.load_targets()
    qt = kpis.Unit("10621", "Xã Quốc Tuấn", "commune", "30", "291")
    now = {"received_total": 10, "overdue": 1, "resolved_in_time": 9, "resolved_total": 10, "on_time_rate": 0.9,
           "finance_months": None}
    prev = {"received_total": 10, "overdue": 3, "on_time_rate": 0.95}
    cards = {c.key: c for c in ov.cards(now, prev, t, qt)}
    assert cards["overdue"].delta == "-2 so với cùng kỳ" and cards["overdue"].colour is False
    assert cards["received_total"].delta == "±0 so với cùng kỳ" and cards["received_total"].colour is None
    assert cards["on_time_rate"].delta.startswith("-5,00 điểm %") and cards["on_time_rate"].colour is True
    assert "Chưa đạt" in cards["on_time_rate"].help and "9 / 10" in cards["on_time_rate"].help
    assert cards["revenue_rate"].text == "–" and "Không có số liệu ngân sách" in cards["revenue_rate"].help


# --- the page ------------------------------------------------------------------------------------
def test_quoc_tuan_2023_cards_change_and_unit_switch(app, db):
    at = app(page="pages/tong_quan.py", unit="10621", **QT_PERIOD)
    v = metric_values(at)
    assert v["Hồ sơ tiếp nhận"] == "3.262"
    assert v["Tỷ lệ giải quyết trước hạn, đúng hạn"] == "99,97 %"
    assert v["Tỷ lệ số hóa thành phần hồ sơ"] == "99,04 %"
    assert v["Tỷ lệ số hóa kết quả"] == "99,57 %"
    assert v["Tỷ lệ hài lòng"] == "100,00 %"
    assert v["Thu ngân sách so với dự toán"] == "104,61 %"
    assert v["Chi ngân sách so với dự toán"] == "91,28 %"
    assert v["Giải ngân vốn đầu tư công so với kế hoạch"] == "98,75 %"
    assert v["Quá hạn"] == "1"  # 1 resolved late + 0 pending overdue
    assert len(at.metric) == len(ov.CARDS)  # one card per KPI of the catalogue's `cards`

    # the change against the same period a year earlier, from the rows of 2022
    qt = kpis.resolve_unit(db, "10621")
    before = kpis.kpis(db, qt, YEAR_2023.previous_year())
    minus = lambda s: s.replace("\u2212", "-")  # noqa: E731  (st.metric reads the sign from an ASCII '-')
    assert metric(at, "Hồ sơ tiếp nhận").proto.delta == minus(fmt.signed_number(3262 - before["received_total"])) + " so với cùng kỳ"
    on_time = metric(at, "Tỷ lệ giải quyết trước hạn, đúng hạn")
    assert on_time.proto.delta == minus(fmt.signed_percent_points(3257 / 3258 - before["on_time_rate"])) + " so với cùng kỳ"
    # colours: overdue is better when lower, received volume is neither good nor bad
    from streamlit.proto.Metric_pb2 import Metric
    overdue_before = before["resolved_late"] + before["pending_overdue"]
    assert overdue_before != 1, "the sample should show a change in overdue dossiers"
    assert metric(at, "Quá hạn").proto.color == (Metric.GREEN if 1 < overdue_before else Metric.RED)
    assert metric(at, "Hồ sơ tiếp nhận").proto.color == Metric.GRAY
    # the target and the amounts are in the help text
    assert "≥ 100 %" in on_time.help and "2.1" in on_time.help
    assert "12.951 triệu đồng" in metric(at, "Thu ngân sách so với dự toán").help
    assert any("so với cùng kỳ năm trước: Năm 2022" in c.value for c in at.caption)
    # a commune is compared with its district
    assert any("Huyện Nam Sách" in i.value and "99,97 %" in i.value for i in at.info)

    # changing the unit through the link changes the figures
    at.query_params["unit"] = "291"
    at.run()
    assert not at.exception
    nam_sach = kpis.dossier_kpis(db, kpis.resolve_unit(db, "291"), YEAR_2023)
    assert metric_values(at)["Hồ sơ tiếp nhận"] == fmt.number(nam_sach["received_total"]) != "3.262"
    assert metric_values(at)["Tỷ lệ giải quyết trước hạn, đúng hạn"] == fmt.percent(nam_sach["on_time_rate"])

    # … and through the sidebar: pick another commune of the district
    at.selectbox(key="f_commune").set_value("10606").run()
    assert not at.exception
    tt = kpis.dossier_kpis(db, units.get(db, "old", "10606"), YEAR_2023)   # the old Thị trấn (cu-10606)
    assert metric_values(at)["Hồ sơ tiếp nhận"] == fmt.number(tt["received_total"])
    assert at.caption[0].value.startswith("Thị trấn Nam Sách")


def test_trend_chart_on_the_page(app):
    at = app(page="pages/tong_quan.py", unit="10621", **QT_PERIOD, cmp="0")
    assert not any("so với cùng kỳ" in (m.proto.delta or "") for m in at.metric)  # cmp=0: no change shown
    trend = figures(at)[0]
    assert [len(t["x"]) for t in trend["data"]] == [24, 24, 24]
    title = trend["layout"]["title"]["text"]
    assert "Xã Quốc Tuấn" in title and "01/2022" in title and "12/2023" in title and "24 tháng" in title
    assert trend["layout"]["shapes"][0]["yref"] == "y2" and trend["layout"]["shapes"][0]["y0"] == 1.0
    # the series, their names and the title are the catalogue's `trend` (counts as bars, rates as lines)
    assert [(t["type"], t["name"]) for t in trend["data"]] == [
        ("bar", "Mới tiếp nhận"), ("bar", "Đã giải quyết"), ("scatter", "Tỷ lệ giải quyết trước hạn, đúng hạn")]
    assert title.replace("<br>", " ").startswith("<b>Hồ sơ mới tiếp nhận, đã giải quyết và tỷ lệ trước, đúng hạn theo tháng</b>")
    assert trend["layout"]["annotations"][-1]["text"] == "Mục tiêu ≥ 100 %"  # the catalogue's target


def test_district_ranks_its_communes(app, db):
    at = app(page="pages/tong_quan.py", unit="291", **QT_PERIOD)
    communes = db.run("units_all").filter((pl.col("level") == "commune") & (pl.col("district_code") == "291"))
    table = at.dataframe[0].value
    assert sorted(table["Mã"]) == sorted(communes["code"].to_list())
    assert "Thuộc" not in table.columns
    rates = [float(s.replace(" %", "").replace(",", ".")) for s in table["Tỷ lệ trước, đúng hạn"]]
    assert rates == sorted(rates), "worst first"
    ranks = [int(x) for x in table["Hạng (1 = tốt nhất)"]]
    assert ranks[0] == max(ranks) and min(ranks) == 1
    chart = figures(at)[1]
    bars = [y for t in chart["data"] for y in t["y"]]
    assert len(bars) == min(15, communes.height)
    assert "Huyện Nam Sách" in chart["layout"]["title"]["text"]

    # rank on digitisation instead
    at.radio(key="ov_by").set_value("digitised_input_rate").run()
    table = at.dataframe[0].value
    dig = [float(s.replace(" %", "").replace(",", ".")) for s in table["Số hóa thành phần hồ sơ"]]
    assert dig == sorted(dig)
    assert at.query_params["by"] in ("digitised_input_rate", ["digitised_input_rate"])


def test_province_ranks_districts_or_every_commune(app, db):
    at = app(page="pages/tong_quan.py", unit="30", **QT_PERIOD)
    hd = db.run("units_all").filter((pl.col("map") == "old") & (pl.col("province_code") == "30"))
    assert at.dataframe[0].value.shape[0] == hd.filter(pl.col("level") == "district").height
    at.toggle(key="ov_all").set_value(True).run()
    table = at.dataframe[0].value
    assert table.shape[0] == hd.filter(pl.col("level") == "commune").height
    assert "Thuộc" in table.columns
    assert len([y for t in figures(at)[1]["data"] for y in t["y"]]) == 15


def test_empty_selection_says_so(app):
    at = app(page="pages/tong_quan.py", unit="10621", **{"from": "2020-01-01", "to": "2020-12-31"})
    assert not at.metric
    assert any("Không có hồ sơ nào" in i.value and "Xã Quốc Tuấn" in i.value for i in at.info)


# --- the figures against cchc.kpis on the real sample --------------------------------------------
@pytest.mark.parametrize("code", ["291"])
def test_ranking_query_adds_up_to_commune_kpis(db, code):
    district = kpis.resolve_unit(db, code)
    r = ov.ranking(db, district, YEAR_2023)
    rows = {row["code"]: row for row in r.to_dicts()}
    for c in ("10621", "10606", "10609"):
        k = kpis.dossier_kpis(db, units.get(db, district.map, c), YEAR_2023)   # the district's own (old) communes
        got = rows[c]
        assert got["received_total"] == k["received_total"]
        assert got["received_new"] == k["received_new"]
        assert got["resolved_total"] == k["resolved_total"]
        assert got["resolved_in_time"] == k["resolved_early"] + k["resolved_on_time"]
        assert got["resolved_late"] == k["resolved_late"]
        assert got["pending_overdue"] == k["pending_overdue"]
        assert got["digitised_input"] == k["digitised_input"]
        assert got["digitised_result"] == k["digitised_result"]
        assert got["on_time_rate"] == pytest.approx(k["on_time_rate"])
    total = kpis.dossier_kpis(db, district, YEAR_2023)
    for key in ("received_total", "resolved_total", "resolved_late", "pending_overdue", "digitised_input"):
        assert r[key].sum() == total[key], key


def test_trend_matches_monthly_kpis(db):
    qt = kpis.resolve_unit(db, "10621")
    df, start, end = ov.trend(db, qt, YEAR_2023)
    assert (start, end) == (date(2022, 1, 1), date(2023, 12, 31))
    assert df.height == 24
    months = [periods.calendar_month(2022 + i // 12, i % 12 + 1) for i in range(24)]
    parts = [kpis.dossier_kpis(db, qt, m) for m in months]
    assert df["received_new"].sum() == sum(p["received_new"] for p in parts)
    assert df["resolved_total"].to_list() == [p["resolved_total"] for p in parts]
    assert df["on_time_rate"].to_list()[5] == pytest.approx(parts[5]["on_time_rate"])


def test_trend_window():
    assert ov.trend_window(YEAR_2023) == (date(2022, 1, 1), date(2023, 12, 31))
    # a period running past the data ends the window with the last month of data
    assert ov.trend_window(periods.official_year(2025, 10), date(2025, 6, 30)) == (date(2023, 7, 1), date(2025, 6, 30))
    assert ov.trend_window(periods.calendar_month(2024, 2)) == (date(2022, 3, 1), date(2024, 2, 29))


# --- the ranking query on hand-built data --------------------------------------------------------
UNITS = [
    dict(code="30", name="Tỉnh Hải Dương", type="Tỉnh", level="province", parent_code=None, province_code="30"),
    dict(code="291", name="Huyện Nam Sách", type="Huyện", level="district", parent_code="30", province_code="30",
         district_code="291"),
    dict(code="292", name="Thị xã Kinh Môn", type="Thị xã", level="district", parent_code="30", province_code="30",
         district_code="292"),
    dict(code="10621", name="Xã Quốc Tuấn", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291"),
    dict(code="10606", name="Thị trấn Nam Sách", type="Thị trấn", level="commune", parent_code="291",
         province_code="30", district_code="291"),
    # in force, no dossiers: listed with zeros and no rate
    dict(code="10609", name="Xã Nam Hưng", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291"),
    # merged away before the period and no dossiers: not listed
    dict(code="10610", name="Xã Cũ", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291", valid_to=date(2022, 12, 31)),
    dict(code="10700", name="Phường An Lưu", type="Phường", level="commune", parent_code="292", province_code="30",
         district_code="292"),
]
# Calendar March 2023.
ROWS = [
    # Quốc Tuấn: 3 resolved (1 late), 1 pending overdue (received in Feb: carried over), 1 input not digitised
    dossier("Q1", "2023-03-01 08:00", "2023-03-03 17:00", "2023-03-02 10:00"),
    dossier("Q2", "2023-03-06 08:00", "2023-03-08 17:00", "2023-03-08 16:00", digitised_input=False),
    dossier("Q3", "2023-03-09 08:00", "2023-03-10 17:00", "2023-03-13 09:00", e_result=False),
    dossier("Q4", "2023-02-20 08:00", "2023-02-24 17:00", None),
    # Nam Sách town: 1 resolved on time, 1 pending within its deadline
    dossier("N1", "2023-03-10 08:00", "2023-03-14 17:00", "2023-03-14 09:00", unit="10606"),
    dossier("N2", "2023-03-30 08:00", "2023-04-04 17:00", None, unit="10606"),
    # Kinh Môn: 1 resolved late
    dossier("K1", "2023-03-01 08:00", "2023-03-02 17:00", "2023-03-06 09:00", unit="10700", district_code="292"),
    # outside the period
    dossier("X1", "2023-04-03 08:00", "2023-04-05 17:00", "2023-04-04 09:00"),
]
MARCH = periods.calendar_month(2023, 3)


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("ranking"), dossiers=ROWS, units=UNITS, procedures=PROCEDURES)
    d = Database(root)
    yield d
    d.close()


COLS = ["received_total", "received_new", "resolved_total", "resolved_in_time", "resolved_late", "pending_overdue",
        "digitised_input", "digitised_result"]


def test_ranking_by_hand_district(fx):
    r = ov.ranking(fx, kpis.resolve_unit(fx, "291"), MARCH)
    got = {row["code"]: [row[c] for c in COLS] for row in r.to_dicts()}
    assert got == {
        "10621": [4, 3, 3, 2, 1, 1, 2, 2],
        "10606": [2, 2, 1, 1, 0, 0, 2, 1],
        "10609": [0, 0, 0, 0, 0, 0, 0, 0],
    }
    # worst first on the on-time rate (2/3 before 1/1), the unit without a rate last
    assert r["code"].to_list() == ["10621", "10606", "10609"]
    assert r["rank"].to_list() == [2, 1, None]
    assert r["on_time_rate"].to_list()[:2] == pytest.approx([2 / 3, 1.0])
    assert r["digitised_input_rate"].to_list()[:2] == pytest.approx([2 / 3, 1.0])
    assert r["overdue"].to_list() == [2, 0, 0]


def test_ranking_by_hand_province(fx):
    p = kpis.resolve_unit(fx, "30")
    by_district = {row["code"]: [row[c] for c in COLS] for row in ov.ranking(fx, p, MARCH).to_dicts()}
    assert by_district == {"291": [6, 5, 4, 3, 1, 1, 4, 3], "292": [1, 1, 1, 0, 1, 0, 1, 1]}
    every = ov.ranking(fx, p, MARCH, all_communes=True)
    assert every["code"].to_list() == ["10700", "10621", "10606", "10609"]
    assert every.filter(pl.col("code") == "10700")["parent_name"].item() == "Thị xã Kinh Môn"
    table = ov.ranking_table(every, with_parent=True)
    assert table.row(1, named=True)["Tỷ lệ trước, đúng hạn"] == "66,67 %"
    assert table.row(3, named=True)["Tỷ lệ trước, đúng hạn"] == "–"
