"""Tài chính công: the page for Quốc Tuấn 2023 (seed figures), the district ranking against per-commune
computations, and the cumulative curve, milestones and ranking on a small hand-built dataset."""
from __future__ import annotations

import json
from datetime import date

import pytest

from cchc import fmt, kpis, periods, units
from cchc.views import tai_chinh as finance
from cchc.db import Database

from fixtures import write_dataset

YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- the page on the default sample ---------------------------------------------------------------
def test_quoc_tuan_2023_seed_figures(app):
    at = app(page="pages/tai_chinh.py", unit="10621", **YEAR_2023)
    m = _metrics(at)
    # the rates are named by the catalogue's finance KPIs, the amounts by their counts
    assert m["Thu ngân sách so với dự toán"] == "104,61 %"
    assert m["Chi ngân sách so với dự toán"] == "91,28 %"
    assert m["Giải ngân vốn đầu tư công so với kế hoạch"] == "98,75 %"
    assert m["Thu ngân sách thực hiện"] == "12.951 triệu đồng"
    assert m["Chi ngân sách thực hiện"] == "9.630 triệu đồng"
    assert m["Vốn đầu tư công đã giải ngân"] == "4.112 triệu đồng"
    helps = {x.label: x.help for x in at.metric}
    assert helps["Thu ngân sách thực hiện"] == "Dự toán thu ngân sách: 12.380 triệu đồng"
    assert "Công thức: Thu ngân sách thực hiện / Dự toán thu ngân sách." in helps["Thu ngân sách so với dự toán"]
    assert "Mục tiêu ≥ 100 %" in helps["Thu ngân sách so với dự toán"]
    table = at.dataframe[0].value
    row = table[table["Chỉ tiêu"] == "Thu ngân sách"].iloc[0]
    assert (row["Thực hiện (triệu đồng)"], row["Dự toán / kế hoạch (triệu đồng)"]) == ("12.951", "12.380")
    # two charts (cumulative, disbursement) whose titles name the unit and the period; no ranking for a commune
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 2
    assert all("Xã Quốc Tuấn" in t and "Năm 2023" in t for t in titles)
    assert not any("Xếp hạng" in h.value for h in at.subheader)


def test_district_ranking_equals_per_commune_computation(app, db):
    at = app(page="pages/tai_chinh.py", unit="291", **YEAR_2023)
    assert any("Xếp hạng" in h.value for h in at.subheader)
    table = at.dataframe[-1].value
    district = kpis.resolve_unit(db, "291")
    period = kpis.period_for(district, date(2022, 12, 10), date(2023, 12, 9))
    every = db.run("units_all")
    communes = every.filter((every["district_code"] == "291") & (every["level"] == "commune"))
    expected = []
    for code in communes["code"]:
        u = units.get(db, "old", code)   # the district's own communes (a new commune may reuse a code)
        f = kpis.finance_kpis(db, u, period)["finance"]
        expected.append((f["thu_ngan_sach"]["rate"], u.name, f["giai_ngan_dtc"]["rate"]))
    expected.sort()
    assert len(expected) == len(table) > 1
    assert table["Đơn vị"].tolist() == [name for _, name, _ in expected]
    assert table["Thu ngân sách so với dự toán"].tolist() == [fmt.percent(r) for r, _, _ in expected]
    assert table["Giải ngân vốn đầu tư công so với kế hoạch"].tolist() == [fmt.percent(d) for _, _, d in expected]
    # the district's own totals are the sum of its communes (in tỷ đồng on a district page)
    m = _metrics(at)
    assert m["Thu ngân sách thực hiện"].endswith(" tỷ đồng")


def test_ranking_function_matches_communes_and_sorts_worst_first(db):
    district = kpis.resolve_unit(db, "291")
    period = periods.official_quarter(2024, 2, 10)
    rows = finance.ranking(db, district, period, sort_item=finance.DISBURSEMENT)
    rates = [r["giai_ngan_dtc_rate"] for r in rows]
    assert rates == sorted(rates)
    for r in rows[:3]:
        f = kpis.finance_kpis(db, units.get(db, district.map, r["code"]), period)["finance"]
        assert r["giai_ngan_dtc_actual"] == f["giai_ngan_dtc"]["actual_vnd"]
        assert r["thu_ngan_sach_rate"] == pytest.approx(f["thu_ngan_sach"]["rate"])


def test_province_page_ranks_districts(app):
    at = app(page="pages/tai_chinh.py", unit="30", **YEAR_2023)
    table = at.dataframe[-1].value
    assert len(table) == 12  # the sample's 12 districts of Hải Dương
    assert not at.exception


# --- hand-built data ---------------------------------------------------------------------------------
M = 1_000_000
# xã Quốc Tuấn 2023: disbursement plan 100 triệu a month; actual below, so that by 30/06 it has disbursed
# 240/1.200 = 20 %, by 30/09 540/1.200 = 45 %, by 31/12 1.140/1.200 = 95 %.
QT_DISB = [0, 0, 60, 60, 60, 60, 100, 100, 100, 200, 200, 200]


def _rows():
    rows = []
    for m in range(1, 13):
        rows += [
            dict(unit_code="10621", year=2023, month=m, item="giai_ngan_dtc", plan_vnd=100 * M, actual_vnd=QT_DISB[m - 1] * M),
            dict(unit_code="10621", year=2023, month=m, item="thu_ngan_sach", plan_vnd=1000 * M, actual_vnd=1100 * M),
            dict(unit_code="10606", year=2023, month=m, item="giai_ngan_dtc", plan_vnd=50 * M, actual_vnd=50 * M),
            dict(unit_code="10606", year=2023, month=m, item="thu_ngan_sach", plan_vnd=500 * M, actual_vnd=400 * M),
        ]
    for m in (4, 5, 6):  # the same quarter of 2022, revenue only
        rows.append(dict(unit_code="10621", year=2022, month=m, item="thu_ngan_sach", plan_vnd=900 * M, actual_vnd=900 * M))
    return rows


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = Database(write_dataset(tmp_path_factory.mktemp("fin"), finances=_rows()))
    yield d
    d.close()


def test_summary_of_a_quarter_by_hand(fx):
    qt = kpis.resolve_unit(fx, "10621")
    s = finance.summary(fx, qt, periods.official_quarter(2023, 2, 10))  # budget months 4–6/2023
    it = {i["item"]: i for i in s["items"]}
    assert (it["giai_ngan_dtc"]["actual_vnd"], it["giai_ngan_dtc"]["plan_vnd"]) == (180 * M, 300 * M)
    assert it["giai_ngan_dtc"]["rate"] == pytest.approx(0.6)
    assert it["giai_ngan_dtc"]["prev_rate"] is None  # no disbursement rows in 2022
    assert (it["thu_ngan_sach"]["actual_vnd"], it["thu_ngan_sach"]["prev_actual_vnd"]) == (3300 * M, 2700 * M)
    assert it["thu_ngan_sach"]["actual_change"] == pytest.approx(3300 / 2700 - 1)
    assert it["thu_ngan_sach"]["rate_change"] == pytest.approx(1.1 - 1.0)


def test_cumulative_curve_by_hand(fx):
    qt = kpis.resolve_unit(fx, "10621")
    cum = finance.cumulative(fx, qt, periods.official_quarter(2023, 2, 10))
    d = cum.filter(cum["item"] == "giai_ngan_dtc").sort("month")
    # the plan line runs over the whole budget year, the actual only to the quarter's last month (June)
    assert d["plan_cum"].to_list() == [100 * M * k for k in range(1, 13)]
    running = [sum(QT_DISB[:k]) * M for k in range(1, 7)]
    assert d["actual_cum"].to_list() == running + [None] * 6
    assert d["plan_year"].unique().to_list() == [1200 * M]
    assert d["actual_cum_share"][5] == pytest.approx(240 / 1200)
    assert d["day"][0] == date(2023, 1, 1)


def test_cumulative_restarts_each_budget_year(fx):
    qt = kpis.resolve_unit(fx, "10621")
    cum = finance.cumulative(fx, qt, periods.custom(date(2022, 4, 1), date(2023, 3, 31)))
    rev = cum.filter(cum["item"] == "thu_ngan_sach").sort("year", "month")
    assert sorted(set(rev["year"].to_list())) == [2022, 2023]
    y22 = rev.filter(rev["year"] == 2022)
    assert y22["actual_cum"].to_list() == [900 * M, 1800 * M, 2700 * M]
    y23 = rev.filter(rev["year"] == 2023)
    assert y23["actual_cum"].to_list()[:4] == [1100 * M, 2200 * M, 3300 * M, None]  # restarts in January, stops after March


def test_milestones_by_hand(fx, tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("milestone,months_after_start,target_pct,status,source\n"
                    "30/06,6,20,placeholder,x\n30/09,9,50,,y\n31/12,12,95,,z\n31/01,13,100,placeholder,w\n", encoding="utf-8")
    ms = finance.load_milestones(path)
    assert [(m.label, m.months_after_start, m.target) for m in ms] == [("30/06", 6, 0.2), ("30/09", 9, 0.5),
                                                                         ("31/12", 12, 0.95), ("31/01", 13, 1.0)]
    assert ms[3].day(2023) == date(2024, 1, 31) and ms[3].month(2023) == date(2024, 1, 1)
    qt = kpis.resolve_unit(fx, "10621")
    year = periods.official_year(2023, 10)
    st = finance.milestone_status(finance.cumulative(fx, qt, year), ms, date(2023, 12, 1))
    assert [(s["status"], s["actual_share"]) for s in st] == [
        ("Đạt", pytest.approx(0.2)), ("Chưa đạt", pytest.approx(0.45)), ("Đạt", pytest.approx(0.95)),
        ("Không có số liệu", None)]
    # in the first half only the June milestone is due
    half = periods.official_half(2023, 10)
    st = finance.milestone_status(finance.cumulative(fx, qt, half), ms, date(2023, 6, 1))
    assert [s["status"] for s in st] == ["Đạt", "Chưa đến mốc", "Chưa đến mốc", "Chưa đến mốc"]


def test_bad_milestone_file_names_row_and_column(tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("milestone,months_after_start,target_pct,status,source\n30/06,6,30,,a\n30/09,8,60,,b\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="dòng 3, cột months_after_start"):
        finance.load_milestones(path)


def test_shipped_milestones_load_and_say_they_are_placeholders():
    ms = finance.load_milestones()
    assert [m.label for m in ms] == ["30/06", "30/09", "31/12", "31/01"]
    assert all(0 < m.target <= 1 for m in ms)
    assert all(m.placeholder and m.source for m in ms)


def test_ranking_by_hand(fx):
    nam_sach = kpis.resolve_unit(fx, "291")
    rows = finance.ranking(fx, nam_sach, periods.official_year(2023, 10))
    assert [(r["code"], r["thu_ngan_sach_rate"]) for r in rows] == [("10606", pytest.approx(0.8)),
                                                                   ("10621", pytest.approx(1.1))]
    rows = finance.ranking(fx, nam_sach, periods.official_year(2023, 10), sort_item="giai_ngan_dtc")
    assert [(r["code"], r["giai_ngan_dtc_rate"]) for r in rows] == [("10621", pytest.approx(0.95)),
                                                                   ("10606", pytest.approx(1.0))]
    province = kpis.resolve_unit(fx, "30")
    rows = finance.ranking(fx, province, periods.official_year(2023, 10))
    assert [(r["code"], r["communes"], r["thu_ngan_sach_actual"]) for r in rows] == [("291", 2, 18000 * M)]
    assert finance.ranking(fx, kpis.resolve_unit(fx, "10621"), periods.official_year(2023, 10)) == []


def test_money_formats():
    assert finance.TRIEU.text(12_951_000_000) == "12.951 triệu đồng"
    assert finance.TY.text(12_951_000_000) == "12,95 tỷ đồng"
    assert finance.TY.text(2_770_170_000_000) == "2.770,17 tỷ đồng"
    assert finance.signed_percent(-0.0321) == "−3,21 %"
    assert finance.months_label(date(2022, 12, 1), date(2023, 11, 1)) == "tháng 12/2022–11/2023"

def test_change_delta_uses_ascii_minus_for_the_arrow():
    assert finance.change_delta(-0.0321) == "-3,21 % so với cùng kỳ"
    assert finance.change_delta(0.0794) == "+7,94 % so với cùng kỳ"
    assert finance.change_delta(None) is None


def test_period_past_the_data_compares_the_same_months(fx):
    # the fixture has 2023 only: a calendar year 2023 period is complete; Q2/2023's previous year has
    # revenue only; a "year 2024" has nothing at all
    qt = kpis.resolve_unit(fx, "10621")
    assert finance.summary(fx, qt, periods.calendar_year(2024))["items"] == []
    s = finance.summary(fx, qt, periods.custom(date(2023, 4, 1), date(2024, 3, 31)))  # months 4/2023–3/2024
    assert s["partial"] and s["months"] == (date(2023, 4, 1), date(2023, 12, 1))
    assert s["previous_months"] == (date(2022, 4, 1), date(2022, 12, 1))
    rev = next(i for i in s["items"] if i["item"] == "thu_ngan_sach")
    assert (rev["actual_vnd"], rev["prev_actual_vnd"]) == (9 * 1100 * M, 2700 * M)
