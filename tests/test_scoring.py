"""The scoring-index engine: rules at their edges, definition files and their validation, a 766
score worked out by hand on a small fixture, xã Quốc Tuấn 2023 line by line, the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from cchc import kpis, periods, scoring
from cchc.db import Database
from cchc.scoring import IndexDefinitionError, Rule

from fixtures import dossier, write_dataset

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------
# Rules at their edges
# --------------------------------------------------------------------------------------------

def test_threshold_linear_edges():
    r = Rule("threshold_linear", threshold=80)
    assert r.points(0, 6) == 0
    assert r.points(40, 6) == pytest.approx(3)          # half the threshold, half the points
    assert r.points(79.99, 6) == pytest.approx(6 * 79.99 / 80)
    assert r.points(80, 6) == 6                          # exactly the threshold
    assert r.points(100, 6) == 6
    assert r.points(150, 6) == 6                         # above 100 % (e.g. revenue over plan)
    assert r.points(-5, 6) == 0


def test_proportional_is_threshold_100():
    r = Rule("proportional")
    for v in (0, 12.5, 50, 99.97, 100, 104.61):
        assert r.points(v, 20) == pytest.approx(Rule("threshold_linear", threshold=100).points(v, 20))
    assert r.points(99.969, 20) == pytest.approx(19.9938)
    assert r.points(120, 20) == 20


def test_stepped_edges():
    r = Rule("stepped", bands=((100, 3), (80, 1.5)))
    assert r.points(100, 3) == 3          # exactly on the top band
    assert r.points(99.99, 3) == 1.5      # just below it
    assert r.points(80, 3) == 1.5
    assert r.points(79.99, 3) == 0        # below every band
    assert r.points(0, 3) == 0
    assert r.points(250, 3) == 3


def test_target_inverse_per_unit_edges():
    at_least = Rule("target", target=1)
    assert (at_least.points(0, 2), at_least.points(1, 2), at_least.points(15, 2)) == (0, 2, 2)
    at_most = Rule("target", target=100, direction="at_most")
    assert (at_most.points(70, 3), at_most.points(100, 3), at_most.points(100.5, 3)) == (3, 3, 0)
    inv = Rule("inverse", best=0, worst=2)
    assert [inv.points(v, 2) for v in (0, 1, 2, 7)] == [2, 1, 0, 0]
    per = Rule("per_unit", per=0.25)
    assert [per.points(v, 1) for v in (0, 1, 3, 4, 10)] == [0, 0.25, 0.75, 1, 1]


def test_rule_descriptions_are_vietnamese():
    assert Rule("threshold_linear", threshold=80).describe() == (
        "Đạt từ 80 % trở lên: điểm tối đa; dưới 80 %: giá trị × điểm tối đa / 80 %")
    assert "từ 100 % trở lên: 3 điểm" in Rule("stepped", bands=((100, 3), (80, 1.5))).describe()


# --------------------------------------------------------------------------------------------
# Definition files
# --------------------------------------------------------------------------------------------

def test_shipped_definitions_load():
    assert {"766", "cchc-xa-hai-duong"} <= set(scoring.list_indexes())
    ix = scoring.load_index("766")
    assert [(g.code, g.max) for g in ix.groups] == [("CKMB", 18), ("TDGQ", 20), ("CLGQ", 12), ("TTTT", 10),
                                                     ("MDHL", 18), ("MDSH", 22)]
    assert ix.decision == "766/QĐ-TTg" and ix.decision_date == date(2022, 6, 23) and ix.period == "calendar"
    assert all(i.source for _, i in ix.indicators())
    # what the tables cannot hold is declared, never scored
    held = {i.code for _, i in ix.indicators() if i.kind != "not_held"}
    assert {"1.1", "1.2", "1.3", "1.4", "4.4", "4.5a", "4.5b"}.isdisjoint(held)
    assert {"2.1", "3.3", "3.6", "4.2", "5.4"} <= held
    xa = scoring.load_index("cchc-xa-hai-duong")
    assert xa.placeholder and len(xa.groups) == 8 and xa.max_total == 100
    assert {i.component for _, i in xa.indicators()} == {"assessment", "survey"}
    assert sum(i.max for _, i in xa.indicators() if i.component == "survey") == 30
    assert xa.bonus and xa.penalty and xa.levels == ("commune",)
    assert [b.min_percent for b in xa.bands] == sorted((b.min_percent for b in xa.bands), reverse=True)


GOOD = """
[index]
code = "{code}"
name = "Thử"
levels = ["commune"]
max_total = 10

[[bands]]
name = "Đạt"
min_percent = 50

[[bands]]
name = "Chưa đạt"
min_percent = 0

[[groups]]
code = "G1"
name = "Nhóm 1"
max = 10

[[groups.indicators]]
code = "1.1"
name = "Đúng hạn"
max = 6
metric = "on_time"
rule = "threshold_linear"
threshold = 80

[[groups.indicators]]
code = "1.2"
name = "Kế hoạch"
max = 4
fact = "plans_issued"
rule = "target"
target = 1
"""


def _write_def(tmp_path: Path, text: str, code: str = "thu") -> Path:
    p = tmp_path / f"{code}.toml"
    p.write_text(text.replace("{code}", code), encoding="utf-8")
    return p


@pytest.mark.parametrize("change, key, words", [
    (("max = 6\nmetric", "max = 5\nmetric"), "groups[0].max", "tổng điểm tối đa các chỉ tiêu là 9"),
    (("max_total = 10", "max_total = 12"), "index.max_total", "tổng điểm tối đa các nhóm là 10"),
    (('rule = "threshold_linear"', 'rule = "linear"'), "groups[0].indicators[0].rule", "quy tắc chấm điểm không biết"),
    (('metric = "on_time"', 'metric = "on_tme"'), "groups[0].indicators[0].metric", "queries/index_on_tme.sql"),
    (('fact = "plans_issued"', 'fact = "plans"'), "groups[0].indicators[1].fact", "facts.csv"),
    (("threshold = 80", "treshold = 80"), "groups[0].indicators[0].treshold", "khóa không có trong định dạng"),
    (("threshold = 80", "threshold = 0"), "groups[0].indicators[0].threshold", "phải lớn hơn 0"),
    (('code = "1.2"', 'code = "1.1"'), "groups[0].indicators[1].code", "đã dùng"),
    (("min_percent = 0", "min_percent = 60"), "bands", "giảm dần"),
    (('rule = "target"\ntarget = 1', 'rule = "target"'), "groups[0].indicators[1].target", "thiếu khóa"),
])
def test_definition_errors_name_file_and_key(tmp_path, change, key, words):
    old, new = change
    assert old in GOOD
    p = _write_def(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(IndexDefinitionError) as e:
        scoring.load_index(p)
    msg = str(e.value)
    assert "thu.toml" in msg and f"khóa {key}" in msg and words in msg, msg


def test_definition_good_and_code_must_match_file(tmp_path):
    ix = scoring.load_index(_write_def(tmp_path, GOOD))
    assert [i.code for _, i in ix.indicators()] == ["1.1", "1.2"]
    with pytest.raises(IndexDefinitionError, match="trùng tên tệp"):
        scoring.load_index(_write_def(tmp_path, GOOD.replace('code = "{code}"', 'code = "khac"')))
    with pytest.raises(IndexDefinitionError, match="sai cú pháp TOML"):
        scoring.load_index(_write_def(tmp_path, GOOD + "\n[[groups\n"))
    with pytest.raises(IndexDefinitionError, match="Không có bộ chỉ số 'khong-co'"):
        scoring.load_index("khong-co")


# --------------------------------------------------------------------------------------------
# The 766 score of a small hand-built fixture, worked out by hand (calendar March 2023, xã 10621)
# --------------------------------------------------------------------------------------------

def _proc(code, online, fee, paper, valid_to=None):
    return dict(code=code, name=f"Thủ tục {code}", field="Hộ tịch", level="commune", agency="ubnd", statutory_days=3,
                online_level=online, fee_vnd=fee, paper_result=paper, valid_from=date(2020, 1, 1), valid_to=valid_to)


PROCS = [
    _proc("PA", "toan_trinh", 0, True),
    _proc("PB", "khong", 2000, True),
    _proc("PC", "mot_phan", 8000, True),
    _proc("PD", "toan_trinh", 0, False),                      # result is not a paper document
    _proc("PE", "toan_trinh", 5000, True, date(2022, 12, 31)),  # repealed: not in force on 31/03/2023
    _proc("PF", "mot_phan", 3000, True),                      # has a fee, no dossier this month
]
M = "2023-03-"
DOSSIERS = [
    dossier("D01", M + "01 08:00", M + "06 17:00", M + "03 10:00", proc="PA", channel="truc_tuyen", reused_data=True),
    dossier("D02", M + "02 08:00", M + "07 17:00", M + "07 09:00", proc="PA"),                       # on the due day
    dossier("D03", M + "06 08:00", M + "09 17:00", M + "10 09:00", proc="PA", channel="truc_tuyen"),  # 1 day late
    dossier("D04", M + "29 08:00", "2023-04-03 17:00", None, proc="PA"),                             # pending, within
    dossier("D05", "2023-02-27 08:00", M + "02 17:00", M + "01 10:00", proc="PA", e_result=False),    # carried over
    dossier("D06", M + "07 08:00", M + "10 17:00", M + "10 08:00", proc="PD", channel="truc_tuyen"),
    dossier("D07", M + "08 08:00", M + "13 17:00", M + "09 08:00", proc="PD", digitised_input=False),
    dossier("D08", M + "20 08:00", "2023-04-10 17:00", None, proc="PD", channel="truc_tuyen",
            status="bo_sung", supplement_count=2),                                               # 2 supplement requests
    dossier("D09", M + "09 08:00", M + "09 17:00", M + "09 15:00", proc="PB", field="Chứng thực", fee_vnd=2000),
    dossier("D10", M + "10 08:00", M + "10 17:00", M + "10 09:00", proc="PB", field="Chứng thực", fee_vnd=2000,
            e_result=False),
    dossier("D11", M + "13 08:00", M + "13 17:00", M + "15 09:00", proc="PB", field="Chứng thực", fee_vnd=2000,
            channel="buu_chinh", digitised_input=False),                                        # 2 days late
    dossier("D12", M + "14 08:00", M + "15 17:00", M + "14 10:00", proc="PB", field="Chứng thực", fee_vnd=2000,
            channel="truc_tuyen", paid_online=True, reused_data=True),
    dossier("D13", M + "15 08:00", M + "20 17:00", M + "20 10:00", proc="PC", fee_vnd=8000, channel="truc_tuyen",
            paid_online=True),
    dossier("D14", M + "16 08:00", M + "21 17:00", M + "17 10:00", proc="PC", fee_vnd=8000),
    dossier("D15", M + "17 08:00", M + "22 17:00", M + "20 10:00", proc="PC", fee_vnd=0),              # fee waived
    dossier("D16", "2022-11-02 08:00", "2022-11-07 17:00", None, proc="PC", fee_vnd=8000),          # overdue, open
    dossier("D17", M + "28 08:00", M + "31 17:00", "2023-04-03 09:00", proc="PA"),                  # due on last day
    dossier("D18", M + "21 08:00", M + "24 17:00", M + "22 10:00", proc="PA", channel="truc_tuyen"),  # rated 1
    dossier("D19", M + "22 08:00", M + "27 17:00", M + "23 10:00", proc="PA"),                       # has a PAKN
    dossier("D20", M + "23 08:00", M + "28 17:00", M + "24 10:00", proc="PD", reused_data=True),
    # not counted for xã 10621 in March: another commune; received in April; finished before March
    dossier("X1", M + "10 08:00", M + "15 17:00", M + "14 09:00", unit="10606", proc="PA"),
    dossier("X2", "2023-04-03 08:00", "2023-04-06 17:00", "2023-04-05 09:00", proc="PA"),
    dossier("X3", "2023-02-20 08:00", "2023-02-23 17:00", "2023-02-22 09:00", proc="PA"),
]


def _rating(did, level, when):
    return dict(rating_id=f"R-{did}", dossier_id=did, unit_code="10621", district_code="291", procedure_code="PA",
                field="Hộ tịch", rated_at=datetime.fromisoformat(when), level=level, channel="tai_quay",
                year=int(when[:4]), province_code="30")


RATINGS = [_rating("D01", 4, M + "03 10:05"), _rating("D02", 3, M + "07 09:05"), _rating("D18", 1, M + "22 10:05")]


def _fb(fid, received, due, handled, satisfied=None, dossier_id=None, unit="10621"):
    ts = lambda s: None if s is None else datetime.fromisoformat(s)  # noqa: E731
    return dict(feedback_id=fid, unit_code=unit, district_code="291", province_code="30", dossier_id=dossier_id,
                field="Hộ tịch", kind="giai_quyet", channel="cong_dvc", received_at=ts(received), due_at=ts(due),
                handled_at=ts(handled), outcome="giai_trinh" if handled else None, citizen_satisfied=satisfied)


FEEDBACK = [
    _fb("F1", M + "02 09:00", M + "23 17:00", M + "10 15:00", True, dossier_id="D19"),  # on time, about D19
    _fb("F2", M + "03 09:00", M + "24 17:00", M + "28 15:00"),                          # handled late
    _fb("F3", M + "06 09:00", M + "27 17:00", M + "20 15:00", False),                   # on time, unsatisfied
    _fb("F4", M + "27 09:00", "2023-04-17 17:00", None),                               # open, not yet due
    _fb("F5", M + "06 09:00", M + "27 17:00", M + "28 15:00", unit="10606"),            # another commune
]


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("score"), dossiers=DOSSIERS, ratings=RATINGS, feedback=FEEDBACK,
                         procedures=PROCS)
    d = Database(root)
    yield d
    d.close()


@pytest.fixture(scope="module")
def march(fx):
    return scoring.score(fx, scoring.load_index("766"), kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 3))


def _ind(res, code):
    return next(i for i in res.indicators() if i.code == code)


def test_766_fixture_by_hand(march):
    res = march
    # In scope: D01–D20 (D05 and D16 carried over, 18 new). Resolved in March: 16 (all but D04, D08, D16,
    # D17). Finished on or before the due day: the 16 minus D03, D11 = 14. Pending within deadline: D04, D17
    # (D08 waits for a 2nd supplement: late by the 766 rule; D16 overdue) = 2.
    i = _ind(res, "2.1")
    assert (i.numerator, i.denominator) == (16, 20)
    assert i.points == pytest.approx(20 * 16 / 20)                       # proportional: 16,00
    # 3.3: new dossiers of full-online procedures PA (D01 D02 D03 D04 D17 D18 D19) and PD (D06 D07 D08 D20)
    # = 11, online: D01 D03 D18 D06 D08 = 5; 45,45 % against the 50 % threshold.
    i = _ind(res, "3.3")
    assert (i.numerator, i.denominator) == (5, 11)
    assert i.points == pytest.approx(12 * (5 / 11) / 0.5)                # 10,91
    # 3.5 / 3.5b: procedures with a fee in force on 31/03 = PB, PC, PF (PE repealed) = 3; with a fee
    # dossier in March: PB, PC = 2; with a dossier paid online: PB (D12), PC (D13) = 2; threshold 80 %.
    assert (_ind(res, "3.5").numerator, _ind(res, "3.5").denominator) == (2, 3)
    assert _ind(res, "3.5").points == pytest.approx(2 * (2 / 3) / 0.8)   # 1,67
    assert _ind(res, "3.5b").points == pytest.approx(2 * (2 / 3) / 0.8)
    # 3.6: new dossiers with a fee: D09 D10 D11 D12 D13 D14 = 6 (D15 waived); paid online D12, D13 = 2.
    i = _ind(res, "3.6")
    assert (i.numerator, i.denominator) == (2, 6) and i.points == pytest.approx(6 * 2 / 6)   # 2,00
    # 4.1: resolved dossiers of paper-result procedures PA (D01 D02 D03 D05 D18 D19), PB (D09–D12),
    # PC (D13 D14 D15) = 13; with an electronic result: all but D05, D10 = 11.
    i = _ind(res, "4.1")
    assert (i.numerator, i.denominator) == (11, 13) and i.points == pytest.approx(6 * 11 / 13)  # 5,08
    # 4.2: new 18, input not digitised: D07, D11 -> 16/18 = 88,9 % >= 80 % -> 4.
    i = _ind(res, "4.2")
    assert (i.numerator, i.denominator) == (16, 18) and i.points == 4
    # 4.3: reused data D01 D12 D20 = 3/18 = 16,7 % against 80 %.
    i = _ind(res, "4.3")
    assert (i.numerator, i.denominator) == (3, 18) and i.points == pytest.approx(2 * (3 / 18) / 0.8)  # 0,42
    # 5.2: PAKN of xã 10621 received in March: F1–F4; on time: F1, F3, and F4 open but not due = 3/4.
    i = _ind(res, "5.2")
    assert (i.numerator, i.denominator) == (3, 4) and i.points == pytest.approx(6 * 0.75)          # 4,50
    # 5.3: minus F2 (late) and F3 (unsatisfied) = 2/4.
    i = _ind(res, "5.3")
    assert (i.numerator, i.denominator) == (2, 4) and i.points == pytest.approx(3)
    # 5.4: 16 resolved minus D03, D11 (late), D18 (rated "không hài lòng"), D19 (has a PAKN) = 12/16 = 75 %
    # against the 90 % threshold.
    i = _ind(res, "5.4")
    assert (i.numerator, i.denominator) == (12, 16) and i.points == pytest.approx(6 * 0.75 / 0.9)  # 5,00

    g = {x.code: x for x in res.groups}
    assert g["CKMB"].score is None and g["CKMB"].status == "no_data"
    assert g["TDGQ"].score == pytest.approx(16)
    assert g["CLGQ"].score == pytest.approx(120 / 11)
    assert g["TTTT"].score == pytest.approx(2 * (2 / 3) / 0.8 * 2 + 2)
    assert g["MDHL"].score == pytest.approx(4.5 + 3 + 5)
    assert g["MDSH"].score == pytest.approx(66 / 13 + 4 + 2 * (3 / 18) / 0.8)
    assert (g["MDSH"].available_max, g["MDSH"].max) == (12, 22)
    # available: 20 + 12 + 10 + 18 + (6 + 4 + 2) = 72; total = raw / 72 × 100
    raw = 16 + 120 / 11 + (2 * (2 / 3) / 0.8 * 2 + 2) + 12.5 + (66 / 13 + 4 + 2 * (3 / 18) / 0.8)
    assert res.available_max == 72
    assert res.raw_total == pytest.approx(raw)                          # 54,24
    assert res.total == pytest.approx(raw / 72 * 100)                   # 75,33
    assert res.band.name.startswith("Nhóm C")
    assert not any("dương lịch" in n for n in res.notes)                # a calendar month: no warning


def test_no_data_is_left_out_and_rescaled(march):
    res = march
    missing = [i for i in res.indicators() if i.status == "no_data"]
    assert {i.code for i in missing} == {"1.1", "1.2", "1.3", "1.4", "4.2b", "4.4", "4.5b", "4.5a"}
    assert all(i.points is None and i.reason for i in missing)          # neither 0 nor full marks
    assert res.available_max == 100 - sum(i.max for i in missing)
    assert res.scaled_total == pytest.approx(res.raw_total / res.available_max * 100)
    d = res.to_dict()
    ckmb = next(g for g in d["groups"] if g["code"] == "CKMB")
    assert ckmb["score"] is None and {i["status"] for i in ckmb["indicators"]} == {"no_data"}
    assert any("được loại ra" in n for n in res.notes)


def test_empty_denominator_and_district_scope(fx):
    ix = scoring.load_index("766")
    # February 2023: no feedback -> 5.2 and 5.3 have no data (not full, not zero)
    feb = scoring.score(fx, ix, kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 2))
    assert _ind(feb, "5.2").status == "no_data" and _ind(feb, "5.2").reason.startswith("Mẫu số bằng 0")
    # The district adds xã 10606: X1 (early) and F5 (late)
    dist = scoring.score(fx, ix, kpis.resolve_unit(fx, "291"), periods.calendar_month(2023, 3))
    assert (_ind(dist, "2.1").numerator, _ind(dist, "2.1").denominator) == (17, 21)
    assert (_ind(dist, "5.2").numerator, _ind(dist, "5.2").denominator) == (3, 5)
    # A non-calendar period is accepted, with a note
    off = scoring.score(fx, ix, kpis.resolve_unit(fx, "10621"), periods.official_month(2023, 3, 15))
    assert any("dương lịch" in n for n in off.notes)


def test_commune_index_levels_and_when_empty(fx):
    xa = scoring.load_index("cchc-xa-hai-duong")
    with pytest.raises(scoring.ScoringError, match="áp dụng cho cấp xã"):
        scoring.score(fx, xa, kpis.resolve_unit(fx, "291"), periods.calendar_month(2023, 3))
    feb = scoring.score(fx, xa, kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 2))
    # no PAKN in February: this index gives full points (when_empty = "full"), the 766 index no data
    assert _ind(feb, "3.4").status == "ok" and _ind(feb, "3.4").points == 2
    # facts nobody reported are no data, whatever when_empty says
    assert _ind(feb, "1.1").status == "no_data" and "plans_issued" in _ind(feb, "1.1").reason


def test_entered_points_self_score_verification_survey(tmp_path):
    code = "cchc-xa-hai-duong"
    f = lambda ind, stage, v, at="2023-12-15 08:00": dict(  # noqa: E731
        unit_code="10621", year=2023, indicator=scoring.stage_fact_code(code, ind, stage), value=v, note=None,
        entered_by="test", entered_at=datetime.fromisoformat(at))
    facts = [
        f("1.4", "tu_cham", 1.0),                                       # manual: self-score only
        f("4.2", "tu_cham", 2.0), f("4.2", "tham_dinh_1", 1.5),         # verified round 1 wins
        f("4.2", "tham_dinh_2", 1.0, "2024-01-10 08:00"),               # round 2 wins over round 1
        f("3.1", "tham_dinh_1", 5.0),                                   # verification overrides computed
        f("8.3", "khao_sat", 8.0),                                      # survey points
        f("8.4", "khao_sat", 12.0),                                     # above the maximum 10: ignored
        dict(unit_code="10621", year=2023, indicator="plans_issued", value=2.0, note=None, entered_by="t",
             entered_at=datetime(2023, 12, 1)),
        dict(unit_code="10621", year=2023, indicator="plans_issued", value=0.0, note=None, entered_by="t",
             entered_at=datetime(2023, 12, 20)),                       # a later correction wins
    ]
    root = write_dataset(tmp_path / "d", dossiers=DOSSIERS, facts=facts, procedures=PROCS)
    db = Database(root)
    try:
        res = scoring.score(db, code, kpis.resolve_unit(db, "10621"), periods.calendar_month(2023, 3))
    finally:
        db.close()
    i = _ind(res, "1.4")
    assert (i.status, i.points, i.basis, i.stages) == ("manual", 1.0, "tu_cham", {"tu_cham": 1.0})
    i = _ind(res, "4.2")
    assert (i.status, i.points, i.basis) == ("manual", 1.0, "tham_dinh_2")
    assert i.stages == {"tu_cham": 2.0, "tham_dinh_1": 1.5, "tham_dinh_2": 1.0}
    i = _ind(res, "3.1")   # computed 14/16 resolved on time -> 6 × 0,875 = 5,25; verified 5
    assert (i.status, i.points, i.basis) == ("ok", 5.0, "tham_dinh_1") and i.computed == pytest.approx(5.25)
    i = _ind(res, "8.3")
    assert (i.status, i.points, i.component) == ("manual", 8.0, "survey")
    assert _ind(res, "8.4").status == "no_data" and any("8.4" in n for n in res.notes)
    i = _ind(res, "1.1")
    assert (i.value, i.points) == (0.0, 0.0)                           # newest entry of plans_issued: 0
    comps = res.to_dict()["components"]
    assert comps["survey"] == {"name": scoring.COMPONENTS["survey"], "score": 8.0, "available_max": 10.0, "max": 30.0}
    # penalty: D03 and D11 resolved late -> 2 × 0,25
    assert res.penalty_points == pytest.approx(0.5)
    assert res.total == pytest.approx(res.scaled_total - 0.5)


# --------------------------------------------------------------------------------------------
# xã Quốc Tuấn, official year 2023 (10/12/2022 – 09/12/2023), on the default sample
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def qt(db):
    unit = kpis.resolve_unit(db, "10621")
    p = periods.official_year(2023, 10)
    return unit, p, scoring.score(db, "766", unit, p)


def _raw_dossiers(sample_dir: Path, start: date, end: date) -> pl.DataFrame:
    """Quốc Tuấn's dossiers straight from the Parquet files, with the period roles computed in polars
    (independently of the SQL): in scope if received by the end and not finished before the start."""
    s, e1 = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    from datetime import timedelta
    e1 = e1 + timedelta(days=1)
    d = (pl.scan_parquet(str(sample_dir / "dossiers" / "**" / "*.parquet"), hive_partitioning=True)
         .filter(pl.col("unit_code") == "10621").collect())
    d = d.filter((pl.col("received_at") < e1) & (pl.col("finished_at").is_null() | (pl.col("finished_at") >= s)))
    procs = pl.read_parquet(sample_dir / "procedures.parquet")
    return d.join(procs.select(pl.col("code").alias("procedure_code"), "online_level", "paper_result",
                               pl.col("fee_vnd").alias("proc_fee")), on="procedure_code", how="left").with_columns(
        is_new=pl.col("received_at") >= s,
        resolved=pl.col("finished_at").is_not_null() & (pl.col("finished_at") < e1))


def test_quoc_tuan_2023_line_by_line(qt, sample_dir):
    unit, p, res = qt
    g = {x.code: x for x in res.groups}
    raw = _raw_dossiers(sample_dir, p.start, p.end)
    new = raw.filter(pl.col("is_new"))
    resolved = raw.filter(pl.col("resolved"))
    # CKMB — publication and portal sync are not in the tables: không đủ dữ liệu, 18 points left out.
    assert g["CKMB"].score is None and g["CKMB"].available_max == 0
    # TDGQ 2.1 — seed: 3.262 dossiers; 3.258 resolved of which 1 late; 4 pending, all within deadline:
    # (3.257 + 4) / 3.262 = 99,97 % -> 20 × 3.261 / 3.262 = 19,99.
    i = _ind(res, "2.1")
    assert (i.numerator, i.denominator) == (3257 + 4, 3262)
    assert g["TDGQ"].score == pytest.approx(20 * 3261 / 3262)
    # CLGQ 3.3 — dossiers received in the year for full-online procedures, share submitted online
    # (not in the seed report; counted here from the Parquet files), against 50 %.
    full = new.filter(pl.col("online_level") == "toan_trinh")
    online = full.filter(pl.col("channel") == "truc_tuyen").height
    assert (_ind(res, "3.3").numerator, _ind(res, "3.3").denominator) == (online, full.height)
    assert g["CLGQ"].score == pytest.approx(12 * min(1, online / full.height / 0.5))
    # TTTT — 3.5 / 3.5b: commune procedures with a fee in force on 09/12/2023 and whether a dossier with a fee
    # was received / paid online; 3.6 dossiers with a fee paid online (seed: not stated).
    procs = pl.read_parquet(sample_dir / "procedures.parquet").filter(
        (pl.col("fee_vnd") > 0) & (pl.col("level") == "commune") & (pl.col("valid_from") <= p.end)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= p.end)))
    fee_codes = set(procs["code"])
    with_fee = new.filter(pl.col("fee_vnd") > 0)
    x_synced = len(fee_codes & set(with_fee["procedure_code"]))
    x_paid = len(fee_codes & set(new.filter(pl.col("paid_online"))["procedure_code"]))
    paid = with_fee.filter(pl.col("paid_online")).height
    assert (_ind(res, "3.5").numerator, _ind(res, "3.5").denominator) == (x_synced, len(fee_codes))
    expected_tttt = (2 * min(1, x_synced / len(fee_codes) / 0.8) + 2 * min(1, x_paid / len(fee_codes) / 0.8)
                     + 6 * paid / with_fee.height)
    assert g["TTTT"].score == pytest.approx(expected_tttt)
    # MDHL — seed: 0 PAKN, so 5.2 and 5.3 have no data; 5.4: 3.258 resolved − 1 late − 0 "không hài lòng"
    # (all 3.258 forms satisfied) − 0 with PAKN = 3.257 / 3.258 >= 90 % -> 6. Group: 6 of 6 available (max 18).
    assert _ind(res, "5.2").status == _ind(res, "5.3").status == "no_data"
    assert (_ind(res, "5.4").numerator, _ind(res, "5.4").denominator) == (3257, 3258)
    assert (g["MDHL"].score, g["MDHL"].available_max) == (6, 6)
    # MDSH — 4.2 seed: input digitised 3.210 / 3.241 = 99,04 % >= 80 % -> 4; 4.1 results issued electronically
    # among resolved dossiers of paper-result procedures, 4.3 reused data / new (counted from the files).
    paper = resolved.filter(pl.col("paper_result"))
    e_res = paper.filter(pl.col("e_result")).height
    reused = new.filter(pl.col("reused_data")).height
    assert (_ind(res, "4.2").numerator, _ind(res, "4.2").denominator) == (3210, 3241)
    assert (_ind(res, "4.1").numerator, _ind(res, "4.1").denominator) == (e_res, paper.height)
    assert g["MDSH"].score == pytest.approx(6 * e_res / paper.height + 4 + 2 * min(1, reused / 3241 / 0.8))
    assert g["MDSH"].available_max == 12
    # Total: the points above over the 60 points with data, rescaled to 100.
    assert res.available_max == 20 + 12 + 10 + 6 + 12
    assert res.total == pytest.approx(sum(x.score for x in res.groups if x.score is not None) / 60 * 100)
    assert any("dương lịch" in n for n in res.notes)     # the official year is not a calendar period


def test_quoc_tuan_2023_commune_index_from_seed_figures(db):
    res = scoring.score(db, "cchc-xa-hai-duong", kpis.resolve_unit(db, "10621"), periods.official_year(2023, 10))
    # staff 14 present of a quota of 20 (<= 100 % -> 3); university 11 of 14 = 78,6 % against 80 % -> 2,95
    assert (_ind(res, "4.1").numerator, _ind(res, "4.1").denominator, _ind(res, "4.1").points) == (14, 20, 3)
    assert _ind(res, "5.1").points == pytest.approx(3 * (11 / 14) / 0.8)
    assert _ind(res, "5.3").points == 2                                  # 0 disciplinary cases
    # finance 2023 (triệu đồng): revenue 12.951/12.380 -> 3; disbursement 4.112/4.164 = 98,75 % -> band 95 % -> 3;
    # expenditure 9.630/10.550 = 91,28 % >= 90 % -> 2
    assert (_ind(res, "6.1").numerator, _ind(res, "6.1").denominator) == (12951, 12380)
    assert [_ind(res, c).points for c in ("6.1", "6.2", "6.3")] == [3, 3, 2]
    # 3.1: 3.257 of 3.258 resolved on time; penalty: the one late dossier (0,25); bonus: 1 initiative (0,5)
    assert _ind(res, "3.1").points == pytest.approx(6 * 3257 / 3258)
    assert (res.penalty_points, res.bonus_points) == (0.25, 0.5)
    # no survey and no manual scores entered: the assessment part alone, rescaled
    assert res.components()["survey"]["score"] is None
    assert res.total == pytest.approx(res.raw_total / res.available_max * 100 + 0.5 - 0.25)


def test_score_units_ranks(db):
    units = [kpis.resolve_unit(db, c) for c in ("10621", "10606")]
    ranked = scoring.score_units(db, "766", units, periods.calendar_month(2024, 3))
    assert [r.total for r in ranked] == sorted((r.total for r in ranked), reverse=True)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def _cli(*args, env_dir):
    env = {**os.environ, "CCHC_DATA_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "cchc", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_cli_json_keys(sample_dir):
    r = _cli("index", "--index", "766", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31", "--json",
             env_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"index", "unit", "from", "to", "total", "max_total", "available_max", "groups", "band"} <= d.keys()
    assert (d["index"], d["unit"], d["from"], d["to"], d["max_total"]) == ("766", "10621", "2023-01-01", "2023-12-31", 100)
    assert [g["code"] for g in d["groups"]] == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
    for g in d["groups"]:
        assert {"code", "name", "score", "max", "indicators"} <= g.keys()
        for i in g["indicators"]:
            assert {"code", "name", "max", "numerator", "denominator", "rate", "threshold", "points", "status",
                    "source"} <= i.keys()
            assert i["status"] in ("ok", "no_data", "manual")
    ok = [i for g in d["groups"] for i in g["indicators"] if i["status"] == "ok"]
    assert d["available_max"] == sum(i["max"] for i in ok)
    assert d["total"] == pytest.approx(sum(i["points"] for i in ok) / d["available_max"] * 100, abs=1e-3)


def test_cli_text_and_errors(sample_dir):
    r = _cli("index", "--index", "766", "--unit", "10621", "--from", "10/12/2022", "--to", "09/12/2023",
             env_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Bộ chỉ số 766 (QĐ 766/QĐ-TTg ngày 23/06/2022) — Xã Quốc Tuấn" in out
    assert "[CKMB] Công khai, minh bạch: không đủ dữ liệu (tối đa 18)" in out
    assert "2.1   Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn (kể cả hồ sơ đang giải quyết) — 3.261/3.262 = 99,97 %; tỷ lệ thuận; 19,99/20 điểm" in out
    assert "dương lịch" in out
    r = _cli("index", "--index", "khong-co", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31",
             env_dir=sample_dir)
    assert r.returncode == 2 and "Không có bộ chỉ số 'khong-co'" in r.stderr and "Traceback" not in r.stderr
    r = _cli("index", "--index", "cchc-xa-hai-duong", "--unit", "30", "--from", "2023-01-01", "--to", "2023-12-31",
             env_dir=sample_dir)
    assert r.returncode == 2 and "áp dụng cho cấp xã" in r.stderr
