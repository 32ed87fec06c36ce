"""Chỉ số (pages/chi_so.py, cchc/views/chi_so.py): the page for xã Quốc Tuấn 2023 against the engine's
own score; the grouped trend and ranking queries against per-period / per-unit scoring.score; the
dossiers that lost points against the metric queries; the index thresholds on other pages' trends
(item 5: pages/ho_so.py, cchc/views/hai_long.py) read from the definition files."""
from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from cchc import fmt, kpis, periods, scoring
from cchc.views import chi_so as iv
from cchc.views import hai_long as sat

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/chi_so.py"
QT = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}
QT_PERIOD = periods.official_year(2023, 10)


def _table(at, first_column: str) -> pl.DataFrame:
    return next(pl.from_pandas(d.value) for d in at.dataframe if first_column == list(d.value.columns)[0])


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


# --------------------------------------------------------------------------------------------
# The page, xã Quốc Tuấn, official year 2023
# --------------------------------------------------------------------------------------------

def test_quoc_tuan_2023_total_and_groups_as_the_engine_computes(app, db):
    at = app(page=PAGE, **QT)
    res = scoring.score(db, "766", kpis.resolve_unit(db, "10621"), QT_PERIOD)
    assert at.title[0].value == "Chỉ số"
    assert _metric(at, "Tổng điểm (thang 100)") == fmt.number(res.total, 2)
    assert _metric(at, "Xếp loại") == res.band.name
    assert _metric(at, "Điểm đạt / tối đa có dữ liệu") == f"{fmt.number(res.raw_total, 2)}/{fmt.number(res.available_max)}"
    groups = _table(at, "Mã nhóm")
    shown = dict(zip(groups["Mã nhóm"], groups["Điểm"]))
    assert shown == {g.code: fmt.number(g.score, 2) if g.score is not None else "không đủ dữ liệu" for g in res.groups}
    # CKMB (publication, portal sync) is not in the tables: không đủ dữ liệu, never 0 or full
    ckmb = groups.filter(pl.col("Mã nhóm") == "CKMB").row(0, named=True)
    assert ckmb["Tình trạng"] == "không đủ dữ liệu" and ckmb["Tối đa có dữ liệu"] == "0"
    inds = _table(at, "Mã")
    assert inds.filter(pl.col("Mã") == "1.1")["Tình trạng"][0].startswith("không đủ dữ liệu")
    assert inds.filter(pl.col("Mã") == "2.1")["Điểm"][0] == fmt.number(next(
        i.points for i in res.indicators() if i.code == "2.1"), 2)
    # the chart by group carries the same points; the trend draws the band lines of the definition
    charts = _charts(at)
    bars = next(c for c in charts if "nhóm chỉ số" in c["layout"]["title"]["text"])
    assert sorted(x for x in bars["data"][2]["x"]) == sorted(g.score or 0 for g in res.groups)
    trend = next(c for c in charts if "Xu hướng tổng điểm" in c["layout"]["title"]["text"])
    notes = [a["text"] for a in trend["layout"]["annotations"]]
    assert {b.name for b in scoring.load_index("766").bands if b.min_percent > 0} <= set(notes)
    assert len(trend["data"][0]["x"]) == 12 and trend["data"][0]["x"][0] == "Tháng 1/2023"
    # ranking among the communes of Nam Sách, the selected one marked
    rank = _table(at, "Hạng")
    assert rank.height == len(iv.children_of(db, kpis.resolve_unit(db, "291"), "commune"))
    assert rank.filter(pl.col("Đơn vị").str.contains("đang chọn"))["Tổng điểm"][0] == fmt.number(res.total, 2)


def _late_dossiers(sample_dir: Path, unit: str, start: date, end: date) -> list[str]:
    """Resolved in the period on a day after the due day, counted from the Parquet files."""
    d = pl.scan_parquet(str(sample_dir / "dossiers" / "**" / "*.parquet"), hive_partitioning=True)
    s, e = datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())
    late = (d.filter((pl.col("unit_code") == unit) & (pl.col("finished_at") >= s) & (pl.col("finished_at") < e)
                     & (pl.col("finished_at").dt.date() > pl.col("due_at").dt.date()))
            .select("dossier_id").collect())
    return sorted(late["dossier_id"].to_list())


def test_indicator_drill_lists_the_late_dossier_of_2_1(app, db, sample_dir):
    at = app(page=PAGE, ind="2.1", **QT)
    assert at.query_params["ind"] == ["2.1"] or at.query_params["ind"] == "2.1"
    res = scoring.score(db, "766", kpis.resolve_unit(db, "10621"), QT_PERIOD)
    i = next(x for x in res.indicators() if x.code == "2.1")
    assert (i.numerator, i.denominator) == (3261, 3262)      # seed: 3.257 on time + 4 pending within deadline
    assert _metric(at, "Điểm bị mất") == fmt.number(20 - i.points, 2)
    assert _metric(at, "Giá trị") == "3.261/3.262 = 99,97 %"
    lost = _table(at, "Mã hồ sơ")
    late = _late_dossiers(sample_dir, "10621", QT_PERIOD.start, QT_PERIOD.end)
    assert len(late) == 1                                    # seed: 1 late (Hộ tịch), no pending overdue
    assert lost["Mã hồ sơ"].to_list() == late and lost["Lý do mất điểm"][0] == "Giải quyết quá hạn"
    assert lost["Lĩnh vực"][0] == "Hộ tịch"
    # its monthly trend against the full-points value (proportional rule: 100 %)
    trend = next(c for c in _charts(at) if c["layout"]["title"]["text"].startswith("<b>Chỉ tiêu 2.1"))
    assert any(a["text"].startswith("Ngưỡng đạt điểm tối đa") and "100 %" in a["text"]
               for a in trend["layout"]["annotations"])
    assert trend["layout"]["shapes"][0]["y0"] == 1.0


def test_commune_index_for_a_district_says_so_and_ranks_its_communes(app, db):
    at = app(page=PAGE, unit="291", idx="cchc-xa-hai-duong", **{"from": QT["from"], "to": QT["to"]})
    assert any("chỉ áp dụng cho cấp xã" in i.value for i in at.info)
    assert not at.metric
    rank = _table(at, "Hạng")
    assert rank.height == 15 and not rank["Đơn vị"].str.contains("đang chọn").any()


@pytest.mark.parametrize("unit", ["291", "30"])
def test_district_and_province(app, unit):
    at = app(page=PAGE, unit=unit, xu="quy", **{"from": QT["from"], "to": QT["to"]})
    assert not at.exception
    assert _metric(at, "Tổng điểm (thang 100)") != "không đủ dữ liệu"
    trend = next(c for c in _charts(at) if "Xu hướng tổng điểm" in c["layout"]["title"]["text"])
    assert trend["data"][0]["x"][-1] == "Quý IV/2023" and len(trend["data"][0]["x"]) == 8
    assert _table(at, "Hạng").height == 12   # the 12 districts of Hải Dương


# --------------------------------------------------------------------------------------------
# Grouped queries = the engine's per-period, per-unit scores
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index_code,unit,buckets", [
    ("766", "10621", [periods.calendar_month(2023, m) for m in (1, 2, 7, 12)]),
    ("766", "291", [periods.calendar_quarter(2024, 1), periods.calendar_month(2025, 6)]),
    ("766", "30", [periods.calendar_month(2024, 3)]),
    ("cchc-xa-hai-duong", "10621", [periods.official_month(2023, m, 10) for m in (1, 6)] + [QT_PERIOD]),
])
def test_grouped_trend_equals_per_period_scores(db, index_code, unit, buckets):
    u = kpis.resolve_unit(db, unit)
    grouped = iv.score_periods(db, scoring.load_index(index_code), u, buckets)
    for g, p in zip(grouped, buckets):
        assert g.to_dict() == scoring.score(db, index_code, u, p).to_dict(), p.label


@pytest.mark.parametrize("index_code,scope,child,period", [
    ("766", "291", "commune", QT_PERIOD),
    ("766", "30", "district", periods.calendar_month(2024, 3)),
    ("cchc-xa-hai-duong", "291", "commune", QT_PERIOD),
])
def test_grouped_ranking_equals_per_unit_scores(db, index_code, scope, child, period):
    s = kpis.resolve_unit(db, scope)
    ranked = iv.score_children(db, scoring.load_index(index_code), s, child, period)
    expected = scoring.score_units(db, index_code, iv.children_of(db, s, child), period)
    assert [r.unit_code for r in ranked] == [r.unit_code for r in expected]
    assert [r.to_dict() for r in ranked] == [r.to_dict() for r in expected]
    assert len(ranked) == (15 if child == "commune" else 12)


@pytest.mark.parametrize("unit,period", [("10621", QT_PERIOD), ("291", periods.calendar_month(2024, 3))])
def test_lost_dossiers_are_the_denominator_minus_the_numerator(db, unit, period):
    u = kpis.resolve_unit(db, unit)
    base = scoring.query_params(u, period)
    for metric in iv.LOST_WHAT:
        row = db.run(f"index_{metric}", **base).row(0, named=True)
        expected = row["numerator"] if row["denominator"] is None else row["denominator"] - row["numerator"]
        page = iv.lost_dossiers(db, u, period, metric, per_page=5)
        assert page.total == expected, metric
        assert page.rows.height == min(5, expected)


def test_lost_dossier_pages(db):
    u = kpis.resolve_unit(db, "10621")
    first = iv.lost_dossiers(db, u, QT_PERIOD, "digitised_input", page=1, per_page=20)
    second = iv.lost_dossiers(db, u, QT_PERIOD, "digitised_input", page=2, per_page=20)
    assert first.total == 3241 - 3210 and first.pages == 2       # seed: 3.210 of 3.241 digitised
    assert second.rows.height == 11 and not set(first.rows["dossier_id"]) & set(second.rows["dossier_id"])
    assert iv.lost_dossiers(db, u, QT_PERIOD, "digitised_input", page=9, per_page=20).page == 2
    assert set(iv.lost_table(first)["Lý do mất điểm"]) == {"Chưa số hóa thành phần"}


def test_trend_periods():
    ix766, ixc = scoring.load_index("766"), scoring.load_index("cchc-xa-hai-duong")
    qt = kpis.Unit("10621", "Xã Quốc Tuấn", "commune", "30", "291")
    first, last = date(2021, 1, 1), date(2025, 6, 30)
    months = iv.trend_periods(ix766, qt, QT_PERIOD, "thang", first, last)
    assert [p.short_label for p in (months[0], months[-1])] == ["Tháng 1/2023", "Tháng 12/2023"] and len(months) == 12
    assert all(p.kind == "cal_month" for p in months)
    quarters = iv.trend_periods(ix766, qt, QT_PERIOD, "quy", first, last)
    assert [p.short_label for p in quarters][0] == "Quý I/2022" and len(quarters) == 8
    assert [p.year for p in iv.trend_periods(ix766, qt, QT_PERIOD, "nam", first, last)] == [2021, 2022, 2023]
    official = iv.trend_periods(ixc, qt, QT_PERIOD, "thang", first, last)
    assert official[-1] == periods.official_month(2023, 12, 10) and official[0].kind == "month"
    # a period past the data: only the periods complete in the data
    late = iv.trend_periods(ix766, qt, periods.calendar_year(2025), "nam", first, last)
    assert [p.year for p in late] == [2021, 2022, 2023, 2024]


# --------------------------------------------------------------------------------------------
# Item 5: the index thresholds on other pages' trends, from the definition files
# --------------------------------------------------------------------------------------------

def test_thresholds_come_from_the_definition_file():
    raw = tomllib.loads((ROOT / "cchc" / "indexes" / "766.toml").read_text(encoding="utf-8"))
    stated = {i["metric"]: (i.get("threshold", 100) / 100, i["code"], i["max"])
              for g in raw["groups"] for i in g["indicators"] if "metric" in i}
    got = scoring.thresholds("766")
    assert {m: (t.value, t.code, t.max) for m, t in got.items()} == stated
    assert got["digitised_input"].label == "Ngưỡng đạt điểm tối đa chỉ tiêu 4.2 (Bộ chỉ số 766): 80 %"
    assert got["online_full"].placeholder and "giả định" in got["online_full"].label
    # the satisfaction page reads 5.4 from the file, not a number of its own
    assert (sat.THRESHOLD_766, sat.POINTS_766) == (stated["dossier_satisfaction"][0], stated["dossier_satisfaction"][2])


def test_metric_trend_adds_up_to_the_period(db, sample_dir):
    u = kpis.resolve_unit(db, "10621")
    rows = iv.metric_trend(db, u, QT_PERIOD, "digitised_input")
    assert rows[0]["start"] == QT_PERIOD.start and rows[-1]["end"] == QT_PERIOD.end and len(rows) == 13
    # seed: 3.210 of the 3.241 new dossiers digitised at receipt
    assert (sum(r["numerator"] for r in rows), sum(r["denominator"] for r in rows)) == (3210, 3241)
    for r in rows[:2]:
        q = db.run("index_digitised_input", **u.scope, start=r["start"], end=r["end"]).row(0, named=True)
        assert (r["numerator"], r["denominator"]) == (q["numerator"], q["denominator"])
    # narrowed to one field: the new Hộ tịch dossiers of the year, counted from the Parquet files
    ht = iv.metric_trend(db, u, QT_PERIOD, "digitised_input", field="Hộ tịch")
    d = pl.scan_parquet(str(sample_dir / "dossiers" / "**" / "*.parquet"), hive_partitioning=True)
    new = d.filter((pl.col("unit_code") == "10621") & (pl.col("field") == "Hộ tịch")
                   & (pl.col("received_at").dt.date() >= QT_PERIOD.start)
                   & (pl.col("received_at").dt.date() <= QT_PERIOD.end)).select("digitised_input").collect()
    assert sum(r["denominator"] for r in ht) == new.height
    assert sum(r["numerator"] for r in ht) == new["digitised_input"].sum()


def test_ho_so_draws_the_766_threshold_on_request(app):
    at = app(page="pages/ho_so.py", ct="4.2", **QT)
    spec = next(c for c in _charts(at) if "Chỉ tiêu 4.2 theo tháng" in c["layout"]["title"]["text"])
    assert "Ngưỡng đạt điểm tối đa chỉ tiêu 4.2 (Bộ chỉ số 766): 80 %" in [a["text"] for a in spec["layout"]["annotations"]]
    assert spec["layout"]["shapes"][0]["y0"] == scoring.thresholds("766")["digitised_input"].value


def test_hai_long_trend_threshold_is_the_definitions(app):
    at = app(page="pages/hai_long.py", **QT)
    spec = next(c for c in _charts(at) if "Tỷ lệ hài lòng theo tháng" in c["layout"]["title"]["text"])
    label = scoring.thresholds("766")["dossier_satisfaction"].label
    assert label in [a["text"] for a in spec["layout"]["annotations"]]
