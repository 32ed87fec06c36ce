"""Hài lòng, phản ánh: the 766 indicator 5.4 and the survey rate worked out by hand on a small
dataset, and the page (AppTest) on the sample (Quốc Tuấn 2023, its district, the province) and on
the small dataset."""
from __future__ import annotations

import json

from datetime import date, datetime
from pathlib import Path

import pytest

from cchc import fmt, kpis, metrics, periods
from cchc.views import hai_long as sat
from cchc.db import Database

from fixtures import UNITS, dossier, write_dataset

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/hai_long.py"
QT_2023 = {"from": "2022-12-10", "to": "2023-12-09"}
DUE = "2023-03-10 17:00"


def rating(dossier_id: str, level: int, rated: str, unit="10621", proc="P1", field="Hộ tịch") -> dict:
    at = datetime.fromisoformat(rated)
    return dict(rating_id=f"R-{dossier_id}-{level}", dossier_id=dossier_id, unit_code=unit, district_code="291",
                procedure_code=proc, field=field, rated_at=at, level=level, channel="tai_quay", year=at.year,
                province_code="30")


def feedback(fid: str, received: str, due: str, handled: str | None, unit="10621", dossier_id=None,
             kind="giai_quyet", outcome="giai_trinh") -> dict:
    ts = lambda s: None if s is None else datetime.fromisoformat(s)  # noqa: E731
    return dict(feedback_id=fid, unit_code=unit, district_code="291", province_code="30", dossier_id=dossier_id,
                field="Hộ tịch", kind=kind, channel="cong_dvc", received_at=ts(received), due_at=ts(due),
                handled_at=ts(handled), outcome=outcome if handled else None, citizen_satisfied=None)


# Xã Quốc Tuấn (10621), 2023: ten dossiers resolved in the year, D01–D10.
DOSSIERS = [
    dossier("D01", "2023-03-06 08:00", DUE, "2023-03-15 09:00"),   # late
    dossier("D02", "2023-03-06 08:00", DUE, "2023-03-09 09:00"),   # rated 1 (không hài lòng)
    dossier("D03", "2023-03-06 08:00", DUE, "2023-03-09 09:00"),   # a feedback names it
    dossier("D04", "2023-03-06 08:00", DUE, "2023-03-20 09:00"),   # late and rated 1: counted once
    dossier("D05", "2023-03-06 08:00", DUE, "2023-03-09 09:00"),   # rated 2 (bình thường): not a dislike
    dossier("D06", "2023-03-06 08:00", DUE, "2023-03-10 16:00", proc="P2", field="Chứng thực"),  # on the due day
    dossier("D07", "2022-12-26 08:00", "2023-01-06 17:00", "2023-01-05 09:00"),  # received in 2022, resolved in 2023
    dossier("D08", "2023-06-01 08:00", "2023-06-06 17:00", "2023-06-02 09:00", proc="P2", field="Chứng thực"),
    dossier("D09", "2023-06-01 08:00", "2023-06-06 17:00", "2023-06-05 09:00"),
    dossier("D10", "2023-12-28 08:00", "2023-12-29 17:00", "2023-12-29 09:00"),
    # not in the 2023 denominator:
    dossier("D11", "2023-12-01 08:00", "2023-12-06 17:00", None),                 # pending, overdue
    dossier("D12", "2023-12-20 08:00", "2023-12-25 17:00", "2024-01-05 09:00"),   # resolved (late) in 2024
    dossier("D13", "2022-12-15 08:00", "2022-12-20 17:00", "2022-12-20 09:00"),   # resolved in 2022, rated 1
    # Thị trấn Nam Sách (10606), same district: one late, one fine
    dossier("E01", "2023-05-02 08:00", "2023-05-05 17:00", "2023-05-09 09:00", unit="10606"),
    dossier("E02", "2023-05-02 08:00", "2023-05-05 17:00", "2023-05-04 09:00", unit="10606"),
]
RATINGS = [
    rating("D02", 1, "2023-03-09 10:00"),
    rating("D04", 1, "2023-03-20 10:00"),
    rating("D05", 2, "2023-03-09 10:00"),
    rating("D06", 4, "2023-03-10 16:10", proc="P2", field="Chứng thực"),
    rating("D08", 3, "2023-06-02 10:00", proc="P2", field="Chứng thực"),
    rating("D09", 4, "2023-06-05 10:00"),
    rating("D10", 4, "2023-12-29 10:00"),
    rating("D12", 1, "2024-01-05 10:00"),     # rated in 2024: outside the 2023 survey, its dossier too
    rating("D08", 1, "2024-01-02 10:00", proc="P2", field="Chứng thực"),  # a dislike after the end of 2023
    rating("D13", 1, "2022-12-20 10:00"),     # rated in 2022
    rating("E02", 4, "2023-05-04 10:00", unit="10606"),
]
FEEDBACK = [
    # about D03; answered on time (due 03/04, answered 20/03)
    feedback("F1", "2023-03-13 09:00", "2023-04-03 17:00", "2023-03-20 15:00", dossier_id="D03"),
    # Thị trấn Nam Sách, no dossier, still open at the end of 2023 and overdue
    feedback("F2", "2023-11-01 09:00", "2023-11-22 17:00", None, unit="10606", kind="quy_dinh"),
    # received in 2024: outside the period
    feedback("F3", "2024-01-08 09:00", "2024-01-29 17:00", "2024-01-10 15:00", dossier_id="D10"),
]
EMPTY_COMMUNE = dict(code="10623", name="Xã Nam Hưng", type="Xã", level="commune", parent_code="291",
                     province_code="30", district_code="291")


@pytest.fixture(scope="module")
def fx_dir(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("hai_long"), dossiers=DOSSIERS, ratings=RATINGS, feedback=FEEDBACK,
                         units=UNITS + [EMPTY_COMMUNE])


@pytest.fixture(scope="module")
def fx(fx_dir):
    d = Database(fx_dir)
    yield d
    d.close()


def year_2023(db, code):
    u = kpis.resolve_unit(db, code)
    return u, periods.calendar_year(2023)


def test_766_measure_by_hand(fx):
    u, p = year_2023(fx, "10621")
    m = sat.measure_766(fx, u, p)
    # resolved in 2023: D01–D10 (D07 received in 2022; not D11 pending, D12 resolved 2024, D13 resolved 2022)
    assert m["resolved_total"] == 10
    # late: D01, D04; rated 1: D02, D04; named by a feedback: D03
    assert (m["resolved_late"], m["disliked"], m["complained"]) == (2, 2, 1)
    # not satisfied, each once: D01, D02, D03, D04 -> 4; D05 (bình thường) is not a dislike; the
    # dislike of D08 and the feedback about D10 came in 2024, after the end of the period
    assert m["not_satisfied"] == 4
    assert m["rate_766"] == pytest.approx(6 / 10)
    # 6 × min(1, 0.6 / 0.9) = 4
    assert m["points_766"] == pytest.approx(4.0)
    assert fmt.percent(m["rate_766"]) == "60,00 %"
    assert fmt.number(m["points_766"], 2) == "4,00"


def test_766_points_rule():
    assert sat.points_766(0.6) == pytest.approx(4.0)      # 6 × 60/90
    assert sat.points_766(0.9) == 6.0
    assert sat.points_766(0.97) == 6.0                     # capped at full points
    assert sat.points_766(0.0) == 0.0
    assert sat.points_766(None) is None


def test_overview_by_hand(fx):
    u, p = year_2023(fx, "10621")
    o = sat.overview(fx, u, p)
    # rating forms filled in 2023: D02(1) D04(1) D05(2) D06(4) D08(3) D09(4) D10(4): 7, satisfied 4
    assert (o["ratings_total"], o["ratings_satisfied"]) == (7, 4)
    assert (o["level_4"], o["level_3"], o["level_2"], o["level_1"]) == (3, 1, 1, 2)
    assert o["survey_rate"] == pytest.approx(4 / 7)
    f = {r["field"]: r for r in o["by_field"]}
    # Hộ tịch: resolved D01–D05, D07, D09, D10 = 8, not satisfied D01–D04 = 4;
    # Chứng thực: D06, D08, none unsatisfied
    assert (f["Hộ tịch"]["resolved_total"], f["Hộ tịch"]["not_satisfied"]) == (8, 4)
    assert (f["Chứng thực"]["resolved_total"], f["Chứng thực"]["not_satisfied"]) == (2, 0)
    # Hộ tịch ratings: D02(1) D04(1) D05(2) D09(4) D10(4): 2 of 5 satisfied; Chứng thực 2 of 2
    assert f["Hộ tịch"]["survey_rate"] == pytest.approx(2 / 5)
    assert [r["field"] for r in o["by_field"]] == ["Hộ tịch", "Chứng thực"]  # worst first
    assert {(r["procedure_code"], r["procedure_name"]) for r in o["by_procedure"]} == {
        ("P1", "Đăng ký khai sinh"), ("P2", "Chứng thực bản sao")}


def test_district_ranking_by_hand(fx):
    u, p = year_2023(fx, "291")
    o = sat.overview(fx, u, p, rank_by=sat.M766)
    # 10621: 6/10 = 60 %; 10606: E01 late of 2 -> 1/2 = 50 %, survey 1/1; 10623: no data (listed last)
    assert (o["resolved_total"], o["not_satisfied"]) == (12, 5)
    assert [c["child_code"] for c in o["children"]] == ["10606", "10621", "10623"]
    by = {c["child_code"]: c for c in o["children"]}
    assert by["10606"]["rate_766"] == pytest.approx(0.5)
    assert by["10623"]["rate_766"] is None and by["10623"]["ratings_total"] == 0
    # by the survey rate 10621 (4/7) comes before 10606 (1/1)
    o2 = sat.overview(fx, u, p, rank_by=sat.SURVEY)
    assert [c["child_code"] for c in o2["children"]] == ["10621", "10606", "10623"]
    t = sat.group_table(o["children"], "child", sat.feedback(fx, u, p)["children"])
    assert t["Hạng (từ thấp)"].to_list() == ["1", "2", "3"]
    assert t["Đơn vị"].to_list() == ["Thị trấn Nam Sách", "Xã Quốc Tuấn", "Xã Nam Hưng"]
    assert t["Chỉ tiêu 5.4"].to_list() == ["50,00 %", "60,00 %", "–"]
    assert t["Điểm 5.4 (/6)"].to_list() == ["3,33", "4,00", "–"]
    assert t["Phản ánh, kiến nghị"].to_list() == ["1", "1", "0"]


def test_feedback_by_hand(fx):
    u, p = year_2023(fx, "291")
    fb = sat.feedback(fx, u, p)
    # F1 answered on time, F2 open and overdue at 31/12/2023; F3 is 2024
    assert (fb["feedback_total"], fb["handled"], fb["feedback_handled_on_time"], fb["open_overdue"]) == (2, 1, 1, 1)
    assert fb["feedback_on_time"] == 1  # answered on time 1 + open within the deadline 0
    assert fb["feedback_on_time_rate"] == pytest.approx(1 / 2)
    assert {k["kind"]: k["count"] for k in fb["by_kind"]} == {"quy_dinh": 1, "giai_quyet": 1, "thai_do": 0, "khac": 0}
    assert {s["status"]: s["count"] for s in fb["by_status"]}["dang_qua_han"] == 1
    lst = sat.feedback_list(fx, u, p)
    assert lst["Mã PAKN"].to_list() == ["F2", "F1"]  # the open one first
    assert lst["Tình trạng"].to_list() == ["Đang xử lý, quá hạn", "Đã xử lý đúng hạn"]
    assert lst["Ngày tiếp nhận"].to_list() == ["01/11/2023", "13/03/2023"]


def test_cards_by_hand_from_the_catalogue(fx):
    u, p = year_2023(fx, "10621")
    cards = sat.cards(sat.overview(fx, u, p), sat.feedback(fx, u, p))
    by = {c.key: c for c in cards}
    # ratings 7, satisfied 4 (test_overview_by_hand); 766: resolved D01–D10 = 10, not satisfied D01–D04 = 4 -> 6/10,
    # 6 × min(1, 0.6 / 0.9) = 4 points; feedback: F1 only (F2 is Thị trấn Nam Sách's, F3 of 2024), answered on
    # 20/03 before its due day 03/04 -> 1 of 1 on time
    assert {k: c.value for k, c in by.items()} == pytest.approx({
        "ratings_total": 7, "satisfaction_rate": 4 / 7, "satisfaction_766_rate": 6 / 10, sat.POINTS: 4.0,
        "resolved_total": 10, "not_satisfied_766": 4, "feedback_total": 1, "feedback_on_time_rate": 1.0})
    # the catalogue's KPIs in its order, the points (index definition) right after the 766 rate
    assert [c.key for c in cards if c.key != sat.POINTS] == list(metrics.catalogue().satisfaction_cards)
    assert [c.key for c in cards].index(sat.POINTS) == [c.key for c in cards].index("satisfaction_766_rate") + 1
    for c in cards:
        if c.key == sat.POINTS:
            assert (c.label, c.kind) == ("Điểm chỉ tiêu 5.4 (tối đa 6)", "points")
            continue
        m = metrics.get(c.key)
        assert (c.label, c.higher_is_better, c.kind) == (m.label, m.higher_is_better, "rate" if m.is_rate else "count")
        assert c.help.startswith(m.help_text)
    assert "Kỳ này: quá hạn 2; đánh giá Không hài lòng 2; có phản ánh, kiến nghị 1." in by["not_satisfied_766"].help
    assert all(c.previous is None for c in cards)  # no comparison asked for


def test_trend_by_hand(fx):
    u, p = year_2023(fx, "10621")
    rows = {r["month"]: r for r in sat.trend(fx, u, p)}
    assert len(rows) == 24 and min(rows) == date(2022, 1, 1) and max(rows) == date(2023, 12, 1)
    # December 2022: D13 resolved and rated 1 -> 0 %; March 2023: D01–D06 resolved, D01–D04 unsatisfied
    assert (rows[date(2022, 12, 1)]["resolved_total"], rows[date(2022, 12, 1)]["rate_766"]) == (1, 0.0)
    assert (rows[date(2023, 3, 1)]["resolved_total"], rows[date(2023, 3, 1)]["not_satisfied"]) == (6, 4)
    # March ratings: D02(1) D04(1) D05(2) D06(4) -> 1 of 4
    assert rows[date(2023, 3, 1)]["survey_rate"] == pytest.approx(1 / 4)
    assert rows[date(2022, 6, 1)]["rate_766"] is None  # nothing that month
    assert sum(r["resolved_total"] for r in rows.values()) == 11  # D01–D10 and D13
    # June: D08, D09 resolved; D08's dislike came in 2024
    assert (rows[date(2023, 6, 1)]["resolved_total"], rows[date(2023, 6, 1)]["not_satisfied"]) == (2, 0)


# --- the page ---------------------------------------------------------------------------------------
def card_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_quoc_tuan_2023(app):
    at = app(page=PAGE, unit="10621", **QT_2023)
    v = card_values(at)
    assert v["Phiếu đánh giá"] == "3.258"
    assert v["Tỷ lệ hài lòng"] == "100,00 %"
    # 3.258 resolved, 1 of them late, no dislike, no feedback: 3.257 / 3.258
    assert v["Đã giải quyết"] == "3.258"
    assert v["Hồ sơ không hài lòng (766)"] == "1"
    assert v["Chỉ tiêu 5.4 (Bộ chỉ số 766)"] == fmt.percent(3257 / 3258) == "99,97 %"
    assert v["Điểm chỉ tiêu 5.4 (tối đa 6)"] == "6,00"
    assert v["Phản ánh, kiến nghị"] == "0"
    assert any(i.value == sat.EMPTY_FEEDBACK for i in at.info)
    # the trend carries the 90 % threshold line
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert [(s["y0"], s["y1"]) for s in layout["shapes"]] == [(0.9, 0.9)]
    assert any(a["text"].startswith("Ngưỡng") for a in layout["annotations"])
    # by field, worst first: the one late dossier is in Hộ tịch
    fields = at.dataframe[0].value
    assert fields["Lĩnh vực"][0] == "Hộ tịch"
    assert sorted(fields["Lĩnh vực"].to_list()) == ["Bảo trợ xã hội", "Chứng thực", "Hộ tịch", "Người có công"]
    assert not any(s.value.startswith("Xếp hạng") for s in at.subheader)  # no ranking for a commune


@pytest.mark.parametrize("code, heading", [("291", "Xếp hạng các xã"), ("30", "Xếp hạng các huyện")])
def test_page_district_and_province_rank_children(app, db, code, heading):
    at = app(page=PAGE, unit=code, **QT_2023)
    assert heading in [s.value for s in at.subheader]
    children = db.run("units_all").filter(parent_code=code)
    ranking = next(d.value for d in at.dataframe if "Hạng (từ thấp)" in d.value.columns)
    assert sorted(ranking["Đơn vị"].to_list()) == sorted(children["name"].to_list())
    rates = [float(x.replace(" %", "").replace(".", "").replace(",", ".")) for x in ranking["Tỷ lệ hài lòng"]]
    assert rates == sorted(rates)  # worst first
    # ranking by the 766 measure reorders by that column
    at.radio(key="hl_rank").set_value(sat.M766).run()
    assert not at.exception
    ranking = next(d.value for d in at.dataframe if "Hạng (từ thấp)" in d.value.columns)
    rates = [float(x.replace(" %", "").replace(".", "").replace(",", ".")) for x in ranking["Chỉ tiêu 5.4"]]
    assert rates == sorted(rates)


def test_page_on_hand_built_data(fx_dir, monkeypatch):
    from apptest_util import open_page

    monkeypatch.setenv("CCHC_DATA_DIR", str(fx_dir))  # the app caches one Database per data directory
    monkeypatch.setenv("CCHC_PUBLIC_READ", "1")  # hand-built data are real data: read as the public

    def run(unit):
        at = open_page(PAGE, {"unit": unit, "from": "2023-01-01", "to": "2023-12-31", "kind": "cal_year", "y": "2023"})
        assert not at.exception, [e.value for e in at.exception]
        return at

    v = card_values(run("10621"))
    assert v["Chỉ tiêu 5.4 (Bộ chỉ số 766)"] == "60,00 %"
    assert v["Điểm chỉ tiêu 5.4 (tối đa 6)"] == "4,00"
    assert v["Tỷ lệ hài lòng"] == "57,14 %"
    assert v["Phản ánh, kiến nghị"] == "1"
    at = run("10623")  # a commune without any data: kind messages, no error
    infos = [i.value for i in at.info]
    assert sat.EMPTY_RATINGS in infos and sat.EMPTY_RESOLVED in infos and sat.EMPTY_FEEDBACK in infos
    assert card_values(at)["Tỷ lệ hài lòng"] == "–"
